/* SPDX-License-Identifier: ISC */
/* log: vinit itself reads each service's output pipe, so the pipe outlives
 * every restart of the service and no line is lost in between. A line is
 * written with one write(2) of at most PIPE_BUF bytes, which the kernel
 * never interleaves with another writer's on a pipe (Docker's and podman's
 * stdout), through PID 1's own non-blocking way there (relay.c). A line
 * stdout cannot take now waits in the service's queue (lineq.c), which
 * holds the service back while stdout still takes lines (supervise.c);
 * once it stalls, what does not fit is dropped whole, and a note says how
 * many once stdout takes lines again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "log.h"
#include "relay.h"

size_t log_format(char *out, char const *name, char const *line, size_t len)
{
    size_t n = strlen(name);
    memcpy(out, name, n);
    out[n] = ':';
    out[n + 1] = ' ';
    memcpy(out + n + 2, line, len);
    out[n + 2 + len] = '\n';
    return n + 3 + len;
}

/* A line read whole goes out straight from the read; only a line whose end
 * has not come yet is kept, in a buffer allocated the first time one must
 * be (most services never need it: PID 1 holds no 4 KiB per service). */
void log_feed(struct log_buf *b, char const *data, size_t len, log_emit_fn *emit, void *arg)
{
    while (len) {
        char const *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t) (nl - data) : len;
        /* the newline of a line emitted whole because it filled the
         * buffer, arriving in the next read: the end of that line, not an
         * empty one */
        if (nl == data && !b->len && b->cut) {
            b->cut = 0;
            data++;
            len--;
            continue;
        }
        b->cut = 0;
        if (!b->len && (nl || take >= LOG_LINE_MAX)) {
            size_t n = take < LOG_LINE_MAX ? take : LOG_LINE_MAX;
            int end = nl && n == take;
            emit(b->name, data, n, arg);
            b->cut = !end; /* a piece of a longer line */
            data += n + (size_t) end;
            len -= n + (size_t) end;
            continue;
        }
        if (!b->line && !(b->line = malloc(LOG_LINE_MAX))) {
            emit(b->name, data, take < LOG_LINE_MAX ? take : LOG_LINE_MAX, arg);
            return; /* no memory to keep a partial line: it goes out cut */
        }
        size_t room = LOG_LINE_MAX - b->len;
        if (take > room)
            take = room;
        memcpy(b->line + b->len, data, take);
        b->len += take;
        data += take;
        len -= take;
        int end_of_line = len && *data == '\n';
        if (end_of_line || b->len == LOG_LINE_MAX) {
            emit(b->name, b->line, b->len, arg);
            b->cut = !end_of_line;
            b->len = 0;
            if (end_of_line) {
                data++;
                len--;
            }
        }
    }
}

void log_release(struct log_buf *b)
{
    free(b->line);
    b->line = NULL;
    b->len = 0;
    lineq_free(&b->q);
}

void log_flush(struct log_buf *b, log_emit_fn *emit, void *arg)
{
    if (b->len)
        emit(b->name, b->line, b->len, arg);
    b->len = 0;
    b->cut = 0;
}

static void rotate(char const *path)
{
    char from[4096], to[4096];
    for (int k = LOG_FILE_KEEP; k > 0; k--) {
        snprintf(to, sizeof to, "%s.%d", path, k);
        if (k > 1)
            snprintf(from, sizeof from, "%s.%d", path, k - 1);
        else
            snprintf(from, sizeof from, "%s", path);
        rename(from, to);
    }
}

/* "vinit: N lines dropped (WHERE was not taking them)\n", for a log-file
 * or a logger (their lines are unprefixed) */
static size_t drop_note(char *out, size_t size, unsigned long n, char const *where)
{
    int k = snprintf(out, size, "vinit: %lu line%s dropped (%s was not taking them)\n", n,
                     n == 1 ? "" : "s", where);
    return k > 0 && (size_t) k < size ? (size_t) k : 0;
}

/* Opened without waiting (a FIFO without a reader would hold PID 1 in
 * open); anything but a regular file is refused: it could make every
 * write wait, and rotation means nothing to it. */
