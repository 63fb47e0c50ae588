/* SPDX-License-Identifier: ISC */
/* supervise: vinit plays s6-svscan's part. It starts one s6-supervise per
 * longrun (the real one: s6-svc, s6-svstat and s6-svwait work on the live
 * directories), holds each supervisor's output pipe (so no line is lost
 * across restarts) and learns every state change from an inotify watch on
 * supervise/, where s6-supervise renames a fresh status file into place:
 * no polling, no helper process.
 *
 * Who decides what: s6-supervise runs and kills processes and tracks
 * readiness; the service's own ./finish (vinit's runner) refuses restarts
 * the policy forbids (exit 125); vinit orders starts and stops by
 * dependency, applies the back-off beyond s6's one second, and reports.
 *
 * Runs inside PID 1's loop: every failure is reported and the service
 * marked, never fatal. Tables are static, sized by SVSRC_MAX. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <s6/supervise.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "env.h"
#include "log.h"
#include "reap.h"
#include "restart.h"
#include "signals.h"
#include "supervise.h"
#include "svlive.h"

struct svc {
    enum supervise_state state;
    pid_t child;        /* s6-supervise (longrun) or the running up/down (oneshot) */
    int logfd;          /* read end of its output pipe, -1 when closed */
    int wd;             /* inotify watch on supervise/, -1 when none */
    pid_t pid;          /* the daemon's pid, from the status file */
    struct log_buf log; /* partial line */
    struct restart_state rs;
    uint64_t since;           /* when the state was entered */
    uint64_t deadline;        /* of the state (restart, timeout-up, timeout-down); 0: none */
    int exitcode;             /* of its last death, 128+n for a signal */
    unsigned char listening;  /* its supervisor wrote a status: it takes commands */
    tain stamp;               /* of the last status read: s6 moves it at each start and death */
    unsigned char restarting; /* vinit restart: its next death is no failure */
    pid_t logger;             /* s6-supervise of its log/ logger, or 0 */
    int logger_in;            /* the read end the logger's supervisor gets */
    pid_t replaces;           /* reload: the old supervisor to wait for, or 0 */
    unsigned char queued;     /* its supervisor is still to be started */
    uint64_t launched;        /* when its supervisor was started */
    unsigned char exiting;    /* its supervisor was told to exit with the service */
};

static uint64_t stop_deadline; /* the global SIGKILL, once stopping */
static struct svsrc_tree tree;
static struct svc svcs[SVSRC_MAX];
static struct supervise_config cfg;
static int inotify_fd = -1;
static int essential_code = -1;
static int stopping;
static unsigned int pollmap[SVSRC_MAX + 1]; /* x index -> service, for log fds */

static char const *const state_names[] = {
    "off", "waiting", "starting", "ready", "backoff", "failed", "exited", "stopping", "stopped",
};

char const *supervise_state_name(enum supervise_state s)
{
    return state_names[s];
}

static char const *name_of(unsigned int i)
{
    return tree.sv[i].name;
}

static int live_of(unsigned int i, char *buf, size_t len)
{
    return svlive_path(buf, len, cfg.rundir, name_of(i));
}

static void enter(unsigned int i, enum supervise_state s, uint64_t now, uint64_t deadline)
{
    svcs[i].state = s;
    svcs[i].since = now;
    svcs[i].deadline = deadline;
}

static void info(unsigned int i, char const *a, char const *b)
{
    if (cfg.verbosity >= 2)
        strerr_warni("service ", name_of(i), ": ", a, b);
}

/* s6-svc, without a process: one write to supervise/control, of the
 * service or (logger) of its log/ logger. */
static int control_of(unsigned int i, int logger, char const *cmd)
{
    char live[PATH_MAX];
    if (live_of(i, live, sizeof live) < 0)
        return -1;
    if (logger)
        strncat(live, "/log", sizeof live - strlen(live) - 1);
    int r = s6_svc_writectl(live, S6_SUPERVISE_CTLDIR, cmd, strlen(cmd));
    if (r == 0 && !logger && svcs[i].exiting)
        return -1; /* it left with its service, as told: nothing to say */
    if (r <= 0)
        strerr_warnwu("send ", cmd, " to the supervisor of ", name_of(i),
                      r < 0 ? ": system call failed" : ": supervisor not running");
    return r > 0 ? 0 : -1;
}

static int control(unsigned int i, char const *cmd)
{
    return control_of(i, 0, cmd);
}

static void report_faulty(char const *service, char const *path, char const *problem,
                          char const *value, void *arg)
{
    (void) arg;
    strerr_warnw(service ? "service " : "", service ? service : "", service ? ": " : "",
                 path ? path : "", path ? ": " : "", problem, value ? ": " : "",
                 value ? value : "");
}

