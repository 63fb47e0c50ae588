/* SPDX-License-Identifier: ISC */
/* ctl: one request a connection: a line "verb args...", answered by a line
 * with the exit code for the CLI, then text, then the server closes. Only
 * root (or vinit's own user) may talk to PID 1 (SO_PEERCRED).
 *
 * The server side runs in PID 1's loop and never waits: every connection
 * is non-blocking, sits in a fixed table with its own deadline (the request
 * within CTL_READ_MS of the accept, the answer taken within CTL_WRITE_MS),
 * and is polled with everything else. A full table and a PID 1 out of file
 * descriptors get a one-line refusal at once, "111 busy" (nothing was done:
 * the CLI asks again), so the listener never stays readable for nothing
 * (that would spin the loop). The CLI waits at most $VINIT_CTL_TIMEOUT in
 * all, and says what it was waiting for. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "config.h"
#include "ctl.h"
#include "env.h"
#include "settings.h"
#include "svparse.h"
#include "supervise.h"

#define STR_(x)        #x
#define STR(x)         STR_(x)
#define LISTEN_BACKLOG 64
#define ACCEPT_BURST   (CTL_CONN_MAX + 8) /* a pass, so that signals are not starved */

static char const *const verbs[] = {
    [CTL_VERB_STATUS] = "status",     [CTL_VERB_START] = "start",   [CTL_VERB_STOP] = "stop",
    [CTL_VERB_RESTART] = "restart",   [CTL_VERB_RELOAD] = "reload", [CTL_VERB_HEALTH] = "health",
    [CTL_VERB_SHUTDOWN] = "shutdown", [CTL_VERB_ENV] = "env",
};
#define NVERBS (sizeof verbs / sizeof *verbs)

static int verb_of(char const *word)
{
    for (size_t i = 0; i < NVERBS; i++)
        if (!strcmp(word, verbs[i]))
            return (int) i;
    return -1;
}

int ctl_is_verb(char const *word)
{
    return verb_of(word) >= 0;
}

void ctl_format_duration(char *buf, unsigned int len, uint64_t ms)
{
    uint64_t s = ms / 1000;
    if (ms < 1000)
        snprintf(buf, len, "%llums", (unsigned long long) ms);
    else if (s < 60)
        snprintf(buf, len, "%llus", (unsigned long long) s);
    else if (s < 3600)
        snprintf(buf, len, "%llum%02llus", (unsigned long long) (s / 60),
                 (unsigned long long) (s % 60));
    else
        snprintf(buf, len, "%lluh%02llum", (unsigned long long) (s / 3600),
                 (unsigned long long) (s / 60 % 60));
}

/* ---- the request ---- */

enum ctl_parse ctl_request_parse(char const *in, size_t len, int eof, struct ctl_request *req)
{
    size_t scan = len < CTL_REQUEST_MAX ? len : CTL_REQUEST_MAX, line;
    char const *nl = memchr(in, '\n', scan);
    if (nl)
        line = (size_t) (nl - in);
    else if (len >= CTL_REQUEST_MAX)
        return CTL_PARSE_TOO_LONG;
    else if (!eof)
        return CTL_PARSE_MORE;
    else if (!len)
        return CTL_PARSE_NOTHING;
    else
        line = len; /* the client closed its side: what it sent is the line */
    /* here line < CTL_REQUEST_MAX: the text and its NUL fit */
    for (size_t i = 0; i < line; i++) {
        unsigned char c = (unsigned char) in[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return CTL_PARSE_BAD_BYTE;
    }
    memcpy(req->text, in, line);
    req->text[line] = 0;
    unsigned int n = 0;
    char *w[CTL_WORDS_MAX + 1];
    for (char *p = req->text; *p;) {
        if (*p == ' ' || *p == '\t') {
            *p++ = 0;
            continue;
        }
        if (n == CTL_WORDS_MAX)
            return CTL_PARSE_TOO_MANY;
        w[n++] = p;
        p += strcspn(p, " \t");
    }
    if (!n)
        return CTL_PARSE_EMPTY;
    int v = verb_of(w[0]);
    if (v < 0)
        return CTL_PARSE_UNKNOWN;
    req->verb = (enum ctl_verb) v;
    req->argc = n - 1;
    for (unsigned int k = 1; k < n; k++)
        req->argv[k - 1] = w[k];
    req->argv[n - 1] = NULL;
    return CTL_PARSE_OK;
}

char const *ctl_parse_error(enum ctl_parse p)
{
    switch (p) {
    case CTL_PARSE_OK:
    case CTL_PARSE_MORE:
        return "";
    case CTL_PARSE_NOTHING:
    case CTL_PARSE_EMPTY:
        return "empty request";
    case CTL_PARSE_TOO_LONG:
        return "request too long (one line of at most " STR(CTL_REQUEST_MAX) " bytes)";
    case CTL_PARSE_TOO_MANY:
        return "too many words in the request (at most " STR(CTL_WORDS_MAX) ")";
    case CTL_PARSE_BAD_BYTE:
        return "a control byte in the request";
    case CTL_PARSE_UNKNOWN:
        return "unknown request (status, start, stop, restart, reload, health, shutdown, env)";
    }
    return "bad request";
}

/* ---- the answer ---- */

static void put_mem(struct ctl_out *o, void const *p, size_t n)
{
    if (o->overflow || n > o->size - o->len) {
        o->overflow = 1;
        return;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

void ctl_put(struct ctl_out *o, char const *fmt, ...)
{
    va_list ap;
    if (o->overflow)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= o->size - o->len)
        o->overflow = 1; /* what was cut is thrown away with the rest */
    else
        o->len += (size_t) n;
}

/* Length of the well-formed UTF-8 sequence at p (NUL-terminated), or 0:
 * no overlong form, no surrogate, nothing past U+10FFFF. */
static size_t utf8_len(unsigned char const *p)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : lo;
        hi = c == 0xed ? 0x9f : hi;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : lo;
        hi = c == 0xf4 ? 0x8f : hi;
    } else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) /* a NUL fails here before the next is read */
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

