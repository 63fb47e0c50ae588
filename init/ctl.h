/* SPDX-License-Identifier: ISC */
/* ctl: the control socket in the runtime directory, and the CLI that talks
 * to it (vinit status|start|stop|restart|reload|health|shutdown). */
#ifndef VINIT_CTL_H
#define VINIT_CTL_H

#include <stdint.h>

#define CTL_SOCKET "control"

/* What a request asks of PID 1 beyond its answer. */
enum ctl_action { CTL_NONE, CTL_SHUTDOWN, CTL_REBOOT };

/* 1 when argv[1] is a CLI verb (and we are not PID 1). */
int ctl_is_verb(char const *word);

/* Binds rundir/control (mode 0600, root only). Returns the fd, or -1. */
int ctl_listen(char const *rundir);

/* Serves one pending connection. Returns what the request asks of PID 1. */
enum ctl_action ctl_serve(int lfd, uint64_t now, int services);

/* Where the CLI looks for PID 1's socket: $VINIT_RUNDIR, else /run/vinit,
 * else the directory of a PID 1 that runs as a user (/tmp/vinit-UID). */
char const *ctl_find_rundir(void);

/* The CLI: sends argv[1..] to the running vinit, prints the answer.
 * Returns the exit code to use. */
int ctl_client(int argc, char const *const *argv, char const *rundir);

/* Pure: "1h02m", "5m02s", "12s", "850ms" for an uptime. */
void ctl_format_duration(char *buf, unsigned int len, uint64_t ms);

#endif
