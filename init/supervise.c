/* SPDX-License-Identifier: ISC */
/* supervise: the adapter between the planner and the system. vinit plays
 * s6-svscan's part: it starts one s6-supervise per longrun (the real one:
 * s6-svc, s6-svstat and s6-svwait work on the live directories), holds
 * each supervisor's output pipe (so no line is lost across restarts) and
 * learns every state change from an inotify watch on supervise/, where
 * s6-supervise renames a fresh status file into place: no polling.
 *
 * Every decision is the planner's (planner.c): this file turns what it
 * sees (statuses, children's exits, the time, commands) into planner
 * events, and performs the actions the planner answers with. The tree is
 * read by a loader child (svload.c), at start and at each reload.
 *
 * Runs inside PID 1's loop: every failure is reported and handed back to
 * the planner as an event, never fatal. Tables are sized when a tree is
 * taken. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <s6/supervise.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "checks.h"
#include "health.h"
#include "killall.h"
#include "log.h"
#include "planner.h"
#include "reap.h"
#include "relay.h"
#include "signals.h"
#include "supervise.h"
#include "svlive.h"
#include "sockets.h"
#include "svload.h"

/* What the adapter holds for a service: its open files. */
struct svio {
    int logfd;              /* read end of its output pipe, -1 when closed */
    int wd;                 /* inotify watch on supervise/, -1 when none */
    tain stamp;             /* of the last status read: s6 moves it at each start and death */
    int logger_in;          /* the read end the logger's supervisor gets, or -1 */
    struct log_buf log;     /* partial line; log-file; the pipe to a log/ logger */
    int sock[SVSRC_LISTEN]; /* its listen sockets, held across its runs; -1 */
    unsigned long long ino[SVSRC_LISTEN]; /* the inode of a unix one's file, as bound */
    uint64_t sock_retry_at;               /* no fd for them at the last try: when to try again */
    unsigned int sock_retries;
    uint8_t sock_failing;  /* that was said */
    uint8_t live_failed;   /* its live directory could not be made at the last launch */
    struct health health;  /* its check's (health.c), when it has one */
    pid_t check_pid;       /* the running check, or 0 */
    uint8_t check_restart; /* its checks asked for a restart: done after the planner acted */
    char check_line[CHECKS_LINE_MAX]; /* the last line its last check said */
};

static struct supervise_config cfg;
static struct svtree trees[2]; /* the running tree, and the one a reload reads */
static struct svtree *tree = &trees[0];
static struct planner plan;
static struct svio *io;
static int inotify_fd = -1;
static struct svload_job job = {.fd = -1};
static int reload_again;      /* a reload was asked while one was being read */
static char pending[1024];    /* vinit env: names that changed, for the next load */
static int pending_all;       /* more than pending holds: every service counts as using one */
static unsigned int *pollmap; /* iopause index -> service, for log fds */
static unsigned int pollmax;
#define POLL_INOTIFY ((unsigned int) -1)
#define POLL_LOADER  ((unsigned int) -2)
#define POLL_STDOUT  ((unsigned int) -3)
#define POLL_TEE     0x40000000u /* | i: service i's log/ logger can take its note */
static unsigned int drain_next;  /* the service whose line goes first when stdout takes more */

char const *supervise_state_name(int state)
{
    return planner_state_name((enum planner_state) state);
}

static char const *name_of(unsigned int i)
{
    return svtree_name(tree, i);
}

static int live_of(unsigned int i, char *buf, size_t len)
{
    return svlive_path(buf, len, cfg.rundir, name_of(i));
}

/* The live directory of supervisor which: the service's, or its logger's. */
static int live_of_sup(unsigned int i, unsigned int which, char *buf, size_t len)
{
    return which == PLANNER_LOGGER ? svlive_logger_path(buf, len, cfg.rundir, name_of(i))
                                   : live_of(i, buf, len);
}

static void svio_init(struct svio *s, struct svtree const *t, unsigned int i)
{
    memset(s, 0, sizeof *s);
    s->logfd = s->wd = s->logger_in = -1;
    s->log.file_fd = -1;
    s->log.tee_fd = -1;
    s->log.name = svtree_name(t, i);
    s->log.file = t->sv[i].log_file ? svtree_str(t, t->sv[i].log_file) : NULL;
    for (unsigned int k = 0; k < SVSRC_LISTEN; k++)
        s->sock[k] = -1;
    s->health.last_code = -1;
}

/* ---- what the planner says ---- */

static void errtext(char *buf, size_t len, int err)
{
    snprintf(buf, len, "%s", strerror(err));
}

static char const *sup_word(unsigned int which)
{
    return which == PLANNER_LOGGER ? "its log/ supervisor" : "its s6-supervise";
}

static void say_failing(unsigned int i, struct planner_act const *a, char const *ms)
{
    char err[128];
    if (a->msg == PM_RUN_FAILING) {
        errtext(err, sizeof err, a->a);
        strerr_warnw("service ", name_of(i), ": unable to run up: ", err, "; retrying in ", ms,
                     " ms, then more slowly (said once)");
        return;
    }
    if (a->a) {
        char live[PATH_MAX] = "";
        errtext(err, sizeof err, a->a);
        if (io[i].live_failed)
            live_of(i, live, sizeof live);
        strerr_warnw("service ", name_of(i), ": unable to ", *live ? "create " : "start ",
                     *live ? live : sup_word(a->which), *live ? " (its live directory)" : "", ": ",
                     err, "; retrying in ", ms, " ms, then more slowly (said once)");
    } else
        strerr_warnw("service ", name_of(i), ": ", sup_word(a->which),
                     " exited at once (its message above says why); retrying in ", ms,
                     " ms, then more slowly (said once)");
}

static void say_info(unsigned int i, char const *what)
{
    if (cfg.verbosity >= 2)
        strerr_warni("service ", name_of(i), ": ", what);
}