void ctl_put_json(struct ctl_out *o, char const *s)
{
    if (!s) {
        put_mem(o, "null", 4);
        return;
    }
    put_mem(o, "\"", 1);
    for (unsigned char const *p = (unsigned char const *) s; *p;) {
        size_t k = utf8_len(p);
        if (!k) {
            put_mem(o, "\\ufffd", 6);
            p++;
        } else if (k > 1 || (*p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\')) {
            put_mem(o, p, k);
            p += k;
        } else if (*p == '"' || *p == '\\') {
            put_mem(o, "\\", 1);
            put_mem(o, p++, 1);
        } else
            ctl_put(o, "\\u%04x", *p++);
    }
    put_mem(o, "\"", 1);
}

void ctl_put_text(struct ctl_out *o, char const *s, unsigned int width)
{
    unsigned int cols = 0;
    for (unsigned char const *p = (unsigned char const *) s; *p; cols++) {
        size_t k = utf8_len(p);
        /* C0 and C1 controls would reach the terminal as escapes */
        int control = k == 1 ? *p < 0x20 || *p == 0x7f : k == 2 && p[0] == 0xc2 && p[1] < 0xa0;
        if (!k || control) {
            put_mem(o, "?", 1);
            p += k ? k : 1;
        } else {
            put_mem(o, p, k);
            p += k;
        }
    }
    for (; cols < width; cols++)
        put_mem(o, " ", 1);
}

void ctl_status_row(struct ctl_out *o, struct supervise_info const *s, uint64_t now)
{
    char up[16] = "-", pid[16] = "-", last[16] = "-";
    if (s->pid > 0) {
        snprintf(pid, sizeof pid, "%d", (int) s->pid);
        ctl_format_duration(up, sizeof up, now - s->since);
    }
    if (s->last_exit >= 0)
        snprintf(last, sizeof last, "%d", s->last_exit);
    ctl_put_text(o, s->name, 20);
    ctl_put(o, " %-9s %7s %8s %-5s %8u %9s%s", supervise_state_name(s->state), pid, up,
            s->ready ? "yes" : "no", s->restarts, last, s->crash_loop ? "  crash loop" : "");
    if (s->reason) {
        put_mem(o, "  ", 2);
        ctl_put_text(o, s->reason, 0);
    }
    for (unsigned int k = 0; k < s->nsockets; k++) {
        put_mem(o, k ? ", " : "  listens on ", k ? 2 : 13);
        ctl_put_text(o, s->sockets[k], 0);
    }
    if (s->health) {
        char ago[16] = "";
        if (s->health_last)
            ctl_format_duration(ago, sizeof ago, now - s->health_last);
        ctl_put(o, "  %s", s->health);
        if (s->health_last)
            ctl_put(o, " (checked %s ago%s", ago, *s->health_line ? ": " : ")");
        if (s->health_last && *s->health_line) {
            ctl_put_text(o, s->health_line, 0);
            put_mem(o, ")", 1);
        }
    }
    put_mem(o, "\n", 1);
}

void ctl_status_json(struct ctl_out *o, struct supervise_info const *s, uint64_t now, int first)
{
    ctl_put(o, "%s{\"name\":", first ? "" : ",");
    ctl_put_json(o, s->name);
    ctl_put(o,
            ",\"state\":\"%s\",\"pid\":%d,\"uptime_ms\":%llu,\"ready\":%s,\"restarts\":%u,"
            "\"crash_loop\":%s,\"last_exit\":",
            supervise_state_name(s->state), (int) s->pid,
            (unsigned long long) (s->pid > 0 ? now - s->since : 0), s->ready ? "true" : "false",
            s->restarts, s->crash_loop ? "true" : "false");
    if (s->last_exit >= 0)
        ctl_put(o, "%d", s->last_exit);
    else
        ctl_put(o, "null");
    ctl_put(o, ",\"reason\":");
    ctl_put_json(o, s->reason);
    ctl_put(o, ",\"sockets\":[");
    for (unsigned int k = 0; k < s->nsockets; k++) {
        ctl_put(o, k ? "," : "");
        ctl_put_json(o, s->sockets[k]);
    }
    ctl_put(o, "],\"health\":");
    ctl_put_json(o, s->health);
    ctl_put(o, ",\"health_checked_ms_ago\":");
    if (s->health && s->health_last)
        ctl_put(o, "%llu", (unsigned long long) (now - s->health_last));
    else
        ctl_put(o, "null");
    ctl_put(o, ",\"health_failures\":%u,\"health_output\":", s->health_failures);
    ctl_put_json(o, s->health && s->health_last ? s->health_line : NULL);
    ctl_put(o, "}");
}

int ctl_health_fault(struct ctl_out *o, struct supervise_info const *s, int first)
{
    /* supervise_healthy's rule: every wanted service done, none unhealthy */
    int unhealthy = s->health && !strcmp(s->health, "unhealthy");
    if (!unhealthy && (!s->wanted || s->done))
        return 0;
    put_mem(o, first ? " " : ", ", first ? 1 : 2);
    ctl_put_text(o, s->name, 0);
    ctl_put(o, " (%s)", unhealthy ? "unhealthy" : supervise_state_name(s->state));
    return 1;
}

/* The answer being built, shared by every connection: it is written at
 * once, and only what the socket did not take is kept, by its connection. */
static char reply_buf[CTL_REPLY_MAX];
static struct ctl_out reply = {reply_buf, sizeof reply_buf, 0, 0};

static void status(struct ctl_request const *r, uint64_t now, int services)
{
    int json = r->argc > 0 && !strcmp(r->argv[0], "--json");
    unsigned int n = services ? supervise_count() : 0;
    ctl_put(&reply, "0\n");
    if (!json)
        ctl_put(&reply, "%-20s %-9s %7s %8s %-5s %8s %9s\n", "NAME", "STATE", "PID", "UPTIME",
                "READY", "RESTARTS", "LAST-EXIT");
    else
        ctl_put(&reply, "[");
    for (unsigned int i = 0; i < n; i++) {
        struct supervise_info s;
        supervise_info(i, &s);
        if (json)
            ctl_status_json(&reply, &s, now, i == 0);
        else
            ctl_status_row(&reply, &s, now);
    }
    if (json)
        ctl_put(&reply, "]\n");
}

/* vinit health [--ready | --live]: --ready (the default) every wanted
 * service ready and none unhealthy by its check; --live: PID 1 answers
 * and no essential service failed for good (what a liveness probe may
 * restart the container for). Both name the services at fault. */
static void health(struct ctl_request const *r, int services)
{
    char const *how = r->argc > 0 ? r->argv[0] : "--ready";
    if (strcmp(how, "--ready") && strcmp(how, "--live")) {
        ctl_put(&reply, "100\nhealth: unknown option %s (--ready, the default, or --live)\n", how);
        return;
    }
    if (!strcmp(how, "--live")) {
        unsigned int n = services ? supervise_count() : 0, faults = 0;
        if (!services || supervise_live()) {
            ctl_put(&reply, "0\nalive\n");
            return;
        }
        ctl_put(&reply, "1\nnot alive: essential services failed for good:");
        for (unsigned int i = 0; i < n; i++) {
            struct supervise_info s;
            supervise_info(i, &s);
            if (s.state != PS_FAILED && s.state != PS_BROKEN)
                continue;
            if (!supervise_essential(i))
                continue;
            ctl_put(&reply, "%s", faults++ ? ", " : " ");
            ctl_put_text(&reply, s.name, 0);
        }
        ctl_put(&reply, "\n");
        return;
    }
    if (!services || supervise_healthy()) {
        ctl_put(&reply, "0\nhealthy\n");
        return;
    }
    unsigned int n = supervise_count(), faults = 0;
    ctl_put(&reply, "1\nunhealthy:");
    for (unsigned int i = 0; i < n; i++) {
        struct supervise_info s;
        supervise_info(i, &s);
        faults += (unsigned int) ctl_health_fault(&reply, &s, !faults);
    }
    ctl_put(&reply, "%s\n", faults ? "" : " not every service is ready");
}

extern char **environ;

/* vinit env [set NAME=VALUE... | unset NAME...]: the environment children
 * get, changed at run time; the services that use a changed variable
 * restart with it. PID 1 allocates here (setenv, the new snapshot): a
 * control request, not the running loop's path. */
static void env_command(char **w, unsigned int n, uint64_t now, int services)
{
    static char const **snapshot;
    char names[CTL_REQUEST_MAX] = "";
    int set = n > 0 && !strcmp(w[0], "set"), unset = n > 0 && !strcmp(w[0], "unset");
    if (!set && !unset) {
        ctl_put(&reply, "0\n");
        for (char **e = environ; *e; e++)
            ctl_put(&reply, "%s\n", *e);
        return;
    }
    /* every name checked before any is changed */
    for (unsigned int k = 1; k < n; k++) {
        char *eq = strchr(w[k], '=');
        size_t len = eq ? (size_t) (eq - w[k]) : strlen(w[k]);
        char const *why = NULL;
        if (!svparse_env_name(w[k], len) || (set && !eq)) {
            ctl_put(&reply, "100\nvinit env: not %s: ", set ? "NAME=VALUE" : "a variable name");
            ctl_put_text(&reply, w[k], 0);
            ctl_put(&reply, "\n");
            return;
        }
        if (len > 6 && !strncmp(w[k], "VINIT_", 6))
            why = "is a setting of vinit's own, read once at start and never given to "
                  "children: change it in the container's environment and start the "
                  "container again";
        else if (env_is_internal(w[k], len))
            why = "belongs to the manager and to vinit (sd_notify, socket activation): vinit "
                  "sets it for the services that need it";
        else if (env_is_withheld(w[k], len))
            why = "is withheld (VINIT_ENV_WITHHOLD): vinit keeps no copy of it and gives it "
                  "only to the services whose env-secrets name it, so it cannot be changed "
                  "at run time: give the container the new value and start it again";
        if (why) {
            ctl_put(&reply, "100\nvinit env: %.*s %s\n", (int) len, w[k], why);
            return;
        }
    }
    for (unsigned int k = 1; k < n; k++) {
        char *eq = strchr(w[k], '=');
        if (eq)
            *eq = 0;
        if (set ? setenv(w[k], eq + 1, 1) : unsetenv(w[k])) {
            ctl_put(&reply, "111\nvinit env: %s: %s\n", w[k], strerror(errno));
            return;
        }
        /* names fit: they come from a request of at most CTL_REQUEST_MAX */
        strncat(names, w[k], sizeof names - strlen(names) - 2);
        strcat(names, " ");
    }
    char const **fresh = env_snapshot();
    if (!fresh) {
        ctl_put(&reply, "111\nvinit env: out of memory\n");
        return;
    }
    int r = services ? supervise_env_changed(fresh, names, now) : 0;
    free(snapshot);
    snapshot = fresh;
    if (!services)
        ctl_put(&reply, "0\nset for the main command's next start\n");
    else if (r < 0)
        ctl_put(&reply, "111\nvinit env: set, but the service tree could not be read again: no "
                        "service restarts with it (the log says why)\n");
    else
        ctl_put(&reply, "0\nthe services that use it restart with it (the log names them)\n");
}

/* vinit start|stop|restart|reload SERVICE... */
static void service_command(struct ctl_request const *r, uint64_t now, int services)
{
    char const *op = verbs[r->verb];
    if (!r->argc) {
        ctl_put(&reply, "100\nusage: vinit %s SERVICE...\n", op);
        return;
    }
    size_t code_at = reply.len;
    ctl_put(&reply, "0\n"); /* patched below when a service fails */
    for (unsigned int k = 0; k < r->argc; k++) {
        if (!services)
            errno = ENOENT; /* no tree: no service runs here */
        else if (supervise_command(r->argv[k], op, now) == 0)
            continue;
        char const *why = errno == ENOENT   ? "no such service running here"
                          : errno == EINVAL ? "not for a oneshot"
                                            : strerror(errno);
        ctl_put(&reply, "vinit: %s ", op);
        ctl_put_text(&reply, r->argv[k], 0);
        ctl_put(&reply, ": %s\n", why);
        reply.buf[code_at] = '1';
    }
}

static enum ctl_action handle(struct ctl_request *r, uint64_t now, int services)
{
    switch (r->verb) {
    case CTL_VERB_SHUTDOWN: {
        int reboot = r->argc > 0 && !strcmp(r->argv[0], "--reboot");
        ctl_put(&reply, "0\n%s\n", reboot ? "rebooting" : "stopping");
        return reboot ? CTL_REBOOT : CTL_SHUTDOWN;
    }
    case CTL_VERB_STATUS:
        status(r, now, services);
        break;
    case CTL_VERB_ENV:
        env_command(r->argv, r->argc, now, services);
        break;
    case CTL_VERB_HEALTH:
        health(r, services);
        break;
    default:
        service_command(r, now, services);
        break;
    }
    return CTL_NONE;
}

/* ---- the connection table: pure decisions ---- */

short ctl_events(enum ctl_phase phase)
{
    return phase == CTL_READING ? IOPAUSE_READ : phase == CTL_WRITING ? IOPAUSE_WRITE : 0;
}

enum ctl_step ctl_step(enum ctl_phase phase, short revents, int expired)
{
    switch (phase) {
    case CTL_READING:
        /* bytes (or the end, or an error) first: read says which */
        if (revents & (IOPAUSE_READ | IOPAUSE_EXCEPT))
            return CTL_STEP_READ;
        return expired ? CTL_STEP_DROP : CTL_STEP_WAIT;
    case CTL_WRITING:
        if (revents & IOPAUSE_WRITE)
            return CTL_STEP_WRITE;
        /* the client left, or had its time to take the answer */
        return revents & IOPAUSE_EXCEPT || expired ? CTL_STEP_DROP : CTL_STEP_WAIT;
    case CTL_FREE:
        break;
    }
    return CTL_STEP_WAIT;
}

int64_t ctl_soonest(uint64_t const *deadlines, unsigned int n, uint64_t now)
{
    int64_t wait = -1;
    for (unsigned int i = 0; i < n; i++) {
        if (!deadlines[i])
            continue;
        int64_t w = deadlines[i] > now ? (int64_t) (deadlines[i] - now) : 0;
        if (wait < 0 || w < wait)
            wait = w;
    }
    return wait;
}

/* ---- the connection table: I/O ---- */

struct conn {
    enum ctl_phase phase;
    int fd;
    uint64_t deadline;
    size_t in_len;
    char *out; /* the rest of the answer, when the socket did not take it all */
    size_t out_len, out_off;
    char in[CTL_REQUEST_MAX];
};
static struct conn conns[CTL_CONN_MAX];
static int lfd = -1;
/* A descriptor kept in reserve: with none left (EMFILE), closing it lets
 * one queued connection be accepted and told so; left queued, it would
 * keep the listener readable and the loop spinning. */
static int spare = -1;
static uint64_t paused_until; /* the listener rests until then (0: it does not) */
static int starved;           /* out of descriptors: said once, until an accept works */

static void drop(struct conn *c)
{
    close(c->fd); /* a socket: nothing is lost that a retry would save */
    free(c->out);
    *c = (struct conn){.phase = CTL_FREE, .fd = -1};
}

/* A one-line answer to a connection that gets nothing else. */
static void answer_and_close(int fd, char const *text)
{
    /* a fresh socket's buffer takes a line; when it does not, the client
     * sees the connection closed without an answer, and says so */
    ssize_t w = send(fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT);
    (void) w;
    close(fd);
}

/* Writes what the socket takes of the answer in reply; keeps the rest. */
static void answer(struct conn *c, uint64_t now)
{
    ssize_t w = send(c->fd, reply.buf, reply.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
        drop(c); /* the client left: the request stands */
        return;
    }
    size_t done = w > 0 ? (size_t) w : 0;
    if (done == reply.len) {
        drop(c);
        return;
    }
    /* rare (an answer larger than the socket's buffer): allocated for the
     * time the client takes it, at most CTL_CONN_MAX of them */
    c->out = malloc(reply.len - done);
    if (!c->out) {
        drop(c);
        return;
    }
    memcpy(c->out, reply.buf + done, reply.len - done);
    c->out_len = reply.len - done;
    c->out_off = 0;
    c->phase = CTL_WRITING;
    c->deadline = now + CTL_WRITE_MS;
}

static enum ctl_action on_readable(struct conn *c, uint64_t now, int services)
{
    static struct ctl_request req;
    enum ctl_action action = CTL_NONE;
    /* in_len < CTL_REQUEST_MAX while reading: a full buffer is TOO_LONG */
    ssize_t r = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
    if (r < 0) {
        if (errno != EAGAIN && errno != EINTR)
            drop(c);
        return CTL_NONE;
    }
    c->in_len += (size_t) r;
    enum ctl_parse p = ctl_request_parse(c->in, c->in_len, r == 0, &req);
    if (p == CTL_PARSE_MORE)
        return CTL_NONE;
    if (p == CTL_PARSE_NOTHING) {
        drop(c);
        return CTL_NONE;
    }
    reply.len = 0;
    reply.overflow = 0;
    if (p == CTL_PARSE_OK)
        action = handle(&req, now, services);
    else
        ctl_put(&reply, "100\nvinit: %s\n", ctl_parse_error(p));
    if (reply.overflow) {
        reply.len = 0;
        reply.overflow = 0;
        ctl_put(&reply, "111\nvinit: the answer does not fit in %u KiB\n",
                (unsigned int) (CTL_REPLY_MAX / 1024));
    }
    answer(c, now);
    return action;
}

static void on_writable(struct conn *c)
{
    ssize_t w =
        send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
        if (errno != EAGAIN && errno != EINTR)
            drop(c);
        return;
    }
    c->out_off += (size_t) w;
    if (c->out_off == c->out_len)
        drop(c);
}

