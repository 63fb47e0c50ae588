/* SPDX-License-Identifier: ISC */
/* sockets: binding the sockets of listen files, and the sockets the manager
 * passed. Each call is a few system calls that cannot hang: a unix path in
 * the way is probed with a non-blocking connect, owners are numbers the
 * loader looked up, never names. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mkpath.h"
#include "sockets.h"

static struct {
    int fd;
    char name[SVPARSE_LISTEN_NAME_MAX];
} inherited[SOCKETS_INHERITED_MAX];
static unsigned int ninherited;

unsigned int sockets_take_inherited(void)
{
    char const *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    char const *names = getenv("LISTEN_FDNAMES");
    long n = fds ? strtol(fds, NULL, 10) : 0;
    if (!pid || strtol(pid, NULL, 10) != (long) getpid() || n <= 0)
        return 0;
    for (long k = 0; k < n && ninherited < SOCKETS_INHERITED_MAX; k++) {
        int fd = 3 + (int) k;
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
            continue; /* not open: the manager said more than it gave */
        inherited[ninherited].fd = fd;
        size_t len = names ? strcspn(names, ":") : 0;
        if (len < sizeof inherited[0].name)
            memcpy(inherited[ninherited].name, names, len);
        inherited[ninherited].name[len < sizeof inherited[0].name ? len : 0] = 0;
        ninherited++;
        if (names)
            names = names[len] ? names + len + 1 : NULL;
    }
    return ninherited;
}

static int from_manager(struct svtree_listen const *l, char const *where, int *fd, char const **fix)
{
    for (unsigned int k = 0; k < ninherited; k++)
        if (l->fd >= 0 ? inherited[k].fd == l->fd : !strcmp(inherited[k].name, where)) {
            *fd = inherited[k].fd;
            return 0;
        }
    *fix = "the container's manager passed no such socket (LISTEN_FDS, LISTEN_FDNAMES): "
           "check the name or number, or podman's --preserve-fds / the .socket unit";
    return (errno = ENOENT, -1);
}

/* A unix path in the way: a socket nobody answers on is stale and goes;
 * one that answers is someone's, and anything else is not ours to remove. */
static int clear_path(char const *path, char const **fix)
{
    struct stat st;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : (*fix = "the path cannot be looked at", -1);
    if (!S_ISSOCK(st.st_mode)) {
        *fix = "a file that is not a socket is in the way: remove it, or choose another path";
        return (errno = EEXIST, -1);
    }
    strcpy(a.sun_path, path);
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return (*fix = "no socket to probe the path with", -1);
    int r = connect(probe, (struct sockaddr *) &a, sizeof a);
    int e = errno;
    close(probe);
    if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
        *fix = "someone listens on it already: stop that one, or choose another path";
        return (errno = EADDRINUSE, -1);
    }
    if (unlink(path) < 0 && errno != ENOENT)
        return (*fix = "the stale socket in the way cannot be removed", -1);
    return 0;
}

static int listen_unix(struct svtree_listen const *l, char const *path, int *fd,
                       unsigned long long *ino, char const **fix)
{
    struct stat st;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    char dir[sizeof a.sun_path];
    if (strlen(path) >= sizeof a.sun_path)
        return (*fix = "the path is too long for a unix socket", errno = ENAMETOOLONG, -1);
    strcpy(a.sun_path, path);
    strcpy(dir, path);
    *strrchr(dir, '/') = 0;
    if (*dir && mkpath_make(dir, 0755) < 0)
        return (*fix = "its directory cannot be made (a read-only file system?)", -1);
    if (clear_path(path, fix) < 0)
        return -1;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return (*fix = "no socket to be had (at the fd limit?)", -1);
    if (bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, SOMAXCONN) < 0) {
        int e = errno;
        close(s);
        *fix = e == EACCES || e == EROFS ? "its directory is not writable" : "bind refused it";
        return (errno = e, -1);
    }
    if (chmod(path, l->mode) < 0 || stat(path, &st) < 0 ||
        ((l->uid >= 0 || l->gid >= 0) && chown(path, (uid_t) l->uid, (gid_t) l->gid) < 0)) {
        int e = errno;
        close(s);
        unlink(path);
        *fix = "its mode or owner cannot be set";
        return (errno = e, -1);
    }
    *fd = s;
    *ino = (unsigned long long) st.st_ino;
    return 0;
}