/* A daemon that ignores LISTEN_FDS binds its own socket at the path,
 * after removing vinit's (libvirtd does when LISTEN_FDNAMES does not name
 * what it expects): said when it is ready, once a run. */
static void check_taken(unsigned int i)
{
    struct svtree_service const *sv = &tree->sv[i];
    for (uint32_t k = 0; k < sv->nlisten; k++) {
        struct svtree_listen const *l = &tree->listens[sv->listen0 + k];
        char const *path = svtree_str(tree, l->where);
        if (l->kind != SVPARSE_LISTEN_UNIX || io[i].sock[k] < 0 ||
            sockets_still_ours(path, io[i].ino[k]))
            continue;
        strerr_warnw("service ", name_of(i), ": ", path,
                     " is not the socket vinit passed any more: the daemon made its own (it did "
                     "not take LISTEN_FDS: does it do socket activation, under the names of "
                     "LISTEN_FDNAMES?); connections to it are refused while it restarts");
    }
}

static void say(struct planner_act const *a)
{
    unsigned int i = a->svc;
    char x[INT_FMT], y[INT_FMT], pid[PID_FMT];
    x[int_fmt(x, a->a)] = 0;
    y[int_fmt(y, a->b)] = 0;
    pid[pid_fmt(pid, (pid_t) a->a)] = 0;
    char const *dep =
        a->b >= 0 && (unsigned int) a->b < tree->n ? name_of((unsigned int) a->b) : "?";
    switch (a->msg) {
    case PM_STARTING:
        say_info(i, "starting");
        break;
    case PM_READY:
        say_info(i, "ready");
        check_taken(i);
        break;
    case PM_RUNNING_UP:
        say_info(i, "running up");
        break;
    case PM_UP_DONE:
        say_info(i, "up done");
        break;
    case PM_RUNNING_DOWN:
        say_info(i, "running down");
        break;
    case PM_STOPPING:
        say_info(i, "stopping");
        break;
    case PM_DEP_OFF:
        strerr_warnw("service ", name_of(i), ": not started: it depends on ", dep,
                     ", which does not run here");
        break;
    case PM_DEP_BROKEN:
        strerr_warnw("service ", name_of(i), ": not started: it depends on ", dep,
                     ", whose definition was refused (see above)");
        break;
    case PM_DEP_FAILED:
        strerr_warnw("service ", name_of(i), ": not started: its dependency ", dep, " is ",
                     planner_state_name((enum planner_state) a->a));
        break;
    case PM_NOT_RESTARTED:
        /* a clean exit kept down by its policy is how such a service ends
         * (vinit-udevd with nothing to do): said, not warned */
        if (a->a != 0)
            strerr_warnw("service ", name_of(i), ": exited with code ", x,
                         ", not restarted (restart policy)");
        else if (cfg.verbosity >= 1)
            strerr_warni("service ", name_of(i),
                         ": done: exited with code 0, and its restart "
                         "policy keeps it down");
        break;
    case PM_CRASH_LOOP:
        x[uint_fmt(x, (unsigned int) a->a / 1000)] = 0;
        strerr_warnw("service ", name_of(i),
                     ": crash loop: it keeps dying at once; retrying every ", x, " s");
        break;
    case PM_RESTARTING_IN:
        strerr_warnw("service ", name_of(i), ": exited with code ", x, ", restarting in ", y,
                     " ms");
        break;
    case PM_ESSENTIAL:
        strerr_warnw("service ", name_of(i), ": essential, failed for good (code ", x,
                     "): stopping the container");
        break;
    case PM_UP_FAILED:
        strerr_warnw("service ", name_of(i), ": up exited with code ", x);
        break;
    case PM_TIMEOUT_UP:
        strerr_warnw("service ", name_of(i), ": not ready within timeout-up: stopping it");
        break;
    case PM_TIMEOUT_DOWN:
        strerr_warnw("service ", name_of(i), ": not down within timeout-down: SIGKILL");
        break;
    case PM_SUP_DIED:
        if (a->a > 0)
            strerr_warnw("service ", name_of(i), ": ", sup_word(a->which), " died, leaving pid ",
                         pid, " running: stopping it before a new supervisor starts");
        else
            strerr_warnw("service ", name_of(i), ": ", sup_word(a->which),
                         " died: starting a new one");
        break;
    case PM_SUP_FAILING:
    case PM_RUN_FAILING:
        say_failing(i, a, y);
        break;
    case PM_SUP_SILENT:
        x[uint_fmt(x, (unsigned int) a->a / 1000)] = 0;
        strerr_warnw("service ", name_of(i), ": ", sup_word(a->which), " wrote no status within ",
                     x, " s (is ", cfg.rundir,
                     " full or read-only?): stopping it, and trying again with a back-off (said "
                     "once)");
        break;
    case PM_SUP_BACK:
        strerr_warni("service ", name_of(i), ": ", sup_word(a->which), " runs again");
        break;
    case PM_ADDED:
        strerr_warni("service ", name_of(i), ": added");
        break;
    case PM_CHANGED:
        strerr_warni("service ", name_of(i), ": changed: restarting");
        break;
    case PM_REMOVED:
        strerr_warni("service ", name_of(i), ": removed: stopping");
        break;
    case PM_AFTER:
        strerr_warni("service ", name_of(i), ": restarting after ", dep, ", which runs again");
        break;
    default:
        break;
    }
}

/* ---- the system calls ---- */

/* s6-svc, without a process: one write to supervise/control, of the
 * service or (logger) of its log/ logger. A supervisor that just died
 * cannot hear it: its death is on its way to the planner. */
static void control(unsigned int i, unsigned int which, char const *cmd)
{
    char live[PATH_MAX];
    if (live_of_sup(i, which, live, sizeof live) < 0)
        return;
    int r = s6_svc_writectl(live, S6_SUPERVISE_CTLDIR, cmd, strlen(cmd));
    if (r < 0 && cfg.verbosity >= 2)
        strerr_warnwusys("send ", cmd, " to the supervisor of ", name_of(i));
    else if (!r && cfg.verbosity >= 2)
        strerr_warnwu("send ", cmd, " to the supervisor of ", name_of(i),
                      ": its supervisor does not run");
}

