/* SPDX-License-Identifier: ISC */
/* Unit tests for loop: the exit code rule, and the loop itself with
 * spawn_main wrapped: fork failures are retried with a back-off, and stop and
 * reboot signals end the loop with the right code. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "signals.h"

static int spawn_failures, spawn_calls;

pid_t __wrap_spawn_main(char const *const *argv, int take_tty, int *exec_errno);
pid_t __wrap_spawn_main(char const *const *argv, int take_tty, int *exec_errno)
{
    spawn_calls++;
    if (spawn_failures > 0) {
        spawn_failures--;
        return (errno = EAGAIN, -1);
    }
    pid_t pid = fork();
    if (!pid)
        _exit(3);
    *exec_errno = 0;
    return pid;
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int setup(void **state)
{
    static int fd = -1;
    if (fd < 0) {
        tain_now_set_stopwatch_g();
        fd = signals_setup();
    }
    *state = &fd;
    return fd < 0;
}

static int run(struct settings *s, int sigfd)
{
    struct loop l = {.settings = s, .sigfd = sigfd};
    return loop_run(&l);
}

static void test_exit_code_rule(void **state)
{
    assert_int_equal(loop_exit_code(1, 1, 1, 0, -1), 133);   /* reboot wins */
    assert_int_equal(loop_exit_code(0, 1, 1, 2 << 8, 5), 2); /* main's code */
    assert_int_equal(loop_exit_code(0, 1, 1, 15, -1), 143);
    assert_int_equal(loop_exit_code(0, 0, 0, 0, -1), 0); /* requested stop */
    assert_int_equal(loop_exit_code(0, 1, 0, 0, -1), 0); /* main never ran */
    assert_int_equal(loop_exit_code(0, 0, 0, 0, 3), 3);  /* essential failed */
}

static void test_fork_failure_backs_off_and_retries(void **state)
{
    char const *const cmd[] = {"main", NULL};
    struct settings s = {.stop_timeout_ms = 1000, .verbosity = 0, .command = cmd};
    spawn_failures = 2;
    spawn_calls = 0;
    long long t0 = ms_now();
    assert_int_equal(run(&s, *(int *) *state), 3);
    assert_int_equal(spawn_calls, 3);
    assert_true(ms_now() - t0 >= 300); /* 100 ms, then 200 ms */
}

static void test_stop_signal_without_main(void **state)
{
    struct settings s = {.stop_timeout_ms = 1000, .verbosity = 0};
    raise(SIGTERM);
    assert_int_equal(run(&s, *(int *) *state), 0);
}

static void test_reboot_signal(void **state)
{
    struct settings s = {.stop_timeout_ms = 1000, .verbosity = 0};
    raise(SIGRTMIN + 5);
    assert_int_equal(run(&s, *(int *) *state), 133);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_code_rule),
        cmocka_unit_test(test_fork_failure_backs_off_and_retries),
        cmocka_unit_test(test_stop_signal_without_main),
        cmocka_unit_test(test_reboot_signal),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