/* Not wanted here: a fault, VINIT_SERVICES, or enabled-if. */
static int wanted(struct svsrc_service const *sv)
{
    if (sv->disabled)
        return 0;
    if (cfg.only && !env_list_has(cfg.only, sv->name) && !env_list_has(cfg.only, sv->dir))
        return 0; /* an instance is wanted with its template */
    return env_condition_holds(sv->enabled_if, cfg.envp);
}

/* A fresh entry for sv: nothing runs yet, nothing is open. */
static void svc_init(struct svc *s, struct svsrc_service const *sv)
{
    memset(s, 0, sizeof *s);
    s->logfd = s->wd = -1;
    s->log.name = sv->name;
    s->log.file = sv->log_file[0] ? sv->log_file : NULL;
    s->log.file_fd = -1;
    s->log.tee_fd = -1;
    s->exitcode = -1;
}

/* A service whose dependency does not run here (filtered out, enabled-if,
 * a fault) cannot start either: off too, and its own dependents after it. */
static void off_dependents(void)
{
    for (unsigned int i = 0; i < tree.n; i++)
        for (unsigned int d = 0; d < tree.graph.ndeps[i]; d++) {
            unsigned int dep = tree.graph.deps[i][d];
            if (svcs[i].state != SUPERVISE_WAITING || svcs[dep].state != SUPERVISE_OFF)
                continue;
            strerr_warnw("service ", name_of(i), ": not started: it depends on ", name_of(dep),
                         ", which does not run here");
            svcs[i].state = SUPERVISE_OFF;
            i = (unsigned int) -1; /* dependents of this one too: scan again */
            break;
        }
}

struct svsrc_tree const *supervise_tree(void)
{
    return &tree;
}

int supervise_load(struct supervise_config const *c)
{
    char what[PATH_MAX];
    int n = 0;
    cfg = *c;
    if (svsrc_read(&tree, c->srcdir, report_faulty, NULL) < 0)
        return -1;
    svsrc_expand(&tree, c->envp, report_faulty, NULL);
    svsrc_resolve(&tree, c->srcdir, report_faulty, NULL);
    for (unsigned int i = 0; i < tree.n; i++) {
        svc_init(&svcs[i], &tree.sv[i]);
        if (!wanted(&tree.sv[i]))
            continue;
        if (svlive_make(c->rundir, c->srcdir, &tree.sv[i], c->exe, what, sizeof what) < 0) {
            strerr_warnwusys("create ", what, ": service ", tree.sv[i].name, " disabled");
            continue;
        }
        svcs[i].state = SUPERVISE_WAITING;
    }
    off_dependents();
    for (unsigned int i = 0; i < tree.n; i++)
        n += svcs[i].state != SUPERVISE_OFF;
    return n;
}

/* Forks path (searched in $PATH when it has no slash) with argv, in dir,
 * with stdout and stderr on a new pipe to us: the pipe is the log. */
static pid_t spawn_logged(unsigned int i, char const *dir, char const *path,
                          char const *const *argv)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (!pid) {
        int null = open("/dev/null", O_RDONLY);
        if (null > 0)
            dup2(null, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        signals_child_reset();
        if (dir && chdir(dir) < 0)
            _exit(111);
        execvp(path, (char *const *) argv);
        _exit(127);
    }
    close(p[1]);
    if (svcs[i].logfd >= 0)
        close(svcs[i].logfd);
    svcs[i].logfd = p[0];
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    return pid;
}

/* The log/ logger's supervisor reads the lines vinit passes on through a
 * pipe that lives as long as vinit: a logger restart loses nothing. */
static void start_logger(unsigned int i, char const *live)
{
    char dir[PATH_MAX + 8];
    int p[2];
    snprintf(dir, sizeof dir, "%s/log", live);
    if (svcs[i].log.tee_fd < 0) {
        if (pipe2(p, O_CLOEXEC) < 0) {
            strerr_warnwusys("make the pipe to the log/ logger of ", name_of(i));
            return;
        }
        fcntl(p[1], F_SETPIPE_SZ, 1 << 20); /* room for bursts; best effort */
        fcntl(p[1], F_SETFL, O_NONBLOCK);
        svcs[i].log.tee_fd = p[1];
        svcs[i].logger_in = p[0];
    }
    pid_t pid = fork();
    if (!pid) {
        dup2(svcs[i].logger_in, 0);
        signals_child_reset();
        char const *const argv[] = {"s6-supervise", dir, NULL};
        execvp(argv[0], (char *const *) argv);
        _exit(127);
    }
    if (pid < 0)
        strerr_warnwusys("start the log/ logger of ", name_of(i));
    svcs[i].logger = pid > 0 ? pid : 0;
}

static void start_supervisor(unsigned int i)
{
    char live[PATH_MAX], watch[PATH_MAX + 16];
    svcs[i].queued = 0;
    if (live_of(i, live, sizeof live) < 0)
        return;
    snprintf(watch, sizeof watch, "%s/" S6_SUPERVISE_CTLDIR, live);
    if (inotify_fd >= 0 && svcs[i].wd < 0)
        svcs[i].wd = inotify_add_watch(inotify_fd, watch, IN_MOVED_TO);
    if (tree.sv[i].has_log_dir && !svcs[i].logger)
        start_logger(i, live);
    char const *const argv[] = {"s6-supervise", live, NULL};
    svcs[i].child = spawn_logged(i, NULL, argv[0], argv);
    if (svcs[i].child < 0)
        strerr_warnwusys("start s6-supervise for ", name_of(i));
}

