/* SPDX-License-Identifier: ISC */
/* fuzz: helpers linked into every harness, and what main.c would otherwise
 * provide (skalibs' PROG). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

char const *PROG = "vinit-fuzz";

char *fuzz_str(uint8_t const *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = 0;
    return s;
}

char *fuzz_copy(uint8_t const *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    return s;
}

static int remove_entry(char const *path, struct stat const *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    if (ftw->level > 0)
        remove(path);
    return 0;
}

void fuzz_empty_dir(char const *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char tmpdir[PATH_MAX];

static void remove_tmpdir(void)
{
    fuzz_empty_dir(tmpdir);
    rmdir(tmpdir);
}

char const *fuzz_tmpdir(void)
{
    if (tmpdir[0])
        return tmpdir;
    /* tests/fuzz/run's, which it removes even after a crash; else a tmpfs
     * where there is one: thousands of small files a second */
    char const *base = getenv("VINIT_FUZZ_TMP");
    if (!base || !*base)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/vinit-fuzz.XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        perror("vinit-fuzz: unable to create a scratch directory");
        abort();
    }
    atexit(remove_tmpdir);
    return tmpdir;
}

static int plain(char const *s, size_t len)
{
    if (!len || len > 64 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!s[i] ||
            !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-:", s[i]))
            return 0;
    return 1;
}

static int program(char const *name)
{
    static char const *const names[] = {"run", "finish", "up", "down", "log/run"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

/* "NAME [MODE]" of a header into path (dir/NAME) and mode; 0 or -1. */
static int header(char const *dir, char const *h, size_t len, char *path, size_t size, mode_t *mode)
{
    char name[160];
    char const *space = memchr(h, ' ', len);
    size_t nlen = space ? (size_t) (space - h) : len;
    if (nlen >= sizeof name)
        return -1;
    memcpy(name, h, nlen);
    name[nlen] = 0;
    char *slash = strchr(name, '/');
    if (slash ? !plain(name, (size_t) (slash - name)) || !plain(slash + 1, strlen(slash + 1))
              : !plain(name, nlen))
        return -1;
    *mode = program(name) ? 0755 : 0644;
    if (nlen < len && h[nlen] == ' ') {
        char *end;
        unsigned long m = strtoul(h + nlen + 1, &end, 8);
        if (end != h + nlen + 1 && m <= 0777)
            *mode = (mode_t) m;
    }
    if (slash) {
        *slash = 0;
        snprintf(path, size, "%s/%s", dir, name);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    snprintf(path, size, "%s/%s", dir, name);
    return 0;
}

void fuzz_sections(char const *input, size_t len, fuzz_section_fn *each, void *arg)
{
    char const *end = input + len, *p = input;
    /* the first header: what comes before it is no file's */
    while (p < end && !(end - p >= 3 && !memcmp(p, "== ", 3))) {
        char const *nl = memchr(p, '\n', (size_t) (end - p));
        p = nl ? nl + 1 : end;
    }
    while (p < end) {
        char const *h = p + 3, *hend = memchr(h, '\n', (size_t) (end - h));
        char const *body = hend ? hend + 1 : end, *next = body;
        /* the body runs to the next header line */
        while (next < end && !(end - next >= 3 && !memcmp(next, "== ", 3))) {
            char const *nl = memchr(next, '\n', (size_t) (end - next));
            next = nl ? nl + 1 : end;
        }
        each(h, (size_t) ((hend ? hend : end) - h), body, (size_t) (next - body), arg);
        p = next;
    }
}

struct tree {
    char const *dir;
    int files;
};

static void tree_file(char const *h, size_t hlen, char const *body, size_t blen, void *arg)
{
    struct tree *t = arg;
    char path[PATH_MAX];
    mode_t mode;
    if (header(t->dir, h, hlen, path, sizeof path, &mode) < 0)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return;
    if (write(fd, body, blen) < 0)
        perror("vinit-fuzz: write");
    fchmod(fd, mode); /* whatever the umask */
    close(fd);
    t->files++;
}

int fuzz_write_tree(char const *dir, char const *input, size_t len)
{
    struct tree t = {dir, 0};
    fuzz_empty_dir(dir);
    fuzz_sections(input, len, tree_file, &t);
    return t.files;
}
