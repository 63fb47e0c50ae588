/* SPDX-License-Identifier: ISC */
/* svparse: parsers for the one-value files of a service directory. A file
 * holds one value and maybe a trailing newline, as in s6; anything else is
 * refused with a reason, never guessed at. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <cap-ng.h>
#include <skalibs/sig.h>

#include "svparse.h"

/* The limits, said in the messages from the constants that set them. */
#define SAY(x)          #x
#define SAY_NUMBER(x)   SAY(x)
#define MS_MAX          86400000 /* a day */
#define FD_MIN          3
#define FD_MAX          255
#define SOCKET_PATH_MAX 107 /* sizeof sun_path, less its NUL */

static int bad(char const **why, char const *reason)
{
    *why = reason;
    return -1;
}

int svparse_name(char const *name, char const **why)
{
    size_t len = strlen(name);
    if (!len)
        return bad(why, "empty name");
    if (len > SVPARSE_NAME_MAX)
        return bad(why, "name longer than " SAY_NUMBER(SVPARSE_NAME_MAX) " bytes");
    if (name[0] == '.' || name[0] == '-')
        return bad(why, "name starts with '.' or '-'");
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char) name[i]) && !strchr("_.@-", name[i]))
            return bad(why, "name has a character other than letters, digits and _.@-");
    return 0;
}

int svparse_text(char *text, size_t len, char const **why)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) text[i];
        if (c < 0x20 && c != '\n' && c != '\t')
            return bad(why, "binary content (a NUL or control byte)");
        if (c == 0x7f)
            return bad(why, "binary content (a DEL byte)");
    }
    text[len] = 0;
    while (len && isspace((unsigned char) text[len - 1]))
        text[--len] = 0;
    size_t lead = strspn(text, " \t\n");
    memmove(text, text + lead, len - lead + 1);
    return 0;
}

static int parse_ull(char const *s, unsigned long long max, unsigned long long *out)
{
    unsigned long long n = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (unsigned long long) (*s - '0');
        if (n > max)
            return -1;
    }
    *out = n;
    return 0;
}

int svparse_type(char const *text, enum svparse_type *type, char const **why)
{
    if (!strcmp(text, "longrun"))
        *type = SVPARSE_LONGRUN;
    else if (!strcmp(text, "oneshot"))
        *type = SVPARSE_ONESHOT;
    else
        return bad(why, "not longrun or oneshot");
    return 0;
}

int svparse_ms(char const *text, unsigned int *ms, char const **why)
{
    unsigned long long n;
    if (parse_ull(text, MS_MAX, &n) < 0)
        return bad(why, "not a number of milliseconds (0 to " SAY_NUMBER(MS_MAX) ")");
    *ms = (unsigned int) n;
    return 0;
}

int svparse_count(char const *text, unsigned int *n, char const **why)
{
    unsigned long long v;
    if (parse_ull(text, 1000, &v) < 0 || v == 0)
        return bad(why, "not a count (1 to 1000)");
    *n = (unsigned int) v;
    return 0;
}

int svparse_check_action(char const *text, unsigned char *report, char const **why)
{
    if (!strcmp(text, "restart") || !strcmp(text, "report")) {
        *report = text[2] == 'p';
        return 0;
    }
    return bad(why, "not a check action: restart (the default) or report");
}

int svparse_signal(char const *text, int *sig, char const **why)
{
    unsigned long long n;
    if (parse_ull(text, NSIG - 1, &n) == 0 && n > 0) {
        *sig = (int) n;
        return 0;
    }
    char const *name = strncmp(text, "SIG", 3) ? text : text + 3;
    int s = sig_number(name);
    if (s <= 0)
        return bad(why, "not a signal name (SIGTERM, HUP...) or number");
    *sig = s;
    return 0;
}

int svparse_restart(char const *text, enum svparse_restart *r, char const **why)
{
    static char const *const names[] = {"always", "on-failure", "never"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(text, names[i])) {
            *r = (enum svparse_restart) i;
            return 0;
        }
    return bad(why, "not always, on-failure or never");
}

int svparse_fd(char const *text, int *fd, char const **why)
{
    unsigned long long n;
    if (parse_ull(text, FD_MAX, &n) < 0 || n < FD_MIN)
        return bad(
            why, "not a file descriptor number from " SAY_NUMBER(FD_MIN) " to " SAY_NUMBER(FD_MAX));
    *fd = (int) n;
    return 0;
}

int svparse_int_range(char const *text, int min, int max, int *v, char const **why)
{
    unsigned long long n;
    int neg = text[0] == '-';
    if (parse_ull(text + neg, (unsigned long long) INT_MAX, &n) < 0)
        return bad(why, "not a whole number");
    long long x = neg ? -(long long) n : (long long) n;
    if (x < min || x > max)
        return bad(why, "number out of range");
    *v = (int) x;
    return 0;
}