static int is_oneshot(unsigned int i)
{
    return tree.sv[i].type == SVPARSE_ONESHOT;
}

/* What a oneshot's down may spend (guests shutting down, say): the time
 * left before the global deadline, less a quarter (at most 2 s) kept for
 * what stops after it; its own timeout-down when shorter. */
static unsigned int down_budget(unsigned int timeout, uint64_t now)
{
    uint64_t left = stop_deadline > now ? stop_deadline - now : 0;
    uint64_t keep = left / 4 < 2000 ? left / 4 : 2000;
    uint64_t budget = left - keep;
    return timeout && timeout < budget ? timeout : (unsigned int) budget;
}

/* A oneshot's up or down: vinit itself as the runner (argv[0] names the
 * role, argv[1] a down's budget), in the live directory, like s6-supervise
 * runs ./run. */
static void run_oneshot(unsigned int i, char const *role, uint64_t now, unsigned int timeout)
{
    char live[PATH_MAX], budget[16];
    snprintf(budget, sizeof budget, "%u", down_budget(timeout, now));
    char const *const argv[] = {role, *role == 'd' ? budget : NULL, NULL};
    if (live_of(i, live, sizeof live) < 0)
        return;
    svcs[i].child = spawn_logged(i, live, cfg.exe, argv);
    if (svcs[i].child < 0) {
        strerr_warnwusys("run ", role, " of ", name_of(i));
        enter(i, SUPERVISE_FAILED, now, 0);
        return;
    }
    enter(i, *role == 'u' ? SUPERVISE_STARTING : SUPERVISE_STOPPING, now,
          timeout ? now + timeout : 0);
}

/* A longrun's first start: its supervisor is already up (its first status
 * write was seen), so the control fifo has a reader. */
static void start_service(unsigned int i, uint64_t now)
{
    struct svsrc_service const *sv = &tree.sv[i];
    if (is_oneshot(i)) {
        info(i, "running up", "");
        run_oneshot(i, "up", now, sv->timeout_up);
        return;
    }
    enter(i, SUPERVISE_STARTING, now, sv->timeout_up ? now + sv->timeout_up : 0);
    restart_on_start(&svcs[i].rs, now);
    info(i, "starting", "");
    /* "never" runs once: s6-supervise must not restart it on its own */
    control(i, sv->restart == SVPARSE_RESTART_NEVER ? "o" : "u");
}

/* A longrun that did its job and ended cleanly, kept down by its restart
 * policy (vinit-udevd when the host's database is there), serves its
 * dependents as a finished oneshot does. */
static int dep_done(unsigned int d)
{
    return svcs[d].state == SUPERVISE_READY || svcs[d].state == SUPERVISE_EXITED;
}

static int dep_dead(unsigned int d)
{
    enum supervise_state s = svcs[d].state;
    return s == SUPERVISE_FAILED || s == SUPERVISE_OFF;
}

/* Starts each waiting service whose dependencies are all ready; gives up on
 * those with a dependency down for good. */
static void advance(uint64_t now)
{
    if (stopping)
        return;
    for (unsigned int i = 0; i < tree.n; i++) {
        if (svcs[i].state != SUPERVISE_WAITING)
            continue;
        if (!is_oneshot(i) && !svcs[i].listening)
            continue; /* its supervisor is not up yet */
        int ready = 1, dead = -1;
        for (unsigned int k = 0; k < tree.graph.ndeps[i]; k++) {
            unsigned int d = tree.graph.deps[i][k];
            ready &= dep_done(d);
            if (dep_dead(d))
                dead = (int) d;
        }
        if (dead >= 0) {
            strerr_warnw("service ", name_of(i), ": not started: its dependency ",
                         name_of((unsigned int) dead), " is ", state_names[svcs[dead].state]);
            enter(i, SUPERVISE_FAILED, now, 0);
            i = (unsigned int) -1; /* its own dependents may now give up too */
            continue;
        }
        if (ready)
            start_service(i, now);
    }
}

/* The supervisors start from the loop, not all before it. Those of services
 * whose dependencies are done start at once: they are needed now (all of a
 * fan-out). The others start ahead of need, in start order, at most
 * LAUNCH_AHEAD of them coming up at a time (started, first status not yet
 * written): a starting s6-supervise takes about a millisecond of CPU, and a
 * hundred of them at once would share the CPU with the head of a chain,
 * which then waited for all of them. A supervisor silent for longer than
 * LAUNCH_PATIENCE_MS no longer holds the next ones back. */