/* root, or vinit's own user when vinit runs as one (docker run --user) */
static int from_root(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
           (cred.uid == 0 || cred.uid == geteuid());
}

static char const busy_full[] =
    "111 busy\nvinit: busy: " STR(CTL_CONN_MAX) " control connections are open; try again\n";

static enum ctl_action admit(int fd, uint64_t now, int services)
{
    if (!from_root(fd)) {
        answer_and_close(fd,
                         "100\nvinit: only root (or the user vinit runs as) may control vinit\n");
        return CTL_NONE;
    }
    for (unsigned int i = 0; i < CTL_CONN_MAX; i++) {
        struct conn *c = &conns[i];
        if (c->phase != CTL_FREE)
            continue;
        *c = (struct conn){.phase = CTL_READING, .fd = fd, .deadline = now + CTL_READ_MS};
        /* the CLI writes as soon as it connects: the request is often in */
        return on_readable(c, now, services);
    }
    answer_and_close(fd, busy_full);
    return CTL_NONE;
}

static void pause_listener(uint64_t now)
{
    paused_until = now + CTL_PAUSE_MS;
}

static void say_starved(void)
{
    if (!starved)
        strerr_warnw("PID 1 has no file descriptor left (RLIMIT_NOFILE): control connections are "
                     "refused until some are free");
    starved = 1;
}

