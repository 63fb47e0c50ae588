/* SPDX-License-Identifier: ISC */
/* supervise: the live service tree on s6. One s6-supervise per longrun,
 * started by vinit (it plays s6-svscan's part), oneshots run by vinit
 * itself; readiness and deaths come from the supervise/status file. The
 * decisions are the planner's (planner.h); this is its adapter. */
#ifndef VINIT_SUPERVISE_H
#define VINIT_SUPERVISE_H

#include <stdint.h>
#include <sys/types.h>

#include <skalibs/iopause.h>

#include "planner.h"
#include "svsrc.h"

/* A service's state, as vinit status names it (the planner's). */
enum supervise_state {
    SUPERVISE_OFF = PS_OFF,
    SUPERVISE_BROKEN = PS_BROKEN,
    SUPERVISE_WAITING = PS_WAITING,
    SUPERVISE_STARTING = PS_STARTING,
    SUPERVISE_READY = PS_READY,
    SUPERVISE_BACKOFF = PS_BACKOFF,
    SUPERVISE_RESTARTING = PS_RESTARTING,
    SUPERVISE_FAILED = PS_FAILED,
    SUPERVISE_EXITED = PS_EXITED,
    SUPERVISE_STOPPING = PS_STOPPING,
    SUPERVISE_STOPPED = PS_STOPPED,
};

struct supervise_config {
    char const *srcdir; /* the source tree */
    char const *rundir; /* /run/vinit */
    char const *exe;    /* vinit's own path, for the live run links */
    char const *only;   /* VINIT_SERVICES: names to run, or NULL for all */
    char const *const *envp;
    unsigned int verbosity;
};

/* Reads, checks and compiles the tree, in a loader child (svload.h), and
 * waits for it. Returns how many services are wanted, or -1 with errno
 * when the tree cannot be read at all. */
int supervise_load(struct supervise_config const *c);

/* Starts the supervisors and the services without dependencies. */
void supervise_start(uint64_t now);

/* The fds to watch, appended at x; returns how many. */
unsigned int supervise_pollfds(iopause_fd *x, unsigned int max);
/* After iopause: handle what those fds said. */
void supervise_io(iopause_fd const *x, unsigned int n, uint64_t now);
/* A child of vinit died: a supervisor or a oneshot's program. */
void supervise_child(pid_t pid, int wstatus, uint64_t now);
/* Timers: restarts, timeout-up, timeout-down. */
void supervise_tick(uint64_t now);
/* ms until supervise_tick has something to do; -1 for nothing. */
int64_t supervise_wait_ms(uint64_t now);

/* No service is waiting or starting any more (one whose supervisor or up
 * keeps failing to start, or waits for one that does, counts as settled). */
int supervise_settled(void);
/* An essential service failed for good: 1 and its exit code. */
int supervise_essential_failed(int *code);

/* SIGHUP: reads the tree again, in a loader child, without waiting for it:
 * when the tree is in, added services start, removed ones stop, changed
 * ones (any file of their directory) restart, the rest are left alone. A
 * tree that cannot be read leaves everything as it was. A reload asked
 * while one is being read is done once more after it. 0, or -1 when the
 * loader cannot be started (said). */
int supervise_reload(uint64_t now);

/* vinit env: the container's environment changed (envp is the new one;
 * names, separated by blanks, were set or unset). A reload in which every
 * running service that uses one of them (svsrc_mentions) restarts,
 * through a new supervisor so that it inherits the new environment;
 * enabled-if and instances are evaluated again. 0, or -1 as reload. */
int supervise_env_changed(char const *const *envp, char const *names, uint64_t now);

/* Brings every service down in reverse dependency order, before deadline
 * (the global SIGKILL): a oneshot's down learns its share of what is left
 * as STOP_BUDGET_MS. */
void supervise_stop(uint64_t now, uint64_t deadline);
/* Every service is down. */
int supervise_stopped(void);

/* For status: the number of services and the state of each. */
struct supervise_info {
    char const *name;
    int state;      /* enum planner_state */
    pid_t pid;      /* the daemon's, in vinit's pid namespace; 0 when down */
    uint64_t since; /* ms (vinit's clock) when the state was entered */
    int ready;
    unsigned int restarts;
    int crash_loop;
    int last_exit;         /* -1 when it never exited */
    int wanted;            /* not off */
    int done;              /* ready, or ended cleanly and kept down by its restart policy */
    char const *reason;    /* why it is broken or failed, or NULL */
    unsigned int nsockets; /* its listen sockets, held by vinit */
    char const *sockets[SVSRC_LISTEN]; /* each as its listen line says it */
    char const *health;                /* its check's word (health_word), NULL: no check runs */
    uint64_t health_last;              /* ms (vinit's clock) when its last check ended; 0: none */
    unsigned int health_failures;      /* failed checks in a row */
    char const *health_line;           /* the last line its last check said ("" none) */
};
unsigned int supervise_count(void);
void supervise_info(unsigned int i, struct supervise_info *out);
char const *supervise_state_name(int state);
/* Every wanted service is ready (a oneshot: its up succeeded), and none
 * is unhealthy by its check. */
int supervise_healthy(void);
/* No essential service failed for good (vinit health --live). */
int supervise_live(void);
int supervise_essential(unsigned int i);

/* vinit start|stop|restart|reload NAME. 0, or -1 with errno (ENOENT: no
 * such service running here; EINVAL: not for this kind of service). */
int supervise_command(char const *name, char const *op, uint64_t now);

#endif