#define LAUNCH_AHEAD       2
#define LAUNCH_PATIENCE_MS 200

static int launching(unsigned int i, uint64_t now)
{
    return !is_oneshot(i) && svcs[i].child > 0 && !svcs[i].listening &&
           now < svcs[i].launched + LAUNCH_PATIENCE_MS;
}

static int deps_done(unsigned int i)
{
    for (unsigned int k = 0; k < tree.graph.ndeps[i]; k++)
        if (!dep_done(tree.graph.deps[i][k]))
            return 0;
    return 1;
}

/* Starts what may start now (start: 0 only looks). Returns -1 when no
 * supervisor waits to start, 0 when one may start now, else the ms until
 * the patience of one coming up runs out. */
static int64_t launch(uint64_t now, int start)
{
    unsigned int busy = 0, queued = 0;
    uint64_t soonest = UINT64_MAX;
    unsigned char ordered[SVSRC_MAX] = {0};
    if (stopping)
        return -1;
    for (unsigned int k = 0; k < tree.norder; k++)
        ordered[tree.order[k]] = 1;
    for (unsigned int i = 0; i < tree.n; i++)
        if (launching(i, now)) {
            busy++;
            if (svcs[i].launched + LAUNCH_PATIENCE_MS < soonest)
                soonest = svcs[i].launched + LAUNCH_PATIENCE_MS;
        }
    /* in start order; then any not in it (none should be) */
    for (unsigned int k = 0; k < tree.norder + tree.n; k++) {
        unsigned int i = k < tree.norder ? tree.order[k] : k - tree.norder;
        if (!svcs[i].queued || (k >= tree.norder && ordered[i]))
            continue;
        if (deps_done(i) || busy < LAUNCH_AHEAD || inotify_fd < 0 || k >= tree.norder) {
            if (!start)
                return 0;
            svcs[i].launched = now;
            start_supervisor(i);
            if (soonest > now + LAUNCH_PATIENCE_MS)
                soonest = now + LAUNCH_PATIENCE_MS;
            busy++;
            continue;
        }
        queued++; /* held back: busy, so soonest is set */
    }
    return queued ? (int64_t) (soonest > now ? soonest - now : 0) : -1;
}

void supervise_start(uint64_t now)
{
    inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd < 0)
        strerr_warnwusys("watch the supervisors (inotify): services will not start");
    for (unsigned int i = 0; i < tree.n; i++)
        svcs[i].queued = svcs[i].state == SUPERVISE_WAITING && !is_oneshot(i);
    launch(now, 1);
    advance(now);
}

static void fail_for_good(unsigned int i, uint64_t now, int failed)
{
    enter(i, failed ? SUPERVISE_FAILED : SUPERVISE_EXITED, now, 0);
    if (failed && tree.sv[i].essential && essential_code < 0) {
        char code[INT_FMT];
        code[int_fmt(code, svcs[i].exitcode)] = 0;
        strerr_warnw("service ", name_of(i), ": essential, failed for good (code ", code,
                     "): stopping the container");
        essential_code = svcs[i].exitcode;
    }
    advance(now); /* its dependents give up */
}

static void stop_step(uint64_t now);

static void on_death(unsigned int i, int wstat, uint64_t now)
{
    unsigned int delay = 0;
    char code[INT_FMT], ms[UINT_FMT];
    svcs[i].exitcode = reap_exit_code(wstat);
    int failed = svcs[i].exitcode != 0;
    if (svcs[i].state == SUPERVISE_STOPPING || stopping) {
        enter(i, SUPERVISE_STOPPED, now, 0);
        if (stopping)
            stop_step(now);
        return;
    }
    if (svcs[i].restarting) {
        svcs[i].restarting = 0;
        enter(i, SUPERVISE_STARTING, now, tree.sv[i].timeout_up ? now + tree.sv[i].timeout_up : 0);
        return; /* asked for: s6-supervise brings it back at once */
    }
    code[int_fmt(code, svcs[i].exitcode)] = 0;
    int was_loop = svcs[i].rs.crash_loop;
    switch (restart_on_death(&svcs[i].rs, tree.sv[i].restart, tree.sv[i].essential, failed, now,
                             &delay)) {
    case RESTART_NO:
        strerr_warnw("service ", name_of(i), ": exited with code ", code,
                     ", not restarted (restart policy)");
        fail_for_good(i, now, failed);
        return;
    case RESTART_GIVE_UP:
        control(i, "d");
        fail_for_good(i, now, 1);
        return;
    case RESTART_AFTER:
        break;
    }
    ms[uint_fmt(ms, delay)] = 0;
    if (svcs[i].rs.crash_loop && !was_loop)
        strerr_warnw("service ", name_of(i),
                     ": crash loop: it keeps dying at once; retrying every ", "30 s");
    strerr_warnw("service ", name_of(i), ": exited with code ", code, ", restarting in ", ms,
                 " ms");
    if (delay <= RESTART_BACKOFF_MIN_MS) {
        enter(i, SUPERVISE_STARTING, now, 0); /* s6-supervise restarts it after 1 s */
        return;
    }
    /* longer than s6's own second: hold it down, bring it up at the end */
    control(i, "O");
    enter(i, SUPERVISE_BACKOFF, now, now + delay);
}

