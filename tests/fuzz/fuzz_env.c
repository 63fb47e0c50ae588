/* SPDX-License-Identifier: ISC */
/* fuzz_env: the environment policy of init/env.c. The input's first line
 * is a variable name (or an enabled-if condition), the rest is the text it
 * is checked against: an env-policy file (env_policy_keeps), a list of
 * names or of patterns (env_list_has, env_matches), and an environment,
 * one VAR=value a line (env_condition_holds, and env_apply_policy over
 * that environment put in place of the harness's own). */
#include <string.h>

#include "env.h"
#include "fuzz.h"

extern char **environ;

/* What env-policy promises: "" and "inherit" keep all, "clean" none, else
 * the names its lines give, blanks around them aside. */
static int keeps(char const *policy, char const *name, size_t len)
{
    if (!policy[0] || !strcmp(policy, "inherit"))
        return 1;
    if (!strcmp(policy, "clean"))
        return 0;
    for (char const *line = policy; *line;) {
        char const *nl = strchr(line, '\n');
        char const *end = nl ? nl : line + strlen(line);
        while (line < end && (*line == ' ' || *line == '\t'))
            line++;
        while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t) (end - line) == len && !memcmp(line, name, len))
            return 1;
        line = nl ? nl + 1 : end + strlen(end);
    }
    return 0;
}

static void policy(char *name, char *text)
{
    size_t len = strlen(name);
    /* the name as the runner sees it in environ: followed by '=' */
    char *var = malloc(len + 2);
    memcpy(var, name, len);
    strcpy(var + len, "=");
    fuzz_assert(env_policy_keeps(text, var, len) == keeps(text, var, len));
    free(var);
    int internal = env_is_internal(name, len);
    fuzz_assert(internal == ((len > 6 && !strncmp(name, "VINIT_", 6)) ||
                             !strcmp(name, "NOTIFY_SOCKET") || !strcmp(name, "LISTEN_FDS") ||
                             !strcmp(name, "LISTEN_PID") || !strcmp(name, "LISTEN_FDNAMES")));
    int listed = env_list_has(text, name);
    fuzz_assert(listed == 0 || listed == 1);
    int matched = env_matches(text, name, len);
    fuzz_assert(matched == 0 || matched == 1);
    /* a name listed as it is matches itself, unless it holds a pattern's
     * special characters; a long one too */
    if (listed && !strpbrk(name, "*?[\\"))
        fuzz_assert(matched);
}

#define ENV_MAX 64

/* What enabled-if promises: "VAR" holds when VAR is set and not empty,
 * "!VAR" when it is unset or empty (all after the '!' is the name),
 * "VAR=value" when it equals value, "VAR!=value" unless it does; the
 * first VAR= of the environment counts. */
static int holds(char const *cond, char const *const *envp)
{
    if (cond[0] == '!') {
        size_t nlen = strlen(cond + 1);
        for (; *envp; envp++)
            if (!strncmp(*envp, cond + 1, nlen) && (*envp)[nlen] == '=')
                return !(*envp)[nlen + 1];
        return 1;
    }
    char const *eq = strchr(cond, '=');
    int negated = eq && eq > cond && eq[-1] == '!';
    size_t nlen = eq ? (size_t) (eq - cond) - (size_t) negated : strlen(cond);
    if (!cond[0])
        return 1;
    for (; *envp; envp++)
        if (!strncmp(*envp, cond, nlen) && (*envp)[nlen] == '=') {
            char const *value = *envp + nlen + 1;
            return eq ? negated ^ !strcmp(value, eq + 1) : !!value[0];
        }
    return negated;
}

static void condition(char *cond, char *text)
{
    char *envp[ENV_MAX + 1];
    size_t n = 0;
    for (char *line = text, *next; line && n < ENV_MAX; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        envp[n++] = line;
    }
    envp[n] = NULL;
    fuzz_assert(env_condition_holds(cond, (char const *const *) envp) ==
                holds(cond, (char const *const *) envp));
    /* env_apply_policy with the condition's line as the policy, over that
     * environment put in place of the harness's own for the call */
    char *kept[ENV_MAX + 2], *own[ENV_MAX + 1];
    size_t nkept = 0;
    int has_path = 0;
    for (size_t i = 0; i < n; i++)
        if (keeps(cond, envp[i], strcspn(envp[i], "="))) {
            kept[nkept++] = envp[i];
            has_path |= !strncmp(envp[i], "PATH=", 5);
        }
    memcpy(own, envp, sizeof *envp * (n + 1));
    char **saved = environ;
    environ = own;
    fuzz_assert(env_apply_policy(cond) == 0);
    size_t i = 0;
    for (; environ[i]; i++)
        fuzz_assert(i < nkept ? environ[i] == kept[i]
                              : !has_path && i == nkept && !strncmp(environ[i], "PATH=/", 6));
    fuzz_assert(i == nkept + !has_path);
    environ = saved;
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    char *s = fuzz_str(data, size);
    char *nl = strchr(s, '\n');
    char *text = nl ? nl + 1 : s + strlen(s);
    if (nl)
        *nl = 0;
    policy(s, text);
    /* with a spare NUL: glibc's getenv reads two bytes of each variable,
     * even of an empty one, which a real environment always has */
    size_t len = strlen(text);
    char *copy = calloc(1, len + 2);
    memcpy(copy, text, len);
    condition(s, copy);
    free(copy);
    free(s);
    return 0;
}
