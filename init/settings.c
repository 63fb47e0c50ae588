/* SPDX-License-Identifier: ISC */
/* settings: turns argv and the VINIT_* variables into struct settings.
 * Options override the environment, so `docker run -e` sets a default for
 * the image and the command line of one run still wins. Nothing here touches
 * the system, which keeps every rule unit-testable. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "settings.h"

char const *settings_getenv(char const *const *envp, char const *name)
{
    size_t len = strlen(name);
    for (; envp && *envp; envp++)
        if (!strncmp(*envp, name, len) && (*envp)[len] == '=')
            return *envp + len + 1;
    return NULL;
}

static int parse_uint(char const *s, unsigned long long *out, char const **end)
{
    unsigned long long n = 0;
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > (ULLONG_MAX - 9) / 10)
            return -1;
        n = n * 10 + (unsigned long long) (*s - '0');
    }
    *out = n;
    *end = s;
    return 0;
}

int settings_parse_duration(char const *text, unsigned int *ms)
{
    static struct {
        char const *suffix;
        unsigned long long factor;
    } const units[] = {{"", 1000}, {"s", 1000}, {"ms", 1}, {"m", 60000}};
    unsigned long long n;
    char const *end;
    if (!text || parse_uint(text, &n, &end) < 0)
        return (errno = EINVAL, -1);
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (strcmp(end, units[i].suffix))
            continue;
        if (n > SETTINGS_STOP_TIMEOUT_MAX_MS / units[i].factor)
            return (errno = ERANGE, -1);
        *ms = (unsigned int) (n * units[i].factor);
        return 0;
    }
    return (errno = EINVAL, -1);
}

static int parse_verbosity(char const *text, unsigned int *v)
{
    unsigned long long n;
    char const *end;
    if (parse_uint(text, &n, &end) < 0 || *end || n > 3)
        return -1;
    *v = (unsigned int) n;
    return 0;
}

static int fail(struct settings_error *err, char const *what, char const *object, char const *value)
{
    err->what = what;
    err->object = object;
    err->value = value;
    return -1;
}

static int from_env(struct settings *s, char const *const *envp, struct settings_error *err)
{
    char const *v = settings_getenv(envp, "VINIT_STOP_TIMEOUT");
    if (v && settings_parse_duration(v, &s->stop_timeout_ms) < 0)
        return fail(err, "invalid duration in ", "VINIT_STOP_TIMEOUT", v);
    v = settings_getenv(envp, "VINIT_VERBOSITY");
    if (v && parse_verbosity(v, &s->verbosity) < 0)
        return fail(err, "invalid value (0 to 3) in ", "VINIT_VERBOSITY", v);
    if ((v = settings_getenv(envp, "VINIT_SERVICES_DIR"))) {
        s->services_dir = v;
        s->services_dir_given = 1;
    }
    if ((v = settings_getenv(envp, "VINIT_RUNDIR")))
        s->rundir = v, s->rundir_given = 1;
    s->only = settings_getenv(envp, "VINIT_SERVICES");
    s->withhold = settings_getenv(envp, "VINIT_ENV_WITHHOLD");
    /* switches that only "0" turns off */
    s->unmount = !((v = settings_getenv(envp, "VINIT_UNMOUNT")) && !strcmp(v, "0"));
    s->doctor = !((v = settings_getenv(envp, "VINIT_DOCTOR")) && !strcmp(v, "0"));
    if (s->services_dir[0] != '/' || s->rundir[0] != '/')
        return fail(err, "not an absolute path in ",
                    s->services_dir[0] != '/' ? "VINIT_SERVICES_DIR" : "VINIT_RUNDIR",
                    s->services_dir[0] != '/' ? s->services_dir : s->rundir);
    return 0;
}

/* An option's value: "--opt=value", "--opt value", "-t value" or "-tvalue". */
static char const *option_value(char const *const *argv, int argc, int *i, size_t namelen)
{
    char const *arg = argv[*i];
    if (arg[1] != '-' && arg[2])
        return arg + 2;
    if (arg[1] == '-' && arg[namelen] == '=')
        return arg + namelen + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

/* Matches "-t", "-t8s", "--stop-timeout" and "--stop-timeout=8s". */
static int is_valued_option(char const *arg, char const *shortopt, char const *longopt)
{
    size_t n = strlen(longopt);
    if (!strncmp(arg, shortopt, 2))
        return 1;
    return !strncmp(arg, longopt, n) && (!arg[n] || arg[n] == '=');
}

static int from_argv(struct settings *s, int argc, char const *const *argv,
                     struct settings_error *err)
{
    int i = 1;
    for (; i < argc; i++) {
        char const *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !a[1])
            break;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            s->mode = SETTINGS_HELP;
        else if (!strcmp(a, "-V") || !strcmp(a, "--version"))
            s->mode = SETTINGS_VERSION;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            s->verbosity = 0;
        else if (a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1))
            s->verbosity += (unsigned int) strlen(a + 1);
        else if (!strcmp(a, "--verbose"))
            s->verbosity++;
        else if (is_valued_option(a, "-t", "--stop-timeout")) {
            char const *v = option_value(argv, argc, &i, sizeof "--stop-timeout" - 1);
            if (!v)
                return fail(err, "missing value for option ", a, NULL);
            if (settings_parse_duration(v, &s->stop_timeout_ms) < 0)
                return fail(err, "invalid duration for option ", "--stop-timeout", v);
        } else if (is_valued_option(a, "-s", "--services-dir")) {
            char const *v = option_value(argv, argc, &i, sizeof "--services-dir" - 1);
            if (!v || v[0] != '/')
                return fail(err, "option needs an absolute path: ", "--services-dir", v);
            s->services_dir = v;
            s->services_dir_given = 1;
        } else
            return fail(err, "unknown option ", a, NULL);
    }
    if (s->verbosity > 3)
        s->verbosity = 3;
    s->command = i < argc ? argv + i : NULL;
    return 0;
}

int settings_parse(struct settings *s, int argc, char const *const *argv, char const *const *envp,
                   struct settings_error *err)
{
    s->mode = SETTINGS_RUN;
    s->stop_timeout_ms = SETTINGS_STOP_TIMEOUT_DEFAULT_MS;
    s->verbosity = 1;
    s->command = NULL;
    s->services_dir = VINIT_SERVICES_DIR;
    s->services_dir_given = 0;
    s->rundir = VINIT_RUNDIR;
    s->rundir_given = 0;
    s->only = NULL;
    s->withhold = NULL;
    if (from_env(s, envp, err) < 0)
        return -1;
    return from_argv(s, argc, argv, err);
}

char const *settings_user_rundir(char *buf, size_t size, unsigned long uid)
{
    snprintf(buf, size, "/tmp/vinit-%lu", uid);
    return buf;
}