/* Forks path (searched in $PATH when it has no slash) with argv, in dir,
 * with stdin from in (or /dev/null) and, when i's output pipe is asked
 * for (logged), stdout and stderr on a new pipe to us: the pipe is the log. */
/* In a service's supervisor, before its exec: its sockets, and only its,
 * wait at fds base.. (clear of its notification-fd), named for the runner
 * in SOCKETS_HANDOFF_VAR; the runner moves them to 3.. for the daemon.
 * Copied above every target first, so that no dup2 lands on a socket yet
 * to be placed. */
static void hand_sockets(unsigned int i)
{
    struct svtree_service const *sv = &tree->sv[i];
    char value[SVSRC_LISTEN * (SVPARSE_LISTEN_NAME_MAX + 1) + 32];
    int base = sockets_handoff_base(sv->notification_fd), high[SVSRC_LISTEN];
    if (!sv->nlisten)
        return;
    for (uint32_t k = 0; k < sv->nlisten; k++)
        high[k] = fcntl(io[i].sock[k], F_DUPFD_CLOEXEC, base + (int) sv->nlisten);
    for (uint32_t k = 0; k < sv->nlisten; k++)
        if (high[k] < 0 || dup2(high[k], base + (int) k) < 0)
            _exit(111);
    if (sockets_handoff_format(value, sizeof value, base, tree, i) < 0 ||
        setenv(SOCKETS_HANDOFF_VAR, value, 1) < 0)
        _exit(111);
}

static pid_t spawn(unsigned int i, int logged, int in, char const *dir, char const *path,
                   char const *const *argv)
{
    int p[2] = {-1, -1};
    if (logged && pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        if (logged) {
            close(p[0]);
            close(p[1]);
        }
        return (errno = e, -1);
    }
    if (!pid) {
        int null = in >= 0 ? in : open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null >= 0 && null != 0)
            dup2(null, 0);
        if (logged) {
            dup2(p[1], 1);
            dup2(p[1], 2);
        }
        signals_child_reset();
        if (dir && chdir(dir) < 0)
            _exit(111);
        if (logged && !dir)
            hand_sockets(i); /* a service's s6-supervise */
        execvp(path, (char *const *) argv);
        _exit(127);
    }
    if (logged) {
        close(p[1]);
        if (io[i].logfd >= 0)
            close(io[i].logfd);
        io[i].logfd = p[0];
        fcntl(p[0], F_SETFL, O_NONBLOCK);
    }
    return pid;
}

/* The log/ logger's supervisor reads the lines vinit passes on through a
 * pipe that lives as long as vinit: a logger restart loses nothing. */
static pid_t start_logger(unsigned int i)
{
    char dir[PATH_MAX];
    int p[2];
    if (live_of_sup(i, PLANNER_LOGGER, dir, sizeof dir) < 0)
        return -1;
    if (io[i].log.tee_fd < 0) {
        if (pipe2(p, O_CLOEXEC) < 0)
            return -1;
        fcntl(p[1], F_SETPIPE_SZ, 1 << 20); /* room for bursts; best effort */
        fcntl(p[1], F_SETFL, O_NONBLOCK);
        io[i].log.tee_fd = p[1];
        io[i].logger_in = p[0];
    }
    char const *const argv[] = {"s6-supervise", dir, NULL};
    return spawn(i, 0, io[i].logger_in, NULL, argv[0], argv);
}

static void watch(unsigned int i, char const *live)
{
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/" S6_SUPERVISE_CTLDIR, live);
    if (io[i].wd >= 0)
        inotify_rm_watch(inotify_fd, io[i].wd);
    io[i].wd = inotify_fd >= 0 ? inotify_add_watch(inotify_fd, dir, IN_MOVED_TO) : -1;
}

/* PA_LAUNCH of a service's supervisor: its live directory first when the
 * planner says so (the first time, or after a failed attempt). */
static pid_t start_supervisor(unsigned int i, int fresh)
{
    char live[PATH_MAX], what[PATH_MAX];
    if (live_of(i, live, sizeof live) < 0)
        return -1;
    io[i].live_failed = 0;
    if (fresh && svlive_make(cfg.rundir, cfg.srcdir, tree, i, cfg.exe, what, sizeof what) < 0) {
        io[i].live_failed = 1; /* said by PM_SUP_FAILING, once */
        return -1;
    }
    if (fresh)
        watch(i, live);
    char const *const argv[] = {"s6-supervise", live, NULL};
    return spawn(i, 1, -1, NULL, argv[0], argv);
}

/* A oneshot's up or down: vinit itself as the runner (argv[0] names the
 * role, argv[1] a down's budget), in the live directory, like s6-supervise
 * runs ./run. */
static pid_t run_oneshot(unsigned int i, char const *role, int budget)
{
    char live[PATH_MAX], what[PATH_MAX], b[UINT_FMT];
    b[uint_fmt(b, (unsigned int) budget)] = 0;
    char const *const argv[] = {role, *role == 'd' ? b : NULL, NULL};
    if (live_of(i, live, sizeof live) < 0)
        return -1;
    /* its live directory (the source link) is made afresh before each up */
    if (*role == 'u' &&
        svlive_make(cfg.rundir, cfg.srcdir, tree, i, cfg.exe, what, sizeof what) < 0) {
        int e = errno;
        strerr_warnwusys("create ", what, " for service ", name_of(i));
        return (errno = e, -1);
    }
    return spawn(i, 1, -1, live, cfg.exe, argv);
}

static void close_sockets(struct svio *s)
{
    for (unsigned int k = 0; k < SVSRC_LISTEN; k++)
        if (s->sock[k] >= 0) {
            close(s->sock[k]);
            s->sock[k] = -1;
        }
}

