/* SPDX-License-Identifier: ISC */
/* log: vinit itself reads each service's output pipe, so the pipe outlives
 * every restart of the service and no line is lost in between. A line is
 * written with one write(2) of at most PIPE_BUF bytes, which the kernel
 * never interleaves with another writer's on a pipe (Docker's and podman's
 * stdout). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "log.h"

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
        b->file_fd = open(b->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
        if (b->file_fd < 0) {
            strerr_warnwusys("open the log file ", b->file, " of service ", b->name,
                             ": its lines go to stdout only");
            b->file_fd = -2; /* said once */
            return;
        }
        struct stat st;
        b->file_size = fstat(b->file_fd, &st) == 0 ? (long long) st.st_size : 0;
    }
    memcpy(out, line, len);
    out[len] = '\n';
    ssize_t r = write(b->file_fd, out, len + 1);
    if (r > 0)
        b->file_size += r;
}

/* To a log/ logger, unprefixed, never blocking PID 1: a logger too slow to
 * keep up with a full pipe loses lines, and is told how many. */
static void log_to_tee(struct log_buf *b, char const *line, size_t len)
{
    char out[LOG_LINE_MAX + 1];
    if (b->tee_fd < 0)
        return;
    memcpy(out, line, len);
    out[len] = '\n';
    if (write(b->tee_fd, out, len + 1) < 0 && errno == EAGAIN && !b->dropped++)
        strerr_warnw("service ", b->name, ": its log/ logger is not keeping up: dropping lines");
}

void log_to_stdout(char const *name, char const *line, size_t len, void *arg)
{
    char out[LOG_LINE_MAX + 80];
    if (arg) {
        log_to_file(arg, line, len);
        log_to_tee(arg, line, len);
    }
    size_t n = log_format(out, name, line, len);
    for (size_t off = 0; off < n;) {
        ssize_t r = write(1, out + off, n - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return; /* stdout gone: nothing better to do with the line */
        off += (size_t) r;
    }
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