static int open_log_file(struct log_buf *b)
{
    struct stat st;
    int fd = open(b->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);
    if (fd < 0) {
        strerr_warnwusys("open the log file ", b->file, " of service ", b->name,
                         ": its lines go to stdout only");
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        strerr_warnw("the log file ", b->file, " of service ", b->name,
                     " is not a regular file: its lines go to stdout only");
        return -1;
    }
    b->file_size = (long long) st.st_size;
    return fd;
}

void log_to_file(struct log_buf *b, char const *line, size_t len)
{
    char out[LOG_LINE_MAX + 1];
    if (!b->file || b->file_fd == -2)
        return;
    if (b->file_fd < 0 || b->file_size >= LOG_FILE_MAX) {
        if (b->file_fd >= 0) {
            close(b->file_fd);
            rotate(b->file);
        }
        b->file_fd = open_log_file(b);
        if (b->file_fd < 0) {
            b->file_fd = -2; /* said once */
            return;
        }
    }
    if (b->file_gap) {
        size_t n = drop_note(out, sizeof out, b->file_gap, "the file");
        ssize_t r = write(b->file_fd, out, n);
        if (r == (ssize_t) n)
            b->file_gap = 0;
        if (r > 0)
            b->file_size += r;
    }
    memcpy(out, line, len);
    out[len] = '\n';
    ssize_t r = write(b->file_fd, out, len + 1);
    if (r > 0)
        b->file_size += r;
    if (r < (ssize_t) len + 1) { /* a full disk: said once it takes lines again */
        b->file_dropped++;
        b->file_gap++;
    }
}

/* A line to a log/ logger, unprefixed, through a non-blocking pipe: one
 * write of at most PIPE_BUF bytes goes whole or not at all. 0 when the
 * logger cannot take it now. */
static int to_tee(struct log_buf *b, char const *p, size_t n)
{
    return write(b->tee_fd, p, n) >= 0 || errno != EAGAIN;
}

void log_tee_note(struct log_buf *b)
{
    char note[128];
    if (b->tee_fd >= 0 && b->tee_gap &&
        to_tee(b, note, drop_note(note, sizeof note, b->tee_gap, "the logger")))
        b->tee_gap = 0;
}

/* Never blocking PID 1: a logger too slow to keep up with a full pipe
 * loses lines, and is told how many once it takes them again. */
static void log_to_tee(struct log_buf *b, char const *line, size_t len)
{
    char out[LOG_LINE_MAX + 1];
    if (b->tee_fd < 0)
        return;
    log_tee_note(b);
    memcpy(out, line, len);
    out[len] = '\n';
    if (!b->tee_gap && to_tee(b, out, len + 1))
        return;
    if (!b->tee_dropped)
        strerr_warnw("service ", b->name,
                     ": its log/ logger is not keeping up: dropping lines (counted in vinit "
                     "status --json; said once)");
    b->tee_dropped++;
    b->tee_gap++;
}

void log_to_stdout(char const *name, char const *line, size_t len, void *arg)
{
    struct log_buf *b = arg;
    char out[LOG_LINE_MAX + 80];
    if (b) {
        log_to_file(b, line, len);
        log_to_tee(b, line, len);
    }
    size_t n = log_format(out, name, line, len);
    /* behind lines that wait, so that the service's lines keep their order */
    if (b && lineq_waiting(&b->q)) {
        if (!lineq_put(&b->q, out, n, name))
            b->out_dropped++;
        return;
    }
    if (relay_write(RELAY_STDOUT, out, n) || !b)
        return;
    if (!lineq_put(&b->q, out, n, name))
        b->out_dropped++;
}

int log_drain_one(struct log_buf *b)
{
    char const *p;
    size_t n = lineq_next(&b->q, &p, b->name);
    if (!n)
        return 0;
    if (!relay_write(RELAY_STDOUT, p, n))
        return -1;
    lineq_pop(&b->q);
    return 1;
}

int log_read(int fd, struct log_buf *b)
{
    char data[16384];
    ssize_t r = read(fd, data, sizeof data);
    if (r > 0) {
        log_feed(b, data, (size_t) r, log_to_stdout, b);
        return 1;
    }
    if (!r) {
        log_flush(b, log_to_stdout, b);
        return 0;
    }
    return errno == EAGAIN || errno == EINTR ? 1 : -1;
}
