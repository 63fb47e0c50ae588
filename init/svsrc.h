/* SPDX-License-Identifier: ISC */
/* svsrc: read and check a service source tree (DESIGN.md, "Service source
 * format"). A fault in one service's directory is reported once, naming the
 * file, and disables that service and what depends on it; the rest runs. */
#ifndef VINIT_SVSRC_H
#define VINIT_SVSRC_H

#include <stdint.h>

#include "graph.h"
#include "svparse.h"

#define SVSRC_MAX      GRAPH_MAX
#define SVSRC_FILE_MAX 65536 /* bytes: a bigger one-value file is a mistake */
#define SVSRC_RLIMITS  16
#define SVSRC_CAPS     64
#define SVSRC_TEXT_MAX 1024 /* env-policy, clean */
#define SVSRC_LISTEN   16   /* sockets of one service */

struct svsrc_service {
    char name[SVPARSE_NAME_MAX + 1];
    char dir[SVPARSE_NAME_MAX + 1]; /* its directory in the tree: the name, or
                                     * the template's for an instance */
    enum svparse_type type;
    unsigned int ndeps;
    char deps[GRAPH_DEPS_MAX][SVPARSE_NAME_MAX + 1];
    int notification_fd; /* -1: none */
    unsigned char notify, essential, has_finish, has_down, has_env_dir, has_log_dir;
    unsigned char notify_all; /* notify-access all: READY=1 from any of its processes */
    unsigned int timeout_up, timeout_down, timeout_kill;       /* ms; 0: none */
    unsigned char has_check;                                   /* a usable check program */
    unsigned char check_report;                                /* check-action report */
    unsigned int check_interval, check_timeout, check_retries; /* 0: the default */
    unsigned int watchdog;          /* ms of sd_notify's watchdog; 0: none */
    int down_signal, reload_signal; /* 0: s6's default */
    enum svparse_restart restart;
    int oom_score_adj, has_oom_score_adj;
    unsigned int nrlimits;
    struct svparse_rlimit rlimits[SVSRC_RLIMITS];
    unsigned int ncaps;
    unsigned char has_caps; /* a capabilities file, even an empty one */
    int caps[SVSRC_CAPS];
    char ready_socket[108];
    char user[72];
    char log_file[256];
    char enabled_if[256];
    char env_policy[SVSRC_TEXT_MAX];  /* "inherit", "clean", or names */
    char clean[SVSRC_TEXT_MAX];       /* globs, one per line */
    char directories[SVSRC_TEXT_MAX]; /* PATH [MODE] [OWNER], one per line */
    char env_secrets[SVSRC_TEXT_MAX]; /* withheld variables it gets, one per line */
    char env_uses[SVSRC_TEXT_MAX];    /* patterns of the variables its programs read (env-uses) */
    char instances[64];               /* an env variable name */
    char listen_text[SVSRC_TEXT_MAX]; /* its listen file, as written */
    unsigned int nlisten;             /* its sockets, once the loader read that (svload) */
    struct svparse_listen listen[SVSRC_LISTEN];
    unsigned char dependents_wait; /* its dependents wait for its readiness, not its sockets */
    uint64_t signature;            /* of the directory's files (names, sizes, times): a reload
                                    * restarts the service when it changes */
    /* after svresolve_order */
    unsigned char faulty;      /* its own directory is wrong */
    unsigned char is_template; /* has instances: never runs itself */
    unsigned char disabled;    /* faulty, or a template: never runs itself */
    int level;                 /* start level; -1 for a template or in a cycle */
};

struct svsrc_tree {
    unsigned int n;
    unsigned int overflow; /* services beyond SVSRC_MAX: the tree is refused */
    struct svsrc_service sv[SVSRC_MAX];
    struct graph graph;
    unsigned short order[SVSRC_MAX]; /* start order; stop is the reverse */
    unsigned int norder;
};

/* How faults are told: service (may be NULL for the tree itself), the file
 * (full path), what is wrong, and the offending text or NULL. */
typedef void svsrc_report_fn(char const *service, char const *path, char const *problem,
                             char const *value, void *arg);

/* Reads every service directory under dir. Returns 0, or -1 with errno when
 * dir itself cannot be read, or (E2BIG, said once) when it holds more than
 * SVSRC_MAX services: never a subset. Every other fault is reported, not
 * returned. */
int svsrc_read(struct svsrc_tree *t, char const *dir, svsrc_report_fn *report, void *arg);

/* Reads one service directory, as the service's own runner does before it
 * execs: 0 when usable, -1 when a fault was reported. */
int svsrc_read_one(struct svsrc_service *sv, char const *name, char const *svdir,
                   svsrc_report_fn *report, void *arg);

/* Does a file of the service's source directory (or of its env/) mention
 * name? Run scripts, env-policy, env-secrets, enabled-if and instances
 * files all say it. Not env-uses: its patterns match whole names. */
int svsrc_mentions(char const *srcdir, struct svsrc_service const *sv, char const *name);

/* Does the service use the variable name? That is how vinit tells which
 * services a changed variable restarts: a file of its directory mentions
 * it (svsrc_mentions), or a pattern of its env-uses file matches it (the
 * variables a program outside the directory reads: a hook its up runs). */
int svsrc_uses(char const *srcdir, struct svsrc_service const *sv, char const *name);

/* Index of the service called name, or -1. */
int svsrc_find(struct svsrc_tree const *t, char const *name);

#endif
