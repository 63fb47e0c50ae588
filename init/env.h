/* SPDX-License-Identifier: ISC */
/* env: the environment a service starts with: the container's, narrowed by
 * its env-policy, then adjusted by its env/ directory. */
#ifndef VINIT_ENV_H
#define VINIT_ENV_H

#include <stddef.h>

/* Pure: does a variable named name (len bytes) survive the policy text
 * ("inherit", "clean", or one allowed name per line)? */
int env_policy_keeps(char const *policy, char const *name, size_t len);

/* Pure: does enabled-if's "VAR" (set and not empty) or "VAR=value" (equal)
 * hold in envp? An empty condition always holds. */
int env_condition_holds(char const *cond, char const *const *envp);

/* Pure: is name in the list (names separated by commas or blanks)? */
int env_list_has(char const *list, char const *name);

/* In a service's runner: drops what the policy does not keep (a clean
 * environment keeps a default PATH). 0, or -1 with errno. */
int env_apply_policy(char const *policy);

/* s6-envdir semantics: each file NAME sets NAME to its first line; an empty
 * file unsets NAME. 0, or -1 with errno (a missing dir is not an error). */
int env_apply_envdir(char const *dir);

#endif
