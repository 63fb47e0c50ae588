/* SPDX-License-Identifier: ISC */
/* svrun: s6-supervise runs ./run in the live directory; ./run is a link to
 * vinit itself. This file is that runner: it reads the service's source
 * directory (./source), applies what s6 has no file for (environment
 * policy, limits, OOM score, readiness bridge, user and capabilities), and
 * execs the source's own run from the source directory, so a run script
 * sees the directory it was written in. As ./finish it runs the source's
 * finish, then tells s6-supervise whether the policy wants a restart.
 * It is not PID 1: it may allocate, and it dies on a fatal error (s6 will
 * report the death and vinit the crash loop). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "caps.h"
#include "clean.h"
#include "env.h"
#include "mkpath.h"
#include "ready.h"
#include "sockets.h"
#include "svlive.h"
#include "svrun.h"
#include "svresolve.h"
#include "svsrc.h"

#define EXIT_NO_RESTART 125 /* s6-supervise: permanent failure */

int svrun_is_runner(char const *argv0)
{
    /* s6-supervise execs ./run as { "run", servicedir } and ./finish as
     * { "finish", exitcode, signal, servicedir }; vinit runs a oneshot's
     * programs as { "up" } and { "down" }, a longrun's check as
     * { "check" }. Nobody else calls vinit so. */
    static char const *const roles[] = {"run", "finish", "up", "down", "check"};
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        if (!strcmp(argv0, roles[i]))
            return 1;
    return 0;
}

int svrun_finish_code(enum svparse_restart policy, int exitcode)
{
    if (policy == SVPARSE_RESTART_NEVER)
        return EXIT_NO_RESTART;
    if (policy == SVPARSE_RESTART_ON_FAILURE && exitcode == 0)
        return EXIT_NO_RESTART;
    return 0;
}

static void report(char const *service, char const *path, char const *problem, char const *value,
                   void *arg)
{
    (void) service;
    (void) arg;
    strerr_warnw(path ? path : "", ": ", problem, value ? ": " : "", value ? value : "");
}

static void apply_rlimit(struct svparse_rlimit const *l)
{
    struct rlimit r;
    if (getrlimit(l->resource, &r) < 0)
        return;
    r.rlim_cur = l->soft;
    if (l->has_hard || l->soft > r.rlim_max)
        r.rlim_max = l->has_hard ? l->hard : l->soft;
    if (setrlimit(l->resource, &r) == 0)
        return;
    /* the hard limit cannot be raised here (no CAP_SYS_RESOURCE): keep
     * what we have, say so, and run anyway */
    strerr_warnwusys("raise the ", svparse_rlimit_name(l->resource),
                     " limit (rlimits file): keeping the hard limit the container has");
    getrlimit(l->resource, &r);
    if (l->soft < r.rlim_max)
        r.rlim_cur = l->soft;
    else
        r.rlim_cur = r.rlim_max;
    setrlimit(l->resource, &r);
}

static void apply_oom(int adj)
{
    char buf[16];
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    int len = snprintf(buf, sizeof buf, "%d\n", adj);
    if (fd < 0 || write(fd, buf, (size_t) len) != len)
        strerr_warnwusys("set oom-score-adj");
    if (fd >= 0)
        close(fd);
}

static void start_bridge(struct svsrc_service const *sv, char const *live)
{
    char path[PATH_MAX];
    if (sv->notify) {
        if (snprintf(path, sizeof path, "%s/notify", live) >= (int) sizeof path)
            strerr_dief(111, "live directory path too long: ", live);
        if (ready_notify_bridge_watchdog(path, SVRUN_NOTIFICATION_FD, sv->user, sv->notify_all,
                                         sv->watchdog) < 0)
            strerr_diefusys(111, "create the sd_notify socket ", path);
        setenv("NOTIFY_SOCKET", path, 1);
        if (sv->watchdog) { /* as systemd's WatchdogSec=: the daemon is this process, execed */
            char n[UINT64_FMT];
            n[uint64_fmt(n, (uint64_t) sv->watchdog * 1000)] = 0;
            setenv("WATCHDOG_USEC", n, 1);
            n[pid_fmt(n, getpid())] = 0;
            setenv("WATCHDOG_PID", n, 1);
        }
    } else if (sv->ready_socket[0]) {
        if (ready_socket_bridge(sv->ready_socket, SVRUN_NOTIFICATION_FD) < 0)
            strerr_diefusys(111, "watch the ready-socket ", sv->ready_socket);
    } else
        return;
    close(SVRUN_NOTIFICATION_FD); /* the daemon must not hold it: only the bridge */
}

/* ./run of a longrun, or ./up or ./down of a oneshot (role names it). */
/* An instance (NAME@ITEM) learns its item from the container's variable,
 * before the env policy could hide it: INSTANCE=ITEM, INSTANCE_VALUE= what
 * follows the item's first ':' (virtiofsd@docs from "docs:/srv/docs" gets
 * INSTANCE=docs, INSTANCE_VALUE=/srv/docs). */
