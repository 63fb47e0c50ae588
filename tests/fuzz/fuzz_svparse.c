/* SPDX-License-Identifier: ISC */
/* fuzz_svparse: every parser of init/svparse.c, one per input. The first
 * byte picks the parser (a letter, see kinds[] below; any other byte picks
 * by its value), the rest is the file's text. Each accepted value is
 * checked against what svparse.h promises about it. */
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <cap-ng.h>

#include "fuzz.h"
#include "svparse.h"

static int only(char const *s, size_t len, char const *set)
{
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(set, s[i]))
            return 0;
    return 1;
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static void name(char *s, size_t size)
{
    char const *why = NULL;
    size_t len = strlen(s);
    int ok = svparse_name(s, &why) == 0;
    fuzz_assert(ok || why);
    if (ok)
        fuzz_assert(len && len <= SVPARSE_NAME_MAX && s[0] != '.' && s[0] != '-' &&
                    only(s, len, ALNUM "_.@-"));
    (void) size;
}

static void text(char *s, size_t size)
{
    char const *why = NULL;
    int bad = 0;
    for (size_t i = 0; i < size; i++)
        bad |= ((unsigned char) s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') || s[i] == 0x7f;
    int ok = svparse_text(s, size, &why) == 0;
    fuzz_assert(ok == !bad);
    if (!ok)
        return;
    size_t len = strlen(s);
    fuzz_assert(len <= size);
    if (len)
        fuzz_assert(!strchr(" \t\n", s[0]) && !isspace((unsigned char) s[len - 1]));
}

static void type(char *s, size_t size)
{
    char const *why;
    enum svparse_type t;
    if (svparse_type(s, &t, &why) == 0)
        fuzz_assert((t == SVPARSE_LONGRUN && !strcmp(s, "longrun")) ||
                    (t == SVPARSE_ONESHOT && !strcmp(s, "oneshot")));
    (void) size;
}

static void ms(char *s, size_t size)
{
    char const *why;
    unsigned int v;
    if (svparse_ms(s, &v, &why) == 0)
        fuzz_assert(v <= 86400000u && *s && only(s, strlen(s), "0123456789"));
    (void) size;
}

static void sig(char *s, size_t size)
{
    char const *why;
    int v;
    if (svparse_signal(s, &v, &why) == 0)
        fuzz_assert(v > 0 && v < NSIG);
    (void) size;
}

static void restart(char *s, size_t size)
{
    char const *why;
    enum svparse_restart r;
    if (svparse_restart(s, &r, &why) == 0)
        fuzz_assert(r == SVPARSE_RESTART_ALWAYS || r == SVPARSE_RESTART_ON_FAILURE ||
                    r == SVPARSE_RESTART_NEVER);
    (void) size;
}

static void fd(char *s, size_t size)
{
    char const *why;
    int v;
    if (svparse_fd(s, &v, &why) == 0)
        fuzz_assert(v >= 3 && v <= 255);
    (void) size;
}

static void int_range(char *s, size_t size)
{
    static int const ranges[][2] = {{-1000, 1000}, {INT_MIN, INT_MAX}, {0, 0}, {5, -5}};
    char const *why;
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++) {
        int v = 12345;
        if (svparse_int_range(s, ranges[i][0], ranges[i][1], &v, &why) == 0)
            fuzz_assert(v >= ranges[i][0] && v <= ranges[i][1]);
    }
    (void) size;
}

static void condition(char *s, size_t size)
{
    char const *why;
    if (svparse_condition(s, &why) == 0) {
        if (s[0] == '!') { /* !VAR: no '=' after it */
            fuzz_assert(!strchr(s, '='));
            s++;
        }
        size_t nlen = strcspn(s, "=");
        if (s[nlen] == '=' && nlen && s[nlen - 1] == '!')
            nlen--;
        fuzz_assert(nlen && svparse_env_name(s, nlen));
    }
    (void) size;
}

static void env_name(char *s, size_t size)
{
    /* exactly size bytes, no terminator: the length is all it may read */
    char *copy = fuzz_copy((uint8_t const *) s, size);
    if (svparse_env_name(copy, size))
        fuzz_assert(size && !isdigit((unsigned char) copy[0]) && only(copy, size, ALNUM "_"));
    free(copy);
}

static void env_pattern(char *s, size_t size)
{
    /* exactly size bytes, no terminator: the length is all it may read */
    char *copy = fuzz_copy((uint8_t const *) s, size);
    char const *why = NULL;
    if (svparse_env_pattern(copy, size, &why) == 0)
        fuzz_assert(size && !isdigit((unsigned char) copy[0]) &&
                    only(copy, size, ALNUM "_*?[]!^-"));
    else
        fuzz_assert(why);
    free(copy);
}

static void user(char *s, size_t size)
{
    char const *why;
    if (svparse_user(s, &why) == 0) {
        char const *colon = strchr(s, ':');
        size_t ulen = colon ? (size_t) (colon - s) : strlen(s);
        fuzz_assert(ulen && ulen <= 32 && only(s, ulen, ALNUM "_.-"));
        if (colon)
            fuzz_assert(strlen(colon + 1) <= 32 && only(colon + 1, strlen(colon + 1), ALNUM "_.-"));
    }
    (void) size;
}

