/* SPDX-License-Identifier: ISC */
/* svload: reading the service tree, in a child. Reading a tree opens
 * hundreds of files, looks users and groups up through NSS (which may
 * load modules and talk to the network), and needs scratch tables of a few
 * megabytes: not PID 1's work. PID 1 forks a loader, which reads, checks,
 * decides what runs and compiles the tree (svtree), then sends the blob
 * back through a pipe; PID 1 checks the blob and adopts it. The loader's
 * memory dies with it. */
#ifndef VINIT_SVLOAD_H
#define VINIT_SVLOAD_H

#include <stddef.h>
#include <sys/types.h>

#include "svsrc.h"
#include "svtree.h"

#define SVLOAD_BLOB_MAX (256u << 20) /* a bigger blob is not a tree */

struct svload_request {
    char const *srcdir;
    char const *only;        /* VINIT_SERVICES: names to run, or NULL for all */
    char const *const *envp; /* the container's environment, for enabled-if and instances */
    char const *names;       /* vinit env: the names that changed, blank-separated, or NULL */
    int all;                 /* every wanted service counts as using a changed name */
};

/* In this process: reads the tree under r->srcdir, expands templates,
 * resolves dependencies, decides what is wanted, off or broken (with the
 * reason: the first fault reported for it), marks the services that use a
 * changed name, and compiles it into t. Faults go to report as they are
 * found. 0, or -1 with errno when the directory itself cannot be read. */
int svload_read(struct svload_request const *r, struct svtree *t, svsrc_report_fn *report,
                void *arg);

struct svload_job {
    pid_t pid;  /* the loader, 0 when none */
    int fd;     /* the read end of its pipe, -1 when none */
    size_t got; /* bytes of head and blob received */
    unsigned char head[16];
    void *blob;
    size_t size;
};

/* Forks a loader for r: its faults are told on vinit's stderr. 0, or -1
 * with errno (the job is then idle). */
int svload_start(struct svload_job *j, struct svload_request const *r);

/* Takes what the loader has sent so far (the pipe is non-blocking).
 * 1: the tree is complete and t holds it; 0: more is to come; -1: the load
 * failed, errno saying why (the loader's own errno for a directory that
 * cannot be read, EPROTO for a blob that does not hold together, EPIPE for
 * a loader that died). The job is idle again after 1 or -1; the loader's
 * exit is the reaper's business. */
int svload_collect(struct svload_job *j, struct svtree *t);

/* Waits for the whole tree: the first load, before anything runs. */
int svload_wait(struct svload_job *j, struct svtree *t);

/* Drops a job: closes the pipe and kills the loader. */
void svload_cancel(struct svload_job *j);

#endif
