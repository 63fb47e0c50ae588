/* SPDX-License-Identifier: ISC */
/* ready: readiness bridges to s6's notification fd, started by a service's
 * runner just before it execs the daemon. */
#ifndef VINIT_READY_H
#define VINIT_READY_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Pure: does this sd_notify datagram say READY=1? */
int ready_datagram_is_ready(char const *msg, size_t len);
/* Pure: does it hold the assignment what ("WATCHDOG=1"), on a line of its own? */
int ready_datagram_says(char const *msg, size_t len, char const *what);

/* Pure: may a READY=1 from sender (0: unknown) count, the daemon being
 * daemon? Only the daemon's own, unless any (notify-access all). */
int ready_sender_ok(pid_t sender, pid_t daemon, int any);

/* The sender's pid in a datagram received with SO_PASSCRED on (its
 * SCM_CREDENTIALS), or 0. */
pid_t ready_datagram_sender(struct msghdr *m);

/* sd_notify: binds a datagram socket at path and leaves a watcher that
 * writes a newline to notif_fd on READY=1 from the caller's process (the
 * daemon it is about to exec) or, with any, from any process that can send
 * to the socket; another's is ignored, said once. The caller then sets
 * NOTIFY_SOCKET=path, closes notif_fd and execs. The socket belongs to
 * user (user[:group], or "" for root), who must be able to send to it.
 * 0, or -1 with errno. */
int ready_notify_bridge(char const *path, int notif_fd, char const *user, int any);
/* The same with a watchdog of watchdog_ms (0: none): after READY=1 the
 * watcher stays, and when no WATCHDOG=1 came from the daemon for that
 * long, or WATCHDOG=trigger came, it says so and sends the daemon SIGABRT
 * (as systemd does), for s6-supervise to start it again. The daemon gets
 * WATCHDOG_USEC and WATCHDOG_PID from the caller. */
int ready_notify_bridge_watchdog(char const *path, int notif_fd, char const *user, int any,
                                 unsigned int watchdog_ms);

/* Pure: is a listening unix socket bound at path in this /proc/net/unix
 * text? */
int ready_unix_listening(char const *table, char const *path);

/* ready-socket: a watcher that writes the newline once a socket listens at
 * path. 0, or -1 with errno. */
int ready_socket_bridge(char const *path, int notif_fd);

#endif
