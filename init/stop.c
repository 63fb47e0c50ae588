/* SPDX-License-Identifier: ISC */
/* stop: plans SIGTERM and SIGKILL against one global deadline. The loop calls
 * it on every event while stopping; vinit exits when reap says nothing is
 * left, never at a planned time, so there is no fixed grace to sleep out. */
#include "stop.h"

static unsigned int enter_kill(struct stop *s, uint64_t now)
{
    s->phase = STOP_KILL;
    s->next_kill = now + STOP_RESCAN_MS;
    return STOP_DO_KILL_ALL;
}

/* The main command is gone (or had its time): services next, if any. */
static unsigned int after_main(struct stop *s)
{
    if (s->services) {
        s->phase = STOP_SERVICES;
        return STOP_DO_SERVICES;
    }
    s->phase = STOP_TERM;
    return STOP_DO_TERM_ALL;
}

unsigned int stop_begin(struct stop *s, uint64_t now, unsigned int timeout_ms, int main_alive)
{
    if (s->phase != STOP_IDLE) {
        /* a second stop request: as systemd-nspawn does, no more waiting */
        s->deadline = now;
        return s->phase == STOP_KILL ? 0 : enter_kill(s, now);
    }
    s->began = now;
    s->deadline = now + timeout_ms;
    s->main_until = now + timeout_ms / 2;
    if (!timeout_ms)
        return enter_kill(s, now);
    if (main_alive) {
        s->phase = STOP_MAIN;
        return STOP_DO_TERM_MAIN;
    }
    return after_main(s);
}

unsigned int stop_tick(struct stop *s, uint64_t now, int main_alive, int services_down)
{
    unsigned int todo = 0;
    if (s->phase == STOP_MAIN && (!main_alive || now >= s->main_until))
        todo |= after_main(s);
    if (s->phase == STOP_SERVICES && services_down) {
        s->phase = STOP_TERM;
        todo |= STOP_DO_TERM_ALL;
    }
    if (s->phase != STOP_IDLE && s->phase != STOP_KILL && now >= s->deadline)
        return todo | enter_kill(s, now);
    if (s->phase == STOP_KILL && now >= s->next_kill) {
        s->next_kill = now + STOP_RESCAN_MS;
        todo |= STOP_DO_KILL_ALL;
    }
    return todo;
}

static int64_t until(uint64_t when, uint64_t now)
{
    return when > now ? (int64_t) (when - now) : 0;
}

int64_t stop_wait_ms(struct stop const *s, uint64_t now)
{
    switch (s->phase) {
    case STOP_MAIN:
        return until(s->main_until < s->deadline ? s->main_until : s->deadline, now);
    case STOP_SERVICES:
    case STOP_TERM:
        return until(s->deadline, now);
    case STOP_KILL:
        return until(s->next_kill, now);
    default:
        return -1;
    }
}
