/* SPDX-License-Identifier: ISC */
/* orphans: makes N orphans, lets them all die at once, and measures how long
 * the init takes to reap every one of them.
 * A middle process forks N children that block on a pipe, then exits: they
 * are re-parented to the init (or subreaper). Closing the pipe's last write
 * end wakes them all; each exits; the time runs until kill(pid, 0) fails for
 * every one (a zombie still answers it). Prints:
 *   orphans: N reaped in X.XXX ms
 * Exit 0 when all were reaped within 30 s, 1 otherwise (with the count left). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void middle(int n, int gate_r, int gate_w, int pids_w)
{
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("orphans: fork");
            _exit(111);
        }
        if (!pid) {
            char c;
            close(gate_w);
            close(pids_w);
            while (read(gate_r, &c, 1) < 0 && errno == EINTR)
                ;
            _exit(0);
        }
        if (write(pids_w, &pid, sizeof pid) != sizeof pid)
            _exit(111);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000, gate[2], pids[2], status;
    pid_t *list = calloc((size_t) n, sizeof *list);
    if (n <= 0 || !list || pipe(gate) < 0 || pipe(pids) < 0)
        return fprintf(stderr, "usage: orphans N\n"), 100;
    pid_t m = fork();
    if (!m)
        middle(n, gate[0], gate[1], pids[1]);
    close(gate[0]);
    close(pids[1]);
    for (int i = 0; i < n; i++)
        if (read(pids[0], &list[i], sizeof *list) != sizeof *list)
            return fprintf(stderr, "orphans: the middle process failed\n"), 111;
    waitpid(m, &status, 0);
    double t0 = now_ms();
    close(gate[1]); /* every orphan wakes up and exits */
    int left = n;
    while (left && now_ms() - t0 < 30000) {
        left = 0;
        for (int i = 0; i < n; i++)
            if (list[i] && kill(list[i], 0) == 0)
                left++;
            else
                list[i] = 0;
        if (left)
            usleep(500);
    }
    if (left)
        return printf("orphans: %d of %d still not reaped after 30 s\n", left, n), 1;
    printf("orphans: %d reaped in %.3f ms\n", n, now_ms() - t0);
    return 0;
}
