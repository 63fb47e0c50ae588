/* SPDX-License-Identifier: ISC */
/* restart: back-off from 1 s doubling to 30 s, reset by a healthy run of a
 * minute. A clean exit is not a failure, but a service that keeps exiting
 * at once is restarted with the same back-off: the loop is the problem,
 * whatever the code. The back-off runs from the start of the run that
 * ended, as s6-supervise's own second does: a run that lasted longer than
 * its back-off (virtiofsd serving a guest for a while) is followed by a
 * new one at once. */
#include "restart.h"

void restart_on_start(struct restart_state *s, uint64_t now)
{
    s->started = now;
}

static unsigned int backoff(unsigned int failures)
{
    unsigned int ms = RESTART_BACKOFF_MIN_MS;
    for (unsigned int i = 1; i < failures && ms < RESTART_BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < RESTART_BACKOFF_MAX_MS ? ms : RESTART_BACKOFF_MAX_MS;
}

enum restart_decision restart_on_death(struct restart_state *s, enum svparse_restart policy,
                                       int essential, int failed, uint64_t now,
                                       unsigned int *delay_ms)
{
    int healthy = now - s->started >= RESTART_HEALTHY_MS;
    if (healthy) {
        s->failures = 0;
        s->crash_loop = 0;
    }
    if (policy == SVPARSE_RESTART_NEVER || (policy == SVPARSE_RESTART_ON_FAILURE && !failed))
        return RESTART_NO;
    s->failures++;
    if (s->failures >= RESTART_LOOP_FAILURES)
        s->crash_loop = 1;
    if (s->crash_loop && essential)
        return RESTART_GIVE_UP;
    s->restarts++;
    unsigned int wait = backoff(s->failures);
    uint64_t ran = now > s->started ? now - s->started : 0;
    *delay_ms = ran >= wait ? 0 : wait - (unsigned int) ran;
    return RESTART_AFTER;
}
