/* SPDX-License-Identifier: ISC */
/* stop: the deadline planner for the stop stage. Pure: it is told the time
 * and what is still alive, and answers what to do now and when to look again. */
#ifndef VINIT_STOP_H
#define VINIT_STOP_H

#include <stdint.h>

/* While killing, look again this often for processes that slipped through
 * (a subreaper must rescan /proc; `docker exec` can add a process). */
#define STOP_RESCAN_MS 100u

enum stop_phase {
    STOP_IDLE,     /* running */
    STOP_MAIN,     /* SIGTERM sent to the main command; others left alone */
    STOP_SERVICES, /* services going down in reverse dependency order */
    STOP_TERM,     /* SIGTERM sent to every process */
    STOP_KILL,     /* deadline passed: SIGKILL to every process */
};

/* Actions, as bits: the caller does all of those returned, in this order. */
#define STOP_DO_TERM_MAIN 1u
#define STOP_DO_TERM_ALL  2u
#define STOP_DO_KILL_ALL  4u
#define STOP_DO_SERVICES  8u /* bring the service tree down */

struct stop {
    enum stop_phase phase;
    uint64_t began;      /* ms */
    uint64_t main_until; /* end of the main command's own grace */
    uint64_t deadline;   /* SIGKILL for everything */
    uint64_t next_kill;  /* next rescan in STOP_KILL */
    int services;        /* a service tree runs: stop it before the rest */
};

/* Starts the stop at `now`. The main command, when it runs, gets SIGTERM
 * first and half the budget to exit on its own (a shell can then stop its
 * children in its own order); then the services go down in reverse order
 * (when s->services); then everyone gets SIGTERM; SIGKILL at the deadline.
 * Calling it again while stopping hurries: the deadline is now. */
unsigned int stop_begin(struct stop *s, uint64_t now, unsigned int timeout_ms, int main_alive);

/* Advances the plan: after an event or when the wait from stop_wait_ms ran
 * out. services_down: the service tree is all down (or there is none). */
unsigned int stop_tick(struct stop *s, uint64_t now, int main_alive, int services_down);

/* Milliseconds until stop_tick has something to do; -1 for never. */
int64_t stop_wait_ms(struct stop const *s, uint64_t now);

#endif
