/* SPDX-License-Identifier: ISC */
/* Unit tests for spawn: exit codes for exec failures, the exec report
 * through the close-on-exec pipe, and clean failure when fork or pipe2 fail
 * (both wrapped; they fall back to the real call unless a test says so). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "spawn.h"

static int fail_fork, fail_pipe;

pid_t __real_fork(void);
pid_t __wrap_fork(void);
pid_t __wrap_fork(void)
{
    if (fail_fork)
        return (errno = fail_fork, -1);
    return __real_fork();
}

int __real_pipe2(int *, int);
int __wrap_pipe2(int *p, int flags);
int __wrap_pipe2(int *p, int flags)
{
    if (fail_pipe)
        return (errno = fail_pipe, -1);
    return __real_pipe2(p, flags);
}

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static int wait_code(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_exec_codes(void **state)
{
    assert_int_equal(spawn_exec_code(ENOENT), 127);
    assert_int_equal(spawn_exec_code(ENOTDIR), 127);
    assert_int_equal(spawn_exec_code(EACCES), 126);
    assert_int_equal(spawn_exec_code(ENOEXEC), 126);
    assert_int_equal(spawn_exec_code(E2BIG), 126);
}

static void test_runs_a_command(void **state)
{
    char const *const argv[] = {"sh", "-c", "exit 5", NULL};
    int e = -1;
    pid_t pid = spawn_main(argv, 0, &e);
    assert_true(pid > 0);
    assert_int_equal(e, 0);
    assert_int_equal(getpgid(pid), pid); /* its own process group */
    assert_int_equal(wait_code(pid), 5);
}

static void test_not_found_is_127(void **state)
{
    char const *const argv[] = {"/nonexistent/vinit-test", NULL};
    int e = 0;
    pid_t pid = spawn_main(argv, 0, &e);
    assert_true(pid > 0);
    assert_int_equal(e, ENOENT);
    assert_int_equal(wait_code(pid), 127);
}

static void test_not_executable_is_126(void **state)
{
    char const *const argv[] = {"/etc/passwd", NULL};
    int e = 0;
    pid_t pid = spawn_main(argv, 0, &e);
    assert_int_equal(e, EACCES);
    assert_int_equal(wait_code(pid), 126);
}

static void test_fork_failure_is_clean(void **state)
{
    char const *const argv[] = {"true", NULL};
    int e, before = open_fds();
    fail_fork = EAGAIN;
    assert_int_equal(spawn_main(argv, 0, &e), -1);
    fail_fork = 0;
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(open_fds(), before); /* the pipe did not leak */
}

static void test_pipe_failure_is_reported(void **state)
{
    char const *const argv[] = {"true", NULL};
    int e;
    fail_pipe = EMFILE;
    assert_int_equal(spawn_main(argv, 0, &e), -1);
    fail_pipe = 0;
    assert_int_equal(errno, EMFILE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_codes),
        cmocka_unit_test(test_runs_a_command),
        cmocka_unit_test(test_not_found_is_127),
        cmocka_unit_test(test_not_executable_is_126),
        cmocka_unit_test(test_fork_failure_is_clean),
        cmocka_unit_test(test_pipe_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
