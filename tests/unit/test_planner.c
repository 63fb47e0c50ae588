/* SPDX-License-Identifier: ISC */
/* Unit tests for planner: every (state, event) pair of the service table
 * and of the supervisor table, each checked for the state it leads to and
 * the actions it asks for; then whole stories (zero services, a broken
 * one, a cycle, a crash loop, a stop during the start, a reload during the
 * stop, a supervisor killed with its daemon running, supervisors that
 * cannot start, the stop order, the launch pacing, a reload diff). Time is
 * passed in: nothing here sleeps or forks. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "planner.h"
#include "svresolve.h"
#include "svsrc.h"
#include "svtree.h"

static struct svsrc_tree src;
static struct svtree tree;
static struct planner p;
static char acts[4096];

static char const *const msg_names[PM_NMSGS] = {
    [PM_NONE] = "none",
    [PM_STARTING] = "starting",
    [PM_READY] = "ready",
    [PM_RUNNING_UP] = "running_up",
    [PM_UP_DONE] = "up_done",
    [PM_RUNNING_DOWN] = "running_down",
    [PM_STOPPING] = "stopping",
    [PM_DEP_OFF] = "dep_off",
    [PM_DEP_BROKEN] = "dep_broken",
    [PM_DEP_FAILED] = "dep_failed",
    [PM_BROKEN] = "broken",
    [PM_NOT_RESTARTED] = "not_restarted",
    [PM_CRASH_LOOP] = "crash_loop",
    [PM_RESTARTING_IN] = "restarting_in",
    [PM_ESSENTIAL] = "essential",
    [PM_UP_FAILED] = "up_failed",
    [PM_TIMEOUT_UP] = "timeout_up",
    [PM_TIMEOUT_DOWN] = "timeout_down",
    [PM_SUP_DIED] = "sup_died",
    [PM_SUP_FAILING] = "sup_failing",
    [PM_SUP_BACK] = "sup_back",
    [PM_SUP_SILENT] = "sup_silent",
    [PM_RUN_FAILING] = "run_failing",
    [PM_SOCKET] = "socket",
    [PM_ADDED] = "added",
    [PM_CHANGED] = "changed",
    [PM_REMOVED] = "removed",
    [PM_AFTER] = "after",
};

static void quiet(char const *service, char const *path, char const *problem, char const *value,
                  void *arg)
{
    (void) service, (void) path, (void) problem, (void) value, (void) arg;
}

/* A service of the test tree: deps separated by commas. */
static struct svsrc_service *add(char const *name, enum svparse_type type, char const *deps)
{
    struct svsrc_service *sv = &src.sv[src.n++];
    memset(sv, 0, sizeof *sv);
    strcpy(sv->name, name);
    strcpy(sv->dir, name);
    sv->type = type;
    sv->notification_fd = -1;
    sv->has_down = type == SVPARSE_ONESHOT;
    for (char const *d = deps; d && *d;) {
        size_t k = strcspn(d, ",");
        memcpy(sv->deps[sv->ndeps], d, k);
        sv->deps[sv->ndeps++][k] = 0;
        d += k + (d[k] == ',');
    }
    return sv;
}

static void reset(void)
{
    planner_free(&p);
    svtree_free(&tree);
    memset(&src, 0, sizeof src);
    acts[0] = 0;
}

/* Compiles the test tree into tree (load: per service, NULL: all wanted;
 * faulty services are broken) and sets the planner on it. */
static void build_into(struct svtree *t, unsigned char const *load, unsigned char const *uses)
{
    unsigned char l[SVSRC_MAX];
    svresolve_order(&src, "/x", quiet, NULL);
    for (unsigned int i = 0; i < src.n; i++)
        l[i] = load ? load[i] : src.sv[i].faulty ? SVTREE_BROKEN : SVTREE_WANTED;
    assert_int_equal(svtree_build(t, &src, l, NULL, uses), 0);
}

static void build(unsigned char const *load)
{
    build_into(&tree, load, NULL);
    assert_int_equal(planner_init(&p, &tree), 0);
}

static int idx(char const *name)
{
    int i = svtree_find(p.tree, name);
    assert_true(i >= 0);
    return i;
}

/* Takes the actions into acts: "say:ready c0:u run:up kill:15 launch0". */
static char const *take(void)
{
    struct planner_act const *a;
    size_t off = 0;
    acts[0] = 0;
    while ((a = planner_next_act(&p))) {
        char one[64];
        switch (a->kind) {
        case PA_LAUNCH:
            snprintf(one, sizeof one, "launch%u", a->which);
            break;
        case PA_CONTROL:
            snprintf(one, sizeof one, "c%u:%s", a->which, a->cmd);
            break;
        case PA_RUN:
            snprintf(one, sizeof one, "run:%s", a->cmd);
            break;
        case PA_KILL:
            snprintf(one, sizeof one, "kill:%d", a->a);
            break;
        case PA_RETIRE:
            snprintf(one, sizeof one, "retire:%u", a->svc);
            break;
        default:
            snprintf(one, sizeof one, "say:%s", msg_names[a->msg]);
            break;
        }
        off += (size_t) snprintf(acts + off, sizeof acts - off, "%s%s", off ? " " : "", one);
    }
    return acts;
}

static char const *state_of(char const *name)
{
    return planner_state_name((enum planner_state) p.svc[idx(name)].state);
}

/* ---- every (state, event) pair of the service table ---- */

struct pair {
    enum planner_state from;
    enum planner_event ev;
    enum planner_state to;
    char const *acts;
};

#define W  PS_WAITING
#define ST PS_STARTING
#define R  PS_READY
#define B  PS_BACKOFF
#define RS PS_RESTARTING
#define F  PS_FAILED
#define E  PS_EXITED
#define SG PS_STOPPING
#define SD PS_STOPPED
#define O  PS_OFF
#define BR PS_BROKEN

/* A longrun "a" that depends on "d", its supervisor listening, pid 100
 * when it runs; d is ready (failed for PE_DEP_DEAD). PE_DOWN says code 1. */