/* Without notify, notification-fd or ready-socket, s6 never marks a
 * service ready: up is all it can say, and up is ready enough. */
static int declares_readiness(unsigned int i)
{
    struct svsrc_service const *sv = &tree.sv[i];
    return sv->notify || sv->notification_fd >= 0 || sv->ready_socket[0];
}

static void on_status(unsigned int i, uint64_t now)
{
    char live[PATH_MAX];
    s6_svstatus_t st;
    if (live_of(i, live, sizeof live) < 0 || !s6_svstatus_read(live, &st))
        return;
    int up = st.pid > 0 && !st.flagfinishing;
    /* A daemon that exits within milliseconds (vinit-udevd with nothing to
     * do) can start and die between two reads of the status: its pid was
     * never seen, but the stamp moved on. That is a death too, or the
     * service would stay "starting" for ever. */
    int unseen_run = svcs[i].listening && !up && svcs[i].pid == 0 &&
                     (tain_less(&st.stamp, &svcs[i].stamp) || tain_less(&svcs[i].stamp, &st.stamp));
    svcs[i].listening = 1;
    svcs[i].stamp = st.stamp;
    if (up && st.pid != svcs[i].pid) {
        svcs[i].pid = st.pid; /* a new run */
        restart_on_start(&svcs[i].rs, now);
    }
    if (!up) {
        if (svcs[i].pid > 0 || unseen_run) {
            if (svcs[i].pid == 0) /* it ran: the back-off counts from now */
                restart_on_start(&svcs[i].rs, now);
            svcs[i].pid = 0;
            on_death(i, st.wstat, now);
        } else if (svcs[i].state == SUPERVISE_WAITING)
            advance(now); /* the supervisor's first status: it listens now */
        return;
    }
    if ((st.flagready || !declares_readiness(i)) && svcs[i].state == SUPERVISE_STARTING) {
        enter(i, SUPERVISE_READY, now, 0);
        info(i, "ready", "");
        advance(now);
    }
}

static void on_inotify(uint64_t now)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t len;
    while ((len = read(inotify_fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + len;) {
            struct inotify_event const *e = (struct inotify_event const *) p;
            p += sizeof *e + e->len;
            if (e->mask & IN_Q_OVERFLOW) { /* events were lost: read every status */
                for (unsigned int i = 0; i < tree.n; i++)
                    if (svcs[i].wd >= 0)
                        on_status(i, now);
                continue;
            }
            if (e->len && strcmp(e->name, "status"))
                continue;
            for (unsigned int i = 0; i < tree.n; i++)
                if (svcs[i].wd == e->wd)
                    on_status(i, now);
        }
    }
}

unsigned int supervise_pollfds(iopause_fd *x, unsigned int max)
{
    unsigned int n = 0;
    if (inotify_fd >= 0 && n < max) {
        pollmap[n] = (unsigned int) -1;
        x[n++] = (iopause_fd){.fd = inotify_fd, .events = IOPAUSE_READ};
    }
    for (unsigned int i = 0; i < tree.n && n < max; i++)
        if (svcs[i].logfd >= 0) {
            pollmap[n] = i;
            x[n++] = (iopause_fd){.fd = svcs[i].logfd, .events = IOPAUSE_READ};
        }
    return n;
}

void supervise_io(iopause_fd const *x, unsigned int n, uint64_t now)
{
    for (unsigned int k = 0; k < n; k++) {
        if (!(x[k].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT)))
            continue;
        if (pollmap[k] == (unsigned int) -1) {
            on_inotify(now);
            continue;
        }
        unsigned int i = pollmap[k];
        if (log_read(svcs[i].logfd, &svcs[i].log) <= 0) {
            close(svcs[i].logfd); /* every writer is gone */
            svcs[i].logfd = -1;
        }
    }
}

static void oneshot_ended(unsigned int i, int wstatus, uint64_t now)
{
    char code[INT_FMT];
    svcs[i].exitcode = reap_exit_code(wstatus);
    if (svcs[i].state == SUPERVISE_STOPPING) {
        enter(i, SUPERVISE_STOPPED, now, 0);
        stop_step(now);
        return;
    }
    if (!svcs[i].exitcode) {
        enter(i, SUPERVISE_READY, now, 0);
        info(i, "up done", "");
        advance(now);
        return;
    }
    code[int_fmt(code, svcs[i].exitcode)] = 0;
    strerr_warnw("service ", name_of(i), ": up exited with code ", code);
    fail_for_good(i, now, 1);
}

static void replaced(pid_t pid, uint64_t now);

