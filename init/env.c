/* SPDX-License-Identifier: ISC */
/* env: environment policy for services. By default a service gets the
 * container's environment (what `docker run -e` gave PID 1), unlike systemd
 * which starts services with an empty one. These run in the service's
 * runner, after fork, so they may allocate. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
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

/* text (len bytes) NUL-terminated: in buf when it fits, else allocated */
static char *terminated(char *buf, size_t size, char const *text, size_t len)
{
    char *t = len < size ? buf : malloc(len + 1);
    if (t) {
        memcpy(t, text, len);
        t[len] = 0;
    }
    return t;
}

int env_matches(char const *patterns, char const *name, size_t len)
{
    char nbuf[256], pbuf[256];
    if (!patterns)
        return 0;
    char *n = terminated(nbuf, sizeof nbuf, name, len);
    int found = !n; /* out of memory: rather withheld than given away */
    size_t k;
    for (char const *p = patterns; !found && (k = svparse_word(&p)); p += k) {
        char *pat = terminated(pbuf, sizeof pbuf, p, k);
        found = !pat || !fnmatch(pat, n, 0);
        if (pat != pbuf)
            free(pat);
    }
    if (n != nbuf)
        free(n);
    return found;
}

int env_storable_name(char const *name, size_t len)
{
    return len <= NAME_MAX && svparse_env_name(name, len);
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

static char const *withheld_patterns;
static char withheld_dir[PATH_MAX]; /* "": env_withhold was not called */

int env_is_withheld(char const *name, size_t len)
{
    return !env_is_internal(name, len) && env_matches(withheld_patterns, name, len);
}

char const *env_withheld_dir(void)
{
    return withheld_dir[0] ? withheld_dir : NULL;
}

/* The store made afresh: an earlier run's (a persisted /run, a symbolic
 * link planted there) goes first. An fd on it, or -1 with errno. */
static int fresh_store(char const *dir, int make)
{
    struct stat st;
    if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(dir) < 0)
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR *d = fdopendir(dup(fd));
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT)
                unlinkat(fd, e->d_name, AT_REMOVEDIR);
        if (d)
            closedir(d);
        if (!make) {
            close(fd);
            return rmdir(dir) < 0 && errno != ENOENT ? -1 : 0;
        }
        if (fchmod(fd, 0700) < 0) {
            int err = errno;
            close(fd);
            return (errno = err, -1);
        }
        return fd;
    }
    if (errno != ENOENT || !make)
        return errno == ENOENT ? 0 : -1;
    if (mkdir(dir, 0700) < 0)
        return -1;
    return open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* The value of var (NAME=value, the name nlen bytes) into the store,
 * whole; a second variable of the name is not written (getenv's first).
 * Mode 0: only a process with CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH
 * reads it (a root service whose capabilities leave them out does not);
 * 0400 when we cannot read it so ourselves (no such capability here:
 * neither has the runner). */
static int stash(int dirfd, char const *var, size_t nlen)
{
    char name[NAME_MAX + 1];
    memcpy(name, var, nlen);
    name[nlen] = 0;
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    int rfd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (rfd >= 0)
        close(rfd);
    else if (fchmod(fd, 0400) < 0) {
        int e = errno;
        close(fd);
        return (errno = e, -1);
    }
    char const *value = var + nlen + 1;
    size_t vlen = strlen(value);
    while (vlen) {
        ssize_t w = write(fd, value, vlen);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            close(fd);
            return (errno = e, -1);
        }
        value += w;
        vlen -= (size_t) w;
    }
    return close(fd);
}

int env_withhold(char const *withhold, char const *dir, void (*odd)(char const *name, size_t len))
{
    size_t kept = 0;
    int r = 0, e = 0;
    if (strlen(dir) >= sizeof withheld_dir)
        return (errno = ENAMETOOLONG, -1);
    withheld_patterns = withhold;
    strcpy(withheld_dir, dir);
    int fd = fresh_store(dir, withhold != NULL);
    if (!withhold)
        return 0; /* an earlier store that stays is served to nobody */
    if (fd < 0)
        return -1;
    for (size_t i = 0; environ[i]; i++) {
        char *var = environ[i], *eq = strchr(var, '=');
        size_t len = eq ? (size_t) (eq - var) : strlen(var);
        if (!eq || !env_is_withheld(var, len)) {
            environ[kept++] = var;
            continue;
        }
        if (!env_storable_name(var, len)) {
            if (odd)
                odd(var, len);
        } else if (stash(fd, var, len) < 0 && !e) {
            r = -1;
            e = errno;
        }
        memset(eq + 1, 0, strlen(eq + 1)); /* no copy left in PID 1 */
    }
    environ[kept] = NULL;
    close(fd);
    return r < 0 ? (errno = e, -1) : 0;
}

