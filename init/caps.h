/* SPDX-License-Identifier: ISC */
/* caps: a service's user and capabilities (libcap-ng). */
#ifndef VINIT_CAPS_H
#define VINIT_CAPS_H

#include <sys/types.h>

/* "user" or "user:group" -> ids (the user's own group without one).
 * 0, or -1 with errno ENOENT and *missing "user" or "group". */
int caps_ids(char const *user, uid_t *uid, gid_t *gid, char const **missing);

/* In a service's runner: becomes user[:group] (when user is not empty) and
 * keeps exactly caps[0..ncaps) in the bounding, permitted, effective,
 * inheritable and ambient sets (when ncaps >= 0; -1 leaves them alone), so
 * that a non-root daemon still holds what it needs across exec.
 * 0, or -1 with *what naming the step that failed (errno set). */
int caps_apply(char const *user, int const *caps, int ncaps, char const **what);

#endif
