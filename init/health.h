/* SPDX-License-Identifier: ISC */
/* health: a service's periodic check (its `check` program), decided pure.
 * One state x event table per service: the time and a random number are
 * passed in, the actions come out as bits for the adapter (supervise.c),
 * which runs the check, kills it at its timeout and restarts the service.
 * A check runs only while the service is ready, never two at once. */
#ifndef VINIT_HEALTH_H
#define VINIT_HEALTH_H

#include <stdint.h>

#define HEALTH_INTERVAL_MS 30000u /* check-interval's default */
#define HEALTH_TIMEOUT_MS  10000u /* check-timeout's default */
#define HEALTH_RETRIES     3u     /* check-retries' default */
#define HEALTH_RETRY_MS    1000u  /* a check that could not be started: again after */

enum health_state {
    HS_OFF,  /* no check: the service is not ready (or has none) */
    HS_WAIT, /* the next check at the deadline */
    HS_RUN,  /* a check runs; killed at the deadline */
    HS_NSTATES
};

enum health_event {
    HE_READY,   /* the service became ready */
    HE_DOWN,    /* it is no longer ready (died, stopping, restarting) */
    HE_TIMER,   /* the deadline passed */
    HE_PASS,    /* the check exited 0 */
    HE_FAIL,    /* the check exited non-zero, or was killed */
    HE_NOT_RUN, /* the check could not be started (fork): not counted */
    HE_NEVENTS
};

/* What the adapter does, as bits. */
enum health_action {
    HA_RUN = 1,       /* start the check */
    HA_KILL = 2,      /* kill the running check */
    HA_RESTART = 4,   /* restart the service (its checks failed check-retries times) */
    HA_UNHEALTHY = 8, /* say it became unhealthy */
    HA_HEALTHY = 16   /* say it is healthy again */
};

struct health_conf {
    unsigned int interval_ms, timeout_ms, retries;
    uint8_t report_only; /* check-action report: never HA_RESTART */
};

struct health {
    uint8_t state;         /* enum health_state */
    uint8_t unhealthy;     /* failures reached retries, and no pass since */
    uint8_t checked;       /* a check ended since the service became ready */
    unsigned int failures; /* in a row */
    unsigned int total;    /* checks that failed, ever */
    uint64_t deadline;     /* HS_WAIT: the next check; HS_RUN: its timeout */
    uint64_t last;         /* when the last check ended */
    int last_code;         /* its exit code (128+n: a signal), -1: none yet */
};

/* The event, at now; rnd jitters the next check's time by up to a tenth
 * of the interval either way (checks of many services do not bunch).
 * Returns the actions. */
unsigned int health_event(struct health *h, struct health_conf const *c, enum health_event ev,
                          int code, uint64_t now, unsigned int rnd);

char const *health_state_name(enum health_state s);
/* "healthy", "unhealthy", "starting" (no check ended yet), or NULL (no
 * check runs: not ready, or none) */
char const *health_word(struct health const *h);

#endif
