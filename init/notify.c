/* SPDX-License-Identifier: ISC */
/* notify: the manager side of sd_notify. podman --sdnotify=container and
 * systemd-nspawn --notify-ready=yes give PID 1 a datagram socket and wait
 * for READY=1; STOPPING=1 tells them the stop has begun. A socket whose name
 * starts with '@' lives in the abstract namespace. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

int notify_parse(struct notify_target *t, char const *value)
{
    size_t len = value ? strlen(value) : 0;
    memset(t, 0, sizeof *t);
    if (!len)
        return 0;
    if ((value[0] != '/' && value[0] != '@') || len >= sizeof t->addr.sun_path)
        return (errno = EINVAL, -1);
    t->addr.sun_family = AF_UNIX;
    memcpy(t->addr.sun_path, value, len);
    if (value[0] == '@')
        t->addr.sun_path[0] = 0;
    /* abstract names are not NUL-terminated: their length is the address */
    t->len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + (value[0] == '/'));
    return 0;
}

int notify_send(struct notify_target const *t, char const *msg)
{
    if (!t->len)
        return 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    ssize_t r =
        sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr const *) &t->addr, t->len);
    int e = errno;
    close(fd);
    return r < 0 ? (errno = e, -1) : 0;
}