static struct pair const longrun_pairs[] = {
    {O, PE_GO, O, ""},
    {O, PE_DEP_DEAD, O, ""},
    {O, PE_UP, O, ""},
    {O, PE_READY, O, ""},
    {O, PE_DOWN, O, ""},
    {O, PE_DONE, O, ""},
    {O, PE_TIMER, O, ""},
    {O, PE_START, O, ""},
    {O, PE_STOP, O, ""},
    {O, PE_RESTART, O, ""},
    {O, PE_SHUTDOWN, O, ""},
    {O, PE_SUP_LOST, O, ""},
    {BR, PE_GO, BR, ""},
    {BR, PE_DEP_DEAD, BR, ""},
    {BR, PE_UP, BR, ""},
    {BR, PE_READY, BR, ""},
    {BR, PE_DOWN, BR, ""},
    {BR, PE_DONE, BR, ""},
    {BR, PE_TIMER, BR, ""},
    {BR, PE_START, BR, ""},
    {BR, PE_STOP, BR, ""},
    {BR, PE_RESTART, BR, ""},
    {BR, PE_SHUTDOWN, BR, ""},
    {BR, PE_SUP_LOST, BR, ""},
    {W, PE_GO, ST, "say:starting c0:u"},
    {W, PE_DEP_DEAD, F, "say:dep_failed"},
    {W, PE_UP, ST, ""},
    {W, PE_READY, W, ""},
    {W, PE_DOWN, W, ""},
    {W, PE_DONE, W, ""},
    {W, PE_TIMER, W, ""},
    {W, PE_START, W, ""},
    {W, PE_STOP, SD, ""},
    {W, PE_RESTART, W, ""},
    {W, PE_SHUTDOWN, SD, ""},
    {W, PE_SUP_LOST, W, ""},
    {ST, PE_GO, ST, ""},
    {ST, PE_DEP_DEAD, ST, ""},
    {ST, PE_UP, ST, ""},
    {ST, PE_READY, R, "say:ready"},
    {ST, PE_DOWN, ST, "say:restarting_in"},
    {ST, PE_DONE, R, "say:up_done"},
    {ST, PE_TIMER, F, "say:timeout_up c0:d"},
    {ST, PE_START, ST, ""},
    {ST, PE_STOP, SG, "c0:d"},
    {ST, PE_RESTART, RS, "c0:r"},
    {ST, PE_SHUTDOWN, SG, "say:stopping c0:dx"},
    {ST, PE_SUP_LOST, W, ""},
    {R, PE_GO, R, ""},
    {R, PE_DEP_DEAD, R, ""},
    {R, PE_UP, R, ""},
    {R, PE_READY, R, ""},
    {R, PE_DOWN, ST, "say:restarting_in"},
    {R, PE_DONE, R, ""},
    {R, PE_TIMER, R, ""},
    {R, PE_START, R, ""},
    {R, PE_STOP, SG, "c0:d"},
    {R, PE_RESTART, RS, "c0:r"},
    {R, PE_SHUTDOWN, SG, "say:stopping c0:dx"},
    {R, PE_SUP_LOST, W, ""},
    {B, PE_GO, B, ""},
    {B, PE_DEP_DEAD, B, ""},
    {B, PE_UP, ST, ""},
    {B, PE_READY, B, ""},
    {B, PE_DOWN, B, ""},
    {B, PE_DONE, B, ""},
    {B, PE_TIMER, ST, "c0:u"},
    {B, PE_START, ST, "say:starting c0:u"},
    {B, PE_STOP, SD, "c0:d"},
    {B, PE_RESTART, ST, "say:starting c0:u"},
    {B, PE_SHUTDOWN, SD, ""},
    {B, PE_SUP_LOST, W, ""},
    {RS, PE_GO, RS, ""},
    {RS, PE_DEP_DEAD, RS, ""},
    {RS, PE_UP, ST, ""},
    {RS, PE_READY, R, "say:ready"},
    {RS, PE_DOWN, ST, ""},
    {RS, PE_DONE, RS, ""},
    {RS, PE_TIMER, F, "say:timeout_up c0:d"},
    {RS, PE_START, RS, ""},
    {RS, PE_STOP, SG, "c0:d"},
    {RS, PE_RESTART, RS, ""},
    {RS, PE_SHUTDOWN, SG, "say:stopping c0:dx"},
    {RS, PE_SUP_LOST, W, ""},
    {F, PE_GO, F, ""},
    {F, PE_DEP_DEAD, F, ""},
    {F, PE_UP, ST, ""},
    {F, PE_READY, F, ""},
    {F, PE_DOWN, F, ""},
    {F, PE_DONE, F, ""},
    {F, PE_TIMER, F, ""},
    {F, PE_START, ST, "say:starting c0:u"},
    {F, PE_STOP, F, ""},
    {F, PE_RESTART, ST, "say:starting c0:u"},
    {F, PE_SHUTDOWN, SD, ""},
    {F, PE_SUP_LOST, F, ""},
    {E, PE_GO, E, ""},
    {E, PE_DEP_DEAD, E, ""},
    {E, PE_UP, ST, ""},
    {E, PE_READY, E, ""},
    {E, PE_DOWN, E, ""},
    {E, PE_DONE, E, ""},
    {E, PE_TIMER, E, ""},
    {E, PE_START, ST, "say:starting c0:u"},
    {E, PE_STOP, E, ""},
    {E, PE_RESTART, ST, "say:starting c0:u"},
    {E, PE_SHUTDOWN, SD, ""},
    {E, PE_SUP_LOST, E, ""},
    {SG, PE_GO, SG, ""},
    {SG, PE_DEP_DEAD, SG, ""},
    {SG, PE_UP, SG, ""},
    {SG, PE_READY, SG, ""},
    {SG, PE_DOWN, SD, ""},
    {SG, PE_DONE, SD, ""},
    {SG, PE_TIMER, SG, "say:timeout_down c0:k"},
    {SG, PE_START, ST, "say:starting c0:u"},
    {SG, PE_STOP, SG, ""},
    {SG, PE_RESTART, ST, "say:starting c0:u"},
    {SG, PE_SHUTDOWN, SG, ""},
    {SG, PE_SUP_LOST, SD, ""},
    {SD, PE_GO, SD, ""},
    {SD, PE_DEP_DEAD, SD, ""},
    {SD, PE_UP, ST, ""},
    {SD, PE_READY, SD, ""},
    {SD, PE_DOWN, SD, ""},
    {SD, PE_DONE, SD, ""},
    {SD, PE_TIMER, SD, ""},
    {SD, PE_START, ST, "say:starting c0:u"},
    {SD, PE_STOP, SD, ""},
    {SD, PE_RESTART, ST, "say:starting c0:u"},
    {SD, PE_SHUTDOWN, SD, ""},
    {SD, PE_SUP_LOST, SD, ""},
};

static int runs(enum planner_state s)
{
    return s == PS_STARTING || s == PS_READY || s == PS_RESTARTING || s == PS_STOPPING;
}

static void test_every_longrun_pair(void **state)
{
    /* each pair once: the table above is complete */
    unsigned char seen[PS_NSTATES][PE_NEVENTS] = {{0}};
    for (size_t k = 0; k < sizeof longrun_pairs / sizeof *longrun_pairs; k++) {
        struct pair const *t = &longrun_pairs[k];
        reset();
        add("d", SVPARSE_LONGRUN, NULL);
        add("a", SVPARSE_LONGRUN, "d");
        build(NULL);
        unsigned int a = (unsigned int) idx("a"), d = (unsigned int) idx("d");
        p.svc[d].state = t->ev == PE_DEP_DEAD ? PS_FAILED : PS_READY;
        p.svc[a].state = (uint8_t) t->from;
        p.svc[a].sup[PLANNER_SUP].state = SUP_LISTENING;
        p.svc[a].pid = runs(t->from) ? 100 : 0;
        planner_event(&p, a, t->ev, t->ev == PE_DEP_DEAD ? (int) d : t->ev == PE_DOWN, 10000);
        char what[128];
        snprintf(what, sizeof what, "%s x %d", planner_state_name(t->from), t->ev);
        if (strcmp(planner_state_name((enum planner_state) p.svc[a].state),
                   planner_state_name(t->to)) ||
            strcmp(take(), t->acts))
            fail_msg("%s: got %s [%s], want %s [%s]", what,
                     planner_state_name((enum planner_state) p.svc[a].state), acts,
                     planner_state_name(t->to), t->acts);
        seen[t->from][t->ev]++;
    }
    for (unsigned int s = 0; s < PS_NSTATES; s++)
        for (unsigned int e = 0; e < PE_NEVENTS; e++)
            if (seen[s][e] != 1)
                fail_msg("pair %s x %u listed %u times", planner_state_name(s), e, seen[s][e]);
}

/* A oneshot "o" (with a down), its up or down running as pid 200 while it
 * starts or stops. PE_DONE says code 0 unless the row says otherwise. */
static struct pair const oneshot_pairs[] = {
    {W, PE_GO, ST, "run:up say:running_up"},
    {ST, PE_DONE, R, "say:up_done"},
    {ST, PE_TIMER, F, "say:timeout_up kill:9"},
    {ST, PE_SHUTDOWN, SG, "kill:15"},
    {R, PE_SHUTDOWN, SG, "run:down say:running_down"},
    {R, PE_RESTART, ST, "run:up say:running_up"},
    {SG, PE_DONE, SD, ""},
    {SG, PE_TIMER, SG, "say:timeout_down kill:9"},
    {F, PE_START, ST, "run:up say:running_up"},
    {SD, PE_START, ST, "run:up say:running_up"},
};