/* accept4 failed with EMFILE or ENFILE (which it says before it looks at
 * the queue): the spare makes room for one. 1 when a connection was taken
 * and there may be more, else 0. */
static int out_of_fds(uint64_t now)
{
    if (spare < 0)
        spare = fcntl(lfd, F_DUPFD_CLOEXEC, 0);
    if (spare < 0) {
        /* nothing to accept with: the listener rests instead of waking
         * the loop at once */
        say_starved();
        pause_listener(now);
        return 0;
    }
    close(spare);
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), e = errno;
    if (fd >= 0) {
        say_starved();
        answer_and_close(fd, "111 busy\nvinit: PID 1 has no file descriptor left (RLIMIT_NOFILE): "
                             "try again later, or raise the container's limit\n");
    }
    spare = fcntl(lfd, F_DUPFD_CLOEXEC, 0); /* the number just freed */
    if (fd >= 0)
        return 1;
    if (e == EAGAIN || e == EWOULDBLOCK)
        return 0;  /* nothing was queued after all */
    say_starved(); /* ENFILE: the system's limit, not ours */
    pause_listener(now);
    return 0;
}

static enum ctl_action accept_some(uint64_t now, int services)
{
    enum ctl_action action = CTL_NONE, a;
    for (unsigned int k = 0; k < ACCEPT_BURST; k++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), e = errno;
        if (fd < 0) {
            if (e == EINTR || e == ECONNABORTED)
                continue;
            if (e == EMFILE || e == ENFILE) {
                if (out_of_fds(now))
                    continue;
            } else if (e != EAGAIN && e != EWOULDBLOCK) {
                errno = e;
                strerr_warnwusys("accept a control connection (trying again in a second)");
                pause_listener(now);
            }
            break;
        }
        starved = 0;
        if (spare < 0)
            spare = fcntl(lfd, F_DUPFD_CLOEXEC, 0);
        if ((a = admit(fd, now, services)) > action)
            action = a;
    }
    return action;
}

