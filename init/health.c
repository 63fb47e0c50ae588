/* SPDX-License-Identifier: ISC */
/* health: see health.h. The table below is the whole behaviour: a row per
 * state, a column per event; each cell names what happens. */
#include "health.h"

#include <stddef.h>

struct step {
    struct health *h;
    struct health_conf const *c;
    int code;
    uint64_t now;
    unsigned int rnd;
};

/* the next check: one interval on, jittered by up to a tenth either way */
static void next_check(struct step const *s)
{
    unsigned int iv = s->c->interval_ms, spread = iv / 5;
    uint64_t at = s->now + iv - iv / 10;
    s->h->state = HS_WAIT;
    s->h->deadline = at + (spread ? s->rnd % (spread + 1) : 0);
}

static unsigned int ignore(struct step const *s)
{
    (void) s;
    return 0;
}

/* ready: checks begin, one interval on, from a clean slate */
static unsigned int begin(struct step const *s)
{
    s->h->failures = 0;
    s->h->unhealthy = 0;
    s->h->checked = 0;
    next_check(s);
    return 0;
}

static unsigned int stop_waiting(struct step const *s)
{
    s->h->state = HS_OFF;
    s->h->deadline = 0;
    return 0;
}

static unsigned int stop_running(struct step const *s)
{
    stop_waiting(s);
    return HA_KILL;
}

static unsigned int run(struct step const *s)
{
    s->h->state = HS_RUN;
    s->h->deadline = s->now + s->c->timeout_ms;
    return HA_RUN;
}

static unsigned int passed(struct step const *s)
{
    struct health *h = s->h;
    unsigned int act = h->unhealthy ? HA_HEALTHY : 0;
    h->failures = 0;
    h->unhealthy = 0;
    h->checked = 1;
    h->last = s->now;
    h->last_code = 0;
    next_check(s);
    return act;
}

/* a failure (or a timeout, killed): at check-retries in a row the service
 * is unhealthy, said once, and restarted unless the policy only reports */
static unsigned int failed(struct step const *s, int code)
{
    struct health *h = s->h;
    unsigned int act = 0;
    h->failures++;
    h->total++;
    h->checked = 1;
    h->last = s->now;
    h->last_code = code;
    if (h->failures >= s->c->retries && !h->unhealthy) {
        h->unhealthy = 1;
        act = HA_UNHEALTHY | (s->c->report_only ? 0 : HA_RESTART);
    }
    next_check(s);
    return act;
}

static unsigned int check_failed(struct step const *s)
{
    return failed(s, s->code);
}

static unsigned int timed_out(struct step const *s)
{
    return HA_KILL | failed(s, 128 + 9);
}

static unsigned int not_run(struct step const *s)
{
    s->h->state = HS_WAIT;
    s->h->deadline = s->now + HEALTH_RETRY_MS;
    return 0;
}

typedef unsigned int cell(struct step const *);

static cell *const table[HS_NSTATES][HE_NEVENTS] = {
    /*            READY   DOWN          TIMER      PASS    FAIL          NOT_RUN */
    [HS_OFF] = {begin, ignore, ignore, ignore, ignore, ignore},
    [HS_WAIT] = {ignore, stop_waiting, run, ignore, ignore, ignore},
    [HS_RUN] = {ignore, stop_running, timed_out, passed, check_failed, not_run},
};

unsigned int health_event(struct health *h, struct health_conf const *c, enum health_event ev,
                          int code, uint64_t now, unsigned int rnd)
{
    struct step s = {h, c, code, now, rnd};
    if (h->state >= HS_NSTATES || ev >= HE_NEVENTS)
        return 0;
    return table[h->state][ev](&s);
}

char const *health_state_name(enum health_state s)
{
    static char const *const names[] = {"off", "wait", "run"};
    return s < HS_NSTATES ? names[s] : "?";
}

char const *health_word(struct health const *h)
{
    if (h->state == HS_OFF)
        return NULL;
    if (h->unhealthy)
        return "unhealthy";
    return h->checked ? "healthy" : "starting";
}
