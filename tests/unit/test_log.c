/* SPDX-License-Identifier: ISC */
/* Unit tests for log: line assembly across reads, long lines, prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "relay.h"

static char got[16][LOG_LINE_MAX + 1];
static unsigned int ngot;

static void collect(char const *name, char const *line, size_t len, void *arg)
{
    (void) name;
    (void) arg;
    memcpy(got[ngot], line, len);
    got[ngot++][len] = 0;
}

static struct log_buf b = {.name = "sshd"};

static void test_lines_across_reads(void **state)
{
    ngot = 0;
    b.len = 0;
    log_feed(&b, "hel", 3, collect, NULL);
    assert_int_equal(ngot, 0); /* never half a line */
    log_feed(&b, "lo\nwor", 6, collect, NULL);
    log_feed(&b, "ld\n\nlast", 8, collect, NULL);
    assert_int_equal(ngot, 3);
    assert_string_equal(got[0], "hello");
    assert_string_equal(got[1], "world");
    assert_string_equal(got[2], "");
    log_flush(&b, collect, NULL);
    assert_int_equal(ngot, 4);
    assert_string_equal(got[3], "last");
    log_flush(&b, collect, NULL);
    assert_int_equal(ngot, 4);
}

static void test_long_line_is_cut(void **state)
{
    static char big[LOG_LINE_MAX * 2 + 10];
    ngot = 0;
    b.len = 0;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\n';
    log_feed(&b, big, sizeof big, collect, NULL);
    assert_int_equal(ngot, 3);
    assert_int_equal(strlen(got[0]), LOG_LINE_MAX);
    assert_int_equal(strlen(got[1]), LOG_LINE_MAX);
    assert_int_equal(strlen(got[2]), 9);
}

/* a line of exactly the maximum whose newline comes in the next read is
 * one line, not that line and an empty one */
static void test_full_line_newline_in_next_read(void **state)
{
    static char full[LOG_LINE_MAX];
    ngot = 0;
    b.len = 0;
    memset(full, 'y', sizeof full);
    log_feed(&b, full, sizeof full, collect, NULL);
    assert_int_equal(ngot, 1);
    log_feed(&b, "\nnext\n\n", 7, collect, NULL);
    assert_int_equal(ngot, 3);
    assert_int_equal(strlen(got[0]), LOG_LINE_MAX);
    assert_string_equal(got[1], "next");
    assert_string_equal(got[2], ""); /* a real empty line stays one */
}

/* whole lines go out from the read itself: no buffer until a line is
 * partial (PID 1 holds no 4 KiB per quiet service) */
static void test_buffer_only_for_a_partial_line(void **state)
{
    struct log_buf q = {.name = "quiet"};
    ngot = 0;
    log_feed(&q, "one\ntwo\n", 8, collect, NULL);
    assert_int_equal(ngot, 2);
    assert_null(q.line);
    log_feed(&q, "thr", 3, collect, NULL);
    assert_non_null(q.line);
    log_feed(&q, "ee\n", 3, collect, NULL);
    assert_int_equal(ngot, 3);
    assert_string_equal(got[2], "three");
    log_release(&q);
    assert_null(q.line);
}

static void test_format(void **state)
{
    char out[64];
    size_t n = log_format(out, "libvirtd", "ready", 5);
    assert_int_equal(n, 16);
    assert_memory_equal(out, "libvirtd: ready\n", 16);
}

static void test_file_rotation(void **state)
{
    char dir[] = "/tmp/vinit-log-XXXXXX", path[64], rotated[80];
    static char line[1000];
    struct stat st;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sshd.log", dir);
    struct log_buf f = {.name = "sshd", .file = path, .file_fd = -1};
    memset(line, 'y', sizeof line);
    /* a bit more than one file's worth */
    for (int i = 0; i < LOG_FILE_MAX / (int) sizeof line + 10; i++)
        log_to_file(&f, line, sizeof line);
    snprintf(rotated, sizeof rotated, "%s.1", path);
    assert_int_equal(stat(rotated, &st), 0);
    assert_true(st.st_size >= LOG_FILE_MAX);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 0 && st.st_size < LOG_FILE_MAX);
    assert_int_equal(st.st_size % (sizeof line + 1), 0); /* whole lines only */
    close(f.file_fd);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    /* a file that cannot be opened: told once, then ignored */
    struct log_buf g = {.name = "x", .file = "/nonexistent/dir/x.log", .file_fd = -1};
    log_to_file(&g, "a", 1);
    assert_int_equal(g.file_fd, -2);
    /* a FIFO: refused at once, never waited on (no reader: open would block) */
    char fifo[] = "/tmp/vinit-log-fifo-XXXXXX";
    assert_non_null(mkdtemp(fifo));
    snprintf(path, sizeof path, "%s/f", fifo);
    assert_int_equal(mkfifo(path, 0600), 0);
    struct log_buf h = {.name = "x", .file = path, .file_fd = -1};
    log_to_file(&h, "a", 1);
    assert_int_equal(h.file_fd, -2);
    unlink(path);
    rmdir(fifo);
}

