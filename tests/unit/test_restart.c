/* SPDX-License-Identifier: ISC */
/* Unit tests for restart: policies, back-off, reset, crash loops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "restart.h"

static void test_backoff_doubles_to_thirty_seconds(void **state)
{
    struct restart_state s = {0};
    unsigned int delay, expect[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
    uint64_t now = 0;
    for (unsigned int i = 0; i < sizeof expect / sizeof *expect; i++) {
        restart_on_start(&s, now);
        now += 100; /* dies at once */
        assert_int_equal(restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 1, now, &delay),
                         RESTART_AFTER);
        assert_int_equal(delay, expect[i] - 100); /* counted from the start */
        now += delay;
    }
    assert_true(s.crash_loop);
    assert_int_equal(s.restarts, 7);
}

static void test_healthy_run_resets(void **state)
{
    struct restart_state s = {0};
    unsigned int delay;
    for (int i = 0; i < 4; i++) {
        restart_on_start(&s, (uint64_t) i * 10);
        restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 1, (uint64_t) i * 10 + 5, &delay);
    }
    assert_int_equal(delay, 8000 - 5);
    restart_on_start(&s, 1000);
    restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 1, 1000 + RESTART_HEALTHY_MS, &delay);
    assert_int_equal(delay, 0); /* it ran a minute: at once */
    assert_int_equal(s.failures, 1);
    assert_false(s.crash_loop);
}

/* virtiofsd exits when its guest goes: runs longer than the back-off are
 * followed by a new one at once, shorter ones wait out the rest of it. */
static void test_backoff_counts_from_the_start(void **state)
{
    struct restart_state s = {0};
    unsigned int delay;
    restart_on_start(&s, 0);
    restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 0, 10000, &delay);
    assert_int_equal(delay, 0); /* 1 s of back-off, 10 s run */
    restart_on_start(&s, 10000);
    restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 0, 11500, &delay);
    assert_int_equal(delay, 500); /* 2 s of back-off, 1.5 s run */
    restart_on_start(&s, 12000);
    restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 0, 16000, &delay);
    assert_int_equal(delay, 0); /* 4 s of back-off, 4 s run */
    restart_on_start(&s, 16000);
    restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 0, 16000, &delay);
    assert_int_equal(delay, 8000); /* dies at once: all of it */
}

static void test_policies(void **state)
{
    struct restart_state s = {0};
    unsigned int delay;
    assert_int_equal(restart_on_death(&s, SVPARSE_RESTART_NEVER, 0, 1, 5, &delay), RESTART_NO);
    assert_int_equal(restart_on_death(&s, SVPARSE_RESTART_ON_FAILURE, 0, 0, 5, &delay), RESTART_NO);
    assert_int_equal(restart_on_death(&s, SVPARSE_RESTART_ON_FAILURE, 0, 1, 5, &delay),
                     RESTART_AFTER);
    /* "always" restarts a clean exit too */
    assert_int_equal(restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 0, 0, 5, &delay), RESTART_AFTER);
}

static void test_essential_gives_up_in_a_crash_loop(void **state)
{
    struct restart_state s = {0};
    unsigned int delay;
    for (unsigned int i = 1; i < RESTART_LOOP_FAILURES; i++)
        assert_int_equal(restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 1, 1, 5, &delay),
                         RESTART_AFTER);
    assert_int_equal(restart_on_death(&s, SVPARSE_RESTART_ALWAYS, 1, 1, 5, &delay),
                     RESTART_GIVE_UP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_doubles_to_thirty_seconds),
        cmocka_unit_test(test_backoff_counts_from_the_start),
        cmocka_unit_test(test_healthy_run_resets),
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_essential_gives_up_in_a_crash_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
