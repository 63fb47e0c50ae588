/* SPDX-License-Identifier: ISC */
/* clean: stale runtime state (sockets, pid files, status files) left by an
 * earlier run, removed before a service starts, and only when stale. */
#ifndef VINIT_CLEAN_H
#define VINIT_CLEAN_H

#include <stddef.h>
#include <sys/types.h>

enum clean_kind { CLEAN_SOCKET, CLEAN_PIDFILE, CLEAN_STATUS, CLEAN_OTHER };

/* What the probes found about one file. */
struct clean_probe {
    enum clean_kind kind;
    int listening; /* socket: connect() worked */
    int locked;    /* pid file: another process holds a lock on it */
    pid_t pid;     /* pid file or status file: the pid it names, or 0 */
    int pid_alive; /* that pid exists */
};

enum clean_verdict {
    CLEAN_KEEP,   /* live, or nothing says it is stale: leave it */
    CLEAN_REMOVE, /* stale: remove it */
    CLEAN_BLOCK,  /* a live process owns it: the service must not start */
};

/* Pure: the verdict for one file. */
enum clean_verdict clean_decide(struct clean_probe const *p);

/* Pure: the kind of a path from its name and type (S_IFSOCK...):
 * sockets by type; "*.pid" pid files; "*.xml" and "*.status" status files. */
enum clean_kind clean_kind_of(char const *path, mode_t mode);

/* Pure: the pid a pid file or a libvirt status file names: the first
 * number of a pid file, or pid='N' / pid="N" in a status file. 0 if none. */
pid_t clean_parse_pid(enum clean_kind kind, char const *text, size_t len);

/* In a service's runner, before it starts: expands each glob of the
 * service's clean file (one per line), probes and removes what is stale.
 * Returns 0, or -1 when a live process owns one of them: *owner names the
 * file then (the caller refuses to start and says why). */
int clean_stale(char const *globs, char const *service, char *owner, size_t ownerlen);

#endif
