/* SPDX-License-Identifier: ISC */
/* relay: fds 1 and 2 of PID 1 are the container's stdout and stderr, most
 * often pipes shared with the main command, the log/ loggers' supervisors
 * and whatever else inherited them: O_NONBLOCK set on them would be set
 * for all of those (a main command's printf failing with EAGAIN). So PID 1
 * writes through ways of its own, chosen once at start:
 * - a pipe, a FIFO or a terminal is opened again through /proc/self/fd/N:
 *   a new open file description of the same pipe or terminal, which PID 1
 *   alone makes non-blocking;
 * - a socket (a log driver's stream) is written with send(MSG_DONTWAIT),
 *   non-blocking for that call only;
 * - a regular file (or /dev/null) is written as it is: it never waits for
 *   a reader;
 * - a pipe or terminal that cannot be opened again (no /proc, a pipe of
 *   another user when vinit does not run as root) is polled before each
 *   write: a line of at most PIPE_BUF bytes then fits, unless another
 *   writer fills the pipe in between.
 * fds 1 and 2 themselves stay as they came, for the children. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/buffer.h>

#include "lineq.h"
#include "relay.h"

#define REST_MAX 8192 /* the longest line written in one piece */

struct sink {
    int fd;
    enum relay_how how;
    uint64_t refused_since; /* ms (monotonic) of its first refusal since it last took a line; 0 */
    size_t rest_off, rest_len; /* a line written in part: the rest goes first */
    char rest[REST_MAX];
};

static struct sink sinks[2] = {{.fd = -1}, {.fd = -1}};
static pid_t self;
static struct lineq own; /* vinit's own lines that wait for stderr */
static char part[4096];  /* a message of vinit's own, until its newline */
static size_t part_len;

enum relay_how relay_how(mode_t mode, int reopened)
{
    if (S_ISSOCK(mode))
        return RELAY_SEND;
    if (S_ISFIFO(mode) || S_ISCHR(mode))
        return reopened ? RELAY_OWN : RELAY_POLL;
    return RELAY_PLAIN;
}

static void open_sink(struct sink *s, int fd)
{
    struct stat st, again;
    char path[32];
    int own_fd = -1;
    s->fd = -1;
    s->how = RELAY_NONE;
    if (fstat(fd, &st) < 0)
        return;
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        own_fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        /* the same pipe or terminal, not what a path now names */
        if (own_fd >= 0 && (fstat(own_fd, &again) < 0 || again.st_dev != st.st_dev ||
                            again.st_ino != st.st_ino || again.st_rdev != st.st_rdev)) {
            close(own_fd);
            own_fd = -1;
        }
    }
    s->how = relay_how(st.st_mode, own_fd >= 0);
    s->fd = own_fd >= 0 ? own_fd : fd;
}

static ssize_t put(struct sink *s, char const *p, size_t n)
{
    ssize_t r;
    do {
        if (s->how == RELAY_SEND)
            r = send(s->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        else {
            struct pollfd x = {.fd = s->fd, .events = POLLOUT};
            if (s->how == RELAY_POLL && poll(&x, 1, 0) == 0)
                return (errno = EAGAIN, -1);
            r = write(s->fd, p, n);
        }
    } while (r < 0 && errno == EINTR);
    return r;
}

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

static uint64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000 + (uint64_t) t.tv_nsec / 1000000 + 1;
}

static int refused(struct sink *s)
{
    if (!s->refused_since)
        s->refused_since = mono_ms();
    return 0;
}

/* 1 when no rest waits any more (written, or lost with the output) */
static int flush_rest(struct sink *s)
{
    while (s->rest_off < s->rest_len) {
        ssize_t r = put(s, s->rest + s->rest_off, s->rest_len - s->rest_off);
        if (r < 0 && would_block())
            return refused(s);
        if (r <= 0)
            break; /* the output is gone, and the rest with it */
        s->rest_off += (size_t) r;
    }
    s->rest_off = s->rest_len = 0;
    return 1;
}

