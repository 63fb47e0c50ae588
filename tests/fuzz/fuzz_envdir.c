/* SPDX-License-Identifier: ISC */
/* fuzz_envdir: the directories a service's runner reads variables from:
 * its env/ directory (env_apply_envdir, s6-envdir's rules: a file's first
 * line, an empty file unsets) and the withheld-secrets directory
 * (env_apply_secrets: a file's whole text, for each name its env-secrets
 * file lists). The input's sections ("== NAME", then the text; see fuzz.h)
 * are the files; the text before the first section is the env-secrets
 * list. The harness's own environment is put back after each input. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "fuzz.h"
#include "svparse.h"

#define FILES_MAX 64

struct file {
    char name[256];
    char text[4096];
    ssize_t len; /* -1: not a readable file */
    char *saved; /* the harness's own value, or NULL */
};

static size_t files(char const *dir, struct file *f)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    fuzz_assert(d);
    while ((e = readdir(d)) && n < FILES_MAX) {
        if (e->d_name[0] == '.' || strchr(e->d_name, '='))
            continue;
        char path[PATH_MAX + 256];
        snprintf(f[n].name, sizeof f[n].name, "%s", e->d_name);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        f[n].len = fd < 0 ? -1 : read(fd, f[n].text, sizeof f[n].text - 1);
        if (fd >= 0)
            close(fd);
        if (f[n].len >= 0)
            f[n].text[f[n].len] = 0;
        char const *own = getenv(f[n].name);
        f[n].saved = own ? strdup(own) : NULL;
        n++;
    }
    closedir(d);
    return n;
}

static void restore(struct file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (f[i].saved)
            setenv(f[i].name, f[i].saved, 1);
        else
            unsetenv(f[i].name);
        free(f[i].saved);
    }
}

static void envdir(char const *dir)
{
    static struct file f[FILES_MAX];
    size_t n = files(dir, f);
    int r = env_apply_envdir(dir);
    int unreadable = 0;
    for (size_t i = 0; i < n; i++) {
        char const *v = getenv(f[i].name);
        unreadable |= f[i].len < 0;
        if (f[i].len == 0)
            fuzz_assert(!v); /* an empty file unsets */
        else if (f[i].len > 0) {
            size_t first = strcspn(f[i].text, "\n");
            fuzz_assert(v && strlen(v) == first && !strncmp(v, f[i].text, first));
        }
    }
    fuzz_assert(r == (unreadable ? -1 : 0));
    restore(f, n);
}

static void secrets(char const *names, char const *dir)
{
    static struct file f[FILES_MAX];
    size_t n = files(dir, f);
    char missing[64];
    int r = env_apply_secrets(names, dir, missing, sizeof missing);
    if (r == 0) {
        /* a listed name's variable holds the file's text, up to a NUL; a
         * name that is not a variable's is never taken as a path */
        size_t k;
        for (char const *p = names; (k = svparse_word(&p)); p += k)
            fuzz_assert(env_storable_name(p, k));
        for (size_t i = 0; i < n; i++)
            if (f[i].len >= 0 && env_list_has(names, f[i].name)) {
                char const *v = getenv(f[i].name);
                fuzz_assert(v && !strcmp(v, f[i].text));
            }
    } else
        fuzz_assert(missing[0]); /* the message names the variable */
    restore(f, n);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/env", fuzz_tmpdir());
        mkdir(dir, 0755);
    }
    char *text = fuzz_str(data, size);
    fuzz_write_tree(dir, text, size);
    envdir(dir);
    /* the text before the first section: the env-secrets list */
    char *first = strstr(text, "== ");
    if (first)
        *first = 0;
    secrets(text, dir);
    free(text);
    return 0;
}
