/* SPDX-License-Identifier: ISC */
/* env: environment policy for services. By default a service gets the
 * container's environment (what `docker run -e` gave PID 1), unlike systemd
 * which starts services with an empty one. These run in the service's
 * runner, after fork, so they may allocate. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "svparse.h"

#define ENV_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

extern char **environ;

int env_policy_keeps(char const *policy, char const *name, size_t len)
{
    if (!policy[0] || !strcmp(policy, "inherit"))
        return 1;
    if (!strcmp(policy, "clean"))
        return 0;
    for (char const *p = policy; *p;) {
        size_t n = strcspn(p, "\n");
        char const *w = p + strspn(p, " \t");
        size_t wl = n - (size_t) (w - p);
        while (wl && (w[wl - 1] == ' ' || w[wl - 1] == '\t'))
            wl--;
        if (wl == len && !strncmp(w, name, len))
            return 1;
        p += n + (p[n] == '\n');
    }
    return 0;
}

static char const *lookup(char const *name, size_t len, char const *const *envp)
{
    for (; envp && *envp; envp++)
        if (!strncmp(*envp, name, len) && (*envp)[len] == '=')
            return *envp + len + 1;
    return NULL;
}

int env_condition_holds(char const *cond, char const *const *envp)
{
    if (!cond[0])
        return 1;
    /* !VAR: unset or empty */
    if (cond[0] == '!') {
        char const *v = lookup(cond + 1, strlen(cond + 1), envp);
        return !v || !v[0];
    }
    char const *eq = strchr(cond, '=');
    /* VAR!=value: on unless VAR says otherwise (a switch that defaults on) */
    int negated = eq && eq > cond && eq[-1] == '!';
    size_t nlen = eq ? (size_t) (eq - cond) - (size_t) negated : strlen(cond);
    char const *value = lookup(cond, nlen, envp);
    if (!value)
        return negated;
    if (!eq)
        return value[0] != 0;
    return negated ^ !strcmp(value, eq + 1);
}

int env_expand(char const *in, char *out, size_t len, char const *const *envp, char const **why)
{
    size_t o = 0;
    while (*in) {
        char const *value = NULL, *name = in + 1, *dflt = NULL;
        size_t nlen = 0, dlen = 0, used = 1;
        if (*in != '$') {
            if (o + 1 >= len)
                return (*why = "too long once expanded", -1);
            out[o++] = *in++;
            continue;
        }
        if (in[1] == '{') { /* ${NAME} or ${NAME:-default} */
            char const *end = strchr(in, '}');
            name = in + 2;
            if (!end)
                return (*why = "${ without its }", -1);
            char const *dash = strstr(name, ":-");
            nlen = (size_t) ((dash && dash < end ? dash : end) - name);
            if (dash && dash < end) {
                dflt = dash + 2;
                dlen = (size_t) (end - dflt);
            }
            used = (size_t) (end - in) + 1;
        } else {
            while (name[nlen] == '_' || (name[nlen] >= 'A' && name[nlen] <= 'Z') ||
                   (name[nlen] >= 'a' && name[nlen] <= 'z') ||
                   (nlen && name[nlen] >= '0' && name[nlen] <= '9'))
                nlen++;
            used = nlen + 1;
        }
        if (!svparse_env_name(name, nlen))
            return (*why = "$ not followed by a variable name", -1);
        value = lookup(name, nlen, envp);
        if (!value || !*value) {
            if (!dflt)
                return (*why = "a variable it names is not set", -1);
            value = dflt;
        } else
            dlen = strlen(value);
        if (o + dlen >= len)
            return (*why = "too long once expanded", -1);
        memcpy(out + o, value, dlen);
        o += dlen;
        in += used;
    }
    out[o] = 0;
    return 0;
}

int env_list_has(char const *list, char const *name)
{
    size_t len = strlen(name), n;
    for (char const *p = list; (n = svparse_word(&p)); p += n)
        if (n == len && !strncmp(p, name, len))
            return 1;
    return 0;
}