int svparse_env_name(char const *name, size_t len)
{
    if (!len || isdigit((unsigned char) name[0]))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char) name[i]) && name[i] != '_')
            return 0;
    return 1;
}

/* A bracket expression from its '[': letters, digits, '_' and ranges,
 * negated by a first '!' or '^'; the length up to its ']' included, or 0. */
static size_t bracket(char const *p, size_t len)
{
    size_t i = 1;
    if (i < len && (p[i] == '!' || p[i] == '^'))
        i++;
    size_t first = i;
    for (; i < len && p[i] != ']'; i++)
        if (!isalnum((unsigned char) p[i]) && p[i] != '_' && !(p[i] == '-' && i > first))
            return 0;
    return i < len && i > first ? i + 1 : 0;
}

int svparse_env_pattern(char const *word, size_t len, char const **why)
{
    if (!len)
        return bad(why, "empty pattern");
    if (isdigit((unsigned char) word[0]))
        return bad(why, "matches no variable: a name does not start with a digit");
    for (size_t i = 0; i < len; i++) {
        if (word[i] == '[') {
            size_t k = bracket(word + i, len - i);
            if (!k)
                return bad(why,
                           "a [ without its ]: [A-Z_] is a set of letters, digits, _ or ranges");
            i += k - 1;
        } else if (!isalnum((unsigned char) word[i]) && word[i] != '_' && word[i] != '*' &&
                   word[i] != '?')
            return bad(why,
                       "not a variable name or a shell pattern of names (LIBVIRT_*, SOCK_GID)");
    }
    return 0;
}

int svparse_condition(char const *text, char const **why)
{
    if (text[0] == '!' && !strchr(text, '=')) /* !VAR: unset or empty */
        text++;
    char const *eq = strchr(text, '=');
    size_t nlen = eq ? (size_t) (eq - text) : strlen(text);
    if (eq && nlen > 0 && eq[-1] == '!')
        nlen--;
    if (!svparse_env_name(text, nlen))
        return bad(why, "not VAR, !VAR, VAR=value or VAR!=value with a valid variable name");
    return 0;
}

static int posix_name(char const *s, size_t len)
{
    if (!len || len > 32 || s[0] == '-')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char) s[i]) && !strchr("_.-", s[i]))
            return 0;
    return 1;
}

int svparse_user(char const *text, char const **why)
{
    char const *colon = strchr(text, ':');
    size_t ulen = colon ? (size_t) (colon - text) : strlen(text);
    if (!posix_name(text, ulen) || (colon && !posix_name(colon + 1, strlen(colon + 1))))
        return bad(why, "not user or user:group");
    return 0;
}

int svparse_abs_path(char const *text, char const **why)
{
    if (text[0] != '/')
        return bad(why, "not an absolute path");
    if (strlen(text) >= PATH_MAX)
        return bad(why, "path too long");
    if (strchr(text, '\n'))
        return bad(why, "more than one line");
    return 0;
}

int svparse_socket_path(char const *text, char const **why)
{
    if (svparse_abs_path(text, why) < 0)
        return -1;
    if (strlen(text) > SOCKET_PATH_MAX)
        return bad(why,
                   "longer than a unix socket path can be (" SAY_NUMBER(SOCKET_PATH_MAX) " bytes)");
    return 0;
}

