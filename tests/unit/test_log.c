/* SPDX-License-Identifier: ISC */
/* Unit tests for log: line assembly across reads, long lines, prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