static short revents_of(iopause_fd const *x, unsigned int n, int fd)
{
    for (unsigned int i = 0; i < n; i++)
        if (x[i].fd == fd)
            return x[i].revents;
    return 0;
}

unsigned int ctl_pollfds(iopause_fd *x, unsigned int max, uint64_t now)
{
    unsigned int n = 0;
    if (paused_until && now >= paused_until)
        paused_until = 0;
    if (lfd >= 0 && !paused_until && n < max)
        x[n++] = (iopause_fd){.fd = lfd, .events = IOPAUSE_READ};
    for (unsigned int i = 0; i < CTL_CONN_MAX && n < max; i++)
        if (conns[i].phase != CTL_FREE)
            x[n++] = (iopause_fd){.fd = conns[i].fd, .events = ctl_events(conns[i].phase)};
    return n;
}

enum ctl_action ctl_io(iopause_fd const *x, unsigned int n, uint64_t now, int services)
{
    enum ctl_action action = CTL_NONE, a = CTL_NONE;
    /* the connections first: the accepts below may reuse a dropped fd */
    for (unsigned int i = 0; i < CTL_CONN_MAX; i++) {
        struct conn *c = &conns[i];
        if (c->phase == CTL_FREE)
            continue;
        switch (ctl_step(c->phase, revents_of(x, n, c->fd), c->deadline <= now)) {
        case CTL_STEP_READ:
            a = on_readable(c, now, services);
            break;
        case CTL_STEP_WRITE:
            on_writable(c);
            break;
        case CTL_STEP_DROP:
            drop(c);
            break;
        case CTL_STEP_WAIT:
            break;
        }
        if (a > action)
            action = a;
        if (c->phase != CTL_FREE && c->deadline <= now)
            drop(c);
    }
    if (lfd >= 0 && !paused_until && revents_of(x, n, lfd) & (IOPAUSE_READ | IOPAUSE_EXCEPT) &&
        (a = accept_some(now, services)) > action)
        action = a;
    return action;
}