static void test_oneshot_pairs(void **state)
{
    for (size_t k = 0; k < sizeof oneshot_pairs / sizeof *oneshot_pairs; k++) {
        struct pair const *t = &oneshot_pairs[k];
        reset();
        add("o", SVPARSE_ONESHOT, NULL)->timeout_up = 500;
        build(NULL);
        p.svc[0].state = (uint8_t) t->from;
        p.svc[0].child = t->from == PS_STARTING || t->from == PS_STOPPING ? 200 : 0;
        planner_event(&p, 0, t->ev, 0, 10000);
        if (strcmp(state_of("o"), planner_state_name(t->to)) || strcmp(take(), t->acts))
            fail_msg("oneshot %s x %d: got %s [%s], want %s [%s]", planner_state_name(t->from),
                     t->ev, state_of("o"), acts, planner_state_name(t->to), t->acts);
    }
    /* an up that fails */
    reset();
    add("o", SVPARSE_ONESHOT, NULL);
    build(NULL);
    p.svc[0].state = PS_STARTING;
    p.svc[0].child = 200;
    assert_int_equal(planner_child(&p, 200, 3, 0, 10), 1);
    assert_string_equal(state_of("o"), "failed");
    assert_string_equal(take(), "say:up_failed");
    /* one killed from outside runs again after the back-off; one that
     * exited with a code failed for good (above) */
    reset();
    add("o", SVPARSE_ONESHOT, NULL);
    build(NULL);
    planner_start(&p, 0);
    take();
    planner_ran(&p, 0, 200);
    assert_int_equal(planner_child(&p, 200, 137, 1, 10), 1);
    assert_string_equal(state_of("o"), "waiting");
    assert_string_equal(take(), "say:restarting_in");
    planner_tick(&p, p.svc[0].deadline);
    assert_string_equal(take(), "run:up say:running_up");
    /* a oneshot cannot be stopped or restarted by hand */
    assert_int_equal(planner_command(&p, 0, PC_STOP, 20), -1);
    assert_int_equal(errno, EINVAL);
}

/* ---- every (state, event) pair of the supervisor table ---- */

struct sup_pair {
    enum planner_sup_state from;
    enum planner_sup_event ev;
    enum planner_sup_state to;
    char const *acts;
};

static struct sup_pair const sup_pairs[] = {
    {SUP_NONE, SE_LAUNCH, SUP_NONE, ""},
    {SUP_NONE, SE_SPAWN_FAILED, SUP_NONE, ""},
    {SUP_NONE, SE_STATUS, SUP_NONE, ""},
    {SUP_NONE, SE_DIED, SUP_NONE, ""},
    {SUP_NONE, SE_ORPHAN_GONE, SUP_NONE, ""},
    {SUP_NONE, SE_TIMER, SUP_NONE, ""},
    {SUP_NONE, SE_SHUTDOWN, SUP_NONE, ""},
    {SUP_NONE, SE_OLD_GONE, SUP_NONE, ""},
    {SUP_QUEUED, SE_LAUNCH, SUP_LAUNCHING, "launch0"},
    {SUP_QUEUED, SE_SPAWN_FAILED, SUP_QUEUED, ""},
    {SUP_QUEUED, SE_STATUS, SUP_QUEUED, ""},
    {SUP_QUEUED, SE_DIED, SUP_QUEUED, ""},
    {SUP_QUEUED, SE_ORPHAN_GONE, SUP_QUEUED, ""},
    {SUP_QUEUED, SE_TIMER, SUP_QUEUED, ""},
    {SUP_QUEUED, SE_SHUTDOWN, SUP_NONE, ""},
    {SUP_QUEUED, SE_OLD_GONE, SUP_QUEUED, ""},
    {SUP_LAUNCHING, SE_LAUNCH, SUP_LAUNCHING, ""},
    {SUP_LAUNCHING, SE_SPAWN_FAILED, SUP_RESPAWN, "say:sup_failing"},
    {SUP_LAUNCHING, SE_STATUS, SUP_LISTENING, ""},
    /* it left a child: it did work (a logger's supervisor is never seen listening) */
    {SUP_LAUNCHING, SE_DIED, SUP_ORPHANED, "say:sup_died kill:15 kill:18"},
    {SUP_LAUNCHING, SE_ORPHAN_GONE, SUP_LAUNCHING, ""},
    {SUP_LAUNCHING, SE_TIMER, SUP_LAUNCHING, "say:sup_silent kill:15"},
    {SUP_LAUNCHING, SE_SHUTDOWN, SUP_LAUNCHING, ""},
    {SUP_LAUNCHING, SE_OLD_GONE, SUP_LAUNCHING, ""},
    {SUP_LISTENING, SE_LAUNCH, SUP_LISTENING, ""},
    {SUP_LISTENING, SE_SPAWN_FAILED, SUP_LISTENING, ""},
    {SUP_LISTENING, SE_STATUS, SUP_LISTENING, ""},
    {SUP_LISTENING, SE_DIED, SUP_ORPHANED, "say:sup_died kill:15 kill:18"},
    {SUP_LISTENING, SE_ORPHAN_GONE, SUP_LISTENING, ""},
    {SUP_LISTENING, SE_TIMER, SUP_LISTENING, ""},
    {SUP_LISTENING, SE_SHUTDOWN, SUP_LISTENING, ""},
    {SUP_LISTENING, SE_OLD_GONE, SUP_LISTENING, ""},
    {SUP_EXITING, SE_LAUNCH, SUP_EXITING, ""},
    {SUP_EXITING, SE_SPAWN_FAILED, SUP_EXITING, ""},
    {SUP_EXITING, SE_STATUS, SUP_EXITING, ""},
    {SUP_EXITING, SE_DIED, SUP_NONE, ""},
    {SUP_EXITING, SE_ORPHAN_GONE, SUP_EXITING, ""},
    {SUP_EXITING, SE_TIMER, SUP_EXITING, ""},
    {SUP_EXITING, SE_SHUTDOWN, SUP_EXITING, ""},
    {SUP_EXITING, SE_OLD_GONE, SUP_EXITING, ""},
    {SUP_ORPHANED, SE_LAUNCH, SUP_ORPHANED, ""},
    {SUP_ORPHANED, SE_SPAWN_FAILED, SUP_ORPHANED, ""},
    {SUP_ORPHANED, SE_STATUS, SUP_ORPHANED, ""},
    {SUP_ORPHANED, SE_DIED, SUP_ORPHANED, ""},
    {SUP_ORPHANED, SE_ORPHAN_GONE, SUP_LAUNCHING, "launch0"},
    {SUP_ORPHANED, SE_TIMER, SUP_ORPHANED, "kill:9"},
    {SUP_ORPHANED, SE_SHUTDOWN, SUP_ORPHANED, ""},
    {SUP_ORPHANED, SE_OLD_GONE, SUP_ORPHANED, ""},
    {SUP_RESPAWN, SE_LAUNCH, SUP_RESPAWN, ""},
    {SUP_RESPAWN, SE_SPAWN_FAILED, SUP_RESPAWN, ""},
    {SUP_RESPAWN, SE_STATUS, SUP_RESPAWN, ""},
    {SUP_RESPAWN, SE_DIED, SUP_RESPAWN, ""},
    {SUP_RESPAWN, SE_ORPHAN_GONE, SUP_RESPAWN, ""},
    {SUP_RESPAWN, SE_TIMER, SUP_LAUNCHING, "launch0"},
    {SUP_RESPAWN, SE_SHUTDOWN, SUP_NONE, ""},
    {SUP_RESPAWN, SE_OLD_GONE, SUP_RESPAWN, ""},
    {SUP_REPLACING, SE_LAUNCH, SUP_REPLACING, ""},
    {SUP_REPLACING, SE_SPAWN_FAILED, SUP_REPLACING, ""},
    {SUP_REPLACING, SE_STATUS, SUP_REPLACING, ""},
    {SUP_REPLACING, SE_DIED, SUP_REPLACING, ""},
    {SUP_REPLACING, SE_ORPHAN_GONE, SUP_REPLACING, ""},
    {SUP_REPLACING, SE_TIMER, SUP_REPLACING, ""},
    {SUP_REPLACING, SE_SHUTDOWN, SUP_NONE, ""},
    {SUP_REPLACING, SE_OLD_GONE, SUP_QUEUED, ""},
};

