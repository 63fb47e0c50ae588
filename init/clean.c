/* SPDX-License-Identifier: ISC */
/* clean: a container restarted with a persisted /run finds the sockets,
 * pid files and libvirt status files of the previous run; libvirtd then
 * fails with "Connection refused" on a dead socket, or thinks a guest still
 * runs. Each candidate is probed the way its owner would be: a socket with
 * connect(), a pid file with its lock (libvirt and most daemons lock their
 * pid file while they live) and then its pid, a status file with the pid it
 * names. Only what is certainly stale goes; a live socket or a held lock is
 * never touched. Runs in the service's runner, so it may allocate. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "clean.h"

enum clean_verdict clean_decide(struct clean_probe const *p)
{
    switch (p->kind) {
    case CLEAN_SOCKET:
        return p->listening ? CLEAN_KEEP : CLEAN_REMOVE;
    case CLEAN_PIDFILE:
        if (p->locked)
            return CLEAN_BLOCK; /* its daemon lives: a second one must not start */
        return p->pid && p->pid_alive ? CLEAN_KEEP : CLEAN_REMOVE;
    case CLEAN_STATUS:
        return p->pid && !p->pid_alive ? CLEAN_REMOVE : CLEAN_KEEP;
    default:
        return CLEAN_KEEP;
    }
}

static int ends_with(char const *s, char const *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

enum clean_kind clean_kind_of(char const *path, mode_t mode)
{
    if (S_ISSOCK(mode))
        return CLEAN_SOCKET;
    if (!S_ISREG(mode))
        return CLEAN_OTHER;
    if (ends_with(path, ".pid"))
        return CLEAN_PIDFILE;
    if (ends_with(path, ".xml") || ends_with(path, ".status"))
        return CLEAN_STATUS;
    return CLEAN_OTHER;
}

static pid_t number_at(char const *s, char const *end)
{
    long long n = 0;
    if (s >= end || *s < '0' || *s > '9')
        return 0;
    for (; s < end && *s >= '0' && *s <= '9'; s++)
        if ((n = n * 10 + (*s - '0')) > 4194304)
            return 0; /* above any pid_max */
    return (pid_t) n;
}

pid_t clean_parse_pid(enum clean_kind kind, char const *text, size_t len)
{
    char const *end = text + len;
    if (kind == CLEAN_PIDFILE) {
        while (text < end && (*text == ' ' || *text == '\t' || *text == '\n'))
            text++;
        return number_at(text, end);
    }
    if (kind != CLEAN_STATUS)
        return 0;
    /* an attribute of its own: " pid='N'", not "ppid=" */
    for (char const *p = text + 1; p + 6 < end; p++)
        if (!memcmp(p, "pid=", 4) && (p[4] == '\'' || p[4] == '"') &&
            (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n'))
            return number_at(p + 5, end);
    return 0;
}

static int listening(char const *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return 1; /* cannot probe it: assume alive */
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 1;
    int r = connect(fd, (struct sockaddr *) &a, sizeof a);
    int e = errno;
    close(fd);
    /* only a refusal proves nobody listens; EAGAIN is a busy listener,
     * EPROTOTYPE a datagram socket that someone may well hold */
    return r == 0 || e != ECONNREFUSED;
}

/* Reads the file and, for a pid file, asks whether another process holds a
 * lock on it (an fcntl lock, as libvirt's virPidFileAcquire takes). */
static void probe_file(char const *path, struct clean_probe *p)
{
    char text[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0)
        return;
    ssize_t r = read(fd, text, sizeof text);
    if (r > 0)
        p->pid = clean_parse_pid(p->kind, text, (size_t) r);
    if (p->kind == CLEAN_PIDFILE) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        p->locked = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
        if (!p->locked && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
            p->locked = 1; /* some daemons use flock(2) instead */
    }
    close(fd);
    p->pid_alive = p->pid > 0 && (kill(p->pid, 0) == 0 || errno == EPERM);
}

static enum clean_verdict judge(char const *path)
{
    struct stat st;
    struct clean_probe p = {0};
    if (lstat(path, &st) < 0)
        return CLEAN_KEEP;
    p.kind = clean_kind_of(path, st.st_mode);
    if (p.kind == CLEAN_SOCKET)
        p.listening = listening(path);
    else if (p.kind != CLEAN_OTHER)
        probe_file(path, &p);
    return clean_decide(&p);
}

int clean_stale(char const *globs, char const *service, char *owner, size_t ownerlen)
{
    char *copy = strdup(globs), *save = NULL;
    int r = 0;
    if (!copy)
        return 0;
    for (char *pat = strtok_r(copy, "\n", &save); pat && !r; pat = strtok_r(NULL, "\n", &save)) {
        glob_t g;
        pat += strspn(pat, " \t");
        if (!*pat || *pat == '#' || glob(pat, GLOB_NOSORT, NULL, &g) != 0)
            continue;
        for (size_t i = 0; i < g.gl_pathc && !r; i++) {
            switch (judge(g.gl_pathv[i])) {
            case CLEAN_REMOVE:
                if (unlink(g.gl_pathv[i]) == 0)
                    strerr_warni("service ", service, ": removed stale ", g.gl_pathv[i]);
                break;
            case CLEAN_BLOCK:
                strncpy(owner, g.gl_pathv[i], ownerlen - 1);
                owner[ownerlen - 1] = 0;
                r = -1;
                break;
            case CLEAN_KEEP:
                break;
            }
        }
        globfree(&g);
    }
    free(copy);
    return r;
}