static uint64_t doubling_ms(unsigned int n)
{
    uint64_t ms = PLANNER_RETRY_MIN_MS;
    while (--n && ms < PLANNER_RETRY_MAX_MS)
        ms *= 2;
    return ms < PLANNER_RETRY_MAX_MS ? ms : PLANNER_RETRY_MAX_MS;
}

/* Opens service i's sockets of tree t (those v does not hold already),
 * says what could not be had, and tells the planner (next: into a
 * reload's new tables). Out of descriptors or memory, it is tried again
 * (retry_sockets), said once; anything else fails the service. */
static void open_sockets(struct svtree const *t, struct svio *v, unsigned int i, int next,
                         uint64_t now)
{
    struct svtree_service const *sv = &t->sv[i];
    char const *fix;
    if (!sv->nlisten || sv->load != SVTREE_WANTED)
        return;
    for (uint32_t k = 0; k < sv->nlisten; k++) {
        if (v->sock[k] >= 0)
            continue;
        if (sockets_open(t, sv->listen0 + k, &v->sock[k], &v->ino[k], &fix) < 0) {
            int e = errno, later = e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS;
            char where[128];
            sockets_describe(where, sizeof where, t, sv->listen0 + k);
            if (!later || !v->sock_failing)
                strerr_warnw("service ", svtree_name(t, i), ": not started: unable to listen on ",
                             where, ": ", strerror(e), ": ", fix,
                             later ? " (tried again, then more slowly; said once)" : "");
            v->sock_failing = (uint8_t) later;
            v->sock_retry_at = later ? now + doubling_ms(++v->sock_retries) : 0;
            close_sockets(v);
            planner_listening(&plan, i, next, later ? PL_NOT_YET : PL_REFUSED, (int) k, now);
            return;
        }
    }
    if (v->sock_failing)
        strerr_warni("service ", svtree_name(t, i), ": its sockets listen now");
    v->sock_failing = 0;
    v->sock_retries = 0;
    v->sock_retry_at = 0;
    planner_listening(&plan, i, next, PL_BOUND, 0, now);
}

/* Services waiting for their sockets (none to be had at the last try, or
 * started again by hand after a failure) get them now if they can. */
static void retry_sockets(uint64_t now)
{
    for (unsigned int i = 0; i < tree->n; i++) {
        struct planner_svc const *s = &plan.svc[i];
        if (tree->sv[i].nlisten && !s->sockets && s->state == PS_WAITING &&
            io[i].sock_retry_at <= now)
            open_sockets(tree, &io[i], i, 0, now);
    }
}

/* A reload: a changed service keeps the sockets of its old definition
 * that have the same address (its clients never see them closed). */
static void take_sockets(struct svtree const *next, unsigned int j, struct svio *to)
{
    int i = svtree_find(tree, svtree_name(next, j));
    if (i < 0)
        return;
    struct svtree_service const *o = &tree->sv[i], *n = &next->sv[j];
    for (uint32_t m = 0; m < n->nlisten; m++)
        for (uint32_t k = 0; k < o->nlisten; k++)
            if (io[i].sock[k] >= 0 &&
                svtree_same_address(tree, o->listen0 + k, next, n->listen0 + m)) {
                to->sock[m] = io[i].sock[k];
                to->ino[m] = io[i].ino[k];
                io[i].sock[k] = -1;
                break;
            }
}

/* A service leaving the tree (removed, or changed and to be replaced):
 * down it goes, its supervisor exits with it, and what it held is closed. */
static void retire(unsigned int i)
{
    struct planner_svc const *s = &plan.svc[i];
    if (s->sup[PLANNER_SUP].state == SUP_LISTENING)
        control(i, PLANNER_SUP, "dx");
    if (s->sup[PLANNER_LOGGER].state != SUP_NONE)
        control(i, PLANNER_LOGGER, "dx");
    if (io[i].wd >= 0)
        inotify_rm_watch(inotify_fd, io[i].wd);
    if (io[i].logfd >= 0)
        close(io[i].logfd);
    if (io[i].log.file_fd >= 0)
        close(io[i].log.file_fd);
    if (io[i].log.tee_fd >= 0)
        close(io[i].log.tee_fd);
    if (io[i].logger_in >= 0)
        close(io[i].logger_in);
    log_release(&io[i].log); /* and the lines that waited for stdout */
    close_sockets(&io[i]);
    checks_kill(io[i].check_pid);
    io[i].check_pid = 0;
    io[i].wd = io[i].logfd = io[i].log.file_fd = io[i].log.tee_fd = io[i].logger_in = -1;
}

static void perform(struct planner_act const *a, uint64_t now)
{
    unsigned int i = a->svc;
    pid_t pid;
    switch (a->kind) {
    case PA_LAUNCH:
        pid = a->which == PLANNER_LOGGER ? start_logger(i) : start_supervisor(i, a->a);
        if (pid > 0)
            planner_launched(&plan, i, a->which, pid, now);
        else
            planner_launch_failed(&plan, i, a->which, errno, now);
        break;
    case PA_CONTROL:
        control(i, a->which, a->cmd);
        break;
    case PA_RUN:
        pid = run_oneshot(i, a->cmd, a->a);
        if (pid > 0)
            planner_ran(&plan, i, pid);
        else
            planner_run_failed(&plan, i, errno, now);
        break;
    case PA_KILL:
        if (kill(a->pid, a->a) < 0 && errno == ESRCH)
            planner_no_such(&plan, a->pid, now);
        break;
    case PA_RETIRE:
        retire(i);
        break;
    case PA_SAY:
        say(a);
        break;
    }
}

/* ---- checks: health.c decides, checks.c runs them ---- */

static void act(uint64_t now);

