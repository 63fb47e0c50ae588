/* SPDX-License-Identifier: ISC */
/* mounts: what was mounted before vinit started is the manager's; what
 * appeared during the run is vinit's to unmount at stop, in reverse. */
#ifndef VINIT_MOUNTS_H
#define VINIT_MOUNTS_H

#include <stddef.h>

#define MOUNTS_MAX 4096

struct mounts_entry {
    int id;
    char target[512];
};

/* Pure: parses /proc/self/mountinfo text into e (at most max entries, in
 * the file's order); mount points have their \\040-style escapes decoded.
 * Returns how many. */
size_t mounts_parse(char const *text, struct mounts_entry *e, size_t max);

/* Pure: indexes of now[] whose id is not in before[], last first (so that a
 * mount made on top of another goes before it). Returns how many. */
size_t mounts_new(int const *before, size_t nbefore, struct mounts_entry const *now, size_t nnow,
                  size_t *out);

/* At start: remembers the ids of every mount. 0, or -1 with errno. */
int mounts_snapshot(void);

/* At stop, with every process gone: unmounts what appeared since the
 * snapshot, newest first, lazily when busy. Returns how many were
 * unmounted; failures are warned about, never fatal. */
int mounts_unmount_new(int verbose);

#endif
