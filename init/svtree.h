/* SPDX-License-Identifier: ISC */
/* svtree: the service tree as PID 1 holds it. One allocation per tree:
 * fixed-size entries, the dependencies as indexes, every string in one
 * arena, all addressed by offsets so that the tree travels as one blob
 * from the child that read it (svload) to PID 1. A reload swaps two
 * pointers. The full source of a service (struct svsrc_service, 8 KiB
 * each) never lives in PID 1. */
#ifndef VINIT_SVTREE_H
#define VINIT_SVTREE_H

#include <stddef.h>
#include <stdint.h>

#include "svsrc.h"

/* What the load decided for a service. */
enum svtree_load {
    SVTREE_WANTED, /* to run here */
    SVTREE_OFF,    /* not wanted: VINIT_SERVICES, enabled-if, or a template */
    SVTREE_BROKEN, /* its definition was refused: reason says why */
};

/* A socket vinit binds and hands the service (its listen file). */
struct svtree_listen {
    uint32_t where, name; /* offsets: the path, address or manager's fd name; LISTEN_FDNAMES */
    uint32_t from;        /* offset: fd=, the manager's socket taken when passed; "" */
    int32_t uid, gid;     /* unix: the owner of the socket file; -1: vinit's */
    int32_t fd;           /* fd:N: N; -1 */
    uint32_t port;
    uint16_t mode;
    uint8_t kind; /* enum svparse_listen_kind */
    uint8_t pad;
};

struct svtree_service {
    uint32_t name, dir, log_file, reason; /* offsets into strings ("" at 0) */
    uint32_t dep0;                        /* its dependencies: deps[dep0 .. dep0+ndeps) */
    uint32_t ndeps;
    uint32_t listen0, nlisten; /* its sockets: listens[listen0 .. listen0+nlisten) */
    uint32_t timeout_up, timeout_down, timeout_kill;       /* ms; 0: none */
    uint32_t check_interval, check_timeout, check_retries; /* its check's (the defaults filled) */
    uint64_t signature;      /* of its source files: a reload restarts it when it changes */
    int16_t notification_fd; /* for the live directory; -1: none */
    int16_t down_signal, reload_signal;
    uint8_t type;    /* enum svparse_type */
    uint8_t restart; /* enum svparse_restart */
    uint8_t load;    /* enum svtree_load */
    uint8_t essential, has_finish, has_down, has_log_dir;
    uint8_t needs_runner;    /* its live run is vinit's runner */
    uint8_t readiness;       /* it says when it is ready (notify, fd, socket) */
    uint8_t uses;            /* it mentions a name of the reload's list */
    uint8_t dependents_wait; /* its dependents wait for its readiness, not its sockets */
    uint8_t has_check;       /* a check program runs while it is ready */
    uint8_t check_report;    /* check-action report: unhealthy is said, not restarted */
};

struct svtree {
    uint32_t n, ndeps, norder, nlistens, nstrings;
    struct svtree_service *sv;
    uint32_t *deps;  /* indexes into sv */
    uint32_t *order; /* start order of the wanted services; stop is the reverse */
    struct svtree_listen *listens;
    char *strings;
    void *blob; /* the one allocation that holds all of the above */
    size_t size;
};

static inline char const *svtree_str(struct svtree const *t, uint32_t off)
{
    return t->strings + off;
}
static inline char const *svtree_name(struct svtree const *t, unsigned int i)
{
    return t->strings + t->sv[i].name;
}

/* Builds the compact tree from a read, expanded and resolved source tree.
 * load[i] and reason[i] (NULL: none) say what the load decided for each;
 * uses[i] marks the services that mention a changed name. 0, or -1 with
 * errno (ENOMEM). */
int svtree_build(struct svtree *t, struct svsrc_tree const *src, unsigned char const *load,
                 char const *const *reason, unsigned char const *uses);

/* Takes a blob received from the loader: checks every count and offset
 * (a blob that does not hold together is refused, EPROTO) and sets the
 * pointers. The tree owns blob afterwards (freed by svtree_free). */
int svtree_adopt(struct svtree *t, void *blob, size_t size);

void svtree_free(struct svtree *t);

/* Index of the service called name, or -1. */
int svtree_find(struct svtree const *t, char const *name);

/* Do a's service i and b's service j have the same sockets, to the letter? */
int svtree_same_listens(struct svtree const *a, unsigned int i, struct svtree const *b,
                        unsigned int j);

/* Is socket k of a's service i the same address as socket m of b's j (the
 * same path, or address and port, or manager's fd): one fd serves both? */
int svtree_same_address(struct svtree const *a, uint32_t k, struct svtree const *b, uint32_t m);

/* Do a and b depend on the same services, by name? */
int svtree_same_deps(struct svtree const *a, unsigned int i, struct svtree const *b,
                     unsigned int j);

#endif
