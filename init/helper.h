/* SPDX-License-Identifier: ISC */
/* helper: vinit's helper programs (vinit-doctor). What PID 1 must not do in
 * its own process (make a KVM VM, talk netlink, look groups up, read
 * libvirt's XML) runs in them: found beside vinit, started in a child,
 * waited for on a pidfd with a deadline. */
#ifndef VINIT_HELPER_H
#define VINIT_HELPER_H

#include <stddef.h>
#include <sys/types.h>

#define HELPER_DOCTOR "vinit-doctor"

/* Where name is: in exedir (the directory of vinit's own executable; NULL:
 * none), then VINIT_LIBEXECDIR, then VINIT_BINDIR, then each directory of
 * path (a $PATH value; NULL: none). The first executable regular file wins.
 * 0 with its path in out, or -1 with errno (ENOENT: nowhere). */
int helper_find_in(char const *name, char const *exedir, char const *path, char *out, size_t size);

/* helper_find_in beside /proc/self/exe and in $PATH. */
int helper_find(char const *name, char *out, size_t size);

/* For messages: where helper_find looked and what to do, in out. */
void helper_not_found(char const *name, char *out, size_t size);

/* Starts the program at path with argv and vinit's environment, with the
 * signal mask and dispositions of signals_child_reset but SIGTTOU still
 * ignored (as in vinit: a helper writes to a terminal that the main command
 * may have been given). Returns its pid once it runs, or -1 with errno (the
 * exec's own when the exec failed). */
pid_t helper_spawn(char const *path, char const *const *argv);

/* Waits at most ms for the child pid to end, on its pidfd (1 ms naps
 * without pidfd_open): 1 with *wstatus when it ended (it is reaped), 0
 * when it still runs, -1 with errno. */
int helper_wait(pid_t pid, int ms, int *wstatus);

#endif
