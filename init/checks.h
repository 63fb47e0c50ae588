/* SPDX-License-Identifier: ISC */
/* checks: the system calls of a service's periodic check (health.c
 * decides when): the runner started as `check` in the service's live
 * directory, in a process group of its own, its output in check.out
 * there; killed whole at its timeout; the last line of what it said. */
#ifndef VINIT_CHECKS_H
#define VINIT_CHECKS_H

#include <stddef.h>
#include <sys/types.h>

#define CHECKS_LINE_MAX 160 /* of the last line kept for vinit status */

/* Starts exe (vinit, as the runner) as { "check" } in live. The pid, or
 * -1 with errno. */
pid_t checks_spawn(char const *live, char const *exe);
/* SIGKILL to the check's process group (what it started goes with it). */
void checks_kill(pid_t pid);
/* The last non-empty line of live/check.out, at most len-1 bytes of it
 * (its end when longer); "" when there is none. Reads 512 bytes at most. */
void checks_last_line(char const *live, char *line, size_t len);

#endif
