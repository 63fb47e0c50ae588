/* SPDX-License-Identifier: ISC */
/* loop: one iopause over the signal fd, with a deadline taken from the stop
 * planner and the spawn backoff. With nothing to do there is no deadline at
 * all: an idle PID 1 sleeps in the kernel until a signal arrives, and makes
 * no wake-ups of its own.
 *
 * Everything here runs after setup: PID 1 must not die. Errors are warned
 * about and retried with a back-off; the only way out is the end of a stop. */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "ctl.h"
#include "killall.h"
#include "loop.h"
#include "relay.h"
#include "signals.h"
#include "spawn.h"
#include "supervise.h"
#include "svsrc.h"

#define SPAWN_BACKOFF_MIN_MS 100u
#define SPAWN_BACKOFF_MAX_MS 10000u
#define REBOOT_EXIT_CODE     133 /* systemd-nspawn starts the container again */
/* A storm of deaths (thousands of orphans at once): the kernel's wait4 scans
 * the whole list of children for each zombie it returns, so reaping each
 * death as it comes costs O(children) per zombie while most are still
 * alive. Past REAP_STORM deaths in one pass, the next pass waits
 * REAP_BATCH_MS and takes them by the hundred. */
#define REAP_STORM    32u
#define REAP_BATCH_MS 5u

int loop_exit_code(int reboot, int have_main, int main_reaped, int main_wstatus, int essential_code)
{
    if (reboot)
        return REBOOT_EXIT_CODE;
    if (have_main && main_reaped)
        return reap_exit_code(main_wstatus);
    return essential_code >= 0 ? essential_code : 0;
}

static uint64_t now_ms(struct loop const *l)
{
    tain d;
    tain_now_g();
    tain_sub(&d, &STAMP, &l->began);
    return (uint64_t) tain_to_millisecs(&d);
}

int64_t loop_remaining_ms(struct loop *l)
{
    uint64_t now = now_ms(l);
    return l->stop.deadline > now ? (int64_t) (l->stop.deadline - now) : 0;
}

static int verbose(struct loop const *l)
{
    return l->settings->verbosity >= 2;
}

static void tell_manager(struct loop const *l, char const *msg)
{
    if (notify_send(&l->manager, msg) < 0)
        strerr_warnwusys("notify the container manager of ", msg, " through $NOTIFY_SOCKET");
}

static void try_spawn(struct loop *l)
{
    char const *const *argv = l->settings->command;
    int exec_errno;
    pid_t pid = spawn_main(argv, l->take_tty, &exec_errno);
    if (pid < 0) {
        char ms[UINT_FMT];
        /* said once: the retries go on quietly, the wait doubling */
        if (!l->spawn_backoff_ms) {
            ms[uint_fmt(ms, SPAWN_BACKOFF_MAX_MS / 1000)] = 0;
            strerr_warnwusys("start main command ", argv[0],
                             " (retrying, then more slowly, up to every ", ms, " s)");
        }
        l->spawn_backoff_ms = l->spawn_backoff_ms ? l->spawn_backoff_ms * 2 : SPAWN_BACKOFF_MIN_MS;
        if (l->spawn_backoff_ms > SPAWN_BACKOFF_MAX_MS)
            l->spawn_backoff_ms = SPAWN_BACKOFF_MAX_MS;
        l->spawn_at = now_ms(l) + l->spawn_backoff_ms;
        return;
    }
    if (l->spawn_backoff_ms)
        strerr_warni("main command ", argv[0], " started");
    l->spawn_backoff_ms = 0;
    l->spawn_at = 0;
    l->main.pid = pid;
    l->main_running = 1;
    if (exec_errno) {
        errno = exec_errno;
        strerr_warnsys(PROG, ": fatal: unable to run main command ", argv[0]);
        return;
    }
    tell_manager(l, "READY=1");
}

static void act(struct loop *l, unsigned int todo)
{
    if (todo & STOP_DO_TERM_MAIN && l->main_running) {
        kill(l->main.pid, SIGTERM);
        kill(l->main.pid, SIGCONT);
    }
    if (todo & STOP_DO_SERVICES) {
        if (verbose(l))
            strerr_warni("stopping the services in reverse dependency order");
        supervise_stop(now_ms(l), l->stop.deadline);
    }
    if (todo & STOP_DO_TERM_ALL) {
        if (verbose(l))
            strerr_warni("sending SIGTERM to every remaining process");
        /* the main command had its SIGTERM: a second one may cut short
         * the shutdown it is doing (many programs exit at once on it) */
        if (killall_signal(l->pid1, SIGTERM, l->main_running ? l->main.pid : 0) < 0)
            strerr_warnwusys("send SIGTERM to every process");
    }
    if (todo & STOP_DO_KILL_ALL) {
        if (!l->killed)
            strerr_warnw("stop deadline reached: sending SIGKILL to every remaining process");
        l->killed = 1;
        if (killall_signal(l->pid1, SIGKILL, 0) < 0)
            strerr_warnwusys("send SIGKILL to every process");
    }
}