int64_t ctl_wait_ms(uint64_t now)
{
    uint64_t d[CTL_CONN_MAX + 1];
    for (unsigned int i = 0; i < CTL_CONN_MAX; i++)
        d[i] = conns[i].phase != CTL_FREE ? conns[i].deadline : 0;
    d[CTL_CONN_MAX] = paused_until;
    return ctl_soonest(d, CTL_CONN_MAX + 1, now);
}

static int socket_path(struct sockaddr_un *a, char const *rundir)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path, sizeof a->sun_path, "%s/" CTL_SOCKET, rundir);
    return n < 0 || (size_t) n >= sizeof a->sun_path ? (errno = ENAMETOOLONG, -1) : 0;
}

int ctl_listen(char const *rundir)
{
    struct sockaddr_un a;
    if (socket_path(&a, rundir) < 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    unlink(a.sun_path); /* left by an earlier run: nobody listens on it */
    if (bind(fd, (struct sockaddr *) &a, sizeof a) < 0 || chmod(a.sun_path, 0600) < 0 ||
        listen(fd, LISTEN_BACKLOG) < 0) {
        int e = errno;
        close(fd);
        return (errno = e, -1);
    }
    for (unsigned int i = 0; i < CTL_CONN_MAX; i++)
        if (conns[i].phase != CTL_FREE)
            drop(&conns[i]);
    if (spare >= 0)
        close(spare);
    if (lfd >= 0)
        close(lfd);
    lfd = fd;
    /* a duplicate of the listener is as good a spare as any, and needs no
     * /dev/null; failing now, it is tried again at each accept */
    spare = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    paused_until = 0;
    starved = 0;
    return fd;
}

/* ---- the CLI ---- */

/* uid of PID 1, from /proc/1/status's "Uid:\treal\teffective..." line */
static unsigned long pid1_uid(void)
{
    char line[256];
    unsigned long real = 0, effective = 0;
    FILE *f = fopen("/proc/1/status", "re");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Uid: %lu %lu", &real, &effective) == 2)
            break;
    fclose(f);
    return effective;
}

char const *ctl_find_rundir(void)
{
    static char dir[64];
    char const *v = getenv("VINIT_RUNDIR");
    if (v && *v)
        return v;
    /* a PID 1 of a plain user has its directory under /tmp: looked at
     * first, since a /run/vinit seen here may be someone else's (a /run
     * shared with the host) */
    unsigned long uid = pid1_uid();
    char const *user_dir = uid ? settings_user_rundir(dir, sizeof dir, uid) : NULL;
    char sock[80];
    if (user_dir &&
        snprintf(sock, sizeof sock, "%s/%s", user_dir, CTL_SOCKET) < (int) sizeof sock &&
        access(sock, F_OK) == 0)
        return user_dir;
    if (access(VINIT_RUNDIR "/" CTL_SOCKET, F_OK) == 0)
        return VINIT_RUNDIR;
    return user_dir ? user_dir : VINIT_RUNDIR;
}

/* The request line from argv[1..], or exit 100 saying why not. */
static size_t request_line(char *buf, int argc, char const *const *argv)
{
    size_t len = 0, need = 0;
    for (int i = 1; i < argc; i++) {
        if (strchr(argv[i], '\n'))
            strerr_dief(100, "an argument holds a newline: a request is one line");
        need += strlen(argv[i]) + 1; /* and a blank, or the newline */
    }
    if (need > CTL_REQUEST_MAX) {
        char n[SIZE_FMT], max[UINT_FMT];
        n[size_fmt(n, need)] = 0;
        max[uint_fmt(max, CTL_REQUEST_MAX)] = 0;
        strerr_dief(100, "the request is too long: ", n, " bytes, at most ", max,
                    " (the words of one vinit command, blanks and newline included)");
    }
    for (int i = 1; i < argc; i++) {
        size_t k = strlen(argv[i]);
        memcpy(buf + len, argv[i], k);
        len += k;
        buf[len++] = i + 1 < argc ? ' ' : '\n';
    }
    return len;
}

struct client {
    char const *path;
    unsigned int timeout_ms; /* 0: no limit */
    struct timespec end;
};

static unsigned int client_timeout(void)
{
    unsigned int ms = CTL_TIMEOUT_MS;
    char const *v = getenv("VINIT_CTL_TIMEOUT");
    if (v && settings_parse_duration(v, &ms) < 0)
        strerr_dief(100, "invalid duration in VINIT_CTL_TIMEOUT: ", v,
                    " (e.g. 10s, 1500ms; 0 waits as long as it takes)");
    return ms;
}

/* ms left before the client's deadline: -1 for no limit, 0 when past */
static int left_ms(struct client const *cl)
{
    struct timespec t;
    if (!cl->timeout_ms)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long long ms = (cl->end.tv_sec - t.tv_sec) * 1000LL + (cl->end.tv_nsec - t.tv_nsec) / 1000000;
    return ms > 0 ? (int) ms : 0;
}

static void timed_out(struct client const *cl, char const *what)
{
    char ms[UINT_FMT];
    ms[uint_fmt(ms, cl->timeout_ms)] = 0;
    strerr_dief(111, what, cl->path, " within ", ms,
                " ms (PID 1 busy or stuck? VINIT_CTL_TIMEOUT sets how long to wait)");
}

/* Waits for events on fd until the deadline; dies when it passes. */
static void wait_fd(struct client const *cl, int fd, short events, char const *what)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int r = poll(&p, 1, left_ms(cl));
        if (r > 0)
            return;
        if (r == 0)
            timed_out(cl, what);
        if (errno != EINTR)
            strerr_diefusys(111, "wait for ", cl->path);
    }
}

