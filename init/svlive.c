/* SPDX-License-Identifier: ISC */
/* svlive: the live directories are vinit's own output, rebuilt at every
 * start from the source tree: nothing from an earlier run (a persisted
 * /run, a crashed container) is trusted. s6-supervise sees a plain s6
 * service directory, so s6-svstat, s6-svc and s6-svwait work on it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svlive.h"

static int fits(int n, size_t len)
{
    return n < 0 || (size_t) n >= len ? (errno = ENAMETOOLONG, -1) : 0;
}

int svlive_root(char *buf, size_t len, char const *rundir)
{
    return fits(snprintf(buf, len, "%s/services", rundir), len);
}

int svlive_withheld(char *buf, size_t len, char const *rundir)
{
    return fits(snprintf(buf, len, "%s/env", rundir), len);
}

int svlive_withheld_from_live(char *buf, size_t len, char const *live)
{
    return fits(snprintf(buf, len, "%s/../../env", live), len);
}

int svlive_path(char *buf, size_t len, char const *rundir, char const *name)
{
    return fits(snprintf(buf, len, "%s/services/%s", rundir, name), len);
}

int svlive_logger_path(char *buf, size_t len, char const *rundir, char const *name)
{
    return fits(snprintf(buf, len, "%s/services/%s/log", rundir, name), len);
}

static int rm_entry(char const *path, struct stat const *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int svlive_remove(char const *rundir, char const *name)
{
    char path[PATH_MAX];
    if (svlive_path(path, sizeof path, rundir, name) < 0)
        return -1;
    if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        return -1;
    return 0;
}

/* Writes one small file. On error, *what is its path. */
static int put(char const *dir, char const *file, char const *content, char *what, size_t wl)
{
    snprintf(what, wl, "%s/%s", dir, file);
    int fd = open(what, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t len = strlen(content);
    ssize_t r = write(fd, content, len);
    int e = errno;
    close(fd);
    return r == (ssize_t) len ? 0 : (errno = r < 0 ? e : EIO, -1);
}

static int put_uint(char const *dir, char const *file, unsigned int v, char *what, size_t wl)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%u\n", v);
    return put(dir, file, buf, what, wl);
}

static int link_to(char const *dir, char const *file, char const *target, char *what, size_t wl)
{
    snprintf(what, wl, "%s/%s", dir, file);
    return symlink(target, what);
}

static int readiness(char const *live, struct svtree_service const *sv, char *what, size_t wl)
{
    if (sv->notification_fd >= 0)
        return put_uint(live, "notification-fd", (unsigned int) sv->notification_fd, what, wl);
    return 0;
}

static int timeouts(char const *live, struct svtree_service const *sv, char *what, size_t wl)
{
    if (sv->down_signal && put_uint(live, "down-signal", (unsigned int) sv->down_signal, what, wl))
        return -1;
    /* s6's timeout-kill: SIGKILL this long after the down signal */
    if (sv->timeout_kill && put_uint(live, "timeout-kill", sv->timeout_kill, what, wl) < 0)
        return -1;
    return 0;
}

/* Names s6-supervise reads, or that vinit makes, in a live directory. */
static int reserved(char const *name)
{
    static char const *const names[] = {
        "run",         "finish",       "down",           "notify",          "notification-fd",
        "down-signal", "timeout-kill", "timeout-finish", "max-death-tally", "lock-fd",
        "nosetsid",    "supervise",    "event",          "source",          "log"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

/* Links each entry of the source directory into the live one, so that a
 * run script started in the live directory finds its ./files as s6 users
 * expect (the runner chdirs to the source; a direct run does not). */
static int mirror(char const *live, char const *source, char *what, size_t wl)
{
    char target[PATH_MAX];
    DIR *d = opendir(source);
    if (!d)
        return snprintf(what, wl, "%s", source), -1;
    struct dirent *e;
    int r = 0;
    while (!r && (e = readdir(d))) {
        if (e->d_name[0] == '.' || reserved(e->d_name))
            continue;
        if (snprintf(target, sizeof target, "%s/%s", source, e->d_name) >= (int) sizeof target)
            continue;
        r = link_to(live, e->d_name, target, what, wl);
    }
    closedir(d);
    return r;
}

/* run and finish: vinit's runner when the service needs what s6 has no
 * file for; else the source's own programs, one exec fewer at each start. */
static int programs(char const *live, char const *source, struct svtree_service const *sv,
                    char const *exe, char *what, size_t wl)
{
    char run[PATH_MAX], finish[PATH_MAX];
    if (sv->needs_runner)
        return link_to(live, "run", exe, what, wl) < 0 || link_to(live, "finish", exe, what, wl) < 0
                   ? -1
                   : 0;
    if (snprintf(run, sizeof run, "%s/run", source) >= (int) sizeof run ||
        snprintf(finish, sizeof finish, "%s/finish", source) >= (int) sizeof finish)
        return (errno = ENAMETOOLONG, -1);
    if (link_to(live, "run", run, what, wl) < 0)
        return -1;
    return sv->has_finish ? link_to(live, "finish", finish, what, wl) : 0;
}

/* live/log: the service's s6 logger, its run the source's log/run. It has
 * no down file: its supervisor starts it at once, before the service. */
static int make_logger(char const *live, char const *source, char *what, size_t wl)
{
    char dir[PATH_MAX], run[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/log", live) >= (int) sizeof dir ||
        snprintf(run, sizeof run, "%s/log/run", source) >= (int) sizeof run)
        return (errno = ENAMETOOLONG, -1);
    snprintf(what, wl, "%s", dir);
    if (mkdir(dir, 0755) < 0 || link_to(dir, "run", run, what, wl) < 0)
        return -1;
    snprintf(what, wl, "%s/supervise", dir);
    return mkdir(what, 0700);
}

int svlive_make(char const *rundir, char const *srcdir, struct svtree const *t, unsigned int i,
                char const *exe, char *what, size_t wl)
{
    char live[PATH_MAX], source[PATH_MAX];
    struct svtree_service const *sv = &t->sv[i];
    char const *name = svtree_name(t, i);
    snprintf(what, wl, "%s/services/%s", rundir, name);
    if (svlive_remove(rundir, name) < 0 || svlive_path(live, sizeof live, rundir, name) < 0)
        return -1;
    if (snprintf(source, sizeof source, "%s/%s", srcdir, svtree_str(t, sv->dir)) >=
        (int) sizeof source)
        return (errno = ENAMETOOLONG, -1);
    snprintf(what, wl, "%s", live);
    if (mkdir(live, 0755) < 0 || link_to(live, "source", source, what, wl) < 0)
        return -1;
    if (sv->type == SVPARSE_ONESHOT)
        return 0; /* vinit runs its up and down itself: no supervisor */
    if (programs(live, source, sv, exe, what, wl) < 0 || mirror(live, source, what, wl) < 0 ||
        put(live, "down", "", what, wl) < 0 || readiness(live, sv, what, wl) < 0 ||
        timeouts(live, sv, what, wl) < 0)
        return -1;
    if (sv->has_log_dir && make_logger(live, source, what, wl) < 0)
        return -1;
    snprintf(what, wl, "%s/supervise", live);
    return mkdir(what, 0700);
}
