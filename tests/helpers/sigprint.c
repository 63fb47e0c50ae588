/* SPDX-License-Identifier: ISC */
/* sigprint: a test service. Prints "ready <pid>", then one line with the name
 * of each signal it receives ("SIGUSR1"). SIGTERM and SIGINT end it the
 * normal way (128+n) unless -i: then they are only printed.
 * Usage: sigprint [-i] [-o FILE]   (-o: append lines to FILE, not stdout) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int ignore_stop = 0, opt;
    sigset_t all;
    while ((opt = getopt(argc, argv, "io:")) != -1) {
        if (opt == 'i')
            ignore_stop = 1;
        else if (opt == 'o' && !freopen(optarg, "a", stdout))
            return perror(optarg), 111;
        else if (opt != 'o')
            return fprintf(stderr, "usage: sigprint [-i] [-o FILE]\n"), 100;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    printf("ready %d\n", (int) getpid());
    for (;;) {
        int sig = sigwaitinfo(&all, NULL);
        if (sig < 0)
            continue;
        if (sig >= SIGRTMIN && sig <= SIGRTMAX)
            printf("SIGRTMIN+%d\n", sig - SIGRTMIN);
        else
            printf("SIG%s\n", sigabbrev_np(sig));
        if (!ignore_stop && (sig == SIGTERM || sig == SIGINT)) {
            fflush(stdout);
            signal(sig, SIG_DFL);
            sigprocmask(SIG_UNBLOCK, &all, NULL);
            raise(sig);
        }
    }
}