static unsigned int check_rnd(void)
{
    static uint32_t x;
    if (!x)
        x = (uint32_t) getpid() * 2654435761u ^ (uint32_t) time(NULL) ^ 1u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

static void say_health(unsigned int i, unsigned int acts)
{
    struct health const *h = &io[i].health;
    char n[UINT_FMT], code[INT_FMT];
    n[uint_fmt(n, h->failures)] = 0;
    code[int_fmt(code, h->last_code)] = 0;
    char const *line = io[i].check_line;
    if (acts & HA_UNHEALTHY)
        strerr_warnw(
            "service ", name_of(i), ": unhealthy: its check failed ", n,
            " times in a row (the last ",
            h->last_code == 128 + SIGKILL ? "killed at check-timeout" : "exited with code ",
            h->last_code == 128 + SIGKILL ? "" : code, *line ? ": " : "", line, ")",
            tree->sv[i].check_report ? "; check-action report: not restarted" : ": restarting it");
    if (acts & HA_HEALTHY && cfg.verbosity >= 1)
        strerr_warni("service ", name_of(i), ": healthy again: its check passed");
}

static void check_event(unsigned int i, enum health_event ev, int code, uint64_t now)
{
    struct svtree_service const *sv = &tree->sv[i];
    struct health_conf const c = {sv->check_interval, sv->check_timeout, sv->check_retries,
                                  sv->check_report};
    struct svio *v = &io[i];
    unsigned int acts = health_event(&v->health, &c, ev, code, now, check_rnd());
    if (acts & HA_KILL) {
        checks_kill(v->check_pid);
        v->check_pid = 0;
    }
    if (acts & HA_RUN) {
        char live[PATH_MAX];
        pid_t pid = live_of(i, live, sizeof live) < 0 ? -1 : checks_spawn(live, cfg.exe);
        if (pid > 0)
            v->check_pid = pid;
        else
            health_event(&v->health, &c, HE_NOT_RUN, 0, now, 0);
    }
    say_health(i, acts);
    if (acts & HA_RESTART)
        v->check_restart = 1;
}

/* Checks follow readiness: they begin when a service with a check is
 * ready and end when it is not (or the stop began); a restart the checks
 * asked for goes to the planner once it has acted. */
static void checks_sync(uint64_t now)
{
    int restart = 0;
    for (unsigned int i = 0; i < tree->n; i++) {
        if (!tree->sv[i].has_check)
            continue;
        int ready = plan.svc[i].state == PS_READY && !plan.shutting_down;
        if (ready && io[i].health.state == HS_OFF)
            check_event(i, HE_READY, 0, now);
        else if (!ready && io[i].health.state != HS_OFF)
            check_event(i, HE_DOWN, 0, now);
        restart |= io[i].check_restart;
    }
    if (!restart)
        return;
    for (unsigned int i = 0; i < tree->n; i++)
        if (io[i].check_restart) {
            io[i].check_restart = 0;
            planner_command(&plan, i, PC_RESTART, now);
            /* a daemon stopped by SIGSTOP (or a debugger) hears the down
             * signal s6-supervise sends only once it runs again */
            if (plan.svc[i].pid > 0)
                kill(plan.svc[i].pid, SIGCONT);
        }
    act(now);
}

/* A check ended: 1 when pid was one. */
static int check_ended(pid_t pid, int code, uint64_t now)
{
    for (unsigned int i = 0; i < tree->n; i++)
        if (io[i].check_pid == pid) {
            char live[PATH_MAX];
            io[i].check_pid = 0;
            if (live_of(i, live, sizeof live) == 0)
                checks_last_line(live, io[i].check_line, sizeof io[i].check_line);
            check_event(i, code ? HE_FAIL : HE_PASS, code, now);
            return 1;
        }
    return 0;
}

/* Works through what the planner asked; what performing adds comes after. */
static void act(uint64_t now)
{
    struct planner_act const *a;
    while ((a = planner_next_act(&plan)))
        perform(a, now);
    checks_sync(now);
}

/* ---- loading ---- */

static struct svload_request request(char const *names, int all)
{
    return (struct svload_request){
        .srcdir = cfg.srcdir, .only = cfg.only, .envp = cfg.envp, .names = names, .all = all};
}

static int size_tables(unsigned int n)
{
    unsigned int max = 3 + 2 * n;
    unsigned int *m = realloc(pollmap, max * sizeof *m);
    if (!m)
        return -1;
    pollmap = m;
    pollmax = max;
    return 0;
}

/* The first read of the tree, waited for: nothing else can happen before
 * it is in. A fork refused for a moment (a pids limit reached) and a loader
 * that died (killed from outside) are tried again, for a few seconds. */
static int first_load(void)
{
    struct svload_request r = request(NULL, 0);
    for (unsigned int ms = 50;; ms *= 2) {
        if (svload_start(&job, &r) == 0 && svload_wait(&job, tree) == 0)
            return 0;
        if ((errno != EAGAIN && errno != ENOMEM && errno != EPIPE) || ms > 3200)
            return -1;
        struct timespec ts = {0, (long) ms * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int supervise_load(struct supervise_config const *c)
{
    cfg = *c;
    if (first_load() < 0)
        return -1;
    io = calloc(tree->n ? tree->n : 1, sizeof *io);
    if (!io || size_tables(tree->n) < 0 || planner_init(&plan, tree) < 0)
        return (errno = ENOMEM, -1);
    int n = 0;
    for (unsigned int i = 0; i < tree->n; i++) {
        svio_init(&io[i], tree, i);
        n += tree->sv[i].load == SVTREE_WANTED;
    }
    return n;
}

void supervise_start(uint64_t now)
{
    inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd < 0)
        strerr_warnwusys("watch the supervisors (inotify): services will not start");
    for (unsigned int i = 0; i < tree->n; i++)
        open_sockets(tree, &io[i], i, 0, now);
    planner_start(&plan, now);
    act(now);
}

/* The new tree is in: the planner compares, the adapter moves each kept
 * service's open files to its new index, then the swap. */
static void apply(struct svtree *next, uint64_t now)
{
    int *map = calloc(next->n ? next->n : 1, sizeof *map);
    struct svio *nio = calloc(next->n ? next->n : 1, sizeof *nio);
    if (!map || !nio || size_tables(next->n) < 0 ||
        planner_reload_begin(&plan, next, map, now) < 0) {
        strerr_warnwusys("take the service tree ", cfg.srcdir,
                         " read again: keeping the running one");
        free(map);
        free(nio);
        svtree_free(next);
        return;
    }
    for (unsigned int j = 0; j < next->n; j++) {
        svio_init(&nio[j], next, j);
        if (map[j] < 0) {
            take_sockets(next, j, &nio[j]);
            continue;
        }
        struct log_buf fresh = nio[j].log;
        nio[j] = io[map[j]];
        nio[j].log.name = fresh.name; /* they pointed into the old tree */
        nio[j].log.file = fresh.file;
    }
    act(now); /* retirements and their messages, with the old indexes */
    for (unsigned int j = 0; j < next->n; j++)
        if (map[j] < 0)
            open_sockets(next, &nio[j], j, 1, now);
    free(io);
    io = nio;
    struct svtree *old = tree;
    tree = next; /* the swap */
    planner_reload_end(&plan, now);
    svtree_free(old);
    act(now);
    free(map);
}

static void load_again(void)
{
    struct svload_request r = request(pending[0] ? pending : NULL, pending_all);
    reload_again = 0;
    if (svload_start(&job, &r) < 0)
        strerr_warnwusys("read the service tree ", cfg.srcdir, " again: keeping the running one");
    pending[0] = 0;
    pending_all = 0;
}

static void on_loader(uint64_t now)
{
    struct svtree *next = tree == &trees[0] ? &trees[1] : &trees[0];
    int r = svload_collect(&job, next);
    if (r < 0)
        strerr_warnwusys("read the service tree ", cfg.srcdir, " again: keeping the running one");
    if (r > 0) {
        if (plan.shutting_down)
            svtree_free(next);
        else
            apply(next, now);
    }
    if (r && reload_again && !plan.shutting_down)
        load_again();
}

int supervise_reload(uint64_t now)
{
    (void) now;
    if (plan.shutting_down)
        return 0;
    if (job.fd >= 0) {
        reload_again = 1; /* read once more when this one is in */
        return 0;
    }
    load_again();
    return job.fd >= 0 ? 0 : -1;
}

int supervise_env_changed(char const *const *envp, char const *names, uint64_t now)
{
    cfg.envp = envp;
    if (strlen(pending) + strlen(names) + 2 < sizeof pending) {
        strcat(pending, " ");
        strcat(pending, names);
    } else
        pending_all = 1; /* too many to list: every service restarts */
    return supervise_reload(now);
}

/* ---- events ---- */

/* A status that cannot be read (PID 1 at its fd limit) is said once, until
 * one can be; the planner asks the supervisor again while the service has
 * not said it is ready, and the status then comes anew. */
static int status_unread_said;

static void status_unread(unsigned int i)
{
    if (status_unread_said)
        return;
    status_unread_said = 1;
    strerr_warnwusys("read the status of service ", name_of(i),
                     " (read again when its supervisor writes it next; said once)");
}

static void on_status(unsigned int i, uint64_t now)
{
    char live[PATH_MAX];
    s6_svstatus_t st;
    if (live_of(i, live, sizeof live) < 0)
        return;
    if (!s6_svstatus_read(live, &st)) {
        if (errno != ENOENT)
            status_unread(i);
        return;
    }
    status_unread_said = 0;
    struct planner_status ps = {
        .up = st.pid > 0 && !st.flagfinishing,
        .pid = st.pid,
        .ready = st.flagready,
        .code = reap_exit_code(st.wstat),
        .new_stamp = tain_less(&st.stamp, &io[i].stamp) || tain_less(&io[i].stamp, &st.stamp),
    };
    io[i].stamp = st.stamp;
    planner_status(&plan, i, &ps, now);
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
                for (unsigned int i = 0; i < tree->n; i++)
                    if (io[i].wd >= 0)
                        on_status(i, now);
                continue;
            }
            if (e->len && strcmp(e->name, "status"))
                continue;
            for (unsigned int i = 0; i < tree->n; i++)
                if (io[i].wd == e->wd)
                    on_status(i, now);
        }
    }
    act(now);
}