static struct {
    char const *name;
    int resource;
} const rlimit_names[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},
    {"cpu", RLIMIT_CPU},         {"data", RLIMIT_DATA},
    {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE},
    {"nice", RLIMIT_NICE},       {"nofile", RLIMIT_NOFILE},
    {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

char const *svparse_rlimit_name(int resource)
{
    for (size_t i = 0; i < sizeof rlimit_names / sizeof *rlimit_names; i++)
        if (rlimit_names[i].resource == resource)
            return rlimit_names[i].name;
    return "unknown";
}

static int rlimit_value(char const *s, unsigned long long *v)
{
    if (!strcmp(s, "unlimited") || !strcmp(s, "infinity")) {
        *v = RLIM_INFINITY;
        return 0;
    }
    return parse_ull(s, ULLONG_MAX / 10, v);
}

int svparse_rlimit(char const *line, struct svparse_rlimit *r, char const **why)
{
    char buf[96];
    char const *eq = strchr(line, '=');
    if (!eq || strlen(eq + 1) >= sizeof buf)
        return bad(why, "not NAME=SOFT or NAME=SOFT:HARD");
    size_t nlen = (size_t) (eq - line);
    r->resource = -1;
    for (size_t i = 0; i < sizeof rlimit_names / sizeof *rlimit_names; i++)
        if (strlen(rlimit_names[i].name) == nlen && !strncmp(line, rlimit_names[i].name, nlen))
            r->resource = rlimit_names[i].resource;
    if (r->resource < 0)
        return bad(why, "unknown limit (nofile, nproc, core, memlock, stack...)");
    strcpy(buf, eq + 1);
    char *colon = strchr(buf, ':');
    r->has_hard = !!colon;
    if (colon)
        *colon = 0;
    if (rlimit_value(buf, &r->soft) < 0 || (colon && rlimit_value(colon + 1, &r->hard) < 0))
        return bad(why, "limit is not a number or unlimited");
    if (colon && r->soft > r->hard)
        return bad(why, "soft limit above the hard limit");
    return 0;
}

int svparse_capability(char const *word, int *cap, char const **why)
{
    char name[40];
    char const *w = strncasecmp(word, "CAP_", 4) ? word : word + 4;
    size_t len = strlen(w);
    if (!len || len >= sizeof name)
        return bad(why, "not a capability name");
    for (size_t i = 0; i <= len; i++)
        name[i] = (char) tolower((unsigned char) w[i]);
    int c = capng_name_to_capability(name);
    if (c < 0)
        return bad(why, "unknown capability (see capabilities(7))");
    *cap = c;
    return 0;
}

size_t svparse_word(char const **p)
{
    if (!*p)
        return 0;
    *p += strspn(*p, ", \t\n");
    return strcspn(*p, ", \t\n");
}

int svparse_lines(char *text, int (*each)(char *line, void *arg), void *arg)
{
    char *line = text;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char *start = line + strspn(line, " \t");
        size_t len = strlen(start);
        while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
            start[--len] = 0;
        if (len && start[0] != '#' && each(start, arg) < 0)
            return -1;
        line = nl ? nl + 1 : NULL;
    }
    return 0;
}

void svparse_drop_comments(char *text)
{
    char *out = text;
    for (char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        char const *start = line + strspn(line, " \t");
        if (start < line + len && *start != '#') {
            if (out != text)
                *out++ = '\n';
            memmove(out, line, len);
            out += len;
        }
        line += len + (line[len] == '\n');
    }
    *out = 0;
}

static int octal_mode(char const *w, unsigned int *mode)
{
    unsigned int m = 0;
    if (!*w || strlen(w) > 4)
        return -1;
    for (; *w; w++) {
        if (*w < '0' || *w > '7')
            return -1;
        m = m * 8 + (unsigned int) (*w - '0');
    }
    *mode = m;
    return 0;
}

/* "tcp:PORT", "tcp:A.B.C.D:PORT", "tcp:[ADDR]:PORT" into l. */
static int listen_tcp(char const *t, struct svparse_listen *l, char const **why)
{
    unsigned long long port;
    char const *colon = strrchr(t, ':');
    char addr[64];
    size_t alen = colon ? (size_t) (colon - t) : 0;
    if (parse_ull(colon ? colon + 1 : t, 65535, &port) < 0 || !port)
        return bad(why, "not a TCP port from 1 to 65535");
    l->port = (unsigned int) port;
    l->kind = SVPARSE_LISTEN_TCP4;
    if (!colon)
        return 0;
    if (alen >= sizeof addr || alen >= sizeof l->where)
        return bad(why, "address too long");
    memcpy(addr, t, alen);
    addr[alen] = 0;
    if (addr[0] == '[') {
        struct in6_addr a6;
        if (alen < 3 || addr[alen - 1] != ']')
            return bad(why, "an IPv6 address goes in brackets: tcp:[::1]:PORT");
        addr[alen - 1] = 0;
        if (inet_pton(AF_INET6, addr + 1, &a6) != 1)
            return bad(why, "not an IPv6 address");
        l->kind = SVPARSE_LISTEN_TCP6;
        strcpy(l->where, addr + 1);
        return 0;
    }
    struct in_addr a4;
    if (inet_pton(AF_INET, addr, &a4) != 1)
        return bad(why, "not an IPv4 address (an IPv6 one goes in brackets)");
    strcpy(l->where, addr);
    return 0;
}

/* "fd:NAME" or "fd:N" into l. */
static int listen_fd(char const *t, struct svparse_listen *l, char const **why)
{
    unsigned long long n;
    if (!*t || strlen(t) >= SVPARSE_LISTEN_NAME_MAX)
        return bad(why, "fd: needs the name or the number of a socket vinit was given");
    l->kind = SVPARSE_LISTEN_FD;
    if (parse_ull(t, INT_MAX, &n) == 0) {
        if (n < 3)
            return bad(why, "not a socket the manager passed (those are 3 and up)");
        l->fd = (int) n;
    }
    strcpy(l->where, t);
    return 0;
}