int relay_write(enum relay_out which, char const *line, size_t len)
{
    struct sink *s = &sinks[which];
    if (s->how == RELAY_NONE)
        return 1;
    if (!flush_rest(s))
        return 0;
    ssize_t r = put(s, line, len);
    if (r < 0 && would_block())
        return refused(s);
    s->refused_since = 0;
    if (r < 0 || (size_t) r >= len)
        return 1;
    /* a terminal or a socket took a part: the rest goes before anything
     * else, so that the line is never mixed with another */
    size_t rest = len - (size_t) r;
    if (rest > sizeof s->rest)
        rest = sizeof s->rest;
    memcpy(s->rest, line + r, rest);
    s->rest_off = 0;
    s->rest_len = rest;
    return 1;
}

int64_t relay_stalled_in(enum relay_out which, unsigned int ms)
{
    struct sink const *s = &sinks[which];
    if (!s->refused_since)
        return -1;
    uint64_t now = mono_ms(), at = s->refused_since + ms;
    return now >= at ? 0 : (int64_t) (at - now);
}

int relay_pollfd(enum relay_out which, int pending)
{
    struct sink const *s = &sinks[which];
    if (s->how == RELAY_NONE || s->how == RELAY_PLAIN)
        return -1;
    if (which == RELAY_STDERR && lineq_waiting(&own))
        pending = 1;
    return pending || s->rest_off < s->rest_len ? s->fd : -1;
}

int relay_flush(enum relay_out which)
{
    char const *p;
    size_t n;
    if (!flush_rest(&sinks[which]))
        return 0;
    if (which == RELAY_STDERR)
        while ((n = lineq_next(&own, &p, NULL))) {
            if (!relay_write(RELAY_STDERR, p, n))
                return 0;
            lineq_pop(&own);
        }
    return 1;
}

static int quiet; /* -q: PID 1's warnings and information are not said */

void relay_quiet(int q)
{
    quiet = q;
}

int relay_said_when_quiet(char const *line, size_t n)
{
    static char const *const kept_out[] = {"vinit: warning: ", "vinit: info: "};
    for (size_t k = 0; k < sizeof kept_out / sizeof *kept_out; k++) {
        size_t m = strlen(kept_out[k]);
        if (n >= m && !memcmp(line, kept_out[k], m))
            return 0;
    }
    return 1;
}

static void own_line(char const *p, size_t n)
{
    if (quiet && !relay_said_when_quiet(p, n))
        return;
    if (!lineq_waiting(&own) && relay_write(RELAY_STDERR, p, n))
        return;
    lineq_put(&own, p, n, NULL); /* counted in own.gap when dropped */
}

/* skalibs' buffer_2 writes with this: PID 1's messages go out a line at a
 * time, whole or dropped whole; a child forked before its exec writes to
 * fd 2 as it is, and may wait (it is not PID 1). */
static ssize_t own_writev(int fd, struct iovec const *v, unsigned int n)
{
    size_t total = 0;
    if (getpid() != self)
        return writev(fd, v, (int) n);
    for (unsigned int i = 0; i < n; i++) {
        char const *p = v[i].iov_base;
        for (size_t k = 0; k < v[i].iov_len; k++) {
            if (p[k] != '\n') {
                if (part_len < sizeof part - 1)
                    part[part_len++] = p[k]; /* past that, the end of a message goes */
                continue;
            }
            part[part_len++] = '\n';
            own_line(part, part_len);
            part_len = 0;
        }
        total += v[i].iov_len;
    }
    return (ssize_t) total;
}

void relay_setup(void)
{
    self = getpid();
    open_sink(&sinks[RELAY_STDOUT], 1);
    open_sink(&sinks[RELAY_STDERR], 2);
    buffer_flush(buffer_2);
    buffer_2->op = &own_writev;
}