void supervise_child(pid_t pid, int wstatus, uint64_t now)
{
    replaced(pid, now);
    for (unsigned int i = 0; i < tree.n; i++) {
        if (svcs[i].logger == pid && pid > 0) {
            svcs[i].logger = 0;
            if (!stopping) {
                char live[PATH_MAX];
                strerr_warnw("service ", name_of(i),
                             ": its log/ supervisor died: starting a new one");
                if (live_of(i, live, sizeof live) == 0)
                    start_logger(i, live);
            }
            return;
        }
        if (svcs[i].child != pid || pid <= 0)
            continue;
        svcs[i].child = 0;
        if (is_oneshot(i)) {
            oneshot_ended(i, wstatus, now);
            return;
        }
        if (stopping)
            return;
        /* as s6-svscan does: a supervisor must always be there */
        strerr_warnw("service ", name_of(i), ": its s6-supervise died: starting a new one");
        start_supervisor(i);
        return;
    }
}

static void timed_out(unsigned int i, uint64_t now)
{
    struct svc *s = &svcs[i];
    if (s->state == SUPERVISE_BACKOFF) {
        enter(i, SUPERVISE_STARTING, now, tree.sv[i].timeout_up ? now + tree.sv[i].timeout_up : 0);
        control(i, "u");
        return;
    }
    if (s->state == SUPERVISE_STARTING) {
        strerr_warnw("service ", name_of(i), ": not ready within timeout-up: stopping it");
        s->exitcode = 124; /* as timeout(1) */
        if (is_oneshot(i))
            kill(s->child, SIGKILL);
        else
            control(i, "d");
        fail_for_good(i, now, 1);
        return;
    }
    if (s->state == SUPERVISE_STOPPING) {
        strerr_warnw("service ", name_of(i), ": not down within timeout-down: SIGKILL");
        s->deadline = 0;
        if (is_oneshot(i))
            kill(s->child, SIGKILL);
        else
            control(i, "k");
    }
}

void supervise_tick(uint64_t now)
{
    launch(now, 1);
    for (unsigned int i = 0; i < tree.n; i++)
        if (svcs[i].deadline && now >= svcs[i].deadline)
            timed_out(i, now);
}

int64_t supervise_wait_ms(uint64_t now)
{
    int64_t wait = -1;
    int64_t l = launch(now, 0);
    if (l >= 0)
        wait = l;
    for (unsigned int i = 0; i < tree.n; i++) {
        if (!svcs[i].deadline)
            continue;
        int64_t w = svcs[i].deadline > now ? (int64_t) (svcs[i].deadline - now) : 0;
        if (wait < 0 || w < wait)
            wait = w;
    }
    return wait;
}

static int active(enum supervise_state s)
{
    return s == SUPERVISE_STARTING || s == SUPERVISE_READY || s == SUPERVISE_STOPPING;
}

int supervise_settled(void)
{
    for (unsigned int i = 0; i < tree.n; i++)
        if (svcs[i].state == SUPERVISE_WAITING || svcs[i].state == SUPERVISE_STARTING)
            return 0;
    return 1;
}

int supervise_essential_failed(int *code)
{
    if (essential_code < 0)
        return 0;
    *code = essential_code;
    return 1;
}

/* Does a running service still need i? */
static int needed(unsigned int i)
{
    for (unsigned int j = 0; j < tree.n; j++) {
        if (!active(svcs[j].state))
            continue;
        for (unsigned int k = 0; k < tree.graph.ndeps[j]; k++)
            if (tree.graph.deps[j][k] == i)
                return 1;
    }
    return 0;
}

static void stop_one(unsigned int i, uint64_t now)
{
    struct svsrc_service const *sv = &tree.sv[i];
    unsigned int t = sv->timeout_down;
    if (is_oneshot(i)) {
        if (svcs[i].state == SUPERVISE_READY && sv->has_down) {
            info(i, "running down", "");
            run_oneshot(i, "down", now, t);
        } else if (svcs[i].state == SUPERVISE_STARTING) {
            kill(svcs[i].child, SIGTERM); /* its up is still running */
            enter(i, SUPERVISE_STOPPING, now, t ? now + t : 0);
        } else
            enter(i, SUPERVISE_STOPPED, now, 0);
        return;
    }
    info(i, "stopping", "");
    /* the supervisor leaves as soon as its service is down (after the
     * status that says so): no second round of commands once all are */
    if (control(i, "dx") == 0)
        svcs[i].exiting = 1;
    enter(i, SUPERVISE_STOPPING, now, t ? now + t : 0);
    if (!svcs[i].pid)
        enter(i, SUPERVISE_STOPPED, now, 0); /* nothing was running */
}

