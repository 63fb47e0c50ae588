/* SPDX-License-Identifier: ISC */
/* fuzz_settings: settings_parse over an environment and a command line
 * made from the input, and settings_parse_duration over each of its
 * lines. The input's lines up to the first empty one are the environment
 * (VAR=value), the lines after it the arguments after argv[0]. */
#include <string.h>

#include "fuzz.h"
#include "settings.h"

#define ARGS_MAX 64

static void duration(char const *text)
{
    unsigned int ms = 12345;
    if (settings_parse_duration(text, &ms) == 0)
        fuzz_assert(ms <= SETTINGS_STOP_TIMEOUT_MAX_MS && text[0] >= '0' && text[0] <= '9');
    else
        fuzz_assert(ms == 12345); /* untouched on error */
}

static void check(struct settings const *s, int argc, char const *const *argv)
{
    fuzz_assert(s->mode == SETTINGS_RUN || s->mode == SETTINGS_HELP || s->mode == SETTINGS_VERSION);
    fuzz_assert(s->stop_timeout_ms <= SETTINGS_STOP_TIMEOUT_MAX_MS);
    fuzz_assert(s->verbosity <= 3);
    fuzz_assert(s->services_dir && s->services_dir[0] == '/');
    fuzz_assert(s->rundir && s->rundir[0] == '/');
    if (s->command) {
        fuzz_assert(s->command > argv && s->command < argv + argc && *s->command);
        fuzz_assert(!argv[argc]);
    }
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    char *text = fuzz_str(data, size);
    char const *env[ARGS_MAX + 1], *argv[ARGS_MAX + 2] = {"vinit"};
    int nenv = 0, argc = 1, in_env = 1;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        duration(line);
        if (in_env && !*line)
            in_env = 0;
        else if (in_env && nenv < ARGS_MAX)
            env[nenv++] = line;
        else if (!in_env && argc < ARGS_MAX + 1)
            argv[argc++] = line;
    }
    env[nenv] = NULL;
    argv[argc] = NULL;
    struct settings s;
    struct settings_error err = {0};
    if (settings_parse(&s, argc, argv, env, &err) == 0)
        check(&s, argc, argv);
    else {
        /* the message's parts: strings that ASan reads whole */
        fuzz_assert(err.what && err.object);
        fuzz_assert(strlen(err.what) + strlen(err.object) + (err.value ? strlen(err.value) : 0));
    }
    char const *v = settings_getenv(env, "VINIT_STOP_TIMEOUT");
    fuzz_assert(!v || (v > text && v <= text + size && v[-1] == '='));
    free(text);
    return 0;
}
