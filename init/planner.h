/* SPDX-License-Identifier: ISC */
/* planner: the service core's decisions, pure. It holds the state of each
 * service of a tree and of each service's supervisors, takes events (what
 * s6-supervise's status said, a child's exit, the time, a command, the
 * stop, a reload) with the time passed in, and answers with actions (start
 * a supervisor, write a control command, run a oneshot, kill an orphan,
 * say something) for the adapter (supervise.c) to perform. It makes no
 * system call. Two explicit state x event tables drive it: one for the
 * service, one for its supervisor (s6-supervise, and its log/ logger's). */
#ifndef VINIT_PLANNER_H
#define VINIT_PLANNER_H

#include <stdint.h>
#include <sys/types.h>

#include "restart.h"
#include "svtree.h"

enum planner_state {
    PS_OFF,        /* not wanted here (VINIT_SERVICES, enabled-if, a dependency off) */
    PS_BROKEN,     /* its definition was refused, or a dependency's was */
    PS_WAITING,    /* for its dependencies, or for its supervisor */
    PS_STARTING,   /* asked up, not ready yet */
    PS_READY,      /* up and ready (a oneshot: its up succeeded) */
    PS_BACKOFF,    /* died; held down until the back-off ends */
    PS_RESTARTING, /* vinit restart: the death that comes is asked for */
    PS_FAILED,     /* down for good */
    PS_EXITED,     /* ended cleanly, and its restart policy keeps it down */
    PS_STOPPING,   /* asked down */
    PS_STOPPED,    /* down, as asked */
    PS_NSTATES
};

enum planner_event {
    PE_GO,       /* its dependencies are done and its supervisor listens */
    PE_DEP_DEAD, /* a dependency is off, broken or failed */
    PE_UP,       /* a run began (a new pid) */
    PE_READY,    /* the run is ready */
    PE_DOWN,     /* the run ended */
    PE_DONE,     /* a oneshot's up or down ended */
    PE_TIMER,    /* its deadline passed */
    PE_START,    /* vinit start */
    PE_STOP,     /* vinit stop */
    PE_RESTART,  /* vinit restart */
    PE_SHUTDOWN, /* the stop reached it: nothing running depends on it */
    PE_SUP_LOST, /* its supervisor died */
    PE_NEVENTS
};

/* A supervisor: s6-supervise of the service (slot 0) or of its log/
 * logger (slot 1). */
enum planner_sup_state {
    SUP_NONE,      /* none needed, or it left as told */
    SUP_QUEUED,    /* to be started when the launch pacing allows */
    SUP_LAUNCHING, /* started, its first status not seen yet */
    SUP_LISTENING, /* it takes commands */
    SUP_EXITING,   /* told to leave (x) */
    SUP_ORPHANED,  /* died, leaving its child running: stopping that first */
    SUP_RESPAWN,   /* died or could not start: a new one at the deadline */
    SUP_REPLACING, /* reload: the old supervisor of the same name must go first */
    SUP_NSTATES
};

enum planner_sup_event {
    SE_LAUNCH,       /* the pacing lets it start */
    SE_SPAWN_FAILED, /* the adapter could not start it (fork, live directory) */
    SE_STATUS,       /* it wrote its first status */
    SE_DIED,         /* its process ended */
    SE_ORPHAN_GONE,  /* the child it left is gone */
    SE_TIMER,        /* its deadline passed */
    SE_SHUTDOWN,     /* the container stops */
    SE_OLD_GONE,     /* the supervisor it replaces has exited */
    SE_NEVENTS
};

#define PLANNER_SUP    0
#define PLANNER_LOGGER 1

/* Time limits of the supervisors' own recovery. */
#define PLANNER_LAUNCH_AHEAD       2     /* supervisors coming up at once, ahead of need */
#define PLANNER_LAUNCH_PATIENCE_MS 200   /* one silent this long no longer holds others */
#define PLANNER_RESPAWN_MIN_MS     100   /* a supervisor that died young: first wait */
#define PLANNER_RESPAWN_MAX_MS     10000 /* ...doubling up to this */
#define PLANNER_RESPAWN_HEALTHY_MS 10000 /* one that listened this long restarts at once */
#define PLANNER_ORPHAN_TERM_MS     3000  /* an orphan's SIGTERM, then SIGKILL */
#define PLANNER_SILENT_MS          5000  /* a new supervisor's first status, at the latest */
#define PLANNER_NUDGE_MIN_MS       2000  /* a longrun not ready yet is asked again... */
#define PLANNER_NUDGE_MAX_MS       10000 /* ...the waits doubling up to this */
#define PLANNER_RETRY_MIN_MS       100   /* a oneshot that could not be forked */
#define PLANNER_RETRY_MAX_MS       10000

struct planner_sup {
    uint8_t state;     /* enum planner_sup_state */
    uint8_t failing;   /* a failure was said: say nothing more until it works */
    uint8_t lived;     /* it reached SUP_LISTENING at least once */
    uint8_t make_live; /* its live directory is to be made (again) before it starts */
    uint8_t told;      /* SUP_LAUNCHING past PLANNER_SILENT_MS: it was told to go */
    pid_t pid;         /* its process, or 0 */
    pid_t orphan;      /* SUP_ORPHANED: the child it left */
    pid_t old;         /* SUP_REPLACING: the old supervisor */
    unsigned int failures;
    uint64_t deadline; /* SUP_RESPAWN, SUP_ORPHANED; 0: none */
    uint64_t since;    /* when it was started or began listening */
};