static void stop_step(uint64_t now)
{
    for (unsigned int k = tree.norder; k-- > 0;) {
        unsigned int i = tree.order[k];
        enum supervise_state s = svcs[i].state;
        if (s == SUPERVISE_OFF || s == SUPERVISE_STOPPED || s == SUPERVISE_STOPPING)
            continue;
        if (!active(s)) {
            enter(i, SUPERVISE_STOPPED, now, 0); /* waiting, backing off, failed, exited */
            continue;
        }
        if (!needed(i))
            stop_one(i, now);
    }
    if (!supervise_stopped())
        return;
    /* every service is down: let the supervisors go, and the loggers, which
     * have read everything by now */
    for (unsigned int i = 0; i < tree.n; i++) {
        if (!is_oneshot(i) && svcs[i].child > 0 && svcs[i].listening && !svcs[i].exiting)
            control(i, "x");
        if (svcs[i].logger > 0)
            control_of(i, 1, "dx");
    }
}

void supervise_stop(uint64_t now, uint64_t deadline)
{
    if (stopping)
        return;
    stopping = 1;
    stop_deadline = deadline;
    for (unsigned int i = 0; i < tree.n; i++)
        svcs[i].queued = 0; /* a supervisor not started has nothing to stop */
    stop_step(now);
}

int supervise_stopped(void)
{
    for (unsigned int i = 0; i < tree.n; i++)
        if (active(svcs[i].state))
            return 0;
    return 1;
}

unsigned int supervise_count(void)
{
    return tree.n;
}

void supervise_info(unsigned int i, struct supervise_info *out)
{
    struct svc const *s = &svcs[i];
    out->name = tree.sv[i].name;
    out->state = s->state;
    out->pid = s->pid;
    out->since = s->since;
    out->ready = s->state == SUPERVISE_READY;
    out->restarts = s->rs.restarts;
    out->crash_loop = s->rs.crash_loop;
    out->last_exit = s->exitcode;
    out->wanted = s->state != SUPERVISE_OFF;
    out->reason = NULL;
}

int supervise_healthy(void)
{
    for (unsigned int i = 0; i < tree.n; i++)
        if (svcs[i].state != SUPERVISE_OFF && !dep_done(i))
            return 0;
    return 1;
}

/* s6-svc's letters for the signals it can send by name */
static char const *signal_command(int sig)
{
    switch (sig) {
    case SIGHUP:
        return "h";
    case SIGALRM:
        return "a";
    case SIGINT:
        return "i";
    case SIGQUIT:
        return "q";
    case SIGUSR1:
        return "1";
    case SIGUSR2:
        return "2";
    case SIGTERM:
        return "t";
    case SIGKILL:
        return "k";
    default:
        return NULL;
    }
}

int supervise_command(char const *name, char const *op, uint64_t now)
{
    int i = svsrc_find(&tree, name);
    if (i < 0 || svcs[i].state == SUPERVISE_OFF || stopping)
        return (errno = ENOENT, -1);
    if (is_oneshot((unsigned int) i) && strcmp(op, "start"))
        return (errno = EINVAL, -1);
    if (!strcmp(op, "stop")) {
        unsigned int t = tree.sv[i].timeout_down;
        enter((unsigned int) i, svcs[i].pid ? SUPERVISE_STOPPING : SUPERVISE_STOPPED, now,
              svcs[i].pid && t ? now + t : 0);
        return control((unsigned int) i, "d");
    }
    if (!strcmp(op, "start") || !strcmp(op, "restart")) {
        if (svcs[i].state == SUPERVISE_READY && !strcmp(op, "start"))
            return 0;
        svcs[i].rs.failures = 0;
        if (is_oneshot((unsigned int) i)) {
            run_oneshot((unsigned int) i, "up", now, tree.sv[i].timeout_up);
            return 0;
        }
        enter((unsigned int) i, SUPERVISE_STARTING, now,
              tree.sv[i].timeout_up ? now + tree.sv[i].timeout_up : 0);
        svcs[i].restarting = svcs[i].pid > 0;
        return control((unsigned int) i, svcs[i].pid ? "r" : "u");
    }
    if (!strcmp(op, "reload")) {
        int sig = tree.sv[i].reload_signal ? tree.sv[i].reload_signal : SIGHUP;
        char const *cmd = signal_command(sig);
        if (cmd)
            return control((unsigned int) i, cmd);
        return svcs[i].pid > 0 ? kill(svcs[i].pid, sig) : (errno = ESRCH, -1);
    }
    return (errno = EINVAL, -1);
}

static struct svsrc_tree next_tree;
static struct svc next_svcs[SVSRC_MAX];

/* The old supervisor of a changed service has exited: its live directory is
 * free to be made again, and the new one can start. */
static void replaced(pid_t pid, uint64_t now)
{
    char what[PATH_MAX];
    for (unsigned int i = 0; i < tree.n; i++) {
        if (!svcs[i].replaces || svcs[i].replaces != pid)
            continue;
        svcs[i].replaces = 0;
        if (svcs[i].state == SUPERVISE_OFF)
            continue; /* its dependency left the tree meanwhile */
        if (svlive_make(cfg.rundir, cfg.srcdir, &tree.sv[i], cfg.exe, what, sizeof what) < 0) {
            strerr_warnwusys("create ", what, ": service ", name_of(i), " disabled");
            enter(i, SUPERVISE_OFF, now, 0);
            continue;
        }
        start_supervisor(i);
    }
}