/* A service whose lines wait for stdout is read no further while stdout
 * still takes lines, however slowly: its pipe fills, and its own writes
 * wait, as they would on a slow stdout of its own. Once stdout has taken
 * nothing for LOG_STALL_MS (stall: 0), it is read again and what does not
 * fit in its queue is dropped. */
static int held_back(unsigned int i, int64_t stall)
{
    return stall != 0 && lineq_waiting(&io[i].log.q);
}

unsigned int supervise_pollfds(iopause_fd *x, unsigned int max)
{
    unsigned int n = 0;
    if (max > pollmax)
        max = pollmax;
    if (inotify_fd >= 0 && n < max) {
        pollmap[n] = POLL_INOTIFY;
        x[n++] = (iopause_fd){.fd = inotify_fd, .events = IOPAUSE_READ};
    }
    if (job.fd >= 0 && n < max) {
        pollmap[n] = POLL_LOADER;
        x[n++] = (iopause_fd){.fd = job.fd, .events = IOPAUSE_READ};
    }
    int waiting = 0;
    for (unsigned int i = 0; i < tree->n; i++)
        waiting |= lineq_waiting(&io[i].log.q);
    int out = relay_pollfd(RELAY_STDOUT, waiting);
    if (out >= 0 && n < max) {
        pollmap[n] = POLL_STDOUT;
        x[n++] = (iopause_fd){.fd = out, .events = IOPAUSE_WRITE};
    }
    int64_t stall = relay_stalled_in(RELAY_STDOUT, LOG_STALL_MS);
    for (unsigned int i = 0; i < tree->n && n < max; i++)
        if (io[i].logfd >= 0 && !held_back(i, stall)) {
            pollmap[n] = i;
            x[n++] = (iopause_fd){.fd = io[i].logfd, .events = IOPAUSE_READ};
        }
    for (unsigned int i = 0; i < tree->n && n < max; i++)
        if (io[i].log.tee_fd >= 0 && io[i].log.tee_gap) {
            pollmap[n] = POLL_TEE | i;
            x[n++] = (iopause_fd){.fd = io[i].log.tee_fd, .events = IOPAUSE_WRITE};
        }
    return n;
}

