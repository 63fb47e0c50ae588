/* SPDX-License-Identifier: ISC */
/* notify: sd_notify to the container manager ($NOTIFY_SOCKET). */
#ifndef VINIT_NOTIFY_H
#define VINIT_NOTIFY_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

struct notify_target {
    struct sockaddr_un addr;
    socklen_t len; /* 0: no manager listens */
};

/* Pure: fills t from the value of $NOTIFY_SOCKET ("/path" or "@abstract").
 * Returns 0, or -1 (EINVAL) for a value that is no socket address. */
int notify_parse(struct notify_target *t, char const *value);

/* Sends msg ("READY=1") as one datagram. 0, or -1 with errno. No-op when the
 * target is empty. Never blocks. */
int notify_send(struct notify_target const *t, char const *msg);

#endif
