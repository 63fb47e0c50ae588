/* SPDX-License-Identifier: ISC */
/* settings: the command line and the VINIT_* environment, parsed into one
 * plain struct. Pure: no system call, no message; the caller reports. */
#ifndef VINIT_SETTINGS_H
#define VINIT_SETTINGS_H

#include <stddef.h>

/* Finish inside Docker's and podman's default 10 s stop timeout, leaving
 * time for the kernel to tear the container down. */
#define SETTINGS_STOP_TIMEOUT_DEFAULT_MS 8000u
#define SETTINGS_STOP_TIMEOUT_MAX_MS     (24u * 3600u * 1000u)

enum settings_mode { SETTINGS_RUN, SETTINGS_HELP, SETTINGS_VERSION };

struct settings {
    enum settings_mode mode;
    unsigned int stop_timeout_ms;
    unsigned int verbosity;     /* 0 quiet, 1 warnings (default), 2 info, 3 trace */
    char const *const *command; /* main command, NULL-terminated, or NULL */
    char const *services_dir;   /* the service source tree */
    int services_dir_given;     /* set explicitly: it must exist */
    char const *rundir;         /* where the live tree goes */
    int rundir_given;           /* by VINIT_RUNDIR */
    char const *only;           /* VINIT_SERVICES: the services to run, or NULL */
    char const *withhold;       /* VINIT_ENV_WITHHOLD: patterns of variables kept from children */
    int unmount;                /* VINIT_UNMOUNT (not "0"): undo the run's mounts at stop */
    int doctor;                 /* VINIT_DOCTOR (not "0"): preflight checks at start */
};

/* What went wrong, for a message: "invalid value for VINIT_STOP_TIMEOUT: x". */
struct settings_error {
    char const *what;   /* e.g. "invalid value for ", "unknown option " */
    char const *object; /* the option or variable */
    char const *value;  /* the offending text, or NULL */
};

/* Reads envp (VINIT_*) then argv (options win). Returns 0, or -1 with *err
 * filled: a usage error (exit 100). argv[0] is the program name. */
int settings_parse(struct settings *s, int argc, char const *const *argv, char const *const *envp,
                   struct settings_error *err);

/* "8" (seconds), "8s", "1500ms", "2m" -> milliseconds. 0 or -1 (EINVAL/ERANGE). */
int settings_parse_duration(char const *text, unsigned int *ms);

/* The value of NAME in envp, or NULL. */
char const *settings_getenv(char const *const *envp, char const *name);

/* Pure: the runtime directory of a vinit that runs as a user other than
 * root and may not write /run/vinit: /tmp/vinit-UID (the control CLI finds
 * it from PID 1's uid). */
char const *settings_user_rundir(char *buf, size_t size, unsigned long uid);

#endif