static int listen_tcp(struct svtree_listen const *l, char const *addr, int *fd, char const **fix)
{
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t) l->port)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) l->port)};
    int six = l->kind == SVPARSE_LISTEN_TCP6, one = 1;
    if (six ? inet_pton(AF_INET6, addr, &a6.sin6_addr) != 1
            : *addr && inet_pton(AF_INET, addr, &a4.sin_addr) != 1)
        return (*fix = "not an address", errno = EINVAL, -1);
    int s = socket(six ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return (*fix = six ? "no IPv6 here, or at the fd limit" : "no socket to be had", -1);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if ((six ? bind(s, (struct sockaddr *) &a6, sizeof a6)
             : bind(s, (struct sockaddr *) &a4, sizeof a4)) < 0 ||
        listen(s, SOMAXCONN) < 0) {
        int e = errno;
        close(s);
        *fix = e == EADDRINUSE      ? "the port is taken: stop what listens on it (ss -ltnp), "
                                      "or choose another port"
               : e == EACCES        ? "a port below 1024 needs CAP_NET_BIND_SERVICE "
                                      "(--cap-add=NET_BIND_SERVICE)"
               : e == EADDRNOTAVAIL ? "the address is not one of this container's"
                                    : "bind refused it";
        return (errno = e, -1);
    }
    *fd = s;
    return 0;
}

int sockets_open(struct svtree const *t, uint32_t k, int *fd, unsigned long long *ino,
                 char const **fix)
{
    struct svtree_listen const *l = &t->listens[k];
    char const *where = svtree_str(t, l->where);
    *ino = 0;
    /* fd=NAME: the manager's socket when it passed one under that name */
    if (*svtree_str(t, l->from)) {
        char const *from = svtree_str(t, l->from);
        for (unsigned int m = 0; m < ninherited; m++)
            if (!strcmp(inherited[m].name, from)) {
                *fd = inherited[m].fd;
                return 0;
            }
    }
    switch (l->kind) {
    case SVPARSE_LISTEN_UNIX:
        return listen_unix(l, where, fd, ino, fix);
    case SVPARSE_LISTEN_FD:
        return from_manager(l, where, fd, fix);
    default:
        return listen_tcp(l, where, fd, fix);
    }
}

int sockets_still_ours(char const *path, unsigned long long ino)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (unsigned long long) st.st_ino == ino;
}

void sockets_describe(char *buf, size_t len, struct svtree const *t, uint32_t k)
{
    struct svtree_listen const *l = &t->listens[k];
    char const *where = svtree_str(t, l->where);
    int six = l->kind == SVPARSE_LISTEN_TCP6;
    if (l->kind == SVPARSE_LISTEN_UNIX)
        snprintf(buf, len, "%s", where);
    else if (l->kind == SVPARSE_LISTEN_FD)
        snprintf(buf, len, "fd:%s", where);
    else
        snprintf(buf, len, "tcp:%s%s%s%s%u", six ? "[" : "", where, six ? "]" : "",
                 *where ? ":" : "", l->port);
}

int sockets_handoff_base(int notification_fd)
{
    return notification_fd >= 3 ? notification_fd + 1 : 3;
}

int sockets_handoff_format(char *buf, size_t len, int base, struct svtree const *t, unsigned int i)
{
    struct svtree_service const *sv = &t->sv[i];
    int n = snprintf(buf, len, "%d %u ", base, sv->nlisten);
    for (uint32_t k = 0; k < sv->nlisten && n >= 0 && (size_t) n < len; k++) {
        char const *name = svtree_str(t, t->listens[sv->listen0 + k].name);
        n += snprintf(buf + n, len - (size_t) n, "%s%s%s", k ? ":" : "",
                      *name ? name : svtree_name(t, i), *name ? "" : ".socket");
    }
    return n < 0 || (size_t) n >= len ? -1 : 0;
}

int sockets_handoff_parse(char const *value, int *base, unsigned int *n, char const **names)
{
    char *end;
    long b = strtol(value, &end, 10);
    if (end == value || *end != ' ' || b < 3 || b > INT_MAX / 2)
        return -1;
    char const *p = end + 1;
    long k = strtol(p, &end, 10);
    if (end == p || (*end != ' ' && *end) || k < 1 || k > SVSRC_LISTEN)
        return -1;
    *base = (int) b;
    *n = (unsigned int) k;
    *names = *end ? end + 1 : "";
    return 0;
}
