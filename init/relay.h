/* SPDX-License-Identifier: ISC */
/* relay: PID 1's own way to the container's stdout and stderr, which never
 * waits for their reader. The services' lines go to stdout through it, and
 * vinit's own messages (strerr, on stderr) too; a line the output cannot
 * take now is left to the caller to queue (lineq.h). */
#ifndef VINIT_RELAY_H
#define VINIT_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum relay_out { RELAY_STDOUT, RELAY_STDERR };

/* How a descriptor is written without waiting. */
enum relay_how {
    RELAY_NONE,  /* closed: lines are lost */
    RELAY_PLAIN, /* a regular file or a device that never waits: as it is */
    RELAY_OWN,   /* a pipe or a terminal: a description of our own, non-blocking */
    RELAY_SEND,  /* a socket: send(MSG_DONTWAIT), the description untouched */
    RELAY_POLL,  /* shared, and not to be opened again: poll before each write */
};

/* Pure: how to write a descriptor of this type (st_mode), when opening it
 * again worked (reopened) or not. */
enum relay_how relay_how(mode_t mode, int reopened);

/* Opens PID 1's descriptors to what fds 1 and 2 are (fds 1 and 2 stay as
 * they are, blocking, for the main command and the children that inherit
 * them), and sends vinit's own messages (skalibs' buffer_2) through
 * stderr's. In a child forked before its exec, messages go to fd 2 as
 * before. Never fails: an output it cannot open anew is polled. */
void relay_setup(void);

/* -q (verbosity 0): PID 1's own warnings and information lines are not
 * written, its fatal errors are; the services' lines are theirs. */
void relay_quiet(int q);
/* Pure: is this line of PID 1's said under -q? (not "vinit: warning: "
 * nor "vinit: info: ") */
int relay_said_when_quiet(char const *line, size_t n);

/* Writes a whole line (len bytes, at most 8 KiB). 1 when it is taken (a
 * part that did not fit is kept and written first next time), or lost (the
 * output is closed); 0 when the output cannot take it now: nothing was
 * written. */
int relay_write(enum relay_out which, char const *line, size_t len);

/* The descriptor to poll for writing while something waits for it, or -1
 * when nothing does (neither the rest of a line nor vinit's own lines).
 * pending: the caller has lines waiting for it too. */
int relay_pollfd(enum relay_out which, int pending);

/* ms until the output counts as stalled: it has taken nothing for ms since
 * it first refused a line; 0 when it is; -1 when it takes lines. */
int64_t relay_stalled_in(enum relay_out which, unsigned int ms);

/* The output can take more: the rest of a line written in part goes,
 * then (stderr) vinit's own lines that waited. 1 when nothing of the
 * relay's own waits any more. */
int relay_flush(enum relay_out which);

#endif
