/* SPDX-License-Identifier: ISC */
/* Unit tests for health: every state x event pair of the check's table,
 * then the stories (retries, restart, report only, timeouts, jitter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "health.h"

static struct health_conf const conf = {1000, 300, 3, 0};

static struct health in(enum health_state st)
{
    struct health h = {.state = (uint8_t) st, .last_code = -1};
    if (st != HS_OFF)
        h.deadline = 5000;
    return h;
}

/* what each pair does: the state after, the actions */
struct pair {
    enum health_state from;
    enum health_event ev;
    enum health_state to;
    unsigned int act;
};

static void test_every_pair(void **state)
{
    static struct pair const pairs[] = {
        {HS_OFF, HE_READY, HS_WAIT, 0},
        {HS_OFF, HE_DOWN, HS_OFF, 0},
        {HS_OFF, HE_TIMER, HS_OFF, 0},
        {HS_OFF, HE_PASS, HS_OFF, 0},
        {HS_OFF, HE_FAIL, HS_OFF, 0},
        {HS_OFF, HE_NOT_RUN, HS_OFF, 0},
        {HS_WAIT, HE_READY, HS_WAIT, 0},
        {HS_WAIT, HE_DOWN, HS_OFF, 0},
        {HS_WAIT, HE_TIMER, HS_RUN, HA_RUN},
        {HS_WAIT, HE_PASS, HS_WAIT, 0}, /* a killed check's late end: not ours */
        {HS_WAIT, HE_FAIL, HS_WAIT, 0},
        {HS_WAIT, HE_NOT_RUN, HS_WAIT, 0},
        {HS_RUN, HE_READY, HS_RUN, 0},
        {HS_RUN, HE_DOWN, HS_OFF, HA_KILL},
        {HS_RUN, HE_TIMER, HS_WAIT, HA_KILL},
        {HS_RUN, HE_PASS, HS_WAIT, 0},
        {HS_RUN, HE_FAIL, HS_WAIT, 0},
        {HS_RUN, HE_NOT_RUN, HS_WAIT, 0},
    };
    assert_int_equal(sizeof pairs / sizeof *pairs, HS_NSTATES * HE_NEVENTS);
    for (size_t k = 0; k < sizeof pairs / sizeof *pairs; k++) {
        struct health h = in(pairs[k].from);
        unsigned int act = health_event(&h, &conf, pairs[k].ev, 1, 2000, 0);
        assert_int_equal(h.state, pairs[k].to);
        assert_int_equal(act, pairs[k].act);
    }
}

static void test_ready_waits_one_interval(void **state)
{
    struct health h = in(HS_OFF);
    health_event(&h, &conf, HE_READY, 0, 10000, 0);
    assert_int_equal(h.deadline, 10000 + 900); /* less a tenth, rnd 0 */
    h = in(HS_OFF);
    health_event(&h, &conf, HE_READY, 0, 10000, 200);
    assert_int_equal(h.deadline, 10000 + 1100); /* plus a tenth at most */
    h = in(HS_OFF);
    health_event(&h, &conf, HE_READY, 0, 10000, 201);
    assert_int_equal(h.deadline, 10000 + 900); /* rnd taken modulo the spread */
    assert_null(health_word(&(struct health){.state = HS_OFF}));
    assert_string_equal(health_word(&h), "starting");
}

static void test_running_check_has_its_timeout(void **state)
{
    struct health h = in(HS_WAIT);
    assert_int_equal(health_event(&h, &conf, HE_TIMER, 0, 7000, 0), HA_RUN);
    assert_int_equal(h.deadline, 7300);
}