/* A service leaving the tree (removed, or changed and to be replaced): down
 * it goes, and its supervisor exits with it. */
static void retire(unsigned int i, char const *why)
{
    strerr_warni("service ", name_of(i), ": ", why);
    if (!is_oneshot(i) && svcs[i].child > 0 && svcs[i].listening)
        control(i, "dx");
    if (svcs[i].wd >= 0)
        inotify_rm_watch(inotify_fd, svcs[i].wd);
    if (svcs[i].logfd >= 0)
        close(svcs[i].logfd);
    if (svcs[i].log.file_fd >= 0)
        close(svcs[i].log.file_fd);
    if (svcs[i].logger > 0)
        control_of(i, 1, "dx");
    if (svcs[i].log.tee_fd >= 0) {
        close(svcs[i].log.tee_fd);
        close(svcs[i].logger_in);
    }
}

static char const *forced; /* vinit env: names whose users restart, or NULL */

static int uses_forced(struct svsrc_service const *sv)
{
    char name[256];
    size_t k;
    for (char const *p = forced; (k = svparse_word(&p)); p += k) {
        if (k >= sizeof name)
            continue;
        memcpy(name, p, k);
        name[k] = 0;
        if (svsrc_mentions(cfg.srcdir, sv, name))
            return 1;
    }
    return 0;
}

static int unchanged(struct svsrc_service const *a, struct svsrc_service const *b)
{
    return a->signature == b->signature && a->type == b->type && a->ndeps == b->ndeps &&
           !uses_forced(b);
}

/* Builds next_svcs[j] for next_tree.sv[j]; marks kept[] the old entries
 * that carry over as they are. */
static void carry_over(unsigned int j, unsigned char *kept, uint64_t now)
{
    char what[PATH_MAX];
    struct svsrc_service const *sv = &next_tree.sv[j];
    struct svc *n = &next_svcs[j];
    int i = svsrc_find(&tree, sv->name);
    int running = i >= 0 && svcs[i].state != SUPERVISE_OFF;
    svc_init(n, sv);
    if (!wanted(sv))
        return; /* SUPERVISE_OFF */
    if (running && unchanged(&tree.sv[i], sv)) {
        *n = svcs[i];
        kept[i] = 1;
        return;
    }
    if (running && tree.sv[i].type == SVPARSE_LONGRUN && svcs[i].child > 0)
        n->replaces = svcs[i].child; /* remade once the old supervisor is gone */
    else if (svlive_make(cfg.rundir, cfg.srcdir, sv, cfg.exe, what, sizeof what) < 0) {
        strerr_warnwusys("create ", what, ": service ", sv->name, " disabled");
        return;
    }
    n->state = SUPERVISE_WAITING;
    n->since = now;
    if (!running)
        strerr_warni("service ", sv->name, ": added");
}

int supervise_reload(uint64_t now)
{
    unsigned char kept[SVSRC_MAX] = {0};
    if (stopping)
        return 0;
    if (svsrc_read(&next_tree, cfg.srcdir, report_faulty, NULL) < 0) {
        strerr_warnwusys("read the service tree ", cfg.srcdir, " again: keeping the running one");
        return -1;
    }
    svsrc_expand(&next_tree, cfg.envp, report_faulty, NULL);
    svsrc_resolve(&next_tree, cfg.srcdir, report_faulty, NULL);
    for (unsigned int j = 0; j < next_tree.n; j++)
        carry_over(j, kept, now);
    for (unsigned int i = 0; i < tree.n; i++)
        if (svcs[i].state != SUPERVISE_OFF && !kept[i])
            retire(i, svsrc_find(&next_tree, name_of(i)) >= 0 ? "changed: restarting"
                                                              : "removed: stopping");
    memcpy(&tree, &next_tree, sizeof tree);
    memcpy(svcs, next_svcs, sizeof svcs[0] * tree.n);
    off_dependents();
    for (unsigned int i = 0; i < tree.n; i++) {
        svcs[i].log.name = tree.sv[i].name; /* it pointed into the old table */
        svcs[i].log.file = tree.sv[i].log_file[0] ? tree.sv[i].log_file : NULL;
        if (svcs[i].state == SUPERVISE_WAITING && !is_oneshot(i) && !svcs[i].replaces &&
            svcs[i].child <= 0)
            start_supervisor(i);
    }
    advance(now);
    return 0;
}

int supervise_env_changed(char const *const *envp, char const *names, uint64_t now)
{
    unsigned int restarting = 0;
    cfg.envp = envp;
    forced = names;
    int r = supervise_reload(now);
    forced = NULL;
    for (unsigned int i = 0; i < tree.n; i++)
        restarting += svcs[i].replaces != 0;
    return r < 0 ? -1 : (int) restarting;
}
