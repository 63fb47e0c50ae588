/* SPDX-License-Identifier: ISC */
/* planner: what happens to each service, decided from events and the time,
 * never from a system call. Two tables are the whole behaviour, as
 * s6-supervise's actions[][] is its: svc_table[state][event] for the
 * service, sup_table[state][event] for each of its supervisors. The rest
 * is the three things that look across services: advance (a waiting
 * service goes once its dependencies are done, or takes the fate of one
 * that is off, broken or failed: the only place a state spreads along the
 * dependencies), launch (the pacing of new supervisors) and stop_step
 * (the reverse order at stop). Actions are queued for the adapter.
 *
 * Memory: every table is sized when a tree is taken (planner_init,
 * planner_reload_begin); no call allocates after that. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"

struct ev {
    uint64_t now;
    int code;         /* PE_DOWN, PE_DONE */
    int signaled;     /* PE_DONE: killed by a signal */
    unsigned int dep; /* PE_DEP_DEAD: the dependency */
};

typedef void svc_fn(struct planner *p, unsigned int i, struct ev const *e);
typedef void sup_fn(struct planner *p, unsigned int i, unsigned int w, struct ev const *e);

static char const *const state_names[PS_NSTATES] = {
    "off",        "broken", "waiting", "starting", "ready",   "backoff",
    "restarting", "failed", "exited",  "stopping", "stopped",
};

static char const *const sup_state_names[SUP_NSTATES] = {
    "none", "queued", "launching", "listening", "exiting", "orphaned", "respawn", "replacing",
};

char const *planner_state_name(enum planner_state s)
{
    return s < PS_NSTATES ? state_names[s] : "?";
}

char const *planner_sup_state_name(enum planner_sup_state s)
{
    return s < SUP_NSTATES ? sup_state_names[s] : "?";
}

/* ---- actions ---- */

static struct planner_act *emit(struct planner *p, enum planner_act_kind kind, unsigned int i)
{
    if (p->nact >= p->maxact) {
        p->lost++;
        return NULL;
    }
    struct planner_act *a = &p->act[p->nact++];
    memset(a, 0, sizeof *a);
    a->kind = (uint8_t) kind;
    a->svc = i;
    return a;
}

static void say(struct planner *p, unsigned int i, enum planner_msg msg, int x, int y)
{
    struct planner_act *a = emit(p, PA_SAY, i);
    if (a) {
        a->msg = (uint8_t) msg;
        a->a = x;
        a->b = y;
    }
}

static void say_sup(struct planner *p, unsigned int i, unsigned int w, enum planner_msg msg, int x,
                    int y)
{
    struct planner_act *a = emit(p, PA_SAY, i);
    if (a) {
        a->msg = (uint8_t) msg;
        a->which = (uint8_t) w;
        a->a = x;
        a->b = y;
    }
}

/* A command for a supervisor that can hear it: one listening or leaving
 * (a logger's is never watched, so one launched counts). */
static void control(struct planner *p, unsigned int i, unsigned int w, char const *cmd)
{
    uint8_t s = p->svc[i].sup[w].state;
    if (s != SUP_LISTENING && s != SUP_EXITING && !(w == PLANNER_LOGGER && s == SUP_LAUNCHING))
        return;
    struct planner_act *a = emit(p, PA_CONTROL, i);
    if (a) {
        a->which = (uint8_t) w;
        strncpy(a->cmd, cmd, sizeof a->cmd - 1);
    }
}

static void kill_act(struct planner *p, unsigned int i, pid_t pid, int sig)
{
    struct planner_act *a = pid > 0 ? emit(p, PA_KILL, i) : NULL;
    if (a) {
        a->pid = pid;
        a->a = sig;
    }
}

struct planner_act const *planner_next_act(struct planner *p)
{
    if (p->taken < p->nact)
        return &p->act[p->taken++];
    p->taken = p->nact = 0;
    return NULL;
}

/* ---- small helpers ---- */

static struct svtree_service const *sv_of(struct planner const *p, unsigned int i)
{
    return &p->tree->sv[i];
}

static int is_oneshot(struct planner const *p, unsigned int i)
{
    return p->tree->sv[i].type == SVPARSE_ONESHOT;
}

static int is_longrun(struct planner const *p, unsigned int i)
{
    return p->tree->sv[i].type == SVPARSE_LONGRUN;
}

static void enter(struct planner *p, unsigned int i, enum planner_state s, uint64_t now,
                  unsigned int timeout)
{
    p->svc[i].state = (uint8_t) s;
    p->svc[i].since = now;
    p->svc[i].deadline = timeout ? now + timeout : 0;
    /* a longrun asked up is nudged while it has not said it is ready */
    p->svc[i].nudge_at = (s == PS_STARTING || s == PS_RESTARTING) && is_longrun(p, i)
                             ? now + PLANNER_NUDGE_MIN_MS
                             : 0;
}

static int active(uint8_t s)
{
    return s == PS_STARTING || s == PS_READY || s == PS_STOPPING || s == PS_RESTARTING;
}

int planner_done(struct planner const *p, unsigned int i)
{
    return p->svc[i].state == PS_READY || p->svc[i].state == PS_EXITED;
}

static int dead(uint8_t s)
{
    return s == PS_OFF || s == PS_BROKEN || s == PS_FAILED;
}

/* What a dependent waits for: the dependency done, or, as with systemd's
 * socket units, its sockets listening (a connect queues until it accepts). */
static int satisfied(struct planner const *p, unsigned int d)
{
    return planner_done(p, d) ||
           (p->svc[d].sockets && !p->tree->sv[d].dependents_wait && !dead(p->svc[d].state));
}

static unsigned int doubling(unsigned int min, unsigned int max, unsigned int n)
{
    unsigned int ms = min;
    for (unsigned int k = 1; k < n && ms < max; k++)
        ms *= 2;
    return ms < max ? ms : max;
}

/* What a oneshot's down may spend (guests shutting down, say): the time
 * left before the global deadline, less a quarter (at most 2 s) kept for
 * what stops after it; its own timeout-down when shorter. */
static unsigned int down_budget(struct planner const *p, unsigned int timeout, uint64_t now)
{
    uint64_t left = p->stop_deadline > now ? p->stop_deadline - now : 0;
    uint64_t keep = left / 4 < 2000 ? left / 4 : 2000;
    uint64_t budget = left - keep;
    return timeout && timeout < budget ? timeout : (unsigned int) budget;
}

