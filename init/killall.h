/* SPDX-License-Identifier: ISC */
/* killall: signal every process vinit is responsible for. */
#ifndef VINIT_KILLALL_H
#define VINIT_KILLALL_H

#include <stddef.h>
#include <sys/types.h>

/* The most processes a subreaper scan handles in one pass. */
#define KILLALL_MAX 32768

/* Sends sig to every process but ourselves and spare (0 for none): as PID 1
 * with kill(-1), which reaches processes that changed session or process
 * group (or, when sparing one, to every pid of the namespace's /proc); as a
 * subreaper, to each descendant found in /proc. A SIGTERM is followed by
 * SIGCONT so that stopped processes get to act on it. Returns how many were
 * signalled from /proc, 0 after kill(-1) (it does not count), -1 on error. */
int killall_signal(int pid1, int sig, pid_t spare);

struct killall_proc {
    pid_t pid, ppid;
    unsigned char mark; /* out: KILLALL_DESCENDANT or KILLALL_OTHER */
};
#define KILLALL_UNKNOWN    0
#define KILLALL_DESCENDANT 1
#define KILLALL_OTHER      2

/* Pure: sorts t[] by pid and marks each entry that descends from root.
 * Returns how many descend. O(n log n); a corrupt tree (a ppid loop from
 * pid reuse during the scan) is tolerated and marked KILLALL_OTHER. */
size_t killall_mark_descendants(struct killall_proc *t, size_t n, pid_t root);

/* Pure: the parent pid in the text of a /proc/PID/stat file, read after
 * the last ')' (the command name may hold spaces, parentheses, newlines).
 * -1 when the text is cut or malformed. */
pid_t killall_stat_ppid(char const *stat);

#endif