static void reap_now(struct loop *l);

/* signo: the stop signal, or 0 when why says what ended the run. */
static void begin_stop(struct loop *l, int signo, int reboot, char const *why)
{
    int first = l->stop.phase == STOP_IDLE;
    char name[24];
    l->reboot |= reboot;
    l->spawn_at = 0; /* a main command that could not start yet never will */
    if (first)
        tell_manager(l, "STOPPING=1");
    if (verbose(l)) {
        char ms[UINT_FMT];
        ms[uint_fmt(ms, l->settings->stop_timeout_ms)] = 0;
        if (!signo)
            strerr_warni(why, ": stopping, deadline in ", ms, " ms");
        else if (first)
            strerr_warni(signals_name(signo, name, sizeof name), ": ",
                         reboot ? "rebooting" : "stopping", ", deadline in ", ms, " ms");
    }
    if (!first && signo && !l->killed) {
        /* said always: the SIGKILL that follows is not the deadline's */
        strerr_warnw(signals_name(signo, name, sizeof name),
                     " while stopping: sending SIGKILL to every remaining process now");
        l->killed = 1;
    }
    l->stop.services = l->services;
    act(l, stop_begin(&l->stop, now_ms(l), l->settings->stop_timeout_ms, l->main_running));
}

static void child_died(pid_t pid, int wstatus, void *arg)
{
    struct loop *l = arg;
    if (l->services)
        supervise_child(pid, wstatus, now_ms(l));
}

static void reap_now(struct loop *l)
{
    unsigned long before = l->main.count;
    l->reap_at = 0;
    int r = reap_all(&l->main);
    l->reap_storm = l->main.count - before >= REAP_STORM;
    if (r < 0)
        strerr_warnwusys("reap children");
    l->children_left = r != 0;
    if (l->main_running && l->main.reaped) {
        l->main_running = 0;
        if (verbose(l)) {
            char code[INT_FMT];
            code[int_fmt(code, reap_exit_code(l->main.status))] = 0;
            strerr_warni("main command exited with code ", code);
        }
        if (l->stop.phase == STOP_IDLE)
            begin_stop(l, 0, 0, "main command exited");
    }
}

static void forward(struct loop *l, int signo)
{
    char name[24];
    if (l->main_running) {
        if (kill(l->main.pid, signo) < 0)
            strerr_warnwusys("forward ", signals_name(signo, name, sizeof name),
                             " to the main command");
    } else if (verbose(l))
        strerr_warni("no main command to forward ", signals_name(signo, name, sizeof name), " to");
}

static void on_signal(struct loop *l, int signo)
{
    switch (signals_action(signo, l->under_nspawn || l->machine)) {
    case SIGNALS_REAP:
        if (!l->reap_storm)
            reap_now(l);
        else if (!l->reap_at)
            l->reap_at = now_ms(l) + REAP_BATCH_MS;
        break;
    case SIGNALS_STOP:
        begin_stop(l, signo, 0, NULL);
        break;
    case SIGNALS_REBOOT:
        begin_stop(l, signo, 1, NULL);
        break;
    case SIGNALS_FORWARD:
        /* with a service tree, SIGHUP is for vinit: reload it */
        if (signo == SIGHUP && l->services)
            supervise_reload(now_ms(l));
        else
            forward(l, signo);
        break;
    case SIGNALS_IGNORE:
        break;
    }
}

/* A failing system call in the loop itself: say so, and do not spin. */
static void back_off(char const *what)
{
    struct timespec ts = {0, 100 * 1000 * 1000};
    strerr_warnwusys(what);
    nanosleep(&ts, NULL);
}

static void on_signal_fd(struct loop *l)
{
    int signo;
    while ((signo = selfpipe_read()) > 0)
        on_signal(l, signo);
    if (signo < 0 && errno != EINTR && errno != EAGAIN)
        back_off("read signals");
}

/* The control connections: served as far as they go without waiting
 * (also after a timeout: their deadlines). */
static void on_control(struct loop *l, iopause_fd const *x, unsigned int n)
{
    switch (ctl_io(x, n, now_ms(l), l->services)) {
    case CTL_SHUTDOWN:
        begin_stop(l, 0, 0, "vinit shutdown");
        break;
    case CTL_REBOOT:
        begin_stop(l, 0, 1, "vinit shutdown --reboot");
        break;
    case CTL_NONE:
        break;
    }
}

/* The soonest of the stop plan, the spawn retry, the services' timers and
 * the control connections' deadlines. */
