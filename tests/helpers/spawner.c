/* SPDX-License-Identifier: ISC */
/* spawner: the lower limit for the service benchmarks. As PID 1 it starts
 * N copies of a program, all at once or (-c) one after the other, each
 * counted as ready the moment its exec succeeded (a close-on-exec pipe
 * tells), sends READY=1 to $NOTIFY_SOCKET, and on SIGTERM stops them all
 * and exits. Nothing else: no supervision, no restarts, no logs.
 * Usage: spawner [-c] N PROGRAM [ARGS...] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t start(char **argv)
{
    int p[2];
    char c;
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (!pid) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    while (read(p[0], &c, 1) < 0 && errno == EINTR) /* EOF: the exec worked */
        ;
    close(p[0]);
    return pid;
}

static void notify(char const *msg)
{
    char const *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (!path || strlen(path) >= sizeof a.sun_path)
        return;
    strcpy(a.sun_path, path);
    if (a.sun_path[0] == '@')
        a.sun_path[0] = 0;
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sendto(s, msg, strlen(msg), 0, (struct sockaddr *) &a,
           (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path)));
    close(s);
}

int main(int argc, char **argv)
{
    int chain = argc > 1 && !strcmp(argv[1], "-c");
    argv += chain;
    argc -= chain;
    if (argc < 3)
        return fprintf(stderr, "usage: spawner [-c] N PROGRAM [ARGS...]\n"), 100;
    int n = atoi(argv[1]), sig;
    pid_t *pids = calloc((size_t) n, sizeof *pids);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &set, NULL);
    /* Each start waits for its exec: for a chain that is the dependency
     * order; for a fan-out a single process cannot fork faster than one
     * after the other either, so both take the same path. */
    (void) chain;
    for (int i = 0; i < n; i++)
        pids[i] = start(argv + 2);
    notify("READY=1");
    for (;;) {
        sig = sigwaitinfo(&set, NULL);
        if (sig == SIGCHLD) {
            while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
            continue;
        }
        if (sig > 0)
            break;
    }
    for (int i = 0; i < n; i++)
        kill(pids[i], SIGTERM);
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    return 0;
}
