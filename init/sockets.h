/* SPDX-License-Identifier: ISC */
/* sockets: the listening sockets vinit holds for its services (a service's
 * listen file), as systemd's socket units do: bound before the services
 * start, kept open across their deaths, restarts and reloads, handed to
 * the service as fds 3.. with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES
 * (sd_listen_fds(3)); and the sockets the container's manager passed to
 * vinit itself (podman's and systemd's socket activation). */
#ifndef VINIT_SOCKETS_H
#define VINIT_SOCKETS_H

#include <stddef.h>

#include "svtree.h"

#define SOCKETS_INHERITED_MAX 64
/* The variable a service's s6-supervise gets, for the runner: "BASE N
 * NAME:NAME...": its sockets wait at fds BASE.. BASE+N-1. */
#define SOCKETS_HANDOFF_VAR "VINIT_LISTEN"

/* At start: takes the sockets the manager passed (LISTEN_FDS, when
 * LISTEN_PID is ours), marks them close-on-exec so that no child gets them
 * by accident. Returns how many. The variables are left to env.c, which
 * keeps them from every child. */
unsigned int sockets_take_inherited(void);

/* Binds socket k of t (t->listens[k]), or finds it among the inherited
 * ones (fd:NAME or fd:N). *fd gets a close-on-exec listening socket, *ino
 * the inode of its file (a unix one; else 0). 0, or -1 with errno and
 * *fix: what to do, in words. */
int sockets_open(struct svtree const *t, uint32_t k, int *fd, unsigned long long *ino,
                 char const **fix);

/* Is the file at a unix socket's path still the one vinit bound (ino)? A
 * daemon that ignored LISTEN_FDS replaces it with its own. */
int sockets_still_ours(char const *path, unsigned long long ino);

/* Pure: socket k as a listen line says it: the path, tcp:[ADDRESS:]PORT
 * (an IPv6 address in brackets), fd:NAME. */
void sockets_describe(char *buf, size_t len, struct svtree const *t, uint32_t k);

/* Pure: the fd where a service's sockets wait in its supervisor, clear of
 * its notification-fd. */
int sockets_handoff_base(int notification_fd);

/* Pure: SOCKETS_HANDOFF_VAR's value for n sockets at base, names joined
 * by ':' (an unnamed one is SERVICE.socket, as systemd names a unit's).
 * 0, or -1 when buf is too small. */
int sockets_handoff_format(char *buf, size_t len, int base, struct svtree const *t, unsigned int i);

/* Pure: reads it back. 0, or -1 when it does not hold together. */
int sockets_handoff_parse(char const *value, int *base, unsigned int *n, char const **names);

#endif