static int client_connect(struct client const *cl, struct sockaddr_un const *a)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        strerr_diefusys(111, "create a socket");
    /* a unix connect waits while the listener's queue is full, as long as
     * the send timeout allows (a non-blocking one would fail at once) */
    int left = left_ms(cl);
    if (left >= 0) {
        struct timeval tv = {.tv_sec = left / 1000, .tv_usec = (long) (left % 1000) * 1000 + 1};
        if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
            strerr_diefusys(111, "set a timeout on the socket to ", cl->path);
    }
    while (connect(fd, (struct sockaddr const *) a, sizeof *a) < 0) {
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EINPROGRESS)
            timed_out(cl, "unable to connect (its queue stays full) to ");
        strerr_diefusys(111, "connect to ", cl->path, " (is vinit running as PID 1 here?)");
    }
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
        strerr_diefusys(111, "make the socket to ", cl->path, " non-blocking");
    return fd;
}

static void send_request(struct client const *cl, int fd, char const *buf, size_t len)
{
    while (len) {
        ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            wait_fd(cl, fd, POLLOUT, "unable to send the request to ");
            continue;
        }
        /* closed already: a refusal may be waiting to be read */
        if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
            return;
        if (w < 0)
            strerr_diefusys(111, "send the request to ", cl->path);
        buf += w;
        len -= (size_t) w;
    }
}

