/* SPDX-License-Identifier: ISC */
/* Unit tests for killall: descendant marking (pure), and who gets signalled,
 * with kill wrapped to record the calls. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "killall.h"

static struct {
    pid_t pid;
    int sig;
} calls[64];
static size_t ncalls;
static int pass_through;

int __real_kill(pid_t, int);
int __wrap_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig)
{
    if (ncalls < sizeof calls / sizeof *calls) {
        calls[ncalls].pid = pid;
        calls[ncalls].sig = sig;
        ncalls++;
    }
    return pass_through ? __real_kill(pid, sig) : 0;
}

static int called(pid_t pid, int sig)
{
    for (size_t i = 0; i < ncalls; i++)
        if (calls[i].pid == pid && calls[i].sig == sig)
            return 1;
    return 0;
}

static struct killall_proc *entry(struct killall_proc *t, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].pid == pid)
            return t + i;
    return NULL;
}

static void test_marks_the_whole_subtree(void **state)
{
    /* 10 is us; 11, 12 children; 13 grandchild via 12; 20 a stranger whose
     * parent 1 is above us; 30 a child of the stranger; 40 deep chain */
    struct killall_proc t[] = {
        {40, 13, 0}, {13, 12, 0}, {12, 10, 0}, {11, 10, 0},
        {20, 1, 0},  {30, 20, 0}, {10, 1, 0},  {50, 999, 0},
    };
    size_t n = sizeof t / sizeof *t;
    assert_int_equal(killall_mark_descendants(t, n, 10), 4);
    assert_int_equal(entry(t, n, 11)->mark, KILLALL_DESCENDANT);
    assert_int_equal(entry(t, n, 13)->mark, KILLALL_DESCENDANT);
    assert_int_equal(entry(t, n, 40)->mark, KILLALL_DESCENDANT);
    assert_int_equal(entry(t, n, 10)->mark, KILLALL_OTHER); /* never ourselves */
    assert_int_equal(entry(t, n, 20)->mark, KILLALL_OTHER);
    assert_int_equal(entry(t, n, 30)->mark, KILLALL_OTHER);
    assert_int_equal(entry(t, n, 50)->mark, KILLALL_OTHER); /* parent unknown */
}

static void test_survives_a_ppid_loop(void **state)
{
    /* pid reuse while scanning can make a loop; it must end, unmarked */
    struct killall_proc t[] = {{5, 6, 0}, {6, 5, 0}, {7, 3, 0}};
    assert_int_equal(killall_mark_descendants(t, 3, 3), 1);
    assert_int_equal(entry(t, 3, 5)->mark, KILLALL_OTHER);
    assert_int_equal(entry(t, 3, 7)->mark, KILLALL_DESCENDANT);
}

static void test_stat_ppid(void **state)
{
    assert_int_equal(killall_stat_ppid("1234 (sshd) S 42 1234 1234 0 -1"), 42);
    assert_int_equal(killall_stat_ppid("1 (vinit) S 0 1 1 0"), 0);
    /* a name with spaces, parentheses and a newline: only the last ')' counts */
    assert_int_equal(killall_stat_ppid("77 (a) S 9 (b\n) R 5 77 77"), 5);
    assert_int_equal(killall_stat_ppid("77 (x) R 5"), 5);
    /* cut or malformed */
    assert_int_equal(killall_stat_ppid(""), -1);
    assert_int_equal(killall_stat_ppid("77 (x"), -1);
    assert_int_equal(killall_stat_ppid("77 (x)"), -1);
    assert_int_equal(killall_stat_ppid("77 (x) S"), -1);
    assert_int_equal(killall_stat_ppid("77 (x) S "), -1);
    assert_int_equal(killall_stat_ppid("77 (x) S -3 1"), -1);
    assert_int_equal(killall_stat_ppid("77 (x) S 5x"), -1);
    assert_int_equal(killall_stat_ppid("77 (x) S 99999999999999999999 1"), -1);
}

static void test_pid1_uses_kill_minus_one(void **state)
{
    ncalls = 0;
    pass_through = 0;
    assert_int_equal(killall_signal(1, SIGTERM, 0), 0);
    assert_true(called(-1, SIGTERM));
    assert_true(called(-1, SIGCONT)); /* stopped processes must see the TERM */
    ncalls = 0;
    assert_int_equal(killall_signal(1, SIGKILL, 0), 0);
    assert_int_equal(ncalls, 1);
    assert_true(called(-1, SIGKILL));
}

static void test_subreaper_signals_descendants_only(void **state)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t child = fork();
    if (!child) {
        pid_t grandchild = fork();
        if (!grandchild) {
            setsid(); /* an escapee: another session, still a descendant */
            pause();
            _exit(0);
        }
        if (write(p[1], &grandchild, sizeof grandchild) != sizeof grandchild)
            _exit(1);
        pause();
        _exit(0);
    }
    pid_t grandchild;
    assert_int_equal(read(p[0], &grandchild, sizeof grandchild), sizeof grandchild);
    ncalls = 0;
    pass_through = 1;
    assert_int_equal(killall_signal(0, SIGKILL, 0), 2);
    pass_through = 0;
    assert_true(called(child, SIGKILL));
    assert_true(called(grandchild, SIGKILL));
    assert_false(called(getpid(), SIGKILL));
    assert_false(called(getppid(), SIGKILL));
    assert_false(called(-1, SIGKILL));
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    close(p[0]);
    close(p[1]);
}

static void test_spared_process(void **state)
{
    pid_t a = fork();
    if (!a) {
        pause();
        _exit(0);
    }
    pid_t b = fork();
    if (!b) {
        pause();
        _exit(0);
    }
    ncalls = 0;
    pass_through = 1;
    assert_int_equal(killall_signal(0, SIGTERM, a), 1);
    pass_through = 0;
    assert_true(called(b, SIGTERM));
    assert_false(called(a, SIGTERM)); /* the main command had its SIGTERM */
    __real_kill(a, SIGKILL);          /* kill itself is wrapped here */
    __real_kill(b, SIGKILL);
    waitpid(a, NULL, 0);
    waitpid(b, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_the_whole_subtree),
        cmocka_unit_test(test_survives_a_ppid_loop),
        cmocka_unit_test(test_stat_ppid),
        cmocka_unit_test(test_pid1_uses_kill_minus_one),
        cmocka_unit_test(test_subreaper_signals_descendants_only),
        cmocka_unit_test(test_spared_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