static void test_every_supervisor_pair(void **state)
{
    unsigned char seen[SUP_NSTATES][SE_NEVENTS] = {{0}};
    for (size_t k = 0; k < sizeof sup_pairs / sizeof *sup_pairs; k++) {
        struct sup_pair const *t = &sup_pairs[k];
        reset();
        add("a", SVPARSE_LONGRUN, NULL);
        build(NULL);
        struct planner_sup *u = &p.svc[0].sup[PLANNER_SUP];
        p.svc[0].state = PS_READY;
        p.svc[0].pid = 100;
        u->pid = 50;
        u->state = (uint8_t) t->from;
        u->since = 0; /* listening for long: healthy */
        u->orphan = 300;
        /* SE_DIED of a listening supervisor: the daemon (300) it leaves */
        planner_sup_event(&p, 0, PLANNER_SUP, t->ev, t->ev == SE_DIED ? 300 : 24, 60000);
        if (u->state != t->to || strcmp(take(), t->acts))
            fail_msg("supervisor %s x %d: got %s [%s], want %s [%s]",
                     planner_sup_state_name(t->from), t->ev,
                     planner_sup_state_name((enum planner_sup_state) u->state), acts,
                     planner_sup_state_name(t->to), t->acts);
        seen[t->from][t->ev]++;
    }
    for (unsigned int s = 0; s < SUP_NSTATES; s++)
        for (unsigned int e = 0; e < SE_NEVENTS; e++)
            if (seen[s][e] != 1)
                fail_msg("pair %s x %u listed %u times", planner_sup_state_name(s), e, seen[s][e]);
}

/* ---- stories ---- */

static struct planner_status up(pid_t pid, int ready)
{
    return (struct planner_status){.up = 1, .pid = pid, .ready = ready, .new_stamp = 1};
}

static struct planner_status down(int code)
{
    return (struct planner_status){.up = 0, .code = code, .new_stamp = 1};
}

/* Launches a's supervisor and lets it listen. */
static void listening(char const *name, pid_t sup, uint64_t now)
{
    unsigned int i = (unsigned int) idx(name);
    struct planner_status st = down(0);
    planner_launched(&p, i, PLANNER_SUP, sup, now);
    st.new_stamp = 1;
    planner_status(&p, i, &st, now);
}

/* Starts the tree, lets name's supervisor (pid 50) listen and its daemon
 * (pid) run; the actions so far are taken. */
static unsigned int running(char const *name, pid_t pid)
{
    unsigned int i = (unsigned int) idx(name);
    planner_start(&p, 0);
    listening(name, 50, 0);
    struct planner_status st = up(pid, 0);
    planner_status(&p, i, &st, 1);
    take();
    return i;
}

static void test_zero_services(void **state)
{
    reset();
    build(NULL);
    planner_start(&p, 0);
    assert_string_equal(take(), "");
    assert_true(planner_settled(&p));
    assert_true(planner_healthy(&p));
    assert_int_equal(planner_wait_ms(&p, 0), -1);
    planner_shutdown(&p, 0, 8000);
    assert_true(planner_stopped(&p));
    assert_string_equal(take(), "");
}

