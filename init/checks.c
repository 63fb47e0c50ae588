/* SPDX-License-Identifier: ISC */
/* checks: see checks.h. */
#include "checks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signals.h"

#define OUT "check.out"

pid_t checks_spawn(char const *live, char const *exe)
{
    char out[PATH_MAX];
    if (snprintf(out, sizeof out, "%s/" OUT, live) >= (int) sizeof out)
        return (errno = ENAMETOOLONG, -1);
    pid_t pid = fork();
    if (pid)
        return pid;
    /* the child: its own group, so that a timeout takes what it started */
    setpgid(0, 0);
    signals_child_reset();
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (null < 0 || fd < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
        chdir(live) < 0)
        _exit(111);
    char const *const argv[] = {"check", NULL};
    execv(exe, (char *const *) argv);
    _exit(127);
}

void checks_kill(pid_t pid)
{
    if (pid > 0 && kill(-pid, SIGKILL) < 0)
        kill(pid, SIGKILL); /* it had no group of its own yet */
}

void checks_last_line(char const *live, char *line, size_t len)
{
    char path[PATH_MAX], buf[512];
    struct stat st;
    *line = 0;
    if (!len || snprintf(path, sizeof path, "%s/" OUT, live) >= (int) sizeof path)
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return;
    ssize_t r = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t at = st.st_size > (off_t) sizeof buf ? st.st_size - (off_t) sizeof buf : 0;
        r = pread(fd, buf, sizeof buf, at);
    }
    close(fd);
    if (r <= 0)
        return;
    size_t end = (size_t) r;
    while (end && (buf[end - 1] == '\n' || buf[end - 1] == '\r' || buf[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start && buf[start - 1] != '\n')
        start--;
    size_t n = end - start;
    if (n >= len) { /* its end: what a long line says last */
        start = end - (len - 1);
        n = len - 1;
    }
    for (size_t k = 0; k < n; k++) /* control characters stay out of status */
        line[k] = (unsigned char) buf[start + k] < 0x20 ? ' ' : buf[start + k];
    line[n] = 0;
}
