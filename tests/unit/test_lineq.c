/* SPDX-License-Identifier: ISC */
/* Unit tests for lineq: whole lines in order, a bound, lines dropped whole
 * and counted, the note that takes their place, memory only while lines
 * wait. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lineq.h"

static size_t line(char *out, unsigned int n)
{
    return (size_t) sprintf(out, "web: line %06u %.80s\n", n,
                            "................................................................"
                            "................");
}

/* Pops every line, checking each is whole (one newline, at its end) and
 * the numbers follow, a note standing for exactly the lines it counts.
 * Returns the lines seen; *notes, the notes. */
static unsigned int drain(struct lineq *q, unsigned int first, unsigned int *notes)
{
    char const *p;
    size_t n;
    unsigned int want = first, seen = 0;
    *notes = 0;
    while ((n = lineq_next(q, &p, "web"))) {
        char text[256];
        assert_true(n < sizeof text);
        memcpy(text, p, n);
        text[n] = 0;
        assert_int_equal(text[n - 1], '\n');
        assert_ptr_equal(strchr(text, '\n'), text + n - 1);
        unsigned long dropped;
        unsigned int got;
        if (sscanf(text, "vinit: warning: service web: %lu line", &dropped) == 1) {
            want += (unsigned int) dropped;
            ++*notes;
        } else {
            assert_int_equal(sscanf(text, "web: line %u", &got), 1);
            assert_int_equal(got, want);
            want++;
            seen++;
        }
        lineq_pop(q);
    }
    return seen;
}

static void test_whole_lines_in_order(void **state)
{
    struct lineq q = {0};
    char text[256];
    unsigned int notes;
    assert_false(lineq_waiting(&q));
    for (unsigned int i = 0; i < 10; i++)
        assert_int_equal(lineq_put(&q, text, line(text, i), "web"), 1);
    assert_true(lineq_waiting(&q));
    assert_non_null(q.buf);
    assert_int_equal(drain(&q, 0, &notes), 10);
    assert_int_equal(notes, 0);
    assert_false(lineq_waiting(&q));
    assert_null(q.buf); /* the memory goes back once nothing waits */
}

static void test_bounded_drops_whole_and_counts(void **state)
{
    struct lineq q = {0};
    char text[256];
    unsigned int i, queued = 0, notes;
    for (i = 0; i < 2000; i++)
        queued += (unsigned int) lineq_put(&q, text, line(text, i), "web");
    assert_true(queued < 2000);
    assert_true(q.len - q.off <= LINEQ_SIZE);
    assert_int_equal(q.gap, 2000 - queued); /* every line that did not fit, counted */
    /* emptied: the lines that fitted, then the note for the rest */
    assert_int_equal(drain(&q, 0, &notes), queued);
    assert_int_equal(notes, 1);
    assert_int_equal(q.gap, 0);
    assert_null(q.buf);
}

/* a line that comes once there is room again goes after the note for the
 * lines dropped before it: the note sits where they were */
static void test_note_where_the_lines_were(void **state)
{
    struct lineq q = {0};
    char text[256];
    char const *p;
    unsigned int i, notes;
    for (i = 0; lineq_put(&q, text, line(text, i), "web"); i++)
        ;
    unsigned int full = i;
    for (i++; i < full + 50; i++)
        assert_int_equal(lineq_put(&q, text, line(text, i), "web"), 0);
    for (unsigned int k = 0; k < 100; k++) { /* room for more */
        assert_true(lineq_next(&q, &p, "web") > 0);
        lineq_pop(&q);
    }
    assert_int_equal(lineq_put(&q, text, line(text, i), "web"), 1);
    i++;
    assert_int_equal(lineq_put(&q, text, line(text, i), "web"), 1);
    assert_int_equal(drain(&q, 100, &notes), full - 100 + 2);
    assert_int_equal(notes, 1);
}

static void test_note_text(void **state)
{
    char out[LINEQ_NOTE_MAX];
    size_t n = lineq_note(out, "libvirtd", 1532);
    assert_int_equal(n, strlen(out));
    assert_string_equal(
        out, "vinit: warning: service libvirtd: 1532 lines dropped (stdout was not taking them)\n");
    lineq_note(out, "x", 1);
    assert_string_equal(out,
                        "vinit: warning: service x: 1 line dropped (stdout was not taking them)\n");
    lineq_note(out, NULL, 3);
    assert_string_equal(
        out, "vinit: warning: 3 lines of vinit's own dropped (stderr was not taking them)\n");
}

static void test_too_long_is_dropped(void **state)
{
    struct lineq q = {0};
    static char big[LINEQ_SIZE];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\n';
    assert_int_equal(lineq_put(&q, big, sizeof big, "web"), 0);
    assert_int_equal(q.gap, 1);
    assert_true(lineq_waiting(&q)); /* the note waits */
    lineq_free(&q);
    assert_false(lineq_waiting(&q));
    assert_null(q.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_lines_in_order),
        cmocka_unit_test(test_bounded_drops_whole_and_counts),
        cmocka_unit_test(test_note_where_the_lines_were),
        cmocka_unit_test(test_note_text),
        cmocka_unit_test(test_too_long_is_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