/* A LISTEN_FDNAMES name: printable, no ':' (the list's separator). */
static int listen_name_ok(char const *v)
{
    size_t n = strlen(v);
    if (!n || n >= SVPARSE_LISTEN_NAME_MAX)
        return 0;
    for (size_t k = 0; k < n; k++)
        if ((unsigned char) v[k] <= ' ' || v[k] == ':' || v[k] == 0x7f)
            return 0;
    return 1;
}

/* One key=value option of a listen line. */
static int listen_option(char *o, struct svparse_listen *l, char const **why)
{
    char *v = strchr(o, '=');
    if (!v)
        return bad(why, "not key=value (mode=, owner=, group=, name=, if=, fd=)");
    *v++ = 0;
    int unix_only = strcmp(o, "name") && strcmp(o, "if") && strcmp(o, "fd");
    if (unix_only && l->kind != SVPARSE_LISTEN_UNIX)
        return bad(why, "mode, owner and group are for unix sockets only");
    if (!strcmp(o, "mode"))
        return octal_mode(v, &l->mode) < 0 || l->mode > 0777 ? bad(why, "mode is not octal (0660)")
                                                             : 0;
    if (!strcmp(o, "owner") || !strcmp(o, "group")) {
        char *field = *o == 'o' ? l->owner : l->group;
        if (svparse_user(v, why) < 0 || strchr(v, ':') || strlen(v) >= sizeof l->owner)
            return bad(why, "not a user or group name");
        strcpy(field, v);
        return 0;
    }
    if (!strcmp(o, "name"))
        return listen_name_ok(v)
                   ? (strcpy(l->name, v), 0)
                   : bad(why, "not a socket name (printable, no ':', below 64 bytes)");
    if (!strcmp(o, "fd")) {
        if (l->kind == SVPARSE_LISTEN_FD || !listen_name_ok(v))
            return bad(why, "fd= names the manager's socket (LISTEN_FDNAMES) a path or tcp: line "
                            "takes when it was passed");
        strcpy(l->from, v);
        return 0;
    }
    if (!strcmp(o, "if"))
        return svparse_condition(v, why) < 0 || strlen(v) >= sizeof l->cond
                   ? bad(why, "not a condition (VAR, !VAR, VAR=value, VAR!=value)")
                   : (strcpy(l->cond, v), 0);
    return bad(why, "unknown key (mode=, owner=, group=, name=, if=, fd=)");
}

int svparse_listen(char const *line, struct svparse_listen *l, char const **why)
{
    char buf[512], *save = NULL;
    if (strlen(line) >= sizeof buf)
        return bad(why, "line too long");
    strcpy(buf, line);
    memset(l, 0, sizeof *l);
    l->fd = l->uid = l->gid = -1;
    l->mode = 0666;
    char *t = strtok_r(buf, " \t", &save);
    if (!t)
        return bad(why, "empty line");
    if (!strncmp(t, "tcp:", 4)) {
        if (listen_tcp(t + 4, l, why) < 0)
            return -1;
    } else if (!strncmp(t, "fd:", 3)) {
        if (listen_fd(t + 3, l, why) < 0)
            return -1;
    } else {
        if (svparse_socket_path(t, why) < 0)
            return -1;
        l->kind = SVPARSE_LISTEN_UNIX;
        strcpy(l->where, t);
    }
    for (char *o = strtok_r(NULL, " \t", &save); o; o = strtok_r(NULL, " \t", &save))
        if (listen_option(o, l, why) < 0)
            return -1;
    return 0;
}

int svparse_directory(char const *line, struct svparse_directory *d, char const **why)
{
    char buf[4096 + 100];
    char *w[4], *save = NULL;
    unsigned int n = 0;
    if (strlen(line) >= sizeof buf)
        return bad(why, "line too long");
    strcpy(buf, line);
    for (char *t = strtok_r(buf, " \t", &save); t && n < 4; t = strtok_r(NULL, " \t", &save))
        w[n++] = t;
    if (!n || n > 3)
        return bad(why, "not PATH [MODE] [USER[:GROUP]]");
    if (svparse_abs_path(w[0], why) < 0 || strlen(w[0]) >= sizeof d->path)
        return -1;
    strcpy(d->path, w[0]);
    d->mode = 0755;
    d->owner[0] = 0;
    for (unsigned int i = 1; i < n; i++) {
        if (w[i][0] >= '0' && w[i][0] <= '7' && i == 1) {
            if (octal_mode(w[i], &d->mode) < 0)
                return bad(why, "mode is not octal (0755)");
        } else if (svparse_user(w[i], why) < 0 || strlen(w[i]) >= sizeof d->owner)
            return -1;
        else
            strcpy(d->owner, w[i]);
    }
    return 0;
}
