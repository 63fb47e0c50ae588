/* SPDX-License-Identifier: ISC */
/* env: the environment a service starts with: the container's, narrowed by
 * its env-policy, then adjusted by its env/ directory. */
#ifndef VINIT_ENV_H
#define VINIT_ENV_H

#include <stddef.h>

/* The kernel's limit for one string of the environment, NAME=value and its
 * NUL (MAX_ARG_STRLEN: 32 pages of 4 KiB): no longer value can reach a
 * program, nor PID 1. */
#define ENV_STRING_MAX (32 * 4096)

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

/* Pure: does the name (len bytes, any length) match one of the shell
 * patterns in patterns (separated by commas or blanks): "SECRET_* *_TOKEN"?
 * Out of memory for a long name or pattern, it says yes (a variable is
 * rather withheld than given away). */
int env_matches(char const *patterns, char const *name, size_t len);

/* Pure: may vinit write a variable of this name as a file? The shell's
 * name rules (letters, digits and _, not first a digit) and at most
 * NAME_MAX (255) bytes: never a '/', "..", or a name the kernel refuses. */
int env_storable_name(char const *name, size_t len);

/* Pure: a manager's internals or vinit's own settings, which children do
 * not get: NOTIFY_SOCKET, LISTEN_FDS/PID/FDNAMES, VINIT_*. */
int env_is_internal(char const *name, size_t len);

/* A copy of the environment's pointer array as it is now (the strings
 * are shared), for enabled-if and instances to read later. NULL with
 * ENOMEM. free() it. */
char const **env_snapshot(void);

/* PID 1 at start, before it starts any child: moves the variables whose
 * names match withhold (VINIT_ENV_WITHHOLD's patterns; never an internal)
 * out of the environment into the store dir, and overwrites each value
 * where it was with NUL bytes, so that no copy is left in PID 1 (nor in
 * what /proc/1/environ shows). The store is emptied first (what an earlier
 * run left in a persisted /run is never served), made mode 0700, and holds
 * one file NAME per variable, its whole value, mode 0 (only CAP_DAC_OVERRIDE
 * or CAP_DAC_READ_SEARCH reads it), or 0400 when this process has neither;
 * the first of two variables of one name wins, as getenv's. A matching
 * name that is not storable (env_storable_name: ../x_TOKEN, A/B) is never
 * written: it leaves the environment all the same (its value overwritten
 * too), and odd is called with it (len bytes, not NUL-terminated). With
 * withhold NULL, only a store left by an earlier run is removed. It
 * remembers withhold and dir for env_is_withheld and env_withheld_dir.
 * 0, or -1 with errno (the store could not be made or written). */
int env_withhold(char const *withhold, char const *dir, void (*odd)(char const *name, size_t len));

/* What env_withhold took, in this process or the one it was forked from
 * (the loader): does the name match the patterns (never an internal)? */
int env_is_withheld(char const *name, size_t len);
/* Its store, or NULL when env_withhold was not called (vinit doctor). */
char const *env_withheld_dir(void);

/* PID 1, once its helpers started: takes the internals out of the
 * environment its children inherit. */
void env_drop_internals(void);

/* The value of the withheld variable name (len bytes) in the store dir,
 * whole, NUL-terminated, in memory of its own (free it). NULL with errno:
 * ENOENT (not withheld, or not set), EINVAL (not a storable name, or not
 * a regular file), E2BIG (longer than ENV_STRING_MAX), ENOMEM. */
char *env_withheld_value(char const *dir, char const *name, size_t len);

/* The loader: envp, then NAME=value for each variable of the store dir
 * that envp does not set: the environment as it came, for enabled-if,
 * instances and listen. A new array whose added strings are allocated
 * (env_free_merged frees them). NULL with errno. */
char const **env_merge_withheld(char const *const *envp, char const *dir);
void env_free_merged(char const **merged, char const *const *envp);

/* In a service's runner: sets each variable named in names (one per line)
 * from the withheld store dir, each value whole. 0, or -1 with errno as
 * env_withheld_value's, missing naming the variable. */
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