/* stdout takes lines again: those that waited go, a line of each service
 * in turn, until it cannot take more or none waits. */
static void drain_logs(void)
{
    if (!relay_flush(RELAY_STDOUT))
        return;
    for (int more = 1; more && tree->n;) {
        more = 0;
        for (unsigned int k = 0; k < tree->n; k++) {
            unsigned int i = (drain_next + k) % tree->n;
            int r = log_drain_one(&io[i].log);
            if (r < 0) {
                drain_next = i;
                return;
            }
            more |= r;
        }
    }
}

void supervise_io(iopause_fd const *x, unsigned int n, uint64_t now)
{
    for (unsigned int k = 0; k < n; k++) {
        if (!(x[k].revents & (IOPAUSE_READ | IOPAUSE_WRITE | IOPAUSE_EXCEPT)))
            continue;
        if (pollmap[k] == POLL_INOTIFY) {
            on_inotify(now);
            continue;
        }
        if (pollmap[k] == POLL_LOADER) {
            on_loader(now);
            return; /* the tree may have changed under pollmap */
        }
        if (pollmap[k] == POLL_STDOUT) {
            drain_logs();
            continue;
        }
        if (pollmap[k] & POLL_TEE) {
            log_tee_note(&io[pollmap[k] & ~POLL_TEE].log);
            continue;
        }
        unsigned int i = pollmap[k];
        if (log_read(io[i].logfd, &io[i].log) <= 0) {
            close(io[i].logfd); /* every writer is gone */
            io[i].logfd = -1;
        }
    }
}

/* A logger's supervisor died: the s6-log it ran, now an orphan, reads a
 * pipe vinit holds; closing vinit's ends makes it write what is left and
 * leave at the pipe's end, even when its pid was never written in a status
 * (the supervisor died between its fork and its status). The next logger
 * gets a new pipe: two never share one, nor the lock of their directory. */
static void new_logger_pipe(unsigned int i)
{
    if (io[i].log.tee_fd >= 0)
        close(io[i].log.tee_fd);
    if (io[i].logger_in >= 0)
        close(io[i].logger_in);
    io[i].log.tee_fd = io[i].logger_in = -1;
}

/* The pid a supervisor's status last named as running: after the
 * supervisor's death, the orphan it left (if it is ours now: reparented
 * to vinit, not a pid used again by someone else). */