static void socket_path(char *s, size_t size)
{
    char const *why;
    if (svparse_socket_path(s, &why) == 0)
        fuzz_assert(s[0] == '/' && strlen(s) <= 107 && !strchr(s, '\n'));
    (void) size;
}

static void abs_path(char *s, size_t size)
{
    char const *why;
    if (svparse_abs_path(s, &why) == 0)
        fuzz_assert(s[0] == '/' && strlen(s) < PATH_MAX && !strchr(s, '\n'));
    (void) size;
}

static void rlimit(char *s, size_t size)
{
    char const *why;
    struct svparse_rlimit r;
    if (svparse_rlimit(s, &r, &why) == 0) {
        fuzz_assert(strcmp(svparse_rlimit_name(r.resource), "unknown"));
        fuzz_assert(!r.has_hard || r.soft <= r.hard);
    }
    (void) size;
}

/* a listen line: each accepted socket what svparse.h says it can be */
static void listen_line(char *s, size_t size)
{
    char const *why = NULL;
    static struct svparse_listen l;
    if (svparse_listen(s, &l, &why) < 0) {
        fuzz_assert(why);
        return;
    }
    fuzz_assert(strlen(l.where) < sizeof l.where && strlen(l.name) < sizeof l.name);
    fuzz_assert(!strchr(l.name, ':') && l.mode <= 0777 && l.uid == -1 && l.gid == -1);
    switch (l.kind) {
    case SVPARSE_LISTEN_UNIX:
        fuzz_assert(l.where[0] == '/' && strlen(l.where) <= 107 && !l.port);
        break;
    case SVPARSE_LISTEN_TCP4:
    case SVPARSE_LISTEN_TCP6:
        fuzz_assert(l.port >= 1 && l.port <= 65535);
        fuzz_assert(!l.owner[0] && !l.group[0] && l.mode == 0666);
        break;
    case SVPARSE_LISTEN_FD:
        fuzz_assert(l.where[0] && (l.fd == -1 || l.fd >= 3));
        break;
    default:
        fuzz_assert(0);
    }
    (void) size;
}

static void directory(char *s, size_t size)
{
    char const *why;
    static struct svparse_directory d;
    if (svparse_directory(s, &d, &why) == 0) {
        fuzz_assert(d.path[0] == '/' && strlen(d.path) < sizeof d.path);
        fuzz_assert(d.mode <= 07777);
        fuzz_assert(!d.owner[0] || svparse_user(d.owner, &why) == 0);
    }
    (void) size;
}

static void capability(char *s, size_t size)
{
    char const *why;
    int c = -1;
    if (svparse_capability(s, &c, &why) == 0)
        fuzz_assert(c >= 0 && capng_capability_to_name((unsigned int) c));
    (void) size;
}

static void word(char *s, size_t size)
{
    size_t len, total = 0, n = 0;
    char const *end = s + strlen(s);
    for (char const *p = s; (len = svparse_word(&p)); p += len) {
        fuzz_assert(p >= s && p + len <= end && n++ <= size);
        for (size_t i = 0; i < len; i++)
            fuzz_assert(p[i] && !strchr(", \t\n", p[i]));
        total += len;
    }
    fuzz_assert(total <= size);
}

struct lines_seen {
    char const *start, *end;
    size_t n;
};

static int each_line(char *line, void *arg)
{
    struct lines_seen *seen = arg;
    size_t len = strlen(line);
    fuzz_assert(line >= seen->start && line + len <= seen->end);
    fuzz_assert(len && line[0] != '#' && !strchr(line, '\n'));
    fuzz_assert(!strchr(" \t", line[0]) && !strchr(" \t", line[len - 1]));
    seen->n++;
    return line[0] == 'X' ? -1 : 0; /* the early stop, too */
}

static void lines(char *s, size_t size)
{
    struct lines_seen seen = {s, s + strlen(s), 0};
    int r = svparse_lines(s, each_line, &seen);
    fuzz_assert(r == 0 || r == -1);
    fuzz_assert(seen.n <= size);
}

static struct {
    char letter;
    void (*run)(char *s, size_t size);
} const kinds[] = {
    {'a', abs_path},  {'c', capability}, {'d', directory}, {'e', env_name},    {'f', fd},
    {'i', int_range}, {'l', lines},      {'m', ms},        {'n', name},        {'o', condition},
    {'r', restart},   {'R', rlimit},     {'s', sig},       {'S', socket_path}, {'t', text},
    {'T', type},      {'u', user},       {'w', word},      {'L', listen_line}, {'p', env_pattern},
};

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    size_t const nkinds = sizeof kinds / sizeof *kinds;
    if (!size)
        return 0;
    size_t k = data[0] % nkinds;
    for (size_t i = 0; i < nkinds; i++)
        if (kinds[i].letter == (char) data[0])
            k = i;
    /* the text: as a file's (size bytes and room for a terminator) */
    char *s = fuzz_str(data + 1, size - 1);
    kinds[k].run(s, size - 1);
    free(s);
    return 0;
}