/* how PID 1 writes what fds 1 and 2 are, without waiting for a reader */
static void test_relay_how(void **state)
{
    assert_int_equal(relay_how(S_IFIFO | 0600, 1), RELAY_OWN);
    assert_int_equal(relay_how(S_IFCHR | 0620, 1), RELAY_OWN);  /* a terminal */
    assert_int_equal(relay_how(S_IFIFO | 0600, 0), RELAY_POLL); /* not ours to open again */
    assert_int_equal(relay_how(S_IFSOCK | 0777, 0), RELAY_SEND);
    assert_int_equal(relay_how(S_IFREG | 0644, 0), RELAY_PLAIN);
}

/* Reads what the pipe holds now into text (at len), non-blocking. */
static size_t take(int fd, char *text, size_t len, size_t size)
{
    ssize_t r;
    while (len < size && (r = read(fd, text + len, size - len)) > 0)
        len += (size_t) r;
    return len;
}

/* stdout a pipe nobody reads: the lines wait in the service's queue, then
 * are dropped whole and counted; once stdout takes them again, the queued
 * ones go, then a note with the count, and the next line after it */
static void test_stdout_stalled(void **state)
{
    static char text[1 << 20];
    char one[64];
    int p[2], saved = dup(1);
    size_t len = 0;
    struct log_buf s = {.name = "web", .file_fd = -1, .tee_fd = -1};
    assert_int_equal(pipe(p), 0);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    /* PID 1's own way to what fd 1 is: opened again, non-blocking */
    assert_int_equal(dup2(p[1], 1), 1);
    relay_setup();
    assert_int_equal(dup2(saved, 1), 1);
    close(saved);
    unsigned int i;
    for (i = 0; i < 5000; i++) {
        int n = snprintf(one, sizeof one, "line %06u ..............................\n", i);
        log_feed(&s, one, (size_t) n, log_to_stdout, &s);
    }
    assert_true(s.out_dropped > 0);
    assert_true(s.q.len - s.q.off <= LINEQ_SIZE);
    while (log_drain_one(&s) > 0 || (len = take(p[0], text, len, sizeof text), log_drain_one(&s)))
        ;
    len = take(p[0], text, len, sizeof text);
    log_feed(&s, "after\n", 6, log_to_stdout, &s);
    len = take(p[0], text, len, sizeof text);
    assert_true(len < sizeof text);
    text[len] = 0;
    /* whole lines, in order; the note counts exactly the lines missing */
    unsigned int want = 0, notes = 0;
    unsigned long dropped;
    char *line = text;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        unsigned int n;
        if (sscanf(line, "vinit: warning: service web: %lu lines dropped (stdout", &dropped) == 1) {
            assert_int_equal(dropped, s.out_dropped);
            want += (unsigned int) dropped;
            notes++;
        } else if (!strcmp(line, "web: after")) {
            assert_int_equal(want, 5000);
            want++;
        } else {
            assert_int_equal(sscanf(line, "web: line %u ..............................", &n), 1);
            assert_int_equal(strlen(line), 47);
            assert_int_equal(n, want++);
        }
    }
    assert_int_equal(*line, 0);
    assert_int_equal(notes, 1);
    assert_int_equal(want, 5001);
    assert_false(lineq_waiting(&s.q));
    assert_null(s.q.buf);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_across_reads),
        cmocka_unit_test(test_long_line_is_cut),
        cmocka_unit_test(test_full_line_newline_in_next_read),
        cmocka_unit_test(test_buffer_only_for_a_partial_line),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_file_rotation),
        cmocka_unit_test(test_stdout_stalled),
        cmocka_unit_test(test_relay_how),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
