/* SPDX-License-Identifier: ISC */
/* spawn: the main command runs in a process group of its own and, under
 * `docker run -it`, owns the terminal's foreground, as under tini: ctrl-C and
 * ctrl-Z then reach it from the terminal, and a shell can do job control.
 * A close-on-exec pipe tells the parent whether the exec worked: it stays
 * silent on success and carries errno on failure, so READY=1 is never sent
 * for a command that never ran. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "signals.h"
#include "spawn.h"

int spawn_exec_code(int err)
{
    return err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG || err == ELOOP ? 127 : 126;
}

int spawn_should_take_tty(void)
{
    pid_t fg = tcgetpgrp(STDIN_FILENO);
    /* both are 0 when the group lives outside our pid namespace (vinit
     * under unshare --fork in a terminal): still the same foreground */
    return fg >= 0 && fg == getpgrp();
}

static void child(char const *const *argv, int take_tty, int errfd)
{
    setpgid(0, 0);
    /* SIGTTOU is still ignored here (inherited from PID 1), which is what
     * lets a process outside the foreground group take the terminal. */
    if (take_tty)
        tcsetpgrp(STDIN_FILENO, getpgrp());
    signals_child_reset();
    execvp(argv[0], (char *const *) argv);
    int e = errno;
    while (write(errfd, &e, sizeof e) < 0 && errno == EINTR)
        ;
    _exit(spawn_exec_code(e));
}

pid_t spawn_main(char const *const *argv, int take_tty, int *exec_errno)
{
    int p[2], e = 0;
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        e = errno;
        close(p[0]);
        close(p[1]);
        return (errno = e, -1);
    }
    if (!pid)
        child(argv, take_tty, p[1]);
    /* also from the parent: whoever runs first, the group exists before
     * any signal is forwarded to it */
    setpgid(pid, pid);
    close(p[1]);
    ssize_t r;
    while ((r = read(p[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(p[0]);
    *exec_errno = r == (ssize_t) sizeof e ? e : 0;
    return pid;
}