static void set_instance(struct svsrc_service const *sv, char const *name)
{
    char const *at = strchr(name, '@');
    char const *list = sv->instances[0] ? getenv(sv->instances) : NULL;
    if (!at || !list)
        return;
    size_t len;
    for (char const *p = list; (len = svparse_word(&p)); p += len) {
        size_t nlen = svresolve_item_name_len(p, len);
        if (nlen == strlen(at + 1) && !strncmp(p, at + 1, nlen)) {
            char value[PATH_MAX];
            size_t vlen = nlen < len ? len - nlen - 1 : 0;
            snprintf(value, sizeof value, "%.*s", (int) vlen, p + nlen + (nlen < len));
            setenv("INSTANCE", at + 1, 1);
            setenv("INSTANCE_VALUE", value, 1);
            return;
        }
    }
    strerr_dief(111, "instance ", at + 1, " is not in $", sv->instances, " any more");
}

/* A directory that must change on a read-only file system: say how out. */
static void die_read_only(char const *what, char const *path)
{
    int e = errno;
    if (e == EROFS)
        strerr_dief(111, "unable to ", what, path,
                    ": it is on a read-only file system; make it writable (a volume or "
                    "--tmpfs ",
                    path, ") or give it this mode and owner in the image");
    errno = e;
    strerr_diefusys(111, what, path);
}

/* directories: each made (or found), then given its mode and owner (the
 * line's, else the service's user), every start: a volume mounted empty
 * over /var/log/libvirt gets its qemu/ back. Only what differs is changed,
 * so a read-only root whose directories are right already is fine. */
static int directory_line(char *line, void *arg)
{
    struct svsrc_service const *sv = arg;
    struct svparse_directory d;
    char const *why;
    uid_t uid = 0;
    gid_t gid = 0;
    char const *owner = NULL;
    struct stat st;
    if (svparse_directory(line, &d, &why) < 0)
        strerr_dief(111, "directories: ", why, ": ", line);
    owner = d.owner[0] ? d.owner : sv->user[0] ? sv->user : NULL;
    if (mkpath_make(d.path, d.mode) < 0)
        die_read_only("create the directory ", d.path);
    if (stat(d.path, &st) < 0)
        strerr_diefusys(111, "stat ", d.path);
    if ((st.st_mode & 07777) != (mode_t) d.mode && chmod(d.path, (mode_t) d.mode) < 0)
        die_read_only("set the mode of ", d.path);
    char const *missing;
    if (owner && caps_ids(owner, &uid, &gid, &missing) < 0)
        strerr_diefusys(111, "give ", d.path, " to ", owner);
    if (owner && (st.st_uid != uid || st.st_gid != gid) && chown(d.path, uid, gid) < 0)
        die_read_only("change the owner of ", d.path);
    return 0;
}

/* env-secrets: withheld variables, from the envdir PID 1 put them in
 * (RUNDIR/env, beside RUNDIR/services/NAME, our live directory). */
static void give_secrets(struct svsrc_service const *sv, char const *live)
{
    char dir[PATH_MAX], missing[256];
    if (svlive_withheld_from_live(dir, sizeof dir, live) < 0)
        strerr_dief(111, "live directory path too long: ", live);
    if (env_apply_secrets(sv->env_secrets, dir, missing, sizeof missing) == 0)
        return;
    if (errno == ENOENT)
        strerr_dief(111, "env-secrets: ", missing,
                    " was not withheld from the container (VINIT_ENV_WITHHOLD) or is not set");
    strerr_diefusys(111, "read the withheld variable ", missing, " from ", dir);
}

/* Stale runtime state goes; state a live process owns stops us here, and
 * the restart back-off tries again later (the owner may go away). */
static void refuse_if_owned(struct svsrc_service const *sv)
{
    char owner[PATH_MAX];
    if (clean_stale(sv->clean, sv->name, owner, sizeof owner) < 0)
        strerr_dief(111, "not starting: a live process holds ", owner,
                    " (another instance, maybe the host's through a shared /run?)");
}

/* The sockets vinit held for the service wait at fds BASE.. (clear of the
 * notification fd s6-supervise gives): moved to 3.., as sd_listen_fds(3)
 * expects, with LISTEN_FDS, LISTEN_PID (ours, which the daemon keeps: we
 * exec it) and LISTEN_FDNAMES; set after env-policy, which must not drop
 * them. handoff: SOCKETS_HANDOFF_VAR's value, read before the policy ran. */
