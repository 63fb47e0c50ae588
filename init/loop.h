/* SPDX-License-Identifier: ISC */
/* loop: the one event loop of the run and stop stages. */
#ifndef VINIT_LOOP_H
#define VINIT_LOOP_H

#include <stdint.h>

#include <skalibs/tai.h>

#include "notify.h"
#include "reap.h"
#include "settings.h"
#include "stop.h"

struct loop {
    /* given by main */
    struct settings const *settings;
    int pid1; /* 1: PID 1 of a namespace; 0: a child subreaper */
    int under_nspawn;
    int machine; /* the init of a (virtual) machine: ctrl-alt-del (SIGINT) reboots */
    int take_tty;
    int sigfd;
    int ctlfd; /* the control socket, or -1 */
    struct notify_target manager;
    /* state */
    struct reap_watch main; /* main.pid is 0 until the command runs */
    int main_running;
    int children_left;
    int reap_storm;   /* the last pass reaped many: batch the next ones */
    uint64_t reap_at; /* when the batched pass is due, or 0 */
    unsigned int spawn_backoff_ms;
    uint64_t spawn_at; /* next try to fork the main command, when it failed */
    struct stop stop;
    int reboot;
    int killed;         /* SIGKILL had to be sent */
    int services;       /* a service tree is loaded (supervise) */
    int started;        /* the main command was started (or READY=1 sent) */
    int essential_code; /* of the essential service that stopped us, or -1 */
    tain began;
};

/* Runs the main command (if any), then every event until the stop is over.
 * Returns vinit's exit code. Never returns early on a recoverable error. */
int loop_run(struct loop *l);

/* Milliseconds left before the stop deadline (0 when past it). */
int64_t loop_remaining_ms(struct loop *l);

/* Pure: the exit code of DESIGN.md: 133 for a reboot, else the main
 * command's, else the failed essential service's (essential_code >= 0),
 * else 0. */
int loop_exit_code(int reboot, int have_main, int main_reaped, int main_wstatus,
                   int essential_code);

#endif
