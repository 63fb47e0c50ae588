/* SPDX-License-Identifier: ISC */
/* Unit tests for reap: status -> exit code, and the WNOHANG loop with
 * waitpid wrapped. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "reap.h"

pid_t __real_waitpid(pid_t, int *, int);
pid_t __wrap_waitpid(pid_t pid, int *status, int options);
pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
    assert_int_equal(pid, -1);
    assert_true(options & WNOHANG); /* PID 1 never blocks in waitpid */
    pid_t r = mock_type(pid_t);
    if (r > 0)
        *status = mock_type(int);
    else if (r < 0)
        errno = mock_type(int);
    return r;
}

static void will_reap(pid_t pid, int status)
{
    will_return(__wrap_waitpid, pid);
    will_return(__wrap_waitpid, status);
}

static void will_fail(int err)
{
    will_return(__wrap_waitpid, -1);
    will_return(__wrap_waitpid, err);
}

static void test_exit_codes(void **state)
{
    assert_int_equal(reap_exit_code(0), 0);
    assert_int_equal(reap_exit_code(7 << 8), 7);
    assert_int_equal(reap_exit_code(255 << 8), 255);
    assert_int_equal(reap_exit_code(15), 143);       /* killed by SIGTERM */
    assert_int_equal(reap_exit_code(9), 137);        /* SIGKILL */
    assert_int_equal(reap_exit_code(6 | 0x80), 134); /* SIGABRT with core */
}

static void test_reaps_all_until_none_is_dead(void **state)
{
    struct reap_watch w = {.pid = 42};
    will_reap(100, 0);
    will_reap(42, 3 << 8);
    will_reap(101, 9);
    will_return(__wrap_waitpid, 0);
    assert_int_equal(reap_all(&w), 1);
    assert_int_equal(w.count, 3);
    assert_true(w.reaped);
    assert_int_equal(reap_exit_code(w.status), 3);
}

static void test_echild_means_nothing_left(void **state)
{
    struct reap_watch w = {.pid = 42};
    will_reap(7, 0);
    will_fail(ECHILD);
    assert_int_equal(reap_all(&w), 0);
    assert_false(w.reaped);
    assert_int_equal(w.count, 1);
}

static void test_eintr_is_retried(void **state)
{
    struct reap_watch w = {0};
    will_fail(EINTR);
    will_reap(5, 0);
    will_return(__wrap_waitpid, 0);
    assert_int_equal(reap_all(&w), 1);
    assert_int_equal(w.count, 1);
}

static void test_other_errors_are_reported(void **state)
{
    struct reap_watch w = {0};
    will_fail(EINVAL);
    assert_int_equal(reap_all(&w), -1);
    assert_int_equal(errno, EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_reaps_all_until_none_is_dead),
        cmocka_unit_test(test_echild_means_nothing_left),
        cmocka_unit_test(test_eintr_is_retried),
        cmocka_unit_test(test_other_errors_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