int env_apply_policy(char const *policy)
{
    size_t kept = 0;
    for (size_t i = 0; environ[i]; i++) {
        char const *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t) (eq - environ[i]) : strlen(environ[i]);
        if (env_policy_keeps(policy, environ[i], len))
            environ[kept++] = environ[i];
    }
    environ[kept] = NULL;
    if (!getenv("PATH") && setenv("PATH", ENV_DEFAULT_PATH, 1) < 0)
        return -1;
    return 0;
}

static int apply_file(int dirfd, char const *name)
{
    char value[4096];
    struct stat st;
    /* never blocks: a FIFO (or a device) here is not a value */
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return (errno = EINVAL, -1);
    }
    ssize_t r = read(fd, value, sizeof value - 1);
    close(fd);
    if (r < 0)
        return -1;
    if (!r)
        return unsetenv(name);
    value[r] = 0;
    value[strcspn(value, "\n")] = 0; /* the first line, as s6-envdir */
    return setenv(name, value, 1);
}

int env_apply_envdir(char const *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int r = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && !strchr(e->d_name, '=') && apply_file(dirfd(d), e->d_name) < 0)
            r = -1;
    closedir(d);
    return r;
}

int env_matches(char const *patterns, char const *name, size_t len)
{
    char n[256], pat[256];
    if (!patterns || len >= sizeof n)
        return 0;
    memcpy(n, name, len);
    n[len] = 0;
    size_t k;
    for (char const *p = patterns; (k = svparse_word(&p)); p += k) {
        if (k >= sizeof pat)
            continue;
        memcpy(pat, p, k);
        pat[k] = 0;
        if (!fnmatch(pat, n, 0))
            return 1;
    }
    return 0;
}

char const **env_snapshot(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char const **copy = calloc(n + 1, sizeof *copy);
    if (copy)
        memcpy(copy, environ, n * sizeof *copy);
    return copy;
}

int env_is_internal(char const *name, size_t len)
{
    static char const *const exact[] = {"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID",
                                        "LISTEN_FDNAMES"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (strlen(exact[i]) == len && !strncmp(name, exact[i], len))
            return 1;
    return len > 6 && !strncmp(name, "VINIT_", 6);
}

static int stash(char const *dir, char const *var, size_t nlen)
{
    char path[4096];
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -1;
    if (snprintf(path, sizeof path, "%s/%.*s", dir, (int) nlen, var) >= (int) sizeof path)
        return (errno = ENAMETOOLONG, -1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    char const *value = var + nlen + 1;
    size_t vlen = strlen(value);
    ssize_t r = write(fd, value, vlen);
    close(fd);
    return r == (ssize_t) vlen ? 0 : -1;
}

int env_prepare(char const *withhold, char const *dir)
{
    size_t kept = 0;
    int r = 0;
    for (size_t i = 0; environ[i]; i++) {
        char const *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t) (eq - environ[i]) : strlen(environ[i]);
        if (env_is_internal(environ[i], len))
            continue;
        if (eq && env_matches(withhold, environ[i], len)) {
            if (stash(dir, environ[i], len) < 0)
                r = -1;
            continue;
        }
        environ[kept++] = environ[i];
    }
    environ[kept] = NULL;
    return r;
}

int env_apply_secrets(char const *names, char const *dir, char *missing, size_t len)
{
    char path[4096], value[4096];
    size_t k;
    for (char const *p = names; (k = svparse_word(&p)); p += k) {
        snprintf(path, sizeof path, "%s/%.*s", dir, (int) k, p);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t r = fd < 0 ? -1 : read(fd, value, sizeof value - 1);
        if (fd >= 0)
            close(fd);
        if (r < 0) {
            snprintf(missing, len, "%.*s", (int) k, p);
            return (errno = ENOENT, -1);
        }
        value[r] = 0;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int) k, p);
        if (setenv(name, value, 1) < 0)
            return -1;
    }
    return 0;
}