static void run_oneshot(struct planner *p, unsigned int i, char const *role, uint64_t now)
{
    struct svtree_service const *sv = sv_of(p, i);
    int up = role[0] == 'u';
    unsigned int t = up ? sv->timeout_up : sv->timeout_down;
    struct planner_act *a = emit(p, PA_RUN, i);
    if (a) {
        strncpy(a->cmd, role, sizeof a->cmd - 1);
        a->a = up ? 0 : (int) down_budget(p, t, now);
    }
    say(p, i, up ? PM_RUNNING_UP : PM_RUNNING_DOWN, 0, 0);
    enter(p, i, up ? PS_STARTING : PS_STOPPING, now, t);
}

/* Down for good: failed, or exited cleanly and kept down by its policy. */
static void end_for_good(struct planner *p, unsigned int i, int failed, enum planner_msg why,
                         uint64_t now)
{
    struct planner_svc *s = &p->svc[i];
    enter(p, i, failed ? PS_FAILED : PS_EXITED, now, 0);
    s->why = (uint8_t) why;
    s->why_arg = s->exitcode;
    if (failed && sv_of(p, i)->essential && p->essential_code < 0) {
        say(p, i, PM_ESSENTIAL, s->exitcode, 0);
        p->essential_code = s->exitcode;
    }
}

/* Asks a longrun up through its supervisor ("never" runs once: s6 must
 * not restart it on its own). */
static void ask_up(struct planner *p, unsigned int i, uint64_t now)
{
    struct svtree_service const *sv = sv_of(p, i);
    enter(p, i, PS_STARTING, now, sv->timeout_up);
    say(p, i, PM_STARTING, 0, 0);
    control(p, i, PLANNER_SUP, sv->restart == SVPARSE_RESTART_NEVER ? "o" : "u");
}

/* ---- the service's table: one function per (state, event) that does
 * something; ignore() for every pair that changes nothing ---- */

static void ignore(struct planner *p, unsigned int i, struct ev const *e)
{
    (void) p;
    (void) i;
    (void) e;
}

static void go(struct planner *p, unsigned int i, struct ev const *e)
{
    if (is_oneshot(p, i)) {
        restart_on_start(&p->svc[i].rs, e->now);
        run_oneshot(p, i, "up", e->now);
        return;
    }
    restart_on_start(&p->svc[i].rs, e->now);
    ask_up(p, i, e->now);
}

/* A dependency that will not run: the service takes its fate. */
static void inherit(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    uint8_t ds = p->svc[e->dep].state;
    enum planner_state to = ds == PS_OFF ? PS_OFF : ds == PS_BROKEN ? PS_BROKEN : PS_FAILED;
    enum planner_msg why = ds == PS_OFF      ? PM_DEP_OFF
                           : ds == PS_BROKEN ? PM_DEP_BROKEN
                                             : PM_DEP_FAILED;
    enter(p, i, to, e->now, 0);
    s->why = (uint8_t) why;
    s->why_arg = (int) e->dep;
    say(p, i, why, ds, (int) e->dep);
    if (to != PS_FAILED && s->sup[PLANNER_SUP].state == SUP_QUEUED)
        s->sup[PLANNER_SUP].state = SUP_NONE; /* it will never run */
}

/* A run began that vinit did not ask for (s6-svc -u by hand). */
static void adopt_up(struct planner *p, unsigned int i, struct ev const *e)
{
    if (!p->shutting_down)
        enter(p, i, PS_STARTING, e->now, sv_of(p, i)->timeout_up);
}

static void restart_up(struct planner *p, unsigned int i, struct ev const *e)
{
    enter(p, i, PS_STARTING, e->now, sv_of(p, i)->timeout_up);
}

static void ready(struct planner *p, unsigned int i, struct ev const *e)
{
    enter(p, i, PS_READY, e->now, 0);
    say(p, i, PM_READY, 0, 0);
}

static void died(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    struct svtree_service const *sv = sv_of(p, i);
    unsigned int delay = 0;
    int was_loop = s->rs.crash_loop;
    switch (restart_on_death(&s->rs, (enum svparse_restart) sv->restart, sv->essential,
                             e->code != 0, e->now, &delay)) {
    case RESTART_NO:
        say(p, i, PM_NOT_RESTARTED, e->code, 0);
        end_for_good(p, i, e->code != 0, PM_NOT_RESTARTED, e->now);
        return;
    case RESTART_GIVE_UP:
        control(p, i, PLANNER_SUP, "d");
        end_for_good(p, i, 1, PM_CRASH_LOOP, e->now);
        return;
    case RESTART_AFTER:
        break;
    }
    if (s->rs.crash_loop && !was_loop)
        say(p, i, PM_CRASH_LOOP, RESTART_BACKOFF_MAX_MS, 0);
    say(p, i, PM_RESTARTING_IN, e->code, (int) delay);
    if (delay <= RESTART_BACKOFF_MIN_MS) {
        enter(p, i, PS_STARTING, e->now, 0); /* s6-supervise restarts it after 1 s */
        return;
    }
    /* longer than s6's own second: hold it down, bring it up at the end */
    control(p, i, PLANNER_SUP, "O");
    enter(p, i, PS_BACKOFF, e->now, delay);
}

static void restarted(struct planner *p, unsigned int i, struct ev const *e)
{
    enter(p, i, PS_STARTING, e->now, sv_of(p, i)->timeout_up);
}

/* A oneshot's up ended. One that exited says what it thinks of itself: 0
 * is done, anything else failed for good. One killed by a signal it was
 * not sent by vinit (an OOM kill, a kill -9 from outside) says nothing
 * about itself: it runs again after the restart back-off, as a longrun
 * would (an essential one in a crash loop gives up). */
static void oneshot_done(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    struct svtree_service const *sv = sv_of(p, i);
    unsigned int delay = 0;
    if (!e->code) {
        enter(p, i, PS_READY, e->now, 0);
        say(p, i, PM_UP_DONE, 0, 0);
        return;
    }
    if (e->signaled && restart_on_death(&s->rs, SVPARSE_RESTART_ON_FAILURE, sv->essential, 1,
                                        e->now, &delay) == RESTART_AFTER) {
        say(p, i, PM_RESTARTING_IN, e->code, (int) delay);
        enter(p, i, PS_WAITING, e->now, delay ? delay : 1);
        return;
    }
    say(p, i, PM_UP_FAILED, e->code, 0);
    end_for_good(p, i, 1, PM_UP_FAILED, e->now);
}

static void timeout_up(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    say(p, i, PM_TIMEOUT_UP, 0, 0);
    s->exitcode = 124; /* as timeout(1) */
    if (is_oneshot(p, i))
        kill_act(p, i, s->child, SIGKILL);
    else
        control(p, i, PLANNER_SUP, "d");
    end_for_good(p, i, 1, PM_TIMEOUT_UP, e->now);
}

static void backoff_over(struct planner *p, unsigned int i, struct ev const *e)
{
    enter(p, i, PS_STARTING, e->now, sv_of(p, i)->timeout_up);
    control(p, i, PLANNER_SUP, "u");
}

