/* SPDX-License-Identifier: ISC */
/* spawn: start the main command. */
#ifndef VINIT_SPAWN_H
#define VINIT_SPAWN_H

#include <sys/types.h>

/* Pure: a shell's exit code for an exec failure: 127 not found, 126 else. */
int spawn_exec_code(int err);

/* 1 when our stdin is a terminal whose foreground process group is ours:
 * then the main command should be given the terminal (`docker run -it`). */
int spawn_should_take_tty(void);

/* Forks and execs argv in its own process group, in the foreground of the
 * terminal when take_tty. Returns the pid; *exec_errno is 0 when the exec
 * worked, else its errno (the child then exits with spawn_exec_code).
 * Returns -1 with errno when no child could be made (worth retrying). */
pid_t spawn_main(char const *const *argv, int take_tty, int *exec_errno);

#endif
