/* SPDX-License-Identifier: ISC */
/* svlive: compile a checked service source into a live s6 service
 * directory under the runtime directory. */
#ifndef VINIT_SVLIVE_H
#define VINIT_SVLIVE_H

#include "svtree.h"

/* Makes rundir/services/NAME afresh for service i of t, a longrun:
 * source -> srcdir/DIR (the template's directory for an instance),
 * run and finish -> exe (vinit itself) or the source's own programs,
 * notification-fd, down-signal, timeout-kill, a down file (vinit decides
 * when it starts) and an empty supervise/ (so vinit can watch it before
 * s6-supervise runs). A oneshot's live directory holds only the source
 * link. 0, or -1 with errno and *what naming the file. */
int svlive_make(char const *rundir, char const *srcdir, struct svtree const *t, unsigned int i,
                char const *exe, char *what, size_t whatlen);

/* rundir/services/NAME into buf. 0, or -1 (ENAMETOOLONG). */
int svlive_path(char *buf, size_t len, char const *rundir, char const *name);

/* The runtime directory's layout, in one place:
 *   rundir/services/          the live tree (svlive_root)
 *   rundir/services/NAME      a service's live directory (svlive_path)
 *   rundir/services/NAME/log  its log/ logger's (svlive_logger_path)
 *   rundir/env                the withheld variables (svlive_withheld) */
int svlive_root(char *buf, size_t len, char const *rundir);
int svlive_withheld(char *buf, size_t len, char const *rundir);
/* The same envdir, seen from a live directory (the runner knows no rundir). */
int svlive_withheld_from_live(char *buf, size_t len, char const *live);

/* rundir/services/NAME/log, the live directory of its log/ logger. */
int svlive_logger_path(char *buf, size_t len, char const *rundir, char const *name);

/* Removes a live directory left by an earlier run (a persisted /run). */
int svlive_remove(char const *rundir, char const *name);

#endif
