/* SPDX-License-Identifier: ISC */
/* svrun: vinit as ./run and ./finish of a live service directory. */
#ifndef VINIT_SVRUN_H
#define VINIT_SVRUN_H

#include "svparse.h"

/* The notification fd a live directory declares for notify and
 * ready-socket services (the bridge writes to it, the daemon never sees it). */
#define SVRUN_NOTIFICATION_FD 3

/* 1 when argv[0] says s6-supervise started us as ./run or ./finish
 * ("run", "finish"). */
int svrun_is_runner(char const *argv0);

/* Never returns on success (execs the service's own program). */
int svrun_main(int argc, char const *const *argv);

/* Pure: the finish decision. 125 tells s6-supervise not to restart. */
int svrun_finish_code(enum svparse_restart policy, int exitcode);

#endif
