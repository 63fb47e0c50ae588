/* SPDX-License-Identifier: ISC */
/* Unit tests for svrun: how the runner is recognised, and the finish code
 * that makes s6-supervise restart or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "svrun.h"

static void test_runner_names(void **state)
{
    assert_true(svrun_is_runner("run"));
    assert_true(svrun_is_runner("finish"));
    assert_true(svrun_is_runner("up"));
    assert_true(svrun_is_runner("down"));
    assert_false(svrun_is_runner("vinit"));
    assert_false(svrun_is_runner("/init"));
    assert_false(svrun_is_runner("./run"));
}

static void test_finish_codes(void **state)
{
    assert_int_equal(svrun_finish_code(SVPARSE_RESTART_ALWAYS, 0), 0);
    assert_int_equal(svrun_finish_code(SVPARSE_RESTART_ALWAYS, 3), 0);
    assert_int_equal(svrun_finish_code(SVPARSE_RESTART_NEVER, 3), 125);
    assert_int_equal(svrun_finish_code(SVPARSE_RESTART_ON_FAILURE, 0), 125);
    assert_int_equal(svrun_finish_code(SVPARSE_RESTART_ON_FAILURE, 1), 0);
    assert_int_equal(svrun_finish_code(SVPARSE_RESTART_ON_FAILURE, 256), 0); /* killed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runner_names),
        cmocka_unit_test(test_finish_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
