/* SPDX-License-Identifier: ISC */
/* lineq: a bounded queue of whole lines for an output that cannot take
 * them now (the container's stdout while its reader stalls). A line that
 * does not fit is dropped whole, never cut, and counted; a note saying how
 * many were dropped takes their place, written with the lines around it. */
#ifndef VINIT_LINEQ_H
#define VINIT_LINEQ_H

#include <stddef.h>

#define LINEQ_SIZE     (64 * 1024) /* bytes a queue holds, its notes included */
#define LINEQ_NOTE_MAX 192         /* bytes of a note, its newline included */

struct lineq {
    char *buf;         /* LINEQ_SIZE bytes, from the first line queued until empty again */
    size_t off, len;   /* what waits: buf[off..len), whole lines */
    unsigned long gap; /* lines dropped since the last note */
};

/* Pure: the note for n dropped lines, in out (LINEQ_NOTE_MAX bytes): a
 * service's ("vinit: warning: service NAME: N lines dropped (stdout was not
 * taking them)") or, for service NULL, vinit's own on stderr. Returns the
 * length, its newline included. */
size_t lineq_note(char *out, char const *service, unsigned long n);

/* Queues a line (len bytes, its newline included; at most LINEQ_SIZE -
 * LINEQ_NOTE_MAX), after the note for the lines dropped before it. 1 when
 * queued; 0 when it did not fit (or no memory): then it is dropped and
 * counted in q->gap. */
int lineq_put(struct lineq *q, char const *line, size_t len, char const *service);

/* The next line to write (*p, its length returned), or 0 when none waits.
 * A queue emptied after drops gives their note first. */
size_t lineq_next(struct lineq *q, char const **p, char const *service);

/* The line lineq_next gave is written: the next one comes. The memory
 * goes back once the queue is empty. */
void lineq_pop(struct lineq *q);

/* Lines (or a note) wait. */
int lineq_waiting(struct lineq const *q);

/* Frees what waits (the service leaves). */
void lineq_free(struct lineq *q);

#endif
