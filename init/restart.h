/* SPDX-License-Identifier: ISC */
/* restart: what to do when a longrun dies. Pure: the policy, the history
 * and the time in; a decision and a delay out. */
#ifndef VINIT_RESTART_H
#define VINIT_RESTART_H

#include <stdint.h>

#include "svparse.h"

#define RESTART_BACKOFF_MIN_MS 1000u /* s6-supervise's own floor */
#define RESTART_BACKOFF_MAX_MS 30000u
#define RESTART_HEALTHY_MS     60000u /* a run this long resets the back-off */
#define RESTART_LOOP_FAILURES  5u     /* this many quick deaths in a row: a crash loop */

struct restart_state {
    unsigned int failures; /* quick deaths in a row */
    uint64_t started;      /* ms, when the last run began */
    unsigned int restarts; /* all restarts, for status */
    unsigned char crash_loop;
};

enum restart_decision {
    RESTART_NO,     /* the policy says the service stays down */
    RESTART_AFTER,  /* start it again after *delay_ms */
    RESTART_GIVE_UP /* an essential service in a crash loop: stop the container */
};

/* The service died at `now` with wait status-derived `failed` (0: exit 0).
 * Updates the history and answers. *delay_ms counts from now: the back-off
 * less the time the run lasted, 0 when it lasted longer. Non-essential services never give up:
 * they keep trying every RESTART_BACKOFF_MAX_MS, and crash_loop says so. */
enum restart_decision restart_on_death(struct restart_state *s, enum svparse_restart policy,
                                       int essential, int failed, uint64_t now,
                                       unsigned int *delay_ms);

/* A run began at `now`. */
void restart_on_start(struct restart_state *s, uint64_t now);

#endif
