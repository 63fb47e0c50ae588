/* SPDX-License-Identifier: ISC */
/* signals: the signal -> action table of DESIGN.md, and the traps.
 *
 * A PID 1 in a pid namespace only receives the signals it has not left at
 * SIG_DFL. We block them and read them from skalibs' selfpipe, which is a
 * signalfd here: a blocked signal is queued even for a namespace's init, so
 * every manager's stop signal arrives, and no logic runs in a handler.
 * Synchronous faults (SIGSEGV...) stay at their defaults: blocking them would
 * turn a bug into a busy loop. SIGKILL and SIGSTOP cannot be caught at all. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>

#include "signals.h"

struct rule {
    int rt; /* 1: signo is an offset from SIGRTMIN */
    int signo;
    enum signals_action action, under_nspawn;
};

static struct rule const rules[] = {
    {0, SIGCHLD, SIGNALS_REAP, SIGNALS_REAP},
    {0, SIGTERM, SIGNALS_STOP, SIGNALS_STOP},     /* docker/podman stop, Kubernetes */
    {0, SIGINT, SIGNALS_STOP, SIGNALS_REBOOT},    /* ctrl-alt-del under nspawn */
    {0, SIGPWR, SIGNALS_STOP, SIGNALS_STOP},      /* UPS, poweroff */
    {1, 3, SIGNALS_STOP, SIGNALS_STOP},           /* halt: podman systemd mode, nspawn --boot */
    {1, 4, SIGNALS_STOP, SIGNALS_STOP},           /* poweroff: machinectl poweroff */
    {1, 5, SIGNALS_REBOOT, SIGNALS_REBOOT},       /* reboot: machinectl reboot */
    {0, SIGPIPE, SIGNALS_IGNORE, SIGNALS_IGNORE}, /* our own writes: EPIPE is enough */
};

/* Left alone: faults are synchronous, KILL/STOP untrappable, TTIN/TTOU are
 * ignored so that PID 1 may hand the terminal to the main command. */
static int const untrapped[] = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS,  SIGILL, SIGFPE,
                                SIGTRAP, SIGSYS,  SIGABRT, SIGTTIN, SIGTTOU};

enum signals_action signals_action(int signo, int under_nspawn)
{
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        int n = rules[i].rt ? SIGRTMIN + rules[i].signo : rules[i].signo;
        if (n == signo)
            return under_nspawn ? rules[i].under_nspawn : rules[i].action;
    }
    return SIGNALS_FORWARD;
}

static int trappable(int signo)
{
    for (size_t i = 0; i < sizeof untrapped / sizeof *untrapped; i++)
        if (untrapped[i] == signo)
            return 0;
    /* glibc keeps the two signals below SIGRTMIN for its threads */
    return signo < SIGSYS + 1 || signo >= SIGRTMIN;
}

int signals_setup(void)
{
    sigset_t set;
    int fd = selfpipe_init();
    if (fd < 0)
        return -1;
    sigemptyset(&set);
    for (int n = 1; n < NSIG; n++)
        if (trappable(n))
            sigaddset(&set, n);
    /* skalibs says 1 for success and 0 for failure here (not -1): a trap
     * that failed unseen would drop the manager's SIGTERM */
    if (!selfpipe_trapset(&set) || !sig_ignore(SIGTTIN) || !sig_ignore(SIGTTOU))
        return -1;
    return fd;
}

void signals_child_reset(void)
{
    sigset_t none;
    sig_restore(SIGTTIN);
    sig_restore(SIGTTOU);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

char const *signals_name(int signo, char *buf, unsigned int len)
{
    if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
        snprintf(buf, len, "SIGRTMIN+%d", signo - SIGRTMIN);
        return buf;
    }
    snprintf(buf, len, "SIG%s", sig_name(signo));
    return buf;
}
