/* SPDX-License-Identifier: ISC */
/* svlive: compile a checked service source into a live s6 service
 * directory under the runtime directory. */
#ifndef VINIT_SVLIVE_H
#define VINIT_SVLIVE_H

#include "svsrc.h"

/* Makes rundir/services/NAME afresh for a longrun: source -> srcdir/DIR (the
 * template's directory for an instance),
 * run and finish -> exe (vinit itself), notification-fd, down-signal,
 * timeout-kill, timeout-finish, a down file (vinit decides when it starts)
 * and an empty supervise/ (so vinit can watch it before s6-supervise runs).
 * A oneshot's live directory holds only the source link.
 * 0, or -1 with errno and *what naming the file. */
int svlive_make(char const *rundir, char const *srcdir, struct svsrc_service const *sv,
                char const *exe, char *what, size_t whatlen);

/* Does the service need vinit as its runner (environment policy, envdir,
 * user, capabilities, limits, OOM score, readiness bridge, instance, a
 * restart policy other than always)? Without, its live run is the source's
 * run itself. */
int svlive_needs_runner(struct svsrc_service const *sv);

/* rundir/services/NAME into buf. 0, or -1 (ENAMETOOLONG). */
int svlive_path(char *buf, size_t len, char const *rundir, char const *name);

/* Removes a live directory left by an earlier run (a persisted /run). */
int svlive_remove(char const *rundir, char const *name);

#endif