struct planner_svc {
    uint8_t state; /* enum planner_state */
    uint8_t why;   /* PM_* of the reason it is broken, off or failed; 0: none */
    int why_arg;   /* the dependency's index, or an exit code */
    pid_t pid;     /* the daemon's (longrun), from the status; 0: none seen */
    pid_t child;   /* a oneshot's running up or down */
    uint64_t since;
    uint64_t deadline;    /* of the state: timeout-up, back-off, timeout-down, retry */
    uint64_t nudge_at;    /* starting or restarting: when its supervisor is asked again */
    int exitcode;         /* of its last end, 128+n for a signal; -1: never ended */
    unsigned int retries; /* oneshot forks that failed in a row */
    uint8_t sockets;      /* its listen sockets are bound: its dependents may go */
    uint8_t rerun;        /* reload: a oneshot to run again once what restarts after it left */
    uint8_t after;        /* reload: restarted after a dependency (a oneshot) that runs again */
    struct restart_state rs;
    struct planner_sup sup[2];
};

/* What a status read of s6-supervise said, for the planner. */
struct planner_status {
    int up;        /* a process runs and is not finishing */
    pid_t pid;     /* its pid when up */
    int ready;     /* s6 marked it ready */
    int code;      /* when down: its exit code, 128+n for a signal */
    int new_stamp; /* the status stamp moved since the last read */
};

enum planner_act_kind {
    PA_LAUNCH,  /* start the supervisor (which): for slot 0, make the live directory first */
    PA_CONTROL, /* write cmd to the supervisor's control (which) */
    PA_RUN,     /* run the oneshot's role (cmd "up" or "down"), a = STOP_BUDGET_MS */
    PA_KILL,    /* kill(pid, a) */
    PA_RETIRE,  /* reload: the service leaves the old tree: close what it holds */
    PA_SAY,     /* msg, with a and b */
};

/* Messages, said by the adapter (supervise.c) from its table. */
enum planner_msg {
    PM_NONE,
    PM_STARTING,      /* info */
    PM_READY,         /* info */
    PM_RUNNING_UP,    /* info */
    PM_UP_DONE,       /* info */
    PM_RUNNING_DOWN,  /* info */
    PM_STOPPING,      /* info */
    PM_DEP_OFF,       /* b: the dependency */
    PM_DEP_BROKEN,    /* b: the dependency */
    PM_DEP_FAILED,    /* b: the dependency, a: its state */
    PM_BROKEN,        /* its own definition: the tree's reason */
    PM_NOT_RESTARTED, /* a: code */
    PM_CRASH_LOOP,    /* a: retry period, ms */
    PM_RESTARTING_IN, /* a: code, b: ms */
    PM_ESSENTIAL,     /* a: code */
    PM_UP_FAILED,     /* a: code */
    PM_TIMEOUT_UP,    /* */
    PM_TIMEOUT_DOWN,  /* */
    PM_SUP_DIED,      /* which; a: the orphan's pid or 0 */
    PM_SUP_FAILING,   /* which; a: errno (0: it died young), b: ms */
    PM_SUP_BACK,      /* which */
    PM_SUP_SILENT,    /* which; a: ms */
    PM_RUN_FAILING,   /* a: errno, b: ms */
    PM_SOCKET,        /* a: which of its sockets could not be had */
    PM_ADDED,         /* */
    PM_CHANGED,       /* */
    PM_REMOVED,       /* */
    PM_AFTER,         /* b: the oneshot that runs again, which it restarts after */
    PM_NMSGS
};

struct planner_act {
    uint8_t kind;  /* enum planner_act_kind */
    uint8_t which; /* PLANNER_SUP or PLANNER_LOGGER */
    uint8_t msg;   /* PA_SAY: enum planner_msg */
    char cmd[5];   /* PA_CONTROL, PA_RUN */
    unsigned int svc;
    pid_t pid; /* PA_KILL */
    int a, b;
};

enum planner_cmd { PC_START, PC_STOP, PC_RESTART };

struct planner {
    struct svtree const *tree;
    struct planner_svc *svc; /* tree->n of them */
    uint32_t *count;         /* tree->n: scratch for the stop order and queries */
    int shutting_down;
    uint64_t stop_deadline;
    int essential_code; /* of an essential service that failed for good, or -1 */
    /* the actions of the calls since the adapter last took them */
    struct planner_act *act;
    unsigned int nact, taken, maxact;
    unsigned long lost; /* actions that found no room (a bug if ever non-zero) */
    /* a reload between its begin and its end */
    struct svtree const *next;
    struct planner_svc *next_svc;
    uint32_t *next_count;
    struct planner_act *next_act;
    unsigned int next_maxact;
};

/* Sets p up for t (tables sized for t, every service as the load decided:
 * off, broken or waiting). 0, or -1 (ENOMEM): p is untouched then. */