static void stop_cmd(struct planner *p, unsigned int i, struct ev const *e)
{
    control(p, i, PLANNER_SUP, "d");
    if (p->svc[i].pid)
        enter(p, i, PS_STOPPING, e->now, sv_of(p, i)->timeout_down);
    else
        enter(p, i, PS_STOPPED, e->now, 0);
}

/* Stopped while nothing runs: kept from starting (BACKOFF's "O" becomes
 * a plain want-down). */
static void hold_down(struct planner *p, unsigned int i, struct ev const *e)
{
    if (p->svc[i].state == PS_BACKOFF)
        control(p, i, PLANNER_SUP, "d");
    enter(p, i, PS_STOPPED, e->now, 0);
}

static void start_cmd(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    s->rs.failures = 0;
    s->why = PM_NONE;
    if (is_oneshot(p, i)) {
        if (!s->child)
            run_oneshot(p, i, "up", e->now);
        return;
    }
    if (s->sup[PLANNER_SUP].state != SUP_LISTENING || (sv_of(p, i)->nlisten && !s->sockets)) {
        enter(p, i, PS_WAITING, e->now, 0); /* when its supervisor listens, its sockets too */
        return;
    }
    ask_up(p, i, e->now);
}

static void restart_cmd(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    if (is_oneshot(p, i) || !s->pid) {
        start_cmd(p, i, e);
        return;
    }
    s->rs.failures = 0;
    enter(p, i, PS_RESTARTING, e->now, sv_of(p, i)->timeout_up);
    control(p, i, PLANNER_SUP, "r");
}

static void shut(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    struct svtree_service const *sv = sv_of(p, i);
    if (is_oneshot(p, i)) {
        if (s->child) { /* its up is still running */
            kill_act(p, i, s->child, SIGTERM);
            enter(p, i, PS_STOPPING, e->now, sv->timeout_down);
        } else if (s->state == PS_READY && sv->has_down)
            run_oneshot(p, i, "down", e->now);
        else
            enter(p, i, PS_STOPPED, e->now, 0);
        return;
    }
    say(p, i, PM_STOPPING, 0, 0);
    /* the supervisor leaves as soon as its service is down (after the
     * status that says so): no second round of commands once all are */
    if (s->sup[PLANNER_SUP].state == SUP_LISTENING) {
        control(p, i, PLANNER_SUP, "dx");
        s->sup[PLANNER_SUP].state = SUP_EXITING;
    }
    if (s->pid)
        enter(p, i, PS_STOPPING, e->now, sv->timeout_down);
    else
        enter(p, i, PS_STOPPED, e->now, 0);
}

static void to_stopped(struct planner *p, unsigned int i, struct ev const *e)
{
    enter(p, i, PS_STOPPED, e->now, 0);
}

static void timeout_down(struct planner *p, unsigned int i, struct ev const *e)
{
    struct planner_svc *s = &p->svc[i];
    (void) e;
    say(p, i, PM_TIMEOUT_DOWN, 0, 0);
    s->deadline = 0;
    if (is_oneshot(p, i))
        kill_act(p, i, s->child, SIGKILL);
    else
        control(p, i, PLANNER_SUP, "k");
}

/* Its supervisor died: what it ran is being stopped (an orphan), and a
 * new supervisor will ask it up again from the start. */
static void lost(struct planner *p, unsigned int i, struct ev const *e)
{
    enter(p, i, p->shutting_down ? PS_STOPPED : PS_WAITING, e->now, 0);
}

/* A oneshot that could not be forked waits, then tries again. */
static void retry_due(struct planner *p, unsigned int i, struct ev const *e)
{
    (void) e;
    p->svc[i].deadline = 0; /* advance() lets it go now */
}

#define X ignore
/* clang-format off */
static svc_fn *const svc_table[PS_NSTATES][PE_NEVENTS] = {
    /*               GO  DEP_DEAD UP          READY  DOWN        DONE          TIMER         START      STOP       RESTART      SHUTDOWN    SUP_LOST */
    [PS_OFF]        = {X,  X,       X,          X,     X,          X,            X,            X,         X,         X,           X,          X},
    [PS_BROKEN]     = {X,  X,       X,          X,     X,          X,            X,            X,         X,         X,           X,          X},
    [PS_WAITING]    = {go, inherit, adopt_up,   X,     X,          X,            retry_due,    X,         hold_down, X,           to_stopped, X},
    [PS_STARTING]   = {X,  X,       X,          ready, died,       oneshot_done, timeout_up,   X,         stop_cmd,  restart_cmd, shut,       lost},
    [PS_READY]      = {X,  X,       X,          X,     died,       X,            X,            X,         stop_cmd,  restart_cmd, shut,       lost},
    [PS_BACKOFF]    = {X,  X,       adopt_up,   X,     X,          X,            backoff_over, start_cmd, hold_down, start_cmd,   to_stopped, lost},
    [PS_RESTARTING] = {X,  X,       restart_up, ready, restarted,  X,            timeout_up,   X,         stop_cmd,  X,           shut,       lost},
    [PS_FAILED]     = {X,  X,       adopt_up,   X,     X,          X,            X,            start_cmd, X,         start_cmd,   to_stopped, X},
    [PS_EXITED]     = {X,  X,       adopt_up,   X,     X,          X,            X,            start_cmd, X,         start_cmd,   to_stopped, X},
    [PS_STOPPING]   = {X,  X,       X,          X,     to_stopped, to_stopped,   timeout_down, start_cmd, X,         start_cmd,   X,          to_stopped},
    [PS_STOPPED]    = {X,  X,       adopt_up,   X,     X,          X,            X,            start_cmd, X,         start_cmd,   X,          X},
};
/* clang-format on */
#undef X

static void svc_event(struct planner *p, unsigned int i, enum planner_event ev, struct ev const *e)
{
    svc_table[p->svc[i].state][ev](p, i, e);
}

/* ---- the supervisor's table ---- */

static void sup_ignore(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    (void) p;
    (void) i;
    (void) w;
    (void) e;
}

/* PA_LAUNCH: the adapter answers with planner_launched or _failed. */
static void launch_now(struct planner *p, unsigned int i, unsigned int w, uint64_t now, int fresh)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    struct planner_act *a = emit(p, PA_LAUNCH, i);
    if (a) {
        a->which = (uint8_t) w;
        a->a = fresh; /* make the live directory first */
    }
    u->state = SUP_LAUNCHING;
    u->since = now;
    u->told = 0;
    /* a service's supervisor must write its first status; a logger's is
     * never watched */
    u->deadline = w == PLANNER_SUP ? now + PLANNER_SILENT_MS : 0;
}

static void s_launch(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    launch_now(p, i, w, e->now, 1);
}

