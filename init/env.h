/* SPDX-License-Identifier: ISC */
/* env: the environment a service starts with: the container's, narrowed by
 * its env-policy, then adjusted by its env/ directory. */
#ifndef VINIT_ENV_H
#define VINIT_ENV_H

#include <stddef.h>

/* Pure: does a variable named name (len bytes) survive the policy text
 * ("inherit", "clean", or one allowed name per line)? */
int env_policy_keeps(char const *policy, char const *name, size_t len);

/* Pure: does enabled-if's "VAR" (set and not empty), "!VAR" (unset or
 * empty), "VAR=value" (equal) or "VAR!=value" (not equal, or unset) hold in
 * envp? An empty condition always holds. */
int env_condition_holds(char const *cond, char const *const *envp);

/* Pure: in replaced by itself with $NAME, ${NAME} and ${NAME:-default}
 * taken from envp (a name unset or empty takes its default; without one it
 * is an error). 0, or -1 with *why. */
int env_expand(char const *in, char *out, size_t len, char const *const *envp, char const **why);

/* Pure: is name in the list (names separated by commas or blanks)? */
int env_list_has(char const *list, char const *name);

/* Pure: does the name (len bytes) match one of the shell patterns in
 * patterns (separated by commas or blanks): "SECRET_* *_TOKEN"? */
int env_matches(char const *patterns, char const *name, size_t len);

/* Pure: a manager's internals or vinit's own settings, which children do
 * not get: NOTIFY_SOCKET, LISTEN_FDS/PID/FDNAMES, VINIT_*. */
int env_is_internal(char const *name, size_t len);

/* A copy of the environment's pointer array as it is now (the strings
 * are shared), for enabled-if and instances to read later. NULL with
 * ENOMEM. free() it. */
char const **env_snapshot(void);

/* PID 1 at start: takes the internals out of the environment its children
 * inherit, and moves the variables matching withhold (VINIT_ENV_WITHHOLD)
 * into dir, an envdir only root reads, from where a service that names
 * them in its env-secrets file gets them. 0, or -1 with errno. */
int env_prepare(char const *withhold, char const *dir);

/* In a service's runner: sets each variable named in names (one per line)
 * from the withheld envdir dir. 0, or -1 with errno (a name that is not
 * there is ENOENT). */
int env_apply_secrets(char const *names, char const *dir, char *missing, size_t len);

/* In a service's runner: drops what the policy does not keep (a clean
 * environment keeps a default PATH). 0, or -1 with errno. */
int env_apply_policy(char const *policy);

/* s6-envdir semantics: each file NAME sets NAME to its first line; an empty
 * file unsets NAME. An entry that is not a regular file (a FIFO) is never
 * opened for long and never read: -1 with EINVAL, the rest applied. 0, or
 * -1 with errno (a missing dir is not an error). */
int env_apply_envdir(char const *dir);

#endif
