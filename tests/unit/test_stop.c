/* SPDX-License-Identifier: ISC */
/* Unit tests for stop: the deadline planner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stop.h"

static void test_main_first_then_everyone_then_kill(void **state)
{
    struct stop s = {0};
    assert_int_equal(stop_begin(&s, 1000, 8000, 1), STOP_DO_TERM_MAIN);
    assert_int_equal(s.phase, STOP_MAIN);
    /* main still running, nothing due yet */
    assert_int_equal(stop_tick(&s, 2000, 1, 1), 0);
    assert_int_equal(stop_wait_ms(&s, 2000), 3000); /* half the budget: t=5000 */
    /* main's grace over while it still runs: everyone gets SIGTERM */
    assert_int_equal(stop_tick(&s, 5000, 1, 1), STOP_DO_TERM_ALL);
    assert_int_equal(s.phase, STOP_TERM);
    assert_int_equal(stop_wait_ms(&s, 5000), 4000);
    assert_int_equal(stop_tick(&s, 8999, 1, 1), 0);
    assert_int_equal(stop_tick(&s, 9000, 1, 1), STOP_DO_KILL_ALL);
    assert_int_equal(s.phase, STOP_KILL);
}

static void test_main_exit_moves_on_at_once(void **state)
{
    struct stop s = {0};
    stop_begin(&s, 0, 8000, 1);
    assert_int_equal(stop_tick(&s, 10, 0, 1), STOP_DO_TERM_ALL);
    assert_int_equal(stop_tick(&s, 20, 0, 1), 0); /* only once */
}

static void test_no_main_terms_everyone(void **state)
{
    struct stop s = {0};
    assert_int_equal(stop_begin(&s, 0, 3000, 0), STOP_DO_TERM_ALL);
    assert_int_equal(stop_wait_ms(&s, 1000), 2000);
}

static void test_second_request_kills_now(void **state)
{
    struct stop s = {0};
    stop_begin(&s, 0, 8000, 1);
    assert_int_equal(stop_begin(&s, 300, 8000, 1), STOP_DO_KILL_ALL);
    assert_int_equal(s.phase, STOP_KILL);
    assert_int_equal(s.deadline, 300);
    /* a third one has nothing more to do */
    assert_int_equal(stop_begin(&s, 310, 8000, 1), 0);
}

static void test_zero_timeout_kills_at_once(void **state)
{
    struct stop s = {0};
    assert_int_equal(stop_begin(&s, 0, 0, 1), STOP_DO_KILL_ALL);
}

static void test_kill_phase_rescans(void **state)
{
    struct stop s = {0};
    stop_begin(&s, 0, 0, 0);
    assert_int_equal(stop_wait_ms(&s, 0), STOP_RESCAN_MS);
    assert_int_equal(stop_tick(&s, STOP_RESCAN_MS - 1, 0, 1), 0);
    assert_int_equal(stop_tick(&s, STOP_RESCAN_MS, 0, 1), STOP_DO_KILL_ALL);
    assert_int_equal(stop_wait_ms(&s, STOP_RESCAN_MS), STOP_RESCAN_MS);
}

static void test_idle_never_wakes(void **state)
{
    struct stop s = {0};
    assert_int_equal(stop_wait_ms(&s, 12345), -1);
    assert_int_equal(stop_tick(&s, 99999, 1, 1), 0);
}

static void test_late_tick_does_everything_due(void **state)
{
    /* the loop was busy past the deadline: TERM and KILL in one go */
    struct stop s = {0};
    stop_begin(&s, 0, 1000, 1);
    assert_int_equal(stop_tick(&s, 5000, 1, 1), STOP_DO_TERM_ALL | STOP_DO_KILL_ALL);
    assert_int_equal(stop_wait_ms(&s, 99999), 0); /* overdue means now, never negative */
}

static void test_services_between_main_and_everyone(void **state)
{
    struct stop s = {.services = 1};
    assert_int_equal(stop_begin(&s, 0, 8000, 1), STOP_DO_TERM_MAIN);
    /* main gone: the tree goes down before anyone else gets SIGTERM */
    assert_int_equal(stop_tick(&s, 100, 0, 0), STOP_DO_SERVICES);
    assert_int_equal(s.phase, STOP_SERVICES);
    assert_int_equal(stop_tick(&s, 200, 0, 0), 0);
    assert_int_equal(stop_tick(&s, 300, 0, 1), STOP_DO_TERM_ALL);
    /* without a main command the services come first */
    struct stop t = {.services = 1};
    assert_int_equal(stop_begin(&t, 0, 8000, 0), STOP_DO_SERVICES);
    /* services too slow: the deadline still holds */
    assert_int_equal(stop_tick(&t, 8000, 0, 0), STOP_DO_KILL_ALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_main_first_then_everyone_then_kill),
        cmocka_unit_test(test_main_exit_moves_on_at_once),
        cmocka_unit_test(test_no_main_terms_everyone),
        cmocka_unit_test(test_second_request_kills_now),
        cmocka_unit_test(test_zero_timeout_kills_at_once),
        cmocka_unit_test(test_kill_phase_rescans),
        cmocka_unit_test(test_idle_never_wakes),
        cmocka_unit_test(test_late_tick_does_everything_due),
        cmocka_unit_test(test_services_between_main_and_everyone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