/* Reads up to n bytes, waiting as long as the deadline allows; 0 at the end. */
static size_t receive(struct client const *cl, int fd, char *buf, size_t n, int answered)
{
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r >= 0)
            return (size_t) r;
        /* what vinit sent is read first; a reset after it (vinit closed
         * with our request unread: a refusal) is the end */
        if (errno == ECONNRESET)
            return 0;
        if (errno != EAGAIN && errno != EINTR)
            strerr_diefusys(111, "read the answer from ", cl->path);
        fflush(stdout);
        wait_fd(cl, fd, POLLIN,
                answered ? "the answer stopped short: nothing more from "
                         : "no answer from vinit on ");
    }
}

/* The first line of an answer: the exit code, then " busy" when vinit
 * took no request (try again). 0, or -1 when it is not that. */
static int parse_code(char const *s, size_t n, int *code, int *busy)
{
    size_t i = 0;
    *code = 0;
    *busy = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if (*code < 1000)
            *code = *code * 10 + (s[i] - '0');
    if (!i)
        return -1;
    if (n - i >= 5 && !memcmp(s + i, " busy", 5)) {
        *busy = 1;
        i += 5;
    }
    for (; i < n; i++)
        if (s[i] != ' ')
            return -1;
    return 0;
}

struct answer {
    int fd, code, busy;
    char head[64]; /* the first bytes; the text starts at off */
    size_t len, off;
};

/* One exchange, as far as the first line of the answer. */
static void ask(struct client const *cl, struct sockaddr_un const *a, char const *req, size_t n,
                struct answer *an)
{
    char *nl = NULL;
    an->fd = client_connect(cl, a);
    send_request(cl, an->fd, req, n);
    an->len = 0;
    while (!nl) {
        size_t r = receive(cl, an->fd, an->head + an->len, sizeof an->head - an->len, 0);
        if (!r)
            strerr_dief(111, "vinit closed the connection on ", cl->path, " without an answer");
        an->len += r;
        nl = memchr(an->head, '\n', an->len);
        if (!nl && an->len == sizeof an->head)
            break;
    }
    if (!nl || parse_code(an->head, (size_t) (nl - an->head), &an->code, &an->busy) < 0)
        strerr_dief(111, "not an answer from vinit on ", cl->path);
    an->off = (size_t) (nl + 1 - an->head);
}

static void nap(unsigned int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

int ctl_client(int argc, char const *const *argv, char const *rundir)
{
    struct sockaddr_un a;
    struct client cl = {.path = a.sun_path, .timeout_ms = client_timeout()};
    struct answer an;
    char req[CTL_REQUEST_MAX], buf[4096];
    size_t len = request_line(req, argc, argv);
    unsigned int pause = 20;
    if (socket_path(&a, rundir) < 0)
        strerr_diefu(111, "use the control socket path: ", rundir, " is too long");
    clock_gettime(CLOCK_MONOTONIC, &cl.end);
    cl.end.tv_sec += cl.timeout_ms / 1000;
    cl.end.tv_nsec += (long) (cl.timeout_ms % 1000) * 1000000;
    if (cl.end.tv_nsec >= 1000000000) {
        cl.end.tv_sec++;
        cl.end.tv_nsec -= 1000000000;
    }
    /* busy (every connection taken, or no descriptor left): nothing was
     * done, so asking again is safe, as long as the timeout allows */
    for (;;) {
        ask(&cl, &a, req, len, &an);
        int left = left_ms(&cl);
        if (!an.busy || (left >= 0 && (unsigned int) left <= pause))
            break;
        close(an.fd);
        nap(pause);
        pause = pause < 100 ? pause * 2 : 200;
    }
    FILE *out = an.code ? stderr : stdout;
    fwrite(an.head + an.off, 1, an.len - an.off, out);
    while ((len = receive(&cl, an.fd, buf, sizeof buf, 1)) > 0)
        fwrite(buf, 1, len, out);
    close(an.fd);
    if (fflush(out) != 0 || ferror(out))
        strerr_diefusys(111, "write the answer to ", an.code ? "stderr" : "stdout");
    return an.code > 255 ? 111 : an.code;
}