void env_drop_internals(void)
{
    size_t kept = 0;
    for (size_t i = 0; environ[i]; i++) {
        char const *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t) (eq - environ[i]) : strlen(environ[i]);
        if (!env_is_internal(environ[i], len))
            environ[kept++] = environ[i];
    }
    environ[kept] = NULL;
}

char *env_withheld_value(char const *dir, char const *name, size_t len)
{
    char path[PATH_MAX];
    struct stat st;
    if (!env_storable_name(name, len))
        return (errno = EINVAL, NULL);
    if (snprintf(path, sizeof path, "%s/%.*s", dir, (int) len, name) >= (int) sizeof path)
        return (errno = ENAMETOOLONG, NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return NULL;
    char *value = NULL;
    size_t got = 0;
    if (fstat(fd, &st) < 0)
        goto out;
    if (!S_ISREG(st.st_mode) || st.st_size >= ENV_STRING_MAX) {
        errno = S_ISREG(st.st_mode) ? E2BIG : EINVAL;
        goto out;
    }
    if (!(value = malloc((size_t) st.st_size + 1)))
        goto out;
    while (got < (size_t) st.st_size) {
        ssize_t r = read(fd, value + got, (size_t) st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(value);
            value = NULL;
            goto out;
        }
        if (!r)
            break; /* shorter than it was: what is there */
        got += (size_t) r;
    }
    value[got] = 0;
out:;
    int e = errno;
    close(fd);
    errno = e;
    return value;
}

static size_t count(char const *const *envp)
{
    size_t n = 0;
    while (envp && envp[n])
        n++;
    return n;
}

/* Is name (len bytes) set in envp? */
static int is_set(char const *const *envp, char const *name, size_t len)
{
    for (; envp && *envp; envp++)
        if (!strncmp(*envp, name, len) && (*envp)[len] == '=')
            return 1;
    return 0;
}

char const **env_merge_withheld(char const *const *envp, char const *dir)
{
    size_t n = count(envp), k = n;
    char const **merged = malloc((n + 1) * sizeof *merged);
    if (!merged)
        return NULL;
    if (n)
        memcpy(merged, envp, n * sizeof *merged);
    merged[n] = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? merged : (free(merged), NULL);
    struct dirent *e;
    int err = 0;
    while (!err && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (!env_storable_name(e->d_name, len) || is_set(envp, e->d_name, len))
            continue;
        char *value = env_withheld_value(dir, e->d_name, len), *var = NULL;
        char const **grown = value ? realloc(merged, (k + 2) * sizeof *merged) : NULL;
        if (grown)
            merged = grown;
        if (grown && (var = malloc(len + strlen(value) + 2))) {
            sprintf(var, "%s=%s", e->d_name, value);
            merged[k++] = var;
            merged[k] = NULL;
        } else if (value || errno == ENOMEM)
            err = ENOMEM; /* else gone meanwhile, or not a value: not one */
        free(value);
    }
    closedir(d);
    if (err) {
        env_free_merged(merged, envp);
        return (errno = err, NULL);
    }
    return merged;
}

void env_free_merged(char const **merged, char const *const *envp)
{
    if (!merged)
        return;
    for (size_t k = count(envp); merged[k]; k++)
        free((char *) merged[k]);
    free(merged);
}

int env_apply_secrets(char const *names, char const *dir, char *missing, size_t len)
{
    char name[NAME_MAX + 1];
    size_t k;
    for (char const *p = names; (k = svparse_word(&p)); p += k) {
        snprintf(missing, len, "%.*s", (int) k, p);
        char *value = env_withheld_value(dir, p, k);
        if (!value)
            return -1;
        memcpy(name, p, k); /* storable: it fits */
        name[k] = 0;
        int r = setenv(name, value, 1);
        free(value);
        if (r < 0)
            return -1;
    }
    return 0;
}