static pid_t orphan_of(unsigned int i, unsigned int which)
{
    char live[PATH_MAX], stat[64], text[1024];
    s6_svstatus_t st;
    if (live_of_sup(i, which, live, sizeof live) < 0)
        return 0;
    if (!s6_svstatus_read(live, &st) || st.pid <= 0)
        return 0;
    snprintf(stat, sizeof stat, "/proc/%d/stat", (int) st.pid);
    int fd = open(stat, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t r = read(fd, text, sizeof text - 1);
    close(fd);
    if (r <= 0)
        return 0;
    text[r] = 0;
    return killall_stat_ppid(text) == getpid() ? st.pid : 0;
}

void supervise_child(pid_t pid, int wstatus, uint64_t now)
{
    unsigned int i, which;
    if (pid == job.pid)
        return; /* the loader: its pipe tells */
    if (pid > 0 && check_ended(pid, reap_exit_code(wstatus), now)) {
        act(now);
        return;
    }
    if (planner_find_sup(&plan, pid, &i, &which)) {
        if (which == PLANNER_LOGGER)
            new_logger_pipe(i);
        planner_sup_died(&plan, i, which, orphan_of(i, which), now);
    } else
        planner_child(&plan, pid, reap_exit_code(wstatus), WIFSIGNALED(wstatus), now);
    act(now);
}

void supervise_tick(uint64_t now)
{
    for (unsigned int i = 0; i < tree->n; i++)
        if (io[i].health.state != HS_OFF && now >= io[i].health.deadline)
            check_event(i, HE_TIMER, 0, now);
    retry_sockets(now);
    planner_tick(&plan, now);
    act(now);
}

int64_t supervise_wait_ms(uint64_t now)
{
    int64_t wait = planner_wait_ms(&plan, now);
    int64_t stall = relay_stalled_in(RELAY_STDOUT, LOG_STALL_MS);
    for (unsigned int i = 0; i < tree->n; i++)
        if (io[i].logfd >= 0 && stall > 0 && held_back(i, stall) && (wait < 0 || stall < wait))
            wait = stall; /* then it is read again */
    for (unsigned int i = 0; i < tree->n; i++) {
        if (io[i].health.state != HS_OFF) {
            uint64_t at = io[i].health.deadline;
            int64_t w = at > now ? (int64_t) (at - now) : 0;
            if (wait < 0 || w < wait)
                wait = w;
        }
        if (tree->sv[i].nlisten && !plan.svc[i].sockets && plan.svc[i].state == PS_WAITING) {
            uint64_t at = io[i].sock_retry_at;
            int64_t w = at > now ? (int64_t) (at - now) : 0;
            if (wait < 0 || w < wait)
                wait = w;
        }
    }
    return wait;
}

int supervise_settled(void)
{
    return planner_settled(&plan);
}

int supervise_essential_failed(int *code)
{
    if (plan.essential_code < 0)
        return 0;
    *code = plan.essential_code;
    return 1;
}

void supervise_stop(uint64_t now, uint64_t deadline)
{
    if (job.fd >= 0)
        svload_cancel(&job);
    planner_shutdown(&plan, now, deadline);
    act(now);
}

int supervise_stopped(void)
{
    return planner_stopped(&plan);
}

unsigned int supervise_count(void)
{
    return tree->n;
}

/* Why a service is broken, off or failed, in words for vinit status. */
static char const *reason(unsigned int i)
{
    static char buf[512];
    struct planner_svc const *s = &plan.svc[i];
    char const *dep = s->why_arg >= 0 && (unsigned int) s->why_arg < tree->n
                          ? name_of((unsigned int) s->why_arg)
                          : "?";
    switch (s->why) {
    case PM_BROKEN:
        return svtree_str(tree, tree->sv[i].reason);
    case PM_DEP_OFF:
        snprintf(buf, sizeof buf, "depends on %s, which does not run here", dep);
        break;
    case PM_DEP_BROKEN:
        snprintf(buf, sizeof buf, "depends on %s, which is broken", dep);
        break;
    case PM_DEP_FAILED:
        snprintf(buf, sizeof buf, "depends on %s, which failed", dep);
        break;
    case PM_NOT_RESTARTED:
        snprintf(buf, sizeof buf, "exited with code %d; its restart policy keeps it down",
                 s->why_arg);
        break;
    case PM_CRASH_LOOP:
        snprintf(buf, sizeof buf, "crash loop (essential)");
        break;
    case PM_UP_FAILED:
        snprintf(buf, sizeof buf, "up exited with code %d", s->why_arg);
        break;
    case PM_TIMEOUT_UP:
        snprintf(buf, sizeof buf, "not ready within timeout-up");
        break;
    case PM_SOCKET:
        strcpy(buf, "unable to listen on ");
        if (s->why_arg >= 0 && (uint32_t) s->why_arg < tree->sv[i].nlisten)
            sockets_describe(buf + strlen(buf), sizeof buf - strlen(buf), tree,
                             tree->sv[i].listen0 + (uint32_t) s->why_arg);
        break;
    default:
        /* off: the loader's why (a template, enabled-if, VINIT_SERVICES) */
        return s->state == PS_OFF && tree->sv[i].reason ? svtree_str(tree, tree->sv[i].reason)
                                                        : NULL;
    }
    return buf;
}

void supervise_info(unsigned int i, struct supervise_info *out)
{
    struct planner_svc const *s = &plan.svc[i];
    out->name = name_of(i);
    out->state = s->state;
    out->pid = s->pid;
    out->since = s->since;
    out->ready = s->state == PS_READY;
    out->restarts = s->rs.restarts;
    out->crash_loop = s->rs.crash_loop;
    out->last_exit = s->exitcode;
    out->wanted = s->state != PS_OFF;
    out->done = planner_done(&plan, i);
    out->reason = reason(i);
    out->health = tree->sv[i].has_check ? health_word(&io[i].health) : NULL;
    out->health_last = io[i].health.checked ? io[i].health.last : 0;
    out->health_failures = io[i].health.failures;
    out->health_line = io[i].check_line;
    out->stdout_dropped = io[i].log.out_dropped;
    out->log_file_dropped = io[i].log.file_dropped;
    out->logger_dropped = io[i].log.tee_dropped;
    /* as its listen line says it: the path, tcp:[ADDRESS:]PORT, fd:NAME */
    static char text[SVSRC_LISTEN][128];
    struct svtree_service const *sv = &tree->sv[i];
    out->nsockets = s->sockets ? sv->nlisten : 0;
    for (uint32_t k = 0; k < out->nsockets; k++) {
        sockets_describe(text[k], sizeof text[k], tree, sv->listen0 + k);
        out->sockets[k] = text[k];
    }
}

int supervise_healthy(void)
{
    for (unsigned int i = 0; i < tree->n; i++)
        if (io[i].health.unhealthy && io[i].health.state != HS_OFF)
            return 0;
    return planner_healthy(&plan);
}

int supervise_essential(unsigned int i)
{
    return tree->sv[i].essential;
}

int supervise_live(void)
{
    for (unsigned int i = 0; i < tree->n; i++)
        if (tree->sv[i].essential && tree->sv[i].load == SVTREE_WANTED &&
            (plan.svc[i].state == PS_FAILED || plan.svc[i].state == PS_BROKEN))
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

/* vinit reload NAME: the service's reload-signal, through its supervisor
 * when s6-svc has a letter for it. */
static int reload_service(unsigned int i)
{
    struct planner_svc const *s = &plan.svc[i];
    int sig = tree->sv[i].reload_signal ? tree->sv[i].reload_signal : SIGHUP;
    char const *cmd = signal_command(sig);
    if (tree->sv[i].type == SVPARSE_ONESHOT)
        return (errno = EINVAL, -1);
    if (!s->pid)
        return (errno = ESRCH, -1);
    if (cmd && s->sup[PLANNER_SUP].state == SUP_LISTENING) {
        control(i, PLANNER_SUP, cmd);
        return 0;
    }
    return kill(s->pid, sig);
}

int supervise_command(char const *name, char const *op, uint64_t now)
{
    static char const *const ops[] = {
        [PC_START] = "start", [PC_STOP] = "stop", [PC_RESTART] = "restart"};
    int i = svtree_find(tree, name);
    if (i < 0 || plan.shutting_down || plan.svc[i].state == PS_OFF ||
        plan.svc[i].state == PS_BROKEN)
        return (errno = ENOENT, -1);
    if (!strcmp(op, "reload"))
        return reload_service((unsigned int) i);
    for (unsigned int c = 0; c < sizeof ops / sizeof *ops; c++)
        if (!strcmp(op, ops[c])) {
            int r = planner_command(&plan, (unsigned int) i, (enum planner_cmd) c, now);
            int e = errno;
            act(now);
            return r < 0 ? (errno = e, -1) : 0;
        }
    return (errno = EINVAL, -1);
}