static void test_broken_service_and_its_dependent(void **state)
{
    reset();
    add("bad", SVPARSE_LONGRUN, NULL)->faulty = 1;
    add("dep", SVPARSE_LONGRUN, "bad");
    add("fine", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    assert_string_equal(state_of("bad"), "broken");
    assert_string_equal(state_of("dep"), "broken");
    assert_int_equal(p.svc[idx("dep")].why, PM_DEP_BROKEN);
    assert_string_equal(take(), "say:dep_broken launch0"); /* only fine's supervisor */
    listening("fine", 50, 1);
    assert_string_equal(take(), "say:starting c0:u");
    struct planner_status st = up(60, 0);
    planner_status(&p, (unsigned int) idx("fine"), &st, 2);
    assert_string_equal(state_of("fine"), "ready");
    assert_true(planner_settled(&p));
    assert_false(planner_healthy(&p)); /* a wanted service is broken */
    assert_int_equal(planner_command(&p, (unsigned int) idx("bad"), PC_START, 3), -1);
    assert_int_equal(errno, ENOENT);
}

/* a fate spreads down a chain in one pass: the only place it spreads */
static void test_fate_spreads_down_a_chain(void **state)
{
    reset();
    add("a", SVPARSE_LONGRUN, NULL)->faulty = 1;
    add("b", SVPARSE_LONGRUN, "a");
    add("c", SVPARSE_ONESHOT, "b");
    add("d", SVPARSE_LONGRUN, "c");
    add("e", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    assert_string_equal(state_of("b"), "broken");
    assert_string_equal(state_of("c"), "broken");
    assert_string_equal(state_of("d"), "broken");
    assert_int_equal(p.svc[idx("d")].why_arg, idx("c"));
    assert_string_equal(state_of("e"), "waiting");
    /* at run time too: a failed oneshot takes its waiting dependents */
    reset();
    add("up", SVPARSE_ONESHOT, NULL);
    add("x", SVPARSE_LONGRUN, "up");
    add("y", SVPARSE_LONGRUN, "x");
    build(NULL);
    planner_start(&p, 0);
    take();
    planner_ran(&p, (unsigned int) idx("up"), 200);
    planner_child(&p, 200, 1, 0, 10);
    assert_string_equal(state_of("x"), "failed");
    assert_string_equal(state_of("y"), "failed");
    assert_false(planner_healthy(&p));
}

static void test_off_dependency(void **state)
{
    reset();
    add("skipped", SVPARSE_LONGRUN, NULL);
    add("needs", SVPARSE_ONESHOT, "skipped");
    unsigned char load[] = {SVTREE_OFF, SVTREE_WANTED};
    build(load);
    planner_start(&p, 0);
    assert_string_equal(state_of("needs"), "off");
    assert_string_equal(take(), "say:dep_off");
    assert_true(planner_healthy(&p)); /* off is not wanted: healthy */
    assert_true(planner_settled(&p));
}

static void test_cycle(void **state)
{
    reset();
    add("x", SVPARSE_LONGRUN, "y");
    add("y", SVPARSE_LONGRUN, "x");
    add("z", SVPARSE_LONGRUN, "x");
    build(NULL); /* resolve finds the cycle: x and y are faulty */
    planner_start(&p, 0);
    assert_string_equal(state_of("x"), "broken");
    assert_string_equal(state_of("y"), "broken");
    assert_string_equal(state_of("z"), "broken");
    assert_true(planner_settled(&p));
}

static void test_crash_loop(void **state)
{
    reset();
    add("crash", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    listening("crash", 50, 0);
    take();
    uint64_t now = 0;
    unsigned int loops = 0;
    for (int k = 0; k < 8; k++) {
        struct planner_status st = up(100 + k, 0);
        planner_status(&p, 0, &st, now);
        now += 10; /* dies at once */
        st = down(1);
        planner_status(&p, 0, &st, now);
        loops += strstr(take(), "crash_loop") != NULL;
        if (p.svc[0].state == PS_BACKOFF) {
            assert_true(p.svc[0].deadline > now);
            now = p.svc[0].deadline;
            planner_tick(&p, now);
            assert_string_equal(take(), "c0:u");
        }
    }
    assert_int_equal(loops, 1); /* said once */
    assert_true(p.svc[0].rs.crash_loop);
    assert_int_equal(p.essential_code, -1); /* not essential: keeps trying */
}

static void test_essential_gives_up(void **state)
{
    reset();
    add("db", SVPARSE_LONGRUN, NULL)->essential = 1;
    build(NULL);
    planner_start(&p, 0);
    listening("db", 50, 0);
    uint64_t now = 0;
    for (int k = 0; k < 5 && p.svc[0].state != PS_FAILED; k++) {
        struct planner_status st = up(100 + k, 0);
        planner_status(&p, 0, &st, now);
        now += 10;
        st = down(3);
        planner_status(&p, 0, &st, now);
        if (p.svc[0].state == PS_BACKOFF)
            planner_tick(&p, now = p.svc[0].deadline);
    }
    assert_string_equal(state_of("db"), "failed");
    assert_int_equal(p.essential_code, 3);
    assert_non_null(strstr(take(), "say:essential"));
}

/* a longrun not ready yet: its supervisor is asked again, the waits
 * doubling (a status it could not write, a fork it waits 60 s to retry) */
static void test_nudge_while_starting(void **state)
{
    reset();
    add("slow", SVPARSE_LONGRUN, NULL)->notify = 1;
    add("once", SVPARSE_LONGRUN, NULL)->restart = SVPARSE_RESTART_NEVER;
    add("setup", SVPARSE_ONESHOT, NULL);
    build(NULL);
    planner_start(&p, 0);
    listening("slow", 50, 0);
    listening("once", 51, 0);
    take();
    struct planner_status st = up(100, 0);
    planner_status(&p, 0, &st, 0); /* up, not ready: it declares readiness */
    assert_int_equal(planner_wait_ms(&p, 0), PLANNER_NUDGE_MIN_MS);
    planner_tick(&p, PLANNER_NUDGE_MIN_MS);
    assert_string_equal(take(), "c0:u c0:o");
    assert_int_equal(planner_wait_ms(&p, PLANNER_NUDGE_MIN_MS), 2 * PLANNER_NUDGE_MIN_MS);
    planner_tick(&p, 3 * PLANNER_NUDGE_MIN_MS);
    assert_string_equal(take(), "c0:u c0:o");
    planner_tick(&p, 100000);
    take();
    assert_int_equal(planner_wait_ms(&p, 100000), PLANNER_NUDGE_MAX_MS);
    st = up(100, 1);
    planner_status(&p, 0, &st, 100001);
    assert_string_equal(state_of("slow"), "ready");
    assert_int_equal(p.svc[0].nudge_at, 0);            /* ready: no more */
    assert_int_equal(p.svc[idx("setup")].nudge_at, 0); /* a oneshot has no supervisor */
}

/* a service with sockets never goes without them; one whose sockets wait
 * for a descriptor counts as settled; a dependent goes once they listen */
static void test_sockets_first(void **state)
{
    char const *why;
    reset();
    struct svsrc_service *web = add("web", SVPARSE_LONGRUN, NULL);
    assert_int_equal(svparse_listen("/run/web.sock", &web->listen[0], &why), 0);
    web->nlisten = 1;
    web->notify = 1;
    add("app", SVPARSE_LONGRUN, "web");
    build(NULL);
    unsigned int w = (unsigned int) idx("web"), a = (unsigned int) idx("app");
    planner_listening(&p, w, 0, PL_NOT_YET, 0, 0);
    planner_start(&p, 0);
    take();
    listening("web", 50, 0);
    listening("app", 51, 0);
    assert_string_equal(take(), ""); /* web waits for its sockets, app for web */
    assert_true(planner_settled(&p));
    planner_listening(&p, w, 0, PL_BOUND, 0, 1);
    planner_tick(&p, 1);
    assert_string_equal(state_of("web"), "starting");
    assert_string_equal(state_of("app"), "starting"); /* not waiting for web's readiness */
    (void) a;
    /* refused: it fails, named; started by hand, it waits for its sockets */
    planner_listening(&p, w, 0, PL_REFUSED, 0, 2);
    assert_string_equal(state_of("web"), "failed");
    assert_int_equal(p.svc[w].why, PM_SOCKET);
    take();
    assert_int_equal(planner_command(&p, w, PC_START, 3), 0);
    assert_string_equal(state_of("web"), "waiting");
    assert_string_equal(take(), "");
}

static void test_timeout_up(void **state)
{
    reset();
    add("slow", SVPARSE_LONGRUN, NULL)->timeout_up = 500;
    build(NULL);
    planner_start(&p, 0);
    listening("slow", 50, 0);
    take();
    assert_int_equal(planner_wait_ms(&p, 100), 400);
    planner_tick(&p, 500);
    assert_string_equal(state_of("slow"), "failed");
    assert_string_equal(take(), "say:timeout_up c0:d");
    assert_int_equal(p.svc[0].exitcode, 124);
}

static void test_stop_during_start(void **state)
{
    reset();
    add("a", SVPARSE_LONGRUN, NULL);
    add("b", SVPARSE_LONGRUN, "a");
    build(NULL);
    planner_start(&p, 0);
    assert_string_equal(take(), "launch0 launch0");
    planner_launched(&p, 0, PLANNER_SUP, 50, 0);
    planner_launched(&p, 1, PLANNER_SUP, 51, 0);
    planner_shutdown(&p, 1, 8001);
    /* nothing ran: down at once, the supervisors told to continue */
    assert_true(planner_stopped(&p));
    assert_string_equal(take(), "kill:18 kill:18");
    /* a supervisor that starts listening now leaves at once */
    struct planner_status st = down(0);
    planner_status(&p, 1, &st, 2);
    assert_string_equal(take(), "c0:x");
    assert_int_equal(p.svc[1].sup[PLANNER_SUP].state, SUP_EXITING);
    planner_sup_died(&p, 1, PLANNER_SUP, 0, 3);
    assert_int_equal(p.svc[1].sup[PLANNER_SUP].state, SUP_NONE);
    assert_string_equal(take(), "");
}

static void test_reload_during_stop(void **state)
{
    struct svtree next;
    int map[4];
    reset();
    add("a", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    planner_shutdown(&p, 1, 8001);
    build_into(&next, NULL, NULL);
    assert_int_equal(planner_reload_begin(&p, &next, map, 2), -1);
    assert_int_equal(errno, EBUSY);
    svtree_free(&next);
}

static void test_supervisor_killed_with_daemon_running(void **state)
{
    reset();
    add("d", SVPARSE_LONGRUN, NULL);
    build(NULL);
    running("d", 100);
    unsigned int i, w;
    assert_true(planner_find_sup(&p, 50, &i, &w));
    /* kill -9 of s6-supervise: its daemon (100) is an orphan of vinit now */
    planner_sup_died(&p, i, w, 100, 20000);
    assert_string_equal(state_of("d"), "waiting");
    assert_string_equal(take(), "say:sup_died kill:15 kill:18");
    /* no second copy while the first runs */
    planner_tick(&p, 21000);
    assert_string_equal(take(), "");
    planner_tick(&p, 20000 + PLANNER_ORPHAN_TERM_MS);
    assert_string_equal(take(), "kill:9");
    assert_int_equal(planner_child(&p, 100, 137, 0, 23100), 1);
    assert_string_equal(take(), "launch0"); /* it had lived long: at once */
    planner_launched(&p, 0, PLANNER_SUP, 51, 23100);
    struct planner_status st = down(0);
    planner_status(&p, 0, &st, 23101);
    assert_string_equal(take(), "say:starting c0:u");
    st = up(101, 0);
    planner_status(&p, 0, &st, 23102);
    assert_string_equal(state_of("d"), "ready");
    assert_int_equal(p.svc[0].rs.restarts, 0); /* not a death of the service's own */
}

/* a logger's s6-log left behind is not killed at once: its pipe was closed
 * by the adapter, and it leaves at its end after writing what was left */
static void test_logger_orphan(void **state)
{
    reset();
    add("lg", SVPARSE_LONGRUN, NULL)->has_log_dir = 1;
    build(NULL);
    planner_start(&p, 0);
    assert_string_equal(take(), "launch0");
    planner_launched(&p, 0, PLANNER_SUP, 50, 0);
    assert_string_equal(take(), "launch1");
    planner_launched(&p, 0, PLANNER_LOGGER, 60, 0);
    struct planner_status st = up(100, 0);
    planner_status(&p, 0, &st, 1); /* the service's supervisor listens, it runs */
    take();
    planner_sup_died(&p, 0, PLANNER_LOGGER, 61, 20000);
    assert_string_equal(take(), "say:sup_died kill:18");
    planner_tick(&p, 20000 + PLANNER_ORPHAN_TERM_MS);
    assert_string_equal(take(), "kill:9"); /* one that does not leave */
    assert_int_equal(planner_child(&p, 61, 137, 1, 20000 + PLANNER_ORPHAN_TERM_MS + 1), 1);
    assert_string_equal(take(), "launch1");
}

static void test_orphan_already_gone(void **state)
{
    reset();
    add("d", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    listening("d", 50, 0);
    take();
    planner_sup_died(&p, 0, PLANNER_SUP, 100, 20000);
    take();
    planner_no_such(&p, 100, 20001); /* kill found nothing */
    assert_string_equal(take(), "launch0");
}

static void test_supervisor_cannot_start(void **state)
{
    reset();
    add("s", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    take();
    uint64_t now = 0;
    unsigned int said = 0, tries = 0;
    /* ENOSPC at every try: a back-off, said once */
    for (int k = 0; k < 10; k++) {
        planner_launch_failed(&p, 0, PLANNER_SUP, ENOSPC, now);
        said += strstr(take(), "sup_failing") != NULL;
        int64_t wait = planner_wait_ms(&p, now);
        assert_true(wait >= PLANNER_RESPAWN_MIN_MS && wait <= PLANNER_RESPAWN_MAX_MS);
        now += (uint64_t) wait;
        planner_tick(&p, now);
        tries += strstr(take(), "launch0") != NULL;
    }
    assert_int_equal(said, 1);
    assert_int_equal(tries, 10);
    assert_true(planner_settled(&p)); /* the main command need not wait for it */
    /* space again: it listens, says so, and the service goes */
    planner_launched(&p, 0, PLANNER_SUP, 50, now);
    struct planner_status st = down(0);
    planner_status(&p, 0, &st, now);
    assert_string_equal(take(), "say:sup_back say:starting c0:u");
}

/* it runs but cannot write its status (a full run directory): stopped,
 * then a new one after the back-off, until one can */
static void test_silent_supervisor(void **state)
{
    reset();
    add("s", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    assert_string_equal(take(), "launch0");
    planner_launched(&p, 0, PLANNER_SUP, 50, 0);
    assert_int_equal(planner_wait_ms(&p, 0), PLANNER_SILENT_MS);
    planner_tick(&p, PLANNER_SILENT_MS);
    assert_string_equal(take(), "say:sup_silent kill:15");
    planner_tick(&p, PLANNER_SILENT_MS + PLANNER_ORPHAN_TERM_MS);
    assert_string_equal(take(), "kill:9");
    planner_sup_died(&p, 0, PLANNER_SUP, 0, PLANNER_SILENT_MS + PLANNER_ORPHAN_TERM_MS + 1);
    assert_string_equal(take(), ""); /* said once already */
    assert_int_equal(p.svc[0].sup[PLANNER_SUP].state, SUP_RESPAWN);
    planner_tick(&p, p.svc[0].sup[PLANNER_SUP].deadline);
    assert_string_equal(take(), "launch0");
    planner_launched(&p, 0, PLANNER_SUP, 51, 0);
    struct planner_status st = down(0);
    planner_status(&p, 0, &st, 20000);
    assert_string_equal(take(), "say:sup_back say:starting c0:u");
}

static void test_supervisor_dies_young_repeatedly(void **state)
{
    reset();
    add("s", SVPARSE_LONGRUN, NULL);
    build(NULL);
    planner_start(&p, 0);
    take();
    uint64_t now = 0;
    int64_t last = 0;
    for (int k = 0; k < 6; k++) {
        planner_launched(&p, 0, PLANNER_SUP, 50 + k, now);
        planner_sup_died(&p, 0, PLANNER_SUP, 0, now + 1);
        int64_t wait = planner_wait_ms(&p, now + 1);
        assert_true(wait >= last); /* no respawn without a growing back-off */
        last = wait;
        now += 1 + (uint64_t) wait;
        planner_tick(&p, now);
    }
    assert_int_equal(last, PLANNER_RESPAWN_MAX_MS > 3200 ? 3200 : PLANNER_RESPAWN_MAX_MS);
}

static void test_oneshot_fork_fails_then_works(void **state)
{
    reset();
    add("setup", SVPARSE_ONESHOT, NULL);
    build(NULL);
    planner_start(&p, 0);
    assert_string_equal(take(), "run:up say:running_up");
    planner_run_failed(&p, 0, EAGAIN, 0);
    assert_string_equal(state_of("setup"), "waiting");
    assert_string_equal(take(), "say:run_failing");
    assert_true(planner_settled(&p));
    planner_tick(&p, PLANNER_RETRY_MIN_MS);
    assert_string_equal(take(), "run:up say:running_up");
    planner_run_failed(&p, 0, EAGAIN, PLANNER_RETRY_MIN_MS);
    assert_string_equal(take(), ""); /* said once */
    planner_tick(&p, PLANNER_RETRY_MIN_MS * 3);
    take();
    planner_ran(&p, 0, 200);
    planner_child(&p, 200, 0, 0, PLANNER_RETRY_MIN_MS * 3 + 5);
    assert_string_equal(state_of("setup"), "ready");
}

static void test_stop_order(void **state)
{
    reset();
    add("base", SVPARSE_LONGRUN, NULL);
    add("mid", SVPARSE_LONGRUN, "base");
    add("top", SVPARSE_LONGRUN, "mid");
    add("side", SVPARSE_LONGRUN, NULL);
    build(NULL);
    unsigned int base = (unsigned int) idx("base"), mid = (unsigned int) idx("mid"),
                 top = (unsigned int) idx("top"), side = (unsigned int) idx("side");
    unsigned int all[] = {base, mid, top, side};
    for (unsigned int k = 0; k < 4; k++) {
        p.svc[all[k]].state = PS_READY;
        p.svc[all[k]].pid = 100 + (pid_t) k;
        p.svc[all[k]].sup[PLANNER_SUP].state = SUP_LISTENING;
        p.svc[all[k]].sup[PLANNER_SUP].pid = 50 + (pid_t) k;
    }
    planner_shutdown(&p, 0, 8000);
    /* top and side first; mid and base wait */
    assert_string_equal(state_of("top"), "stopping");
    assert_string_equal(state_of("side"), "stopping");
    assert_string_equal(state_of("mid"), "ready");
    take();
    struct planner_status st = down(0);
    planner_status(&p, top, &st, 10);
    assert_string_equal(state_of("mid"), "stopping");
    assert_string_equal(state_of("base"), "ready");
    planner_status(&p, mid, &st, 20);
    assert_string_equal(state_of("base"), "stopping");
    planner_status(&p, side, &st, 25);
    planner_status(&p, base, &st, 30);
    assert_true(planner_stopped(&p));
    planner_command(&p, base, PC_START, 31); /* refused while stopping */
    assert_int_equal(errno, ENOENT);
}

static void test_launch_pacing(void **state)
{
    reset();
    char name[8], dep[8];
    for (int k = 0; k < 6; k++) {
        snprintf(name, sizeof name, "c%d", k);
        snprintf(dep, sizeof dep, "c%d", k - 1);
        add(name, SVPARSE_LONGRUN, k ? dep : NULL);
    }
    build(NULL);
    planner_start(&p, 0);
    /* the head (its dependencies done), and the next while fewer than
     * LAUNCH_AHEAD are coming up */
    assert_string_equal(take(), "launch0 launch0");
    assert_int_equal(planner_wait_ms(&p, 0), PLANNER_LAUNCH_PATIENCE_MS);
    planner_launched(&p, (unsigned int) idx("c1"), PLANNER_SUP, 51, 0);
    listening("c0", 50, 5);
    assert_string_equal(take(), "say:starting c0:u launch0"); /* c0 listens: c2 may come */
    planner_launched(&p, (unsigned int) idx("c2"), PLANNER_SUP, 52, 5);
    struct planner_status st = down(0);
    planner_status(&p, (unsigned int) idx("c1"), &st, 6);
    assert_string_equal(take(), "launch0"); /* c1 listens: c3 */
    /* c2 and c3 silent past the patience: they hold nothing back */
    planner_tick(&p, 6 + PLANNER_LAUNCH_PATIENCE_MS);
    assert_string_equal(take(), "launch0 launch0");
    /* nothing more to launch: what is left is c0's nudge (starting since
     * 5), before c2's wait for its first status */
    assert_int_equal(planner_wait_ms(&p, 6 + PLANNER_LAUNCH_PATIENCE_MS),
                     5 + PLANNER_NUDGE_MIN_MS - (6 + PLANNER_LAUNCH_PATIENCE_MS));
}

static void test_reload_diff(void **state)
{
    struct svtree *next = malloc(sizeof *next);
    int map[8];
    reset();
    add("kept", SVPARSE_LONGRUN, NULL);
    add("changed", SVPARSE_LONGRUN, NULL)->signature = 1;
    add("removed", SVPARSE_LONGRUN, NULL);
    add("env", SVPARSE_LONGRUN, NULL);
    build(NULL);
    for (unsigned int i = 0; i < p.tree->n; i++) {
        p.svc[i].state = PS_READY;
        p.svc[i].pid = 100 + (pid_t) i;
        p.svc[i].sup[PLANNER_SUP].state = SUP_LISTENING;
        p.svc[i].sup[PLANNER_SUP].pid = 50 + (pid_t) i;
    }
    pid_t changed_sup = p.svc[idx("changed")].sup[PLANNER_SUP].pid;
    /* the tree read again */
    memset(&src, 0, sizeof src);
    add("kept", SVPARSE_LONGRUN, NULL);
    add("changed", SVPARSE_LONGRUN, NULL)->signature = 2;
    add("env", SVPARSE_LONGRUN, NULL);
    add("new", SVPARSE_LONGRUN, "kept");
    unsigned char uses[] = {0, 0, 1, 0}; /* env mentions a changed variable */
    build_into(next, NULL, uses);
    assert_int_equal(planner_reload_begin(&p, next, map, 100), 0);
    char const *before = take();
    assert_non_null(strstr(before, "say:changed retire:1"));
    assert_non_null(strstr(before, "say:removed retire:2"));
    assert_non_null(strstr(before, "say:changed retire:3")); /* env */
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], -1);
    planner_reload_end(&p, 100);
    assert_string_equal(state_of("kept"), "ready");
    assert_int_equal(p.svc[idx("kept")].pid, 100); /* the same run */
    assert_string_equal(state_of("changed"), "waiting");
    assert_int_equal(p.svc[idx("changed")].sup[PLANNER_SUP].state, SUP_REPLACING);
    char const *after = take();
    assert_non_null(strstr(after, "say:added"));
    /* once the old supervisor of "changed" is gone, a new one starts */
    assert_int_equal(planner_child(&p, changed_sup, 0, 0, 200), 1);
    assert_non_null(strstr(take(), "launch0"));
    planner_free(&p);
    svtree_free(next); /* the planner's tree now */
    free(next);
    svtree_free(&tree); /* the old tree: the adapter frees it after the swap */
}

/* a reload while a dead supervisor's orphan is being stopped: the new
 * supervisor waits for the orphan, which is killed for good */
static void test_reload_while_orphaned(void **state)
{
    struct svtree *next = malloc(sizeof *next);
    int map[2];
    reset();
    add("d", SVPARSE_LONGRUN, NULL)->signature = 1;
    build(NULL);
    running("d", 100);
    planner_sup_died(&p, 0, PLANNER_SUP, 100, 2);
    take();
    memset(&src, 0, sizeof src);
    add("d", SVPARSE_LONGRUN, NULL)->signature = 2;
    build_into(next, NULL, NULL);
    assert_int_equal(planner_reload_begin(&p, next, map, 3), 0);
    assert_string_equal(take(), "say:changed kill:9 retire:0");
    planner_reload_end(&p, 3);
    assert_int_equal(p.svc[0].sup[PLANNER_SUP].state, SUP_REPLACING);
    assert_int_equal(p.svc[0].sup[PLANNER_SUP].old, 100);
    take();
    assert_int_equal(planner_child(&p, 100, 137, 1, 4), 1);
    assert_string_equal(take(), "launch0");
    planner_free(&p);
    svtree_free(next);
    free(next);
    svtree_free(&tree);
}

/* Every service of the test tree running: longruns ready with a
 * listening supervisor (pid 50 + index) and a daemon (100 + index),
 * oneshots done. */
static void all_running(void)
{
    for (unsigned int i = 0; i < p.tree->n; i++) {
        p.svc[i].state = PS_READY;
        if (p.tree->sv[i].type == SVPARSE_ONESHOT)
            continue;
        p.svc[i].pid = 100 + (pid_t) i;
        p.svc[i].sup[PLANNER_SUP].state = SUP_LISTENING;
        p.svc[i].sup[PLANNER_SUP].pid = 50 + (pid_t) i;
    }
}

/* The image's shape: a oneshot that fits a configuration (config), the
 * daemon that reads it (daemon), a oneshot after the daemon whose down
 * shuts every guest down (guests); a second oneshot after config (step)
 * and a longrun after that one (user); one independent (other). */
static void image_shape(void)
{
    add("config", SVPARSE_ONESHOT, NULL);
    add("daemon", SVPARSE_LONGRUN, "config");
    add("guests", SVPARSE_ONESHOT, "daemon");
    add("step", SVPARSE_ONESHOT, "config");
    add("user", SVPARSE_LONGRUN, "step");
    add("other", SVPARSE_LONGRUN, NULL);
}

/* The tree read again after vinit env set: uses[] marks the services that
 * use a changed name; begin's actions in *before. */
static struct svtree *reread(unsigned char const *uses, int *map, char const **before)
{
    static char said[4096];
    struct svtree *next = malloc(sizeof *next);
    assert_non_null(next);
    memset(&src, 0, sizeof src);
    image_shape();
    build_into(next, NULL, uses);
    assert_int_equal(planner_reload_begin(&p, next, map, 100), 0);
    snprintf(said, sizeof said, "%s", take());
    *before = said;
    return next;
}

static void reread_done(struct svtree *next)
{
    planner_free(&p);
    svtree_free(next);
    free(next);
    svtree_free(&tree);
}

/* A oneshot whose variable changed runs up again (not down); its
 * dependents restart after it, through oneshots too, once their old
 * copies have stopped, which its up waits for; what depends on a
 * restarted longrun keeps running (guests' down never runs). */
static void test_reload_reruns_oneshot_then_dependents(void **state)
{
    int map[8];
    char const *before;
    reset();
    image_shape();
    build(NULL);
    all_running();
    unsigned char uses[] = {1, 0, 0, 0, 0, 0}; /* config reads the changed variable */
    struct svtree *next = reread(uses, map, &before);
    /* old indexes: config 0, daemon 1, guests 2, step 3, user 4, other 5 */
    assert_non_null(strstr(before, "say:changed retire:0"));
    assert_non_null(strstr(before, "say:after retire:1"));
    assert_non_null(strstr(before, "say:after retire:3"));
    assert_non_null(strstr(before, "say:after retire:4"));
    assert_null(strstr(before, "retire:2")); /* guests: kept */
    assert_null(strstr(before, "retire:5"));
    assert_int_equal(map[2], 2);
    assert_int_equal(map[5], 5);
    assert_int_equal(map[0], -1);
    assert_int_equal(map[1], -1);
    planner_reload_end(&p, 100);
    char const *after = take();
    /* config's up waits: daemon and user still run their old copies */
    assert_null(strstr(after, "run:"));
    assert_string_equal(state_of("config"), "waiting");
    assert_string_equal(state_of("guests"), "ready");
    assert_string_equal(state_of("other"), "ready");
    assert_int_equal(p.svc[idx("daemon")].sup[PLANNER_SUP].state, SUP_REPLACING);
    assert_int_equal(p.svc[idx("user")].sup[PLANNER_SUP].state, SUP_REPLACING);
    /* daemon's old supervisor leaves: a new one starts; config still
     * waits for user's, which restarts after it through step */
    assert_int_equal(planner_child(&p, 51, 0, 0, 110), 1);
    after = take();
    assert_non_null(strstr(after, "launch0"));
    assert_null(strstr(after, "run:"));
    listening("daemon", 61, 111);
    assert_string_equal(state_of("daemon"), "waiting"); /* for config */
    assert_null(strstr(take(), "c1:u"));
    assert_int_equal(planner_child(&p, 54, 0, 0, 120), 1);
    assert_string_equal(take(), "run:up say:running_up launch0");
    assert_string_equal(state_of("config"), "starting");
    assert_string_equal(state_of("step"), "waiting");
    listening("user", 64, 121);
    take();
    /* config done: daemon starts, step runs again; user after step */
    planner_ran(&p, (unsigned int) idx("config"), 300);
    assert_int_equal(planner_child(&p, 300, 0, 0, 130), 1);
    after = take();
    assert_non_null(strstr(after, "say:up_done"));
    assert_non_null(strstr(after, "c0:u"));
    assert_non_null(strstr(after, "run:up"));
    assert_string_equal(state_of("daemon"), "starting");
    assert_string_equal(state_of("step"), "starting");
    assert_string_equal(state_of("user"), "waiting");
    planner_ran(&p, (unsigned int) idx("step"), 301);
    assert_int_equal(planner_child(&p, 301, 0, 0, 140), 1);
    assert_string_equal(state_of("user"), "starting");
    /* guests was never run again, down or up */
    assert_string_equal(state_of("guests"), "ready");
    assert_null(strstr(take(), "run:down"));
    reread_done(next);
}

/* A longrun restarted for a changed variable is as one that crashed: the
 * oneshot after it (guests) is kept, its down never runs. */
static void test_reload_longrun_spreads_nothing(void **state)
{
    int map[8];
    char const *before;
    reset();
    image_shape();
    build(NULL);
    all_running();
    unsigned char uses[] = {0, 1, 0, 0, 0, 0}; /* daemon's listen names the variable */
    struct svtree *next = reread(uses, map, &before);
    assert_string_equal(before, "say:changed retire:1");
    for (unsigned int j = 0; j < 6; j++)
        assert_int_equal(map[j], j == 1 ? -1 : (int) j);
    planner_reload_end(&p, 100);
    take();
    assert_string_equal(state_of("guests"), "ready");
    assert_int_equal(planner_child(&p, 51, 0, 0, 110), 1);
    listening("daemon", 61, 111);
    assert_string_equal(state_of("daemon"), "starting"); /* config was kept: done */
    assert_null(strstr(take(), "run:"));
    reread_done(next);
}

/* A oneshot that runs again with nothing of its dependents running runs
 * at once; a dependent that had not started yet is kept, and waits for
 * it. */
static void test_reload_rerun_alone(void **state)
{
    int map[8];
    char const *before;
    reset();
    image_shape();
    build(NULL);
    all_running();
    /* daemon failed for good (the new tree starts it afresh, as any failed
     * service), step and user had not started */
    p.svc[1].state = PS_FAILED;
    p.svc[1].sup[PLANNER_SUP].state = SUP_NONE;
    p.svc[1].sup[PLANNER_SUP].pid = 0;
    p.svc[3].state = PS_WAITING;
    p.svc[4].state = PS_WAITING;
    p.svc[4].pid = 0;
    unsigned char uses[] = {1, 0, 0, 0, 0, 0};
    struct svtree *next = reread(uses, map, &before);
    assert_string_equal(before, "say:changed retire:0");
    assert_int_equal(map[3], 3); /* step, waiting: kept */
    assert_int_equal(map[4], 4);
    planner_reload_end(&p, 100);
    assert_non_null(strstr(take(), "run:up"));
    assert_string_equal(state_of("step"), "waiting");
    planner_ran(&p, 0, 300);
    planner_child(&p, 300, 0, 0, 110);
    assert_non_null(strstr(take(), "run:up")); /* step, after config */
    reread_done(next);
}

static void test_restart_command_is_not_a_failure(void **state)
{
    reset();
    add("a", SVPARSE_LONGRUN, NULL);
    build(NULL);
    running("a", 100);
    assert_int_equal(planner_command(&p, 0, PC_RESTART, 2), 0);
    assert_string_equal(take(), "c0:r");
    struct planner_status st = down(143);
    planner_status(&p, 0, &st, 3);
    st = up(101, 0);
    planner_status(&p, 0, &st, 1004);
    assert_string_equal(state_of("a"), "ready");
    assert_int_equal(p.svc[0].rs.restarts, 0);
    assert_string_equal(take(), "say:ready");
}

static void test_unseen_run_is_a_death(void **state)
{
    reset();
    add("quick", SVPARSE_LONGRUN, NULL)->restart = SVPARSE_RESTART_ON_FAILURE;
    build(NULL);
    planner_start(&p, 0);
    listening("quick", 50, 0);
    take();
    /* it started and exited 0 between two reads: only the stamp moved */
    struct planner_status st = down(0);
    planner_status(&p, 0, &st, 5);
    assert_string_equal(state_of("quick"), "exited");
    assert_true(planner_healthy(&p)); /* exited cleanly by its policy: done */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_longrun_pair),
        cmocka_unit_test(test_oneshot_pairs),
        cmocka_unit_test(test_every_supervisor_pair),
        cmocka_unit_test(test_zero_services),
        cmocka_unit_test(test_broken_service_and_its_dependent),
        cmocka_unit_test(test_fate_spreads_down_a_chain),
        cmocka_unit_test(test_off_dependency),
        cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_crash_loop),
        cmocka_unit_test(test_essential_gives_up),
        cmocka_unit_test(test_nudge_while_starting),
        cmocka_unit_test(test_sockets_first),
        cmocka_unit_test(test_timeout_up),
        cmocka_unit_test(test_stop_during_start),
        cmocka_unit_test(test_reload_during_stop),
        cmocka_unit_test(test_supervisor_killed_with_daemon_running),
        cmocka_unit_test(test_logger_orphan),
        cmocka_unit_test(test_orphan_already_gone),
        cmocka_unit_test(test_supervisor_cannot_start),
        cmocka_unit_test(test_silent_supervisor),
        cmocka_unit_test(test_supervisor_dies_young_repeatedly),
        cmocka_unit_test(test_oneshot_fork_fails_then_works),
        cmocka_unit_test(test_stop_order),
        cmocka_unit_test(test_launch_pacing),
        cmocka_unit_test(test_reload_diff),
        cmocka_unit_test(test_reload_while_orphaned),
        cmocka_unit_test(test_reload_reruns_oneshot_then_dependents),
        cmocka_unit_test(test_reload_longrun_spreads_nothing),
        cmocka_unit_test(test_reload_rerun_alone),
        cmocka_unit_test(test_restart_command_is_not_a_failure),
        cmocka_unit_test(test_unseen_run_is_a_death),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    reset();
    return r;
}
