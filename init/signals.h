/* SPDX-License-Identifier: ISC */
/* signals: what each signal means to PID 1 (a pure table), and the traps. */
#ifndef VINIT_SIGNALS_H
#define VINIT_SIGNALS_H

enum signals_action {
    SIGNALS_FORWARD, /* pass it on to the main command */
    SIGNALS_REAP,    /* SIGCHLD: collect dead children */
    SIGNALS_STOP,    /* poweroff or halt: the stop sequence, normal exit code */
    SIGNALS_REBOOT,  /* the stop sequence, then exit 133 */
    SIGNALS_IGNORE,  /* trapped so that it cannot hurt PID 1, then dropped */
};

/* The meaning of signo. under_nspawn: $container is "systemd-nspawn", where
 * SIGINT asks for a reboot (systemd's convention for ctrl-alt-del). */
enum signals_action signals_action(int signo, int under_nspawn);

/* Traps every signal PID 1 handles through skalibs' selfpipe (a signalfd on
 * Linux) and ignores the terminal-stop ones. Returns the fd to poll, or -1. */
int signals_setup(void);

/* In a child before exec: the signal mask and dispositions a program
 * expects from a normal parent. */
void signals_child_reset(void);

/* "SIGTERM", "SIGRTMIN+3": for messages. Never NULL. */
char const *signals_name(int signo, char *buf, unsigned int len);

#endif