static void hand_on_sockets(char const *handoff)
{
    int base;
    unsigned int n;
    char const *names;
    char num[UINT_FMT];
    if (!handoff)
        return;
    if (sockets_handoff_parse(handoff, &base, &n, &names) < 0)
        strerr_dief(111, "not a socket handoff from vinit: ", SOCKETS_HANDOFF_VAR, "=", handoff);
    for (unsigned int k = 0; k < n; k++)
        if (base != 3 && dup2(base + (int) k, 3 + (int) k) < 0)
            strerr_diefusys(111, "move the listen sockets to fd 3 and up");
    for (unsigned int k = 0; k < n; k++)
        if (base + (int) k >= 3 + (int) n)
            close(base + (int) k);
    num[uint_fmt(num, n)] = 0;
    setenv("LISTEN_FDS", num, 1);
    num[pid_fmt(num, getpid())] = 0;
    setenv("LISTEN_PID", num, 1);
    setenv("LISTEN_FDNAMES", names, 1);
}

static void run_role(struct svsrc_service const *sv, char const *live, char const *source,
                     char const *role)
{
    char const *handoff = getenv(SOCKETS_HANDOFF_VAR);
    char handoff_copy[SVSRC_LISTEN * (SVPARSE_LISTEN_NAME_MAX + 1) + 32];
    if (handoff && strlen(handoff) < sizeof handoff_copy)
        handoff = strcpy(handoff_copy, handoff);
    unsetenv(SOCKETS_HANDOFF_VAR);
    char program[16];
    char const *what;
    char envdir[PATH_MAX];
    /* a check runs beside the daemon: nothing of its start again, and no
     * readiness of its own to say */
    int check = !strcmp(role, "check");
    set_instance(sv, strrchr(live, '/') ? strrchr(live, '/') + 1 : live);
    if (env_apply_policy(sv->env_policy) < 0)
        strerr_diefusys(111, "apply env-policy");
    if (snprintf(envdir, sizeof envdir, "%s/env", source) >= (int) sizeof envdir)
        strerr_dief(111, "source directory path too long: ", source);
    if (env_apply_envdir(envdir) < 0)
        strerr_warnwusys("read every file of ", envdir);
    if (sv->env_secrets[0])
        give_secrets(sv, live);
    if (!sv->notify || check)
        unsetenv("NOTIFY_SOCKET");
    for (unsigned int i = 0; i < sv->nrlimits; i++)
        apply_rlimit(&sv->rlimits[i]);
    if (sv->has_oom_score_adj)
        apply_oom(sv->oom_score_adj);
    if (sv->clean[0] && strcmp(role, "down") && !check)
        refuse_if_owned(sv);
    if (sv->directories[0] && !check) {
        char copy[SVSRC_TEXT_MAX];
        strcpy(copy, sv->directories);
        svparse_lines(copy, directory_line, (void *) sv);
    }
    if (!strcmp(role, "run")) {
        start_bridge(sv, live);
        hand_on_sockets(handoff);
    }
    /* before the user change: the user need not be able to reach it */
    if (chdir(source) < 0)
        strerr_diefusys(111, "chdir to ", source);
    if (caps_apply(sv->user, sv->caps, sv->has_caps ? (int) sv->ncaps : -1, &what) < 0)
        strerr_diefusys(111, "set user and capabilities: unable to ", what);
    snprintf(program, sizeof program, "./%s", role);
    char const *const argv[] = {program, NULL};
    execv(program, (char *const *) argv);
    strerr_diefusys(126, "exec ", source, program + 1);
}

static int finish_role(struct svsrc_service const *sv, char const *source, int argc,
                       char const *const *argv)
{
    int exitcode = argc > 1 ? atoi(argv[1]) : 0;
    if (sv->has_finish) {
        pid_t pid = fork();
        if (!pid) {
            if (chdir(source) == 0)
                execv("./finish", (char *const *) argv);
            strerr_diefusys(126, "exec ", source, "/finish");
        }
        int status;
        while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    return svrun_finish_code(sv->restart, exitcode);
}

int svrun_main(int argc, char const *const *argv)
{
    static struct svsrc_service sv;
    char live[PATH_MAX], source[PATH_MAX];
    if (!getcwd(live, sizeof live))
        strerr_diefusys(111, "get the live directory");
    char const *name = strrchr(live, '/') ? strrchr(live, '/') + 1 : live;
    /* its lines reach the container's log prefixed with the service's
     * name already: "NAME: vinit: fatal: ...", one voice */
    PROG = "vinit";
    if (strlen(name) > SVPARSE_NAME_MAX)
        strerr_dief(100, "not a service name: ", name);
    if (!realpath("source", source))
        strerr_diefusys(111, "resolve ", live, "/source");
    if (svsrc_read_one(&sv, name, source, report, NULL) < 0)
        strerr_dief(111, "the service directory has faults (above): not starting");
    if (!strcmp(argv[0], "finish"))
        return finish_role(&sv, source, argc, argv);
    /* a down's share of the stop deadline, for programs that pace
     * themselves (guests get shut down inside it) */
    if (!strcmp(argv[0], "down") && argc > 1)
        setenv("STOP_BUDGET_MS", argv[1], 1);
    run_role(&sv, live, source, argv[0]);
    return 111;
}