/* A new supervisor at the deadline: the wait doubles with each failure in
 * a row. A failure is said once (failing), until one listens again. */
static void respawn_later(struct planner *p, unsigned int i, unsigned int w, int failed, int err,
                          uint64_t now)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    unsigned int ms =
        doubling(PLANNER_RESPAWN_MIN_MS, PLANNER_RESPAWN_MAX_MS, u->failures ? u->failures : 1);
    u->state = SUP_RESPAWN;
    u->deadline = now + ms;
    if (failed && !u->failing)
        say_sup(p, i, w, PM_SUP_FAILING, err, (int) ms);
    u->failing |= (uint8_t) failed;
}

/* A new supervisor after one that died while it worked: at once after a
 * long healthy life, else after the back-off. None while stopping. */
static void respawn(struct planner *p, unsigned int i, unsigned int w, uint64_t now)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    if (p->shutting_down || dead(p->svc[i].state)) {
        u->state = SUP_NONE;
        return;
    }
    if (!u->failures) {
        launch_now(p, i, w, now, 0);
        return;
    }
    respawn_later(p, i, w, 0, 0, now);
}

static void s_spawn_failed(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    u->pid = 0;
    u->failures++;
    u->make_live = w == PLANNER_SUP;
    if (p->shutting_down) {
        u->state = SUP_NONE;
        return;
    }
    respawn_later(p, i, w, 1, e->code, e->now);
}

/* A supervisor that wrote no status (a full or read-only run directory: it
 * runs, but cannot say anything, and never will for the service it was
 * to start) is stopped, and a new one started after the back-off. */
static void s_silent(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    if (!u->told && !u->failing)
        say_sup(p, i, w, PM_SUP_SILENT, PLANNER_SILENT_MS, 0);
    kill_act(p, i, u->pid, u->told ? SIGKILL : SIGTERM);
    u->told = 1;
    u->failing = 1;
    u->deadline = e->now + PLANNER_ORPHAN_TERM_MS;
}

static void s_status(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    u->state = SUP_LISTENING;
    u->deadline = 0;
    u->since = e->now;
    u->lived = 1;
    if (u->failing)
        say_sup(p, i, w, PM_SUP_BACK, 0, 0);
    u->failing = 0;
}

static void s_died_listening(struct planner *p, unsigned int i, unsigned int w, struct ev const *e);

/* It died before its first status was seen: it could not work (s6 is not
 * there, no room in the run directory) unless it left a child running,
 * which says it did (a logger's supervisor is never watched). */
static void s_died_young(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    if (e->code > 0) {
        s_died_listening(p, i, w, e);
        return;
    }
    u->pid = 0;
    u->failures++;
    if (p->shutting_down) {
        u->state = SUP_NONE;
        return;
    }
    respawn_later(p, i, w, 1, 0, e->now);
}

/* It died while it supervised: its child (the daemon, or s6-log for a
 * logger) is an orphan now, and a second copy must not start beside it. */
static void s_died_listening(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    pid_t orphan = (pid_t) e->code;
    u->pid = 0;
    if (e->now - u->since < PLANNER_RESPAWN_HEALTHY_MS)
        u->failures++;
    else
        u->failures = 0;
    say_sup(p, i, w, PM_SUP_DIED, (int) orphan, 0);
    if (w == PLANNER_SUP) {
        p->svc[i].pid = 0;
        svc_event(p, i, PE_SUP_LOST, e);
    }
    if (orphan > 0) {
        u->state = SUP_ORPHANED;
        u->orphan = orphan;
        u->deadline = e->now + PLANNER_ORPHAN_TERM_MS;
        /* a logger's s6-log is not killed: the adapter closed the pipe it
         * reads, so it writes what is left of it, and leaves at its end */
        if (w == PLANNER_SUP)
            kill_act(p, i, orphan, SIGTERM);
        kill_act(p, i, orphan, SIGCONT);
        return;
    }
    respawn(p, i, w, e->now);
}

static void s_died_exiting(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    (void) e;
    p->svc[i].sup[w].state = SUP_NONE;
    p->svc[i].sup[w].pid = 0;
}

static void s_orphan_gone(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    u->orphan = 0;
    u->deadline = 0;
    respawn(p, i, w, e->now);
}

static void s_orphan_timer(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    struct planner_sup *u = &p->svc[i].sup[w];
    kill_act(p, i, u->orphan, SIGKILL);
    u->deadline = e->now + PLANNER_ORPHAN_TERM_MS;
}

static void s_respawn_timer(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    launch_now(p, i, w, e->now, p->svc[i].sup[w].make_live);
}

static void s_none(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    (void) e;
    p->svc[i].sup[w].state = SUP_NONE;
    p->svc[i].sup[w].deadline = 0;
}

static void s_old_gone(struct planner *p, unsigned int i, unsigned int w, struct ev const *e)
{
    (void) e;
    p->svc[i].sup[w].old = 0;
    p->svc[i].sup[w].state = SUP_QUEUED;
}

#define X sup_ignore
/* clang-format off */
static sup_fn *const sup_table[SUP_NSTATES][SE_NEVENTS] = {
    /*                LAUNCH    SPAWN_FAILED    STATUS    DIED              ORPHAN_GONE    TIMER            SHUTDOWN OLD_GONE */
    [SUP_NONE]      = {X,        X,              X,        X,                X,             X,               X,       X},
    [SUP_QUEUED]    = {s_launch, X,              X,        X,                X,             X,               s_none,  X},
    [SUP_LAUNCHING] = {X,        s_spawn_failed, s_status, s_died_young,     X,             s_silent,        X,       X},
    [SUP_LISTENING] = {X,        X,              X,        s_died_listening, X,             X,               X,       X},
    [SUP_EXITING]   = {X,        X,              X,        s_died_exiting,   X,             X,               X,       X},
    [SUP_ORPHANED]  = {X,        X,              X,        X,                s_orphan_gone, s_orphan_timer,  X,       X},
    [SUP_RESPAWN]   = {X,        X,              X,        X,                X,             s_respawn_timer, s_none,  X},
    [SUP_REPLACING] = {X,        X,              X,        X,                X,             X,               s_none,  s_old_gone},
};
/* clang-format on */
#undef X

static void sup_event(struct planner *p, unsigned int i, unsigned int w, enum planner_sup_event ev,
                      struct ev const *e)
{
    sup_table[p->svc[i].sup[w].state][ev](p, i, w, e);
}

void planner_event(struct planner *p, unsigned int i, enum planner_event ev, int arg, uint64_t now)
{
    struct ev e = {.now = now, .code = arg, .dep = (unsigned int) arg};
    svc_event(p, i, ev, &e);
}