int planner_init(struct planner *p, struct svtree const *t);
void planner_free(struct planner *p);

/* The adapter bound service i's listen sockets, could not for now (no
 * fd, no memory: it will try again), or was refused (socket k of its list:
 * a taken port, a file in the way): it fails then, with the reason. Before
 * planner_start, or between planner_reload_begin and _end for the new tree
 * (next: 1), or later. A service with sockets never goes without them; once
 * they listen it satisfies its dependents at once, unless it says
 * dependents-wait. */
enum planner_listen { PL_BOUND, PL_NOT_YET, PL_REFUSED };
void planner_listening(struct planner *p, unsigned int i, int next, enum planner_listen how, int k,
                       uint64_t now);

/* The run begins: supervisors are queued and launched, services without
 * dependencies go, dependents of off or broken services are told why. */
void planner_start(struct planner *p, uint64_t now);

/* What the adapter saw. */
void planner_status(struct planner *p, unsigned int i, struct planner_status const *st,
                    uint64_t now);
/* A supervisor ended; orphan: the pid its status last named as running
 * (the adapter reads it), or 0. */
void planner_sup_died(struct planner *p, unsigned int i, unsigned int which, pid_t orphan,
                      uint64_t now);
/* Is pid a supervisor's? Then *i and *which say whose. */
int planner_find_sup(struct planner const *p, pid_t pid, unsigned int *i, unsigned int *which);
/* Any other child of vinit ended (a oneshot's program, an orphan, an old
 * supervisor of a reload): code is its exit code (128+n for a signal),
 * signaled says it was killed. Returns 1 when the pid was the planner's. */
int planner_child(struct planner *p, pid_t pid, int code, int signaled, uint64_t now);
/* The adapter's part of PA_LAUNCH / PA_RUN: it worked (pid) or not (err). */
void planner_launched(struct planner *p, unsigned int i, unsigned int which, pid_t pid,
                      uint64_t now);
void planner_launch_failed(struct planner *p, unsigned int i, unsigned int which, int err,
                           uint64_t now);
void planner_ran(struct planner *p, unsigned int i, pid_t pid);
void planner_run_failed(struct planner *p, unsigned int i, int err, uint64_t now);
/* A kill found no such process: for an orphan, as good as gone. */
void planner_no_such(struct planner *p, pid_t pid, uint64_t now);

/* Timers. */
void planner_tick(struct planner *p, uint64_t now);
/* ms until planner_tick has something to do; -1: nothing. */
int64_t planner_wait_ms(struct planner const *p, uint64_t now);

/* vinit start|stop|restart. 0, or -1 with errno: ENOENT (not running
 * here, or stopping), EINVAL (stop or restart of a oneshot). */
int planner_command(struct planner *p, unsigned int i, enum planner_cmd cmd, uint64_t now);

/* The stop: every service down in reverse dependency order before
 * deadline (the global SIGKILL). */
void planner_shutdown(struct planner *p, uint64_t now, uint64_t deadline);

/* A reload, in two steps around the adapter's own swap. begin compares
 * next with the running tree: a service that is in both, runs, and has
 * the same type, dependencies and signature, and does not use a changed
 * name (next->sv[j].uses), is kept as it is; map[j] is then its old
 * index, else -1. A oneshot that changed and whose up ran runs up again
 * (not its down), and the services that depend on it and ran restart
 * after it; through those that are oneshots themselves, theirs too; a
 * restarted longrun's dependents keep running (as after a crash). Such a
 * oneshot's up waits until the old copies of what restarts after it have
 * stopped. Services that leave the tree (removed, changed or restarted
 * after a oneshot) get PA_RETIRE, with old indexes. 0, or -1 (ENOMEM, or
 * stopping): nothing changed. end makes next the planner's tree and
 * starts what is new. */
int planner_reload_begin(struct planner *p, struct svtree const *next, int *map, uint64_t now);
void planner_reload_end(struct planner *p, uint64_t now);

/* Queries. */
int planner_settled(struct planner const *p);
int planner_stopped(struct planner const *p);
int planner_healthy(struct planner const *p);
int planner_done(struct planner const *p, unsigned int i); /* ready, or exited cleanly */
char const *planner_state_name(enum planner_state s);
char const *planner_sup_state_name(enum planner_sup_state s);

/* For the unit tests: one event straight into a table, as the public calls
 * above do after they have decided which (arg: the exit code for PE_DOWN
 * and PE_DONE, the dependency for PE_DEP_DEAD, the orphan for SE_DIED, the
 * errno for SE_SPAWN_FAILED). Nothing else runs after it. */
void planner_event(struct planner *p, unsigned int i, enum planner_event ev, int arg, uint64_t now);
void planner_sup_event(struct planner *p, unsigned int i, unsigned int which,
                       enum planner_sup_event ev, int arg, uint64_t now);

/* The adapter takes the actions: the next one, or NULL when none is left
 * (the list is emptied then). Actions a call of the adapter's adds while
 * it works through the list come after, in order. */
struct planner_act const *planner_next_act(struct planner *p);

#endif
