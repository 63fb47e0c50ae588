/* SPDX-License-Identifier: ISC */
/* helper: finding and running vinit's helper programs. PID 1 only forks
 * and execs them (the exec's error comes back through a close-on-exec
 * pipe, as for the main command), and never waits for one without a deadline: a helper that hangs
 * on netlink or in a driver's ioctl must not hang the container's init. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "helper.h"
#include "signals.h"

/* 1 when dir/name (dir of length len) is an executable regular file, its
 * path then in out */
static int try_dir(char const *dir, size_t len, char const *name, char *out, size_t size)
{
    struct stat st;
    if (!len || snprintf(out, size, "%.*s/%s", (int) len, dir, name) >= (int) size)
        return 0;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0;
}

int helper_find_in(char const *name, char const *exedir, char const *path, char *out, size_t size)
{
    char const *fixed[] = {exedir, VINIT_LIBEXECDIR, VINIT_BINDIR};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (fixed[i] && try_dir(fixed[i], strlen(fixed[i]), name, out, size))
            return 0;
    while (path && *path) {
        size_t len = strcspn(path, ":");
        if (try_dir(path, len, name, out, size))
            return 0;
        path += len + (path[len] == ':');
    }
    return errno = ENOENT, -1;
}

/* the directory of vinit's own executable, in dir (empty when unknown) */
static void exe_dir(char *dir, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    dir[0] = 0;
    if (n <= 0)
        return;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    if (slash == exe)
        slash++; /* /init: the root */
    snprintf(dir, size, "%.*s", (int) (slash - exe), exe);
}

int helper_find(char const *name, char *out, size_t size)
{
    char dir[PATH_MAX];
    exe_dir(dir, sizeof dir);
    return helper_find_in(name, dir[0] ? dir : NULL, getenv("PATH"), out, size);
}

void helper_not_found(char const *name, char *out, size_t size)
{
    char dir[PATH_MAX];
    exe_dir(dir, sizeof dir);
    snprintf(out, size,
             "%s is neither beside vinit (in %s) nor in " VINIT_LIBEXECDIR ", " VINIT_BINDIR
             " or $PATH: install it beside vinit (make install does; images copy it with vinit)",
             name, dir[0] ? dir : "an unknown directory");
}

pid_t helper_spawn(char const *path, char const *const *argv)
{
    int p[2], err = 0;
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        err = errno;
        close(p[0]);
        close(p[1]);
        return errno = err, -1;
    }
    if (!pid) {
        close(p[0]);
        signals_child_reset();
        signal(SIGTTOU, SIG_IGN);
        execv(path, (char *const *) argv);
        err = errno;
        if (write(p[1], &err, sizeof err) < 0)
            _exit(127);
        _exit(127);
    }
    /* the pipe closes on exec: silence means the exec worked, and the
     * caller hears the exec's own errno otherwise */
    close(p[1]);
    ssize_t n;
    while ((n = read(p[0], &err, sizeof err)) < 0 && errno == EINTR)
        ;
    close(p[0]);
    if (n == (ssize_t) sizeof err) {
        waitpid(pid, NULL, 0);
        return errno = err, -1;
    }
    return pid;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reaps pid if it ended: 1 ended, 0 still running, -1 error. */
static int reaped(pid_t pid, int *wstatus)
{
    pid_t r;
    while ((r = waitpid(pid, wstatus, WNOHANG)) < 0 && errno == EINTR)
        ;
    return r < 0 ? -1 : r == pid;
}

int helper_wait(pid_t pid, int ms, int *wstatus)
{
    long long end = now_ms() + ms;
#ifdef SYS_pidfd_open
    /* A pidfd polls readable when the child ends: no sleep, no SIGCHLD
     * handling (PID 1 reads SIGCHLD from its signalfd later, harmlessly). */
    int fd = (int) syscall(SYS_pidfd_open, pid, 0);
#else
    int fd = -1;
#endif
    if (fd >= 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long long left;
        while ((left = end - now_ms()) > 0 && poll(&p, 1, (int) left) < 0 && errno == EINTR)
            ;
        close(fd);
        return reaped(pid, wstatus);
    }
    /* Linux before 5.3, or a seccomp filter that refuses pidfd_open */
    for (;;) {
        int r = reaped(pid, wstatus);
        if (r || now_ms() >= end)
            return r;
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}