void planner_sup_event(struct planner *p, unsigned int i, unsigned int which,
                       enum planner_sup_event ev, int arg, uint64_t now)
{
    struct ev e = {.now = now, .code = arg};
    sup_event(p, i, which, ev, &e);
}

/* ---- across services ---- */

/* A oneshot that runs again after a reload waits until what restarts after
 * it (its dependents that ran, and theirs through oneshots that run again)
 * has left: their old copies stop first, as at the stop, and the oneshot's
 * up never runs under a dependent that still runs with what it did
 * before. A longrun's old copy is gone when its old supervisor is. */
static int restarted_after_left(struct planner *p, unsigned int i)
{
    struct svtree const *t = p->tree;
    unsigned char *mark = (unsigned char *) p->count; /* scratch */
    memset(mark, 0, t->n);
    mark[i] = 1;
    for (unsigned int k = 0; k < t->norder; k++) {
        unsigned int j = t->order[k];
        if (mark[j] || !p->svc[j].after)
            continue;
        for (uint32_t d = 0; d < t->sv[j].ndeps && !mark[j]; d++) {
            unsigned int dep = t->deps[t->sv[j].dep0 + d];
            mark[j] = mark[dep] && (dep == i || is_oneshot(p, dep));
        }
        if (mark[j] && p->svc[j].sup[PLANNER_SUP].state == SUP_REPLACING)
            return 0;
    }
    return 1;
}

/* Each waiting service, in start order (dependencies first, so a fate
 * spreads down a chain in one pass): one whose dependency will not run
 * takes its fate; one whose dependencies are all done goes, once its
 * supervisor listens and no retry is pending. */
static void advance(struct planner *p, uint64_t now)
{
    struct svtree const *t = p->tree;
    if (p->shutting_down)
        return;
    for (unsigned int k = 0; k < t->norder; k++) {
        unsigned int i = t->order[k];
        struct planner_svc *s = &p->svc[i];
        if (s->state != PS_WAITING)
            continue;
        int done = 1, dead_dep = -1;
        for (uint32_t d = 0; d < t->sv[i].ndeps; d++) {
            unsigned int dep = t->deps[t->sv[i].dep0 + d];
            done &= satisfied(p, dep);
            if (dead(p->svc[dep].state) && dead_dep < 0)
                dead_dep = (int) dep;
        }
        struct ev e = {.now = now, .dep = (unsigned int) dead_dep};
        if (dead_dep >= 0)
            svc_event(p, i, PE_DEP_DEAD, &e);
        else if (done && !(s->deadline > now) && (!t->sv[i].nlisten || s->sockets) &&
                 (is_oneshot(p, i) || s->sup[PLANNER_SUP].state == SUP_LISTENING) &&
                 (!s->rerun || restarted_after_left(p, i))) {
            s->rerun = 0;
            svc_event(p, i, PE_GO, &e); /* never without its sockets */
        }
    }
}

static int deps_done(struct planner const *p, unsigned int i)
{
    struct svtree const *t = p->tree;
    for (uint32_t d = 0; d < t->sv[i].ndeps; d++)
        if (!satisfied(p, t->deps[t->sv[i].dep0 + d]))
            return 0;
    return 1;
}

/* The supervisors start from the loop, not all before it. Those of
 * services whose dependencies are done start at once (all of a fan-out);
 * the others ahead of need, in start order, at most LAUNCH_AHEAD coming up
 * at a time: a hundred starting s6-supervise at once would share the CPU
 * with the head of a chain. One silent past LAUNCH_PATIENCE_MS no longer
 * holds the next back. start: 0 only looks. Returns -1 when none waits, 0
 * when one may start now, else the ms until one may. */
static int64_t launch(struct planner *p, uint64_t now, int start)
{
    struct svtree const *t = p->tree;
    unsigned int busy = 0, held = 0;
    uint64_t soonest = UINT64_MAX;
    if (p->shutting_down)
        return -1;
    for (unsigned int i = 0; i < t->n; i++) {
        struct planner_sup const *u = &p->svc[i].sup[PLANNER_SUP];
        if (u->state == SUP_LAUNCHING && now < u->since + PLANNER_LAUNCH_PATIENCE_MS) {
            busy++;
            if (u->since + PLANNER_LAUNCH_PATIENCE_MS < soonest)
                soonest = u->since + PLANNER_LAUNCH_PATIENCE_MS;
        }
    }
    for (unsigned int k = 0; k < t->norder; k++) {
        unsigned int i = t->order[k];
        if (p->svc[i].sup[PLANNER_SUP].state != SUP_QUEUED)
            continue;
        if (!deps_done(p, i) && busy >= PLANNER_LAUNCH_AHEAD) {
            held++;
            continue;
        }
        if (!start)
            return 0;
        struct ev e = {.now = now};
        sup_event(p, i, PLANNER_SUP, SE_LAUNCH, &e);
        busy++;
        if (now + PLANNER_LAUNCH_PATIENCE_MS < soonest)
            soonest = now + PLANNER_LAUNCH_PATIENCE_MS;
    }
    return held ? (int64_t) (soonest > now ? soonest - now : 0) : -1;
}

/* The stop, in reverse start order: a service goes down once no running
 * service depends on it. count[i]: its running dependents; dependents come
 * later in the order, so one backwards pass frees each chain. */
static void stop_step(struct planner *p, uint64_t now)
{
    struct svtree const *t = p->tree;
    uint32_t *count = p->count;
    memset(count, 0, sizeof *count * t->n);
    for (unsigned int i = 0; i < t->n; i++)
        if (active(p->svc[i].state))
            for (uint32_t d = 0; d < t->sv[i].ndeps; d++)
                count[t->deps[t->sv[i].dep0 + d]]++;
    for (unsigned int k = t->norder; k-- > 0;) {
        unsigned int i = t->order[k];
        uint8_t s = p->svc[i].state;
        struct ev e = {.now = now};
        if (s == PS_OFF || s == PS_BROKEN || s == PS_STOPPED || s == PS_STOPPING)
            continue;
        if (active(s) && count[i])
            continue;
        svc_event(p, i, PE_SHUTDOWN, &e);
        if (active(s) && !active(p->svc[i].state)) /* down at once: its dependencies are free */
            for (uint32_t d = 0; d < t->sv[i].ndeps; d++)
                count[t->deps[t->sv[i].dep0 + d]]--;
    }
    if (!planner_stopped(p))
        return;
    /* every service is down: the supervisors go, and the loggers, which
     * have read everything by now */
    for (unsigned int i = 0; i < t->n; i++) {
        struct planner_svc *s = &p->svc[i];
        if (s->sup[PLANNER_SUP].state == SUP_LISTENING) {
            control(p, i, PLANNER_SUP, "x");
            s->sup[PLANNER_SUP].state = SUP_EXITING;
        }
        uint8_t l = s->sup[PLANNER_LOGGER].state;
        if (l == SUP_LAUNCHING || l == SUP_LISTENING) {
            control(p, i, PLANNER_LOGGER, "dx");
            s->sup[PLANNER_LOGGER].state = SUP_EXITING;
        }
    }
}

