/* SPDX-License-Identifier: ISC */
/* log: every line a service writes goes to the container's stdout as
 * "name: line", whole, never mixed with another service's line, and never
 * waited for: what stdout cannot take now waits in a bounded queue of the
 * service's, and what does not fit there is dropped whole and counted. */
#ifndef VINIT_LOG_H
#define VINIT_LOG_H

#include <stddef.h>

#include "lineq.h"

#define LOG_LINE_MAX 4000 /* with the prefix, one write stays under PIPE_BUF */

#define LOG_STALL_MS  1000      /* stdout taking nothing that long: lines are dropped */
#define LOG_FILE_MAX  (1 << 20) /* bytes in a log file before it is rotated */
#define LOG_FILE_KEEP 3         /* rotated files kept: FILE.1 .. FILE.3 */

struct log_buf {
    char const *name;
    char const *file; /* also append lines here (log-file), or NULL */
    int file_fd;      /* -1 until the first line, or after a failure */
    int tee_fd;       /* the write end of the pipe to a log/ logger, or -1 */
    struct lineq q;   /* lines stdout could not take yet */
    unsigned long out_dropped, file_dropped, tee_dropped; /* lines each never got */
    unsigned long file_gap, tee_gap;                      /* of those, since the last note there */
    long long file_size;
    size_t len;
    unsigned char cut; /* the last line was emitted because it filled LOG_LINE_MAX */
    char *line;        /* LOG_LINE_MAX bytes for a partial line, allocated when one comes */
};

typedef void log_emit_fn(char const *name, char const *line, size_t len, void *arg);

/* Feeds data; calls emit for each complete line (without its newline). A
 * line longer than LOG_LINE_MAX is cut into pieces of that size, each
 * emitted as a line of its own. A partial line is kept in b->line,
 * allocated the first time (without memory, it goes out cut). */
void log_feed(struct log_buf *b, char const *data, size_t len, log_emit_fn *emit, void *arg);

/* Frees b->line and its queue (the service leaves). */
void log_release(struct log_buf *b);

/* At end of file: emits what is left as a last line. */
void log_flush(struct log_buf *b, log_emit_fn *emit, void *arg);

/* Pure: "name: line\n" into out (size at least strlen(name)+len+3).
 * Returns the length. */
size_t log_format(char *out, char const *name, char const *line, size_t len);

/* The emitter for the container's stdout: one write(2) per line, through
 * PID 1's own non-blocking way there (relay.h); with arg a struct log_buf,
 * a line stdout cannot take waits in its queue (b->q, dropped when full:
 * b->out_dropped), and the line (unprefixed) also goes to its log-file and
 * its log/ logger. */
void log_to_stdout(char const *name, char const *line, size_t len, void *arg);

/* stdout can take more: writes the next line waiting in b's queue. 1 when
 * one went, 0 when none waits, -1 when stdout cannot take it now. */
int log_drain_one(struct log_buf *b);

/* Appends a line to b->file, rotating it at LOG_FILE_MAX bytes into
 * FILE.1 (FILE.1 into FILE.2...), keeping LOG_FILE_KEEP. A file that cannot
 * be written, or is not a regular file (a FIFO would hold PID 1), is
 * reported once and left alone; the file is opened without waiting. A line
 * that could not be written is counted (b->file_dropped), and the next one
 * written is preceded by a line saying how many. */
void log_to_file(struct log_buf *b, char const *line, size_t len);

/* The log/ logger's pipe can take more: the line saying how many it lost
 * goes now. */
void log_tee_note(struct log_buf *b);

/* Reads what fd has now (non-blocking) into b. Returns 0 at end of file,
 * 1 while open, -1 on error. */
int log_read(int fd, struct log_buf *b);

#endif
