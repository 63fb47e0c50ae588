/* SPDX-License-Identifier: ISC */
/* log: every line a service writes goes to the container's stdout as
 * "name: line", whole, never mixed with another service's line. */
#ifndef VINIT_LOG_H
#define VINIT_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX 4000 /* with the prefix, one write stays under PIPE_BUF */

struct log_buf {
    char const *name;
    size_t len;
    char line[LOG_LINE_MAX];
};

typedef void log_emit_fn(char const *name, char const *line, size_t len, void *arg);

/* Pure: feeds data; calls emit for each complete line (without its
 * newline). A line longer than LOG_LINE_MAX is cut into pieces of that
 * size, each emitted as a line of its own. */
void log_feed(struct log_buf *b, char const *data, size_t len, log_emit_fn *emit, void *arg);

/* At end of file: emits what is left as a last line. */
void log_flush(struct log_buf *b, log_emit_fn *emit, void *arg);

/* Pure: "name: line\n" into out (size at least strlen(name)+len+3).
 * Returns the length. */
size_t log_format(char *out, char const *name, char const *line, size_t len);

/* The emitter for the container's stdout: one write(2) per line. */
void log_to_stdout(char const *name, char const *line, size_t len, void *arg);

/* Reads what fd has now (non-blocking) into b. Returns 0 at end of file,
 * 1 while open, -1 on error. */
int log_read(int fd, struct log_buf *b);

#endif