/* After every event: what it makes possible. */
static void settle(struct planner *p, uint64_t now)
{
    if (p->shutting_down) {
        stop_step(p, now);
        return;
    }
    advance(p, now);
    launch(p, now, 1);
}

/* ---- setup ---- */

static void init_entry(struct svtree const *t, unsigned int i, struct planner_svc *s)
{
    memset(s, 0, sizeof *s);
    s->exitcode = -1;
    switch (t->sv[i].load) {
    case SVTREE_OFF:
        s->state = PS_OFF;
        break;
    case SVTREE_BROKEN:
        s->state = PS_BROKEN;
        s->why = PM_BROKEN;
        break;
    default:
        s->state = PS_WAITING;
    }
}

struct tables {
    struct planner_svc *svc;
    uint32_t *count;
    struct planner_act *act;
    unsigned int maxact;
};

static int alloc_tables(struct tables *x, unsigned int n)
{
    x->maxact = 16 * n + 64;
    x->svc = calloc(n ? n : 1, sizeof *x->svc);
    x->count = calloc(n ? n : 1, sizeof *x->count);
    x->act = calloc(x->maxact, sizeof *x->act);
    if (x->svc && x->count && x->act)
        return 0;
    free(x->svc);
    free(x->count);
    free(x->act);
    return (errno = ENOMEM, -1);
}

int planner_init(struct planner *p, struct svtree const *t)
{
    struct tables x;
    if (alloc_tables(&x, t->n) < 0)
        return -1;
    memset(p, 0, sizeof *p);
    p->tree = t;
    p->svc = x.svc;
    p->count = x.count;
    p->act = x.act;
    p->maxact = x.maxact;
    p->essential_code = -1;
    for (unsigned int i = 0; i < t->n; i++)
        init_entry(t, i, &p->svc[i]);
    return 0;
}

void planner_free(struct planner *p)
{
    free(p->svc);
    free(p->count);
    free(p->act);
    free(p->next_svc);
    free(p->next_count);
    free(p->next_act);
    memset(p, 0, sizeof *p);
}

/* Longruns about to wait get their supervisor queued. */
static void queue_supervisors(struct planner *p)
{
    for (unsigned int i = 0; i < p->tree->n; i++) {
        struct planner_svc *s = &p->svc[i];
        if (s->state == PS_WAITING && !is_oneshot(p, i) && s->sup[PLANNER_SUP].state == SUP_NONE) {
            s->sup[PLANNER_SUP].state = SUP_QUEUED;
            s->sup[PLANNER_SUP].make_live = 1;
        }
    }
}

void planner_listening(struct planner *p, unsigned int i, int next, enum planner_listen how, int k,
                       uint64_t now)
{
    struct planner_svc *s = next ? &p->next_svc[i] : &p->svc[i];
    s->sockets = how == PL_BOUND;
    /* for now (no fd, no memory): it waits, counted as settled, and the
     * adapter tries again */
    s->retries = how == PL_NOT_YET;
    if (how != PL_REFUSED || dead(s->state))
        return;
    s->state = PS_FAILED;
    s->since = now;
    s->deadline = s->nudge_at = 0;
    s->why = PM_SOCKET;
    s->why_arg = k;
}

void planner_start(struct planner *p, uint64_t now)
{
    advance(p, now); /* dependents of off and broken services first */
    queue_supervisors(p);
    settle(p, now);
}

/* ---- events from the adapter ---- */

void planner_status(struct planner *p, unsigned int i, struct planner_status const *st,
                    uint64_t now)
{
    struct planner_svc *s = &p->svc[i];
    struct ev e = {.now = now, .code = st->code};
    int listened =
        s->sup[PLANNER_SUP].state == SUP_LISTENING || s->sup[PLANNER_SUP].state == SUP_EXITING;
    if (s->sup[PLANNER_SUP].state == SUP_LAUNCHING)
        sup_event(p, i, PLANNER_SUP, SE_STATUS, &e);
    if (is_oneshot(p, i))
        return;
    /* A daemon that exits within milliseconds (vinit-udevd with nothing to
     * do) can start and die between two reads of the status: its pid was
     * never seen, but the stamp moved on. That is a death too, or the
     * service would stay "starting" for ever. */
    int unseen_run = listened && !st->up && !s->pid && st->new_stamp;
    if (st->up && st->pid != s->pid) {
        s->pid = st->pid; /* a new run */
        restart_on_start(&s->rs, now);
        svc_event(p, i, PE_UP, &e);
    }
    if (st->up && (st->ready || !sv_of(p, i)->readiness))
        svc_event(p, i, PE_READY, &e);
    if (!st->up && (s->pid || unseen_run)) {
        if (!s->pid) /* it ran: the back-off counts from now */
            restart_on_start(&s->rs, now);
        s->pid = 0;
        s->exitcode = st->code;
        svc_event(p, i, PE_DOWN, &e);
    }
    settle(p, now);
}

void planner_sup_died(struct planner *p, unsigned int i, unsigned int w, pid_t orphan, uint64_t now)
{
    struct ev e = {.now = now, .code = (int) orphan};
    sup_event(p, i, w, SE_DIED, &e);
    settle(p, now);
}

int planner_child(struct planner *p, pid_t pid, int code, int signaled, uint64_t now)
{
    struct ev e = {.now = now, .code = code, .signaled = signaled};
    if (pid <= 0)
        return 0;
    for (unsigned int i = 0; i < p->tree->n; i++) {
        struct planner_svc *s = &p->svc[i];
        if (s->child == pid) {
            s->child = 0;
            s->exitcode = code;
            svc_event(p, i, PE_DONE, &e);
            settle(p, now);
            return 1;
        }
        for (unsigned int w = 0; w < 2; w++) {
            if (s->sup[w].state == SUP_ORPHANED && s->sup[w].orphan == pid) {
                sup_event(p, i, w, SE_ORPHAN_GONE, &e);
                settle(p, now);
                return 1;
            }
            if (s->sup[w].state == SUP_REPLACING && s->sup[w].old == pid) {
                sup_event(p, i, w, SE_OLD_GONE, &e);
                settle(p, now);
                return 1;
            }
        }
    }
    return 0;
}

int planner_find_sup(struct planner const *p, pid_t pid, unsigned int *i, unsigned int *w)
{
    for (unsigned int k = 0; pid > 0 && k < p->tree->n; k++)
        for (unsigned int s = 0; s < 2; s++)
            if (p->svc[k].sup[s].pid == pid) {
                *i = k;
                *w = s;
                return 1;
            }
    return 0;
}

