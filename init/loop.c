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

#include "killall.h"
#include "loop.h"
#include "signals.h"
#include "spawn.h"

#define SPAWN_BACKOFF_MIN_MS 100u
#define SPAWN_BACKOFF_MAX_MS 10000u
#define REBOOT_EXIT_CODE     133 /* systemd-nspawn starts the container again */

int loop_exit_code(int reboot, int have_main, int main_reaped, int main_wstatus)
{
    if (reboot)
        return REBOOT_EXIT_CODE;
    if (have_main && main_reaped)
        return reap_exit_code(main_wstatus);
    return 0;
}

static uint64_t now_ms(struct loop const *l)
{
    tain d;
    tain_now_g();
    tain_sub(&d, &STAMP, &l->began);
    return (uint64_t) tain_to_millisecs(&d);
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
        l->spawn_backoff_ms = l->spawn_backoff_ms ? l->spawn_backoff_ms * 2 : SPAWN_BACKOFF_MIN_MS;
        if (l->spawn_backoff_ms > SPAWN_BACKOFF_MAX_MS)
            l->spawn_backoff_ms = SPAWN_BACKOFF_MAX_MS;
        l->spawn_at = now_ms(l) + l->spawn_backoff_ms;
        ms[uint_fmt(ms, l->spawn_backoff_ms)] = 0;
        strerr_warnwusys("start main command ", argv[0], " (retrying in ", ms, " ms)");
        return;
    }
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
    if (todo & STOP_DO_TERM_ALL) {
        if (verbose(l))
            strerr_warni("sending SIGTERM to every remaining process");
        if (killall_signal(l->pid1, SIGTERM) < 0)
            strerr_warnwusys("send SIGTERM to every process");
    }
    if (todo & STOP_DO_KILL_ALL) {
        if (!l->killed)
            strerr_warnw("stop deadline reached: sending SIGKILL to every remaining process");
        l->killed = 1;
        if (killall_signal(l->pid1, SIGKILL) < 0)
            strerr_warnwusys("send SIGKILL to every process");
    }
}

static void reap_now(struct loop *l);

static void begin_stop(struct loop *l, int signo, int reboot)
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
            strerr_warni("main command exited: stopping, deadline in ", ms, " ms");
        else if (first)
            strerr_warni(signals_name(signo, name, sizeof name), ": ",
                         reboot ? "rebooting" : "stopping", ", deadline in ", ms, " ms");
        else
            strerr_warni(signals_name(signo, name, sizeof name), " while stopping: killing now");
    }
    act(l, stop_begin(&l->stop, now_ms(l), l->settings->stop_timeout_ms, l->main_running));
}

static void reap_now(struct loop *l)
{
    int r = reap_all(&l->main);
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
            begin_stop(l, 0, 0);
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
    switch (signals_action(signo, l->under_nspawn)) {
    case SIGNALS_REAP:
        reap_now(l);
        break;
    case SIGNALS_STOP:
        begin_stop(l, signo, 0);
        break;
    case SIGNALS_REBOOT:
        begin_stop(l, signo, 1);
        break;
    case SIGNALS_FORWARD:
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

static void pause_until_event(struct loop *l)
{
    iopause_fd x = {.fd = l->sigfd, .events = IOPAUSE_READ};
    uint64_t now = now_ms(l);
    int64_t wait = stop_wait_ms(&l->stop, now);
    tain deadline = tain_infinite;
    if (l->spawn_at && (wait < 0 || (int64_t) (l->spawn_at - now) < wait))
        wait = l->spawn_at > now ? (int64_t) (l->spawn_at - now) : 0;
    if (wait >= 0) {
        tain d;
        tain_from_millisecs(&d, (int) wait);
        tain_add_g(&deadline, &d);
    }
    int r = iopause_g(&x, 1, &deadline);
    if (r < 0) {
        if (errno != EINTR)
            back_off("iopause");
        return;
    }
    if (r > 0 && x.revents & IOPAUSE_READ)
        on_signal_fd(l);
}

int loop_run(struct loop *l)
{
    int have_main = !!l->settings->command;
    tain_now_g();
    l->began = STAMP;
    if (have_main)
        try_spawn(l);
    else
        tell_manager(l, "READY=1");
    for (;;) {
        pause_until_event(l);
        uint64_t now = now_ms(l);
        if (l->spawn_at && now >= l->spawn_at && l->stop.phase == STOP_IDLE)
            try_spawn(l);
        if (l->stop.phase != STOP_IDLE) {
            act(l, stop_tick(&l->stop, now, l->main_running));
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
    return loop_exit_code(l->reboot, have_main, l->main.reaped, l->main.status);
}
