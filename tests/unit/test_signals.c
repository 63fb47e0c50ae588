/* SPDX-License-Identifier: ISC */
/* Unit tests for signals: the signal -> action table of DESIGN.md. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "signals.h"

/* selfpipe_trapset fails when a test says so (skalibs: 0 is failure) */
static int trapset_fails;
int __real_selfpipe_trapset(sigset_t const *set);
int __wrap_selfpipe_trapset(sigset_t const *set);
int __wrap_selfpipe_trapset(sigset_t const *set)
{
    if (trapset_fails)
        return errno = EINVAL, 0;
    return __real_selfpipe_trapset(set);
}

static void test_stop_signals(void **state)
{
    int const stops[] = {SIGTERM, SIGPWR, SIGRTMIN + 3, SIGRTMIN + 4};
    for (size_t i = 0; i < sizeof stops / sizeof *stops; i++) {
        assert_int_equal(signals_action(stops[i], 0), SIGNALS_STOP);
        assert_int_equal(signals_action(stops[i], 1), SIGNALS_STOP);
    }
}

static void test_sigint_depends_on_nspawn(void **state)
{
    assert_int_equal(signals_action(SIGINT, 0), SIGNALS_STOP);
    assert_int_equal(signals_action(SIGINT, 1), SIGNALS_REBOOT);
}

static void test_reboot(void **state)
{
    assert_int_equal(signals_action(SIGRTMIN + 5, 0), SIGNALS_REBOOT);
    assert_int_equal(signals_action(SIGRTMIN + 5, 1), SIGNALS_REBOOT);
}

static void test_reap_and_ignore(void **state)
{
    assert_int_equal(signals_action(SIGCHLD, 0), SIGNALS_REAP);
    assert_int_equal(signals_action(SIGPIPE, 0), SIGNALS_IGNORE);
}

static void test_everything_else_is_forwarded(void **state)
{
    int const fwd[] = {SIGUSR1, SIGUSR2, SIGHUP,   SIGQUIT,      SIGWINCH, SIGTSTP,
                       SIGCONT, SIGALRM, SIGRTMIN, SIGRTMIN + 6, SIGRTMAX};
    for (size_t i = 0; i < sizeof fwd / sizeof *fwd; i++)
        assert_int_equal(signals_action(fwd[i], 0), SIGNALS_FORWARD);
}

static void test_names(void **state)
{
    char buf[24];
    assert_string_equal(signals_name(SIGTERM, buf, sizeof buf), "SIGTERM");
    assert_string_equal(signals_name(SIGRTMIN + 3, buf, sizeof buf), "SIGRTMIN+3");
}

static void test_setup_traps_stop_signals_only(void **state)
{
    sigset_t mask;
    assert_true(signals_setup() >= 0);
    sigprocmask(SIG_SETMASK, NULL, &mask);
    assert_true(sigismember(&mask, SIGTERM));
    assert_true(sigismember(&mask, SIGRTMIN + 3));
    assert_true(sigismember(&mask, SIGCHLD));
    /* blocking a fault would make a crash spin instead of dump */
    assert_false(sigismember(&mask, SIGSEGV));
    assert_false(sigismember(&mask, SIGBUS));
    signals_child_reset();
    sigprocmask(SIG_SETMASK, NULL, &mask);
    assert_false(sigismember(&mask, SIGTERM));
    struct sigaction sa;
    sigaction(SIGTTOU, NULL, &sa);
    assert_ptr_equal(sa.sa_handler, SIG_DFL);
}

static void test_setup_fails_when_the_trap_fails(void **state)
{
    trapset_fails = 1;
    assert_int_equal(signals_setup(), -1);
    trapset_fails = 0;
    signals_child_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_signals),
        cmocka_unit_test(test_sigint_depends_on_nspawn),
        cmocka_unit_test(test_reboot),
        cmocka_unit_test(test_reap_and_ignore),
        cmocka_unit_test(test_everything_else_is_forwarded),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_setup_traps_stop_signals_only),
        cmocka_unit_test(test_setup_fails_when_the_trap_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