void planner_launched(struct planner *p, unsigned int i, unsigned int w, pid_t pid, uint64_t now)
{
    struct planner_svc *s = &p->svc[i];
    s->sup[w].pid = pid;
    s->sup[w].make_live = 0;
    /* the logger comes with its service's supervisor, and its pipe with it */
    if (w == PLANNER_SUP && sv_of(p, i)->has_log_dir &&
        (s->sup[PLANNER_LOGGER].state == SUP_NONE || s->sup[PLANNER_LOGGER].state == SUP_QUEUED))
        launch_now(p, i, PLANNER_LOGGER, now, 0);
}

void planner_launch_failed(struct planner *p, unsigned int i, unsigned int w, int err, uint64_t now)
{
    struct ev e = {.now = now, .code = err};
    sup_event(p, i, w, SE_SPAWN_FAILED, &e);
    settle(p, now);
}

void planner_ran(struct planner *p, unsigned int i, pid_t pid)
{
    p->svc[i].child = pid;
    p->svc[i].retries = 0;
}

void planner_run_failed(struct planner *p, unsigned int i, int err, uint64_t now)
{
    struct planner_svc *s = &p->svc[i];
    if (s->state == PS_STOPPING) { /* no down, then */
        enter(p, i, PS_STOPPED, now, 0);
        settle(p, now);
        return;
    }
    unsigned int ms = doubling(PLANNER_RETRY_MIN_MS, PLANNER_RETRY_MAX_MS, ++s->retries);
    if (s->retries == 1)
        say(p, i, PM_RUN_FAILING, err, (int) ms);
    enter(p, i, PS_WAITING, now, ms);
    settle(p, now);
}

void planner_no_such(struct planner *p, pid_t pid, uint64_t now)
{
    planner_child(p, pid, 0, 0, now);
}

/* Asks again what was asked: s6-supervise, told "u" (or "o") while it is
 * up, writes its status anew (what it could not write when the run
 * directory was full, or what PID 1 could not read at its fd limit); while
 * it is down, waiting 60 s after a fork it could not make, it tries the
 * fork at once. The waits double from PLANNER_NUDGE_MIN_MS to _MAX_MS. */
static void nudge(struct planner *p, unsigned int i, uint64_t now)
{
    struct planner_svc *s = &p->svc[i];
    uint64_t next = 2 * (now - s->since);
    if (next < PLANNER_NUDGE_MIN_MS)
        next = PLANNER_NUDGE_MIN_MS;
    s->nudge_at = now + (next < PLANNER_NUDGE_MAX_MS ? next : PLANNER_NUDGE_MAX_MS);
    control(p, i, PLANNER_SUP, sv_of(p, i)->restart == SVPARSE_RESTART_NEVER ? "o" : "u");
}

void planner_tick(struct planner *p, uint64_t now)
{
    struct ev e = {.now = now};
    for (unsigned int i = 0; i < p->tree->n; i++) {
        struct planner_svc *s = &p->svc[i];
        if (s->deadline && now >= s->deadline)
            svc_event(p, i, PE_TIMER, &e);
        if (s->nudge_at && now >= s->nudge_at)
            nudge(p, i, now);
        for (unsigned int w = 0; w < 2; w++)
            if (s->sup[w].deadline && now >= s->sup[w].deadline)
                sup_event(p, i, w, SE_TIMER, &e);
    }
    settle(p, now);
}

static void soonest(int64_t *wait, uint64_t when, uint64_t now)
{
    int64_t w = when > now ? (int64_t) (when - now) : 0;
    if (*wait < 0 || w < *wait)
        *wait = w;
}

int64_t planner_wait_ms(struct planner const *p, uint64_t now)
{
    int64_t wait = launch((struct planner *) p, now, 0); /* start 0: looks only */
    for (unsigned int i = 0; i < p->tree->n; i++) {
        struct planner_svc const *s = &p->svc[i];
        if (s->deadline)
            soonest(&wait, s->deadline, now);
        if (s->nudge_at)
            soonest(&wait, s->nudge_at, now);
        for (unsigned int w = 0; w < 2; w++)
            if (s->sup[w].deadline)
                soonest(&wait, s->sup[w].deadline, now);
    }
    return wait;
}

int planner_command(struct planner *p, unsigned int i, enum planner_cmd cmd, uint64_t now)
{
    static enum planner_event const ev[] = {
        [PC_START] = PE_START, [PC_STOP] = PE_STOP, [PC_RESTART] = PE_RESTART};
    struct planner_svc *s = &p->svc[i];
    struct ev e = {.now = now};
    if (p->shutting_down || s->state == PS_OFF || s->state == PS_BROKEN)
        return (errno = ENOENT, -1);
    if (is_oneshot(p, i) && cmd != PC_START)
        return (errno = EINVAL, -1);
    svc_event(p, i, ev[cmd], &e);
    settle(p, now);
    return 0;
}

void planner_shutdown(struct planner *p, uint64_t now, uint64_t deadline)
{
    struct ev e = {.now = now};
    if (p->shutting_down)
        return;
    p->shutting_down = 1;
    p->stop_deadline = deadline;
    for (unsigned int i = 0; i < p->tree->n; i++)
        for (unsigned int w = 0; w < 2; w++) {
            struct planner_sup *u = &p->svc[i].sup[w];
            sup_event(p, i, w, SE_SHUTDOWN, &e);
            /* a stopped supervisor would hear nothing of the stop */
            if (u->pid > 0)
                kill_act(p, i, u->pid, SIGCONT);
        }
    settle(p, now);
}

/* ---- reload: a pure diff of two trees ---- */

static int unchanged(struct svtree const *a, unsigned int i, struct svtree const *b, unsigned int j)
{
    struct svtree_service const *x = &a->sv[i], *y = &b->sv[j];
    return x->signature == y->signature && x->type == y->type && !y->uses &&
           svtree_same_deps(a, i, b, j);
}

/* It ran (or runs) with what it was given: a reload that changes what it
 * depends on restarts it. Not one waiting, or stopped by hand. */
static int ran(uint8_t s)
{
    return s == PS_STARTING || s == PS_READY || s == PS_BACKOFF || s == PS_RESTARTING ||
           s == PS_EXITED;
}

#define RERUN 0x80000000u /* flag[j]: a oneshot whose up runs again */

/* What a reload runs again beyond what changed, in start order (a
 * dependency is decided before its dependents). flag[j] of each new
 * service: RERUN for a oneshot that changed, or restarts after one that
 * runs again, and whose up ran; the low bits, 1 + the old index of a
 * oneshot that runs again that it depends on (0: none), when it ran: it
 * restarts after it. A restarted longrun spreads nothing: its dependents
 * keep running, as after a crash (guests after libvirtd). */
