/* SPDX-License-Identifier: ISC */
/* reap: PID 1's first duty. Every orphan in the namespace is re-parented to
 * us (or, as a subreaper, every orphaned descendant), and each one stays a
 * zombie until we wait for it. One SIGCHLD can stand for many deaths, so we
 * loop on WNOHANG until the kernel says nothing more is dead right now. */
#include <errno.h>
#include <sys/wait.h>

#include "reap.h"

int reap_all(struct reap_watch *w)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            w->count++;
            if (pid == w->pid) {
                w->status = status;
                w->reaped = 1;
            } else if (w->each)
                w->each(pid, status, w->arg);
            continue;
        }
        if (!pid)
            return 1;
        if (errno == EINTR)
            continue;
        return errno == ECHILD ? 0 : -1;
    }
}

int reap_exit_code(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return 255; /* stopped/continued never reach here: no WUNTRACED */
}