/* three failures in a row: unhealthy, said once, restarted once */
static void test_retries_then_restart(void **state)
{
    struct health h = in(HS_OFF);
    uint64_t now = 0;
    health_event(&h, &conf, HE_READY, 0, now, 0);
    for (unsigned int k = 1; k <= 5; k++) {
        now = h.deadline;
        assert_int_equal(health_event(&h, &conf, HE_TIMER, 0, now, 0), HA_RUN);
        unsigned int act = health_event(&h, &conf, HE_FAIL, 1, now + 10, 0);
        assert_int_equal(h.failures, k);
        assert_int_equal(act, k == 3 ? HA_UNHEALTHY | HA_RESTART : 0);
        assert_int_equal(h.unhealthy, k >= 3);
    }
    assert_string_equal(health_word(&h), "unhealthy");
    assert_int_equal(h.last_code, 1);
    assert_int_equal(h.total, 5);
    /* a pass: healthy again, said */
    now = h.deadline;
    health_event(&h, &conf, HE_TIMER, 0, now, 0);
    assert_int_equal(health_event(&h, &conf, HE_PASS, 0, now + 5, 0), HA_HEALTHY);
    assert_int_equal(h.failures, 0);
    assert_string_equal(health_word(&h), "healthy");
    assert_int_equal(h.last, now + 5);
}

static void test_pass_resets_the_count(void **state)
{
    struct health h = in(HS_RUN);
    health_event(&h, &conf, HE_FAIL, 2, 0, 0);
    h.state = HS_RUN;
    health_event(&h, &conf, HE_FAIL, 2, 0, 0);
    h.state = HS_RUN;
    health_event(&h, &conf, HE_PASS, 0, 0, 0);
    h.state = HS_RUN;
    assert_int_equal(health_event(&h, &conf, HE_FAIL, 2, 0, 0), 0);
    assert_int_equal(h.failures, 1);
}

static void test_report_only_never_restarts(void **state)
{
    struct health_conf report = conf;
    report.report_only = 1;
    struct health h = in(HS_RUN);
    unsigned int act = 0;
    for (int k = 0; k < 3; k++) {
        h.state = HS_RUN;
        act = health_event(&h, &report, HE_FAIL, 1, 0, 0);
    }
    assert_int_equal(act, HA_UNHEALTHY);
}

/* a check that hangs is killed at its timeout and counts as a failure */
static void test_timeout_counts(void **state)
{
    struct health_conf one = conf;
    one.retries = 1;
    struct health h = in(HS_RUN);
    assert_int_equal(health_event(&h, &one, HE_TIMER, 0, 100, 0),
                     HA_KILL | HA_UNHEALTHY | HA_RESTART);
    assert_int_equal(h.last_code, 128 + 9);
    /* its late end is not a result */
    assert_int_equal(health_event(&h, &one, HE_FAIL, 137, 120, 0), 0);
    assert_int_equal(h.total, 1);
}

/* a fork that failed is tried again soon, and not counted */
static void test_not_run_is_not_a_failure(void **state)
{
    struct health h = in(HS_RUN);
    health_event(&h, &conf, HE_NOT_RUN, 0, 100, 0);
    assert_int_equal(h.failures, 0);
    assert_int_equal(h.deadline, 100 + HEALTH_RETRY_MS);
}

/* the service went down and came back: a clean slate */
static void test_down_then_ready_starts_over(void **state)
{
    struct health h = in(HS_OFF);
    health_event(&h, &conf, HE_READY, 0, 0, 0);
    h.state = HS_RUN;
    for (int k = 0; k < 3; k++) {
        h.state = HS_RUN;
        health_event(&h, &conf, HE_FAIL, 1, 0, 0);
    }
    assert_true(h.unhealthy);
    health_event(&h, &conf, HE_DOWN, 0, 10, 0);
    assert_null(health_word(&h));
    health_event(&h, &conf, HE_READY, 0, 20, 0);
    assert_false(h.unhealthy);
    assert_int_equal(h.failures, 0);
    assert_string_equal(health_word(&h), "starting");
}

static void test_names(void **state)
{
    assert_string_equal(health_state_name(HS_OFF), "off");
    assert_string_equal(health_state_name(HS_RUN), "run");
    assert_string_equal(health_state_name(HS_NSTATES), "?");
    struct health h = {.state = HS_NSTATES};
    assert_int_equal(health_event(&h, &conf, HE_READY, 0, 0, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_ready_waits_one_interval),
        cmocka_unit_test(test_running_check_has_its_timeout),
        cmocka_unit_test(test_retries_then_restart),
        cmocka_unit_test(test_pass_resets_the_count),
        cmocka_unit_test(test_report_only_never_restarts),
        cmocka_unit_test(test_timeout_counts),
        cmocka_unit_test(test_not_run_is_not_a_failure),
        cmocka_unit_test(test_down_then_ready_starts_over),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