static void plan_reruns(struct planner const *p, struct svtree const *next, uint32_t *flag)
{
    for (unsigned int k = 0; k < next->norder; k++) {
        unsigned int j = next->order[k];
        int i = svtree_find(p->tree, svtree_name(next, j));
        if (i < 0 || next->sv[j].load != SVTREE_WANTED || !ran(p->svc[i].state))
            continue;
        for (uint32_t d = 0; d < next->sv[j].ndeps && !(flag[j] & ~RERUN); d++) {
            unsigned int dep = next->deps[next->sv[j].dep0 + d];
            if (flag[dep] & RERUN)
                flag[j] = 1 + (uint32_t) svtree_find(p->tree, svtree_name(next, dep));
        }
        if (next->sv[j].type == SVPARSE_ONESHOT &&
            (flag[j] || !unchanged(p->tree, (unsigned int) i, next, j)))
            flag[j] |= RERUN;
    }
}

int planner_reload_begin(struct planner *p, struct svtree const *next, int *map, uint64_t now)
{
    struct tables x;
    (void) now;
    if (p->shutting_down)
        return (errno = EBUSY, -1);
    if (alloc_tables(&x, next->n) < 0)
        return -1;
    unsigned char *kept = (unsigned char *) p->count; /* free until the swap */
    memset(kept, 0, sizeof *p->count * p->tree->n);
    uint32_t *flag = x.count; /* free until the swap too: zeroed */
    plan_reruns(p, next, flag);
    for (unsigned int j = 0; j < next->n; j++) {
        struct planner_svc *n = &x.svc[j];
        int i = svtree_find(p->tree, svtree_name(next, j));
        int running = i >= 0 && !dead(p->svc[i].state);
        init_entry(next, j, n);
        map[j] = -1;
        if (next->sv[j].load != SVTREE_WANTED)
            continue;
        if (running && unchanged(p->tree, (unsigned int) i, next, j) && !(flag[j] & ~RERUN)) {
            *n = p->svc[i];
            map[j] = i;
            kept[i] = 1;
            continue;
        }
        n->why = running ? PM_CHANGED : PM_ADDED; /* said at the end */
        n->rerun = (flag[j] & RERUN) != 0;
        n->after = (flag[j] & ~RERUN) != 0;
        /* remade once the old supervisor is gone, or the orphan a dead one
         * left (killed below): never two copies of the daemon */
        struct planner_sup const *old = i >= 0 ? &p->svc[i].sup[PLANNER_SUP] : NULL;
        pid_t gone = !running                     ? 0
                     : old->pid > 0               ? old->pid
                     : old->state == SUP_ORPHANED ? old->orphan
                                                  : 0;
        if (gone > 0 && next->sv[j].type == SVPARSE_LONGRUN) {
            n->sup[PLANNER_SUP].state = SUP_REPLACING;
            n->sup[PLANNER_SUP].old = gone;
            n->sup[PLANNER_SUP].make_live = 1;
        }
    }
    for (unsigned int i = 0; i < p->tree->n; i++) {
        if (dead(p->svc[i].state) || kept[i])
            continue;
        int j = svtree_find(next, svtree_name(p->tree, i));
        if (j < 0 || next->sv[j].load != SVTREE_WANTED)
            say(p, i, PM_REMOVED, 0, 0);
        else if ((flag[j] & ~RERUN) && unchanged(p->tree, i, next, (unsigned int) j))
            say(p, i, PM_AFTER, 0, (int) (flag[j] & ~RERUN) - 1);
        else
            say(p, i, PM_CHANGED, 0, 0);
        for (unsigned int w = 0; w < 2; w++)
            if (p->svc[i].sup[w].state == SUP_ORPHANED) /* its timer leaves with the old tree */
                kill_act(p, i, p->svc[i].sup[w].orphan, SIGKILL);
        emit(p, PA_RETIRE, i);
    }
    p->next = next;
    p->next_svc = x.svc;
    p->next_count = x.count;
    p->next_act = x.act;
    p->next_maxact = x.maxact;
    return 0;
}

void planner_reload_end(struct planner *p, uint64_t now)
{
    free(p->svc);
    free(p->count);
    p->svc = p->next_svc;
    p->count = p->next_count;
    p->tree = p->next;
    p->next_svc = NULL;
    p->next_count = NULL;
    p->next = NULL;
    /* the action list grows with the tree; what is in the old one was taken */
    if (p->next_maxact > p->maxact) {
        free(p->act);
        p->act = p->next_act;
        p->maxact = p->next_maxact;
        p->nact = p->taken = 0;
    } else
        free(p->next_act);
    p->next_act = NULL;
    for (unsigned int j = 0; j < p->tree->n; j++)
        if (p->svc[j].why == PM_ADDED) {
            say(p, j, PM_ADDED, 0, 0);
            p->svc[j].why = PM_NONE;
        } else if (p->svc[j].why == PM_CHANGED && p->svc[j].state == PS_WAITING)
            p->svc[j].why = PM_NONE;
    planner_start(p, now);
}

/* ---- queries ---- */

int planner_settled(struct planner const *p)
{
    struct svtree const *t = p->tree;
    unsigned char *stuck = (unsigned char *) p->count; /* scratch */
    memset(stuck, 0, t->n);
    for (unsigned int i = 0; i < t->n; i++) {
        uint8_t s = p->svc[i].state;
        if (s == PS_STARTING || s == PS_RESTARTING)
            return 0;
    }
    /* a waiting service counts as settled when it cannot go for now: its
     * supervisor or its up keeps failing to start, or it waits for one
     * that is so, or that was stopped by hand */
    for (unsigned int k = 0; k < t->norder; k++) {
        unsigned int i = t->order[k];
        struct planner_svc const *s = &p->svc[i];
        if (s->state != PS_WAITING)
            continue;
        int blocked = s->sup[PLANNER_SUP].failing || s->retries;
        for (uint32_t d = 0; d < t->sv[i].ndeps && !blocked; d++) {
            unsigned int dep = t->deps[t->sv[i].dep0 + d];
            blocked = stuck[dep] || p->svc[dep].state == PS_STOPPED;
        }
        if (!blocked)
            return 0;
        stuck[i] = 1;
    }
    return 1;
}

int planner_stopped(struct planner const *p)
{
    for (unsigned int i = 0; i < p->tree->n; i++)
        if (active(p->svc[i].state))
            return 0;
    return 1;
}

int planner_healthy(struct planner const *p)
{
    for (unsigned int i = 0; i < p->tree->n; i++)
        if (p->svc[i].state != PS_OFF && !planner_done(p, i))
            return 0;
    return 1;
}
