/* SPDX-License-Identifier: ISC */
/* reap: collect dead children, and turn a wait status into an exit code. */
#ifndef VINIT_REAP_H
#define VINIT_REAP_H

#include <sys/types.h>

struct reap_watch {
    pid_t pid;           /* the child whose status matters (main command), or 0 */
    int status;          /* its wait status, once reaped */
    int reaped;          /* 1 once it has been reaped */
    unsigned long count; /* children reaped so far, all of them */
    void (*each)(pid_t pid, int wstatus, void *arg); /* every other child, or NULL */
    void *arg;
};

/* Reaps every child that is dead now, without blocking. Returns 1 while
 * children remain, 0 when there are none left (ECHILD), -1 on another error. */
int reap_all(struct reap_watch *w);

/* A shell's convention: the exit code, or 128+n for death by signal n. */
int reap_exit_code(int wstatus);

#endif