static int64_t next_wait(struct loop const *l, uint64_t now)
{
    int64_t wait = stop_wait_ms(&l->stop, now), w;
    if ((w = ctl_wait_ms(now)) >= 0 && (wait < 0 || w < wait))
        wait = w;
    if (l->spawn_at) {
        w = l->spawn_at > now ? (int64_t) (l->spawn_at - now) : 0;
        if (wait < 0 || w < wait)
            wait = w;
    }
    if (l->services && (w = supervise_wait_ms(now)) >= 0 && (wait < 0 || w < wait))
        wait = w;
    if (l->reap_at) {
        w = l->reap_at > now ? (int64_t) (l->reap_at - now) : 0;
        if (wait < 0 || w < wait)
            wait = w;
    }
    return wait;
}

static void pause_until_event(struct loop *l)
{
    static iopause_fd x[2 + CTL_POLLFDS_MAX + 3 + 2 * SVSRC_MAX];
    uint64_t now = now_ms(l);
    int64_t wait = next_wait(l, now);
    tain deadline = tain_infinite;
    x[0] = (iopause_fd){.fd = l->sigfd, .events = IOPAUSE_READ};
    /* vinit's own lines that wait for stderr (its reader stalled) */
    int err = relay_pollfd(RELAY_STDERR, 0);
    unsigned int e = err >= 0;
    if (e)
        x[1] = (iopause_fd){.fd = err, .events = IOPAUSE_WRITE};
    /* the control socket and its connections, each with its deadline */
    unsigned int c = ctl_pollfds(x + 1 + e, CTL_POLLFDS_MAX, now);
    iopause_fd *sx = x + 1 + e + c;
    unsigned int n = l->services ? supervise_pollfds(sx, sizeof x / sizeof *x - 1 - e - c) : 0;
    if (wait >= 0) {
        tain d;
        tain_from_millisecs(&d, (int) wait);
        tain_add_g(&deadline, &d);
    }
    int r = iopause_g(x, 1 + e + c + n, &deadline);
    if (r < 0) {
        if (errno != EINTR)
            back_off("iopause");
        return;
    }
    if (r > 0 && x[0].revents & IOPAUSE_READ)
        on_signal_fd(l);
    if (r > 0 && e && x[1].revents & (IOPAUSE_WRITE | IOPAUSE_EXCEPT))
        relay_flush(RELAY_STDERR);
    if (c)
        on_control(l, x + 1 + e, c);
    if (r > 0 && n)
        supervise_io(sx, n, now_ms(l));
}

/* The start stage ends: the main command runs, or READY=1 goes out. */
static void start_main(struct loop *l)
{
    l->started = 1;
    if (l->settings->command)
        try_spawn(l);
    else
        tell_manager(l, "READY=1");
}

/* While running: services' timers, the end of the start stage, and an
 * essential service's failure. */
static void run_services(struct loop *l, uint64_t now)
{
    int code;
    supervise_tick(now);
    if (l->stop.phase != STOP_IDLE)
        return;
    if (!l->started && supervise_settled())
        start_main(l);
    if (supervise_essential_failed(&code)) {
        l->essential_code = code;
        begin_stop(l, 0, 0, "an essential service failed");
    }
}

int loop_run(struct loop *l)
{
    int have_main = !!l->settings->command;
    tain_now_g();
    l->began = STAMP;
    l->essential_code = -1;
    l->main.each = child_died; /* children that are not the main command */
    l->main.arg = l;
    if (l->services)
        supervise_start(now_ms(l));
    /* an empty tree (or one whose services are all off) is settled at
     * once: nothing will wake the loop to say so */
    if (!l->services || supervise_settled())
        start_main(l);
    for (;;) {
        pause_until_event(l);
        uint64_t now = now_ms(l);
        if (l->spawn_at && now >= l->spawn_at && l->stop.phase == STOP_IDLE)
            try_spawn(l);
        if (l->reap_at && now >= l->reap_at)
            reap_now(l);
        if (l->services)
            run_services(l, now);
        if (l->stop.phase != STOP_IDLE) {
            act(l, stop_tick(&l->stop, now, l->main_running, !l->services || supervise_stopped()));
            reap_now(l);
            if (!l->children_left && !l->main_running)
                break;
        }
    }
    if (verbose(l)) {
        char ms[UINT64_FMT];
        ms[uint64_fmt(ms, now_ms(l) - l->stop.began)] = 0;
        strerr_warni("every process is gone, ", ms, " ms after the stop began");
    }
    relay_flush(RELAY_STDERR); /* what waited, if stderr takes it now */
    return loop_exit_code(l->reboot, have_main, l->main.reaped, l->main.status, l->essential_code);
}
