/* SPDX-License-Identifier: ISC */
/* Unit tests for helper: where a helper program is looked for (vinit's own
 * directory first, then PATH in order), and the child it runs: exec errors
 * reported, the wait bounded, an ended child reaped. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"

static char top[] = "/tmp/vinit-helper-XXXXXX";
static char name[64]; /* a name that no configured directory can hold */

static void file(char const *dir, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/%s", top, dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
    char path[256];
    assert_non_null(mkdtemp(top));
    snprintf(name, sizeof name, "vinit-helper-test-%ld", (long) getpid());
    for (char const *const *d = (char const *const[]){"exe", "p1", "p2", "noexec", "dir", NULL}; *d;
         d++) {
        snprintf(path, sizeof path, "%s/%s", top, *d);
        assert_int_equal(mkdir(path, 0755), 0);
    }
    file("exe", 0755);
    file("p1", 0755);
    file("p2", 0755);
    file("noexec", 0644);
    snprintf(path, sizeof path, "%s/dir/%s", top, name); /* a directory of that name */
    assert_int_equal(mkdir(path, 0755), 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", top);
    return system(cmd);
}

/* where helper_find_in finds name ("" when nowhere), relative to top */
static char const *found(char const *exedir, char const *path)
{
    static char out[256], dir[256], pathbuf[512];
    char const *p = NULL;
    if (exedir)
        snprintf(dir, sizeof dir, "%s/%s", top, exedir);
    if (path) {
        /* each "D" of path becomes top/D; a leading '/' stays as it is */
        pathbuf[0] = 0;
        char copy[256];
        snprintf(copy, sizeof copy, "%s", path);
        for (char *save, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            size_t n = strlen(pathbuf);
            snprintf(pathbuf + n, sizeof pathbuf - n, "%s%s%s%s", n ? ":" : "",
                     d[0] == '/' ? "" : top, d[0] == '/' ? "" : "/", d);
        }
        p = pathbuf;
    }
    if (helper_find_in(name, exedir ? dir : NULL, p, out, sizeof out) < 0) {
        assert_int_equal(errno, ENOENT);
        return "";
    }
    assert_memory_equal(out, top, strlen(top));
    size_t n = strlen(out) - strlen(name) - 1;
    out[n] = 0; /* the directory only */
    return out + strlen(top) + 1;
}

static void test_find_order(void **state)
{
    assert_string_equal(found("exe", "p1:p2"), "exe"); /* beside vinit first */
    assert_string_equal(found(NULL, "p1:p2"), "p1");   /* then PATH, in order */
    assert_string_equal(found(NULL, "p2:p1"), "p2");
    assert_string_equal(found("p2", "p1"), "p2");
    assert_string_equal(found(NULL, "/nonexistent:p2"), "p2");
}

static void test_find_skips(void **state)
{
    assert_string_equal(found("noexec", "p1"), "p1"); /* not executable */
    assert_string_equal(found("dir", "p2"), "p2");    /* a directory */
    assert_string_equal(found("noexec", "dir:noexec"), "");
    assert_string_equal(found(NULL, NULL), "");
    assert_string_equal(found(NULL, ""), "");
    assert_string_equal(found(NULL, "::"), "");
}

static void test_not_found_names_it(void **state)
{
    char msg[512];
    helper_not_found("vinit-doctor", msg, sizeof msg);
    assert_non_null(strstr(msg, "vinit-doctor is neither beside vinit (in /"));
    assert_non_null(strstr(msg, "$PATH"));
    assert_non_null(strstr(msg, "install it beside vinit"));
}

static void test_spawn_and_wait(void **state)
{
    int st = -1;
    pid_t pid = helper_spawn("/bin/sh", (char const *const[]){"sh", "-c", "exit 3", NULL});
    assert_true(pid > 0);
    assert_int_equal(helper_wait(pid, 10000, &st), 1);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 3);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), -1); /* reaped already */
}

static void test_spawn_errors(void **state)
{
    char path[256];
    errno = 0;
    assert_int_equal(helper_spawn("/nonexistent/x", (char const *const[]){"x", NULL}), -1);
    assert_int_equal(errno, ENOENT);
    snprintf(path, sizeof path, "%s/noexec/%s", top, name);
    assert_int_equal(helper_spawn(path, (char const *const[]){"x", NULL}), -1);
    assert_int_equal(errno, EACCES);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no child left behind */
}

static void test_wait_is_bounded(void **state)
{
    int st = -1;
    pid_t pid = helper_spawn("/bin/sleep", (char const *const[]){"sleep", "100", NULL});
    assert_true(pid > 0);
    assert_int_equal(helper_wait(pid, 50, &st), 0); /* still running */
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(helper_wait(pid, 10000, &st), 1);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
}

/* the child starts with nothing blocked, whatever its parent blocks */
static void test_spawn_unblocks(void **state)
{
    sigset_t set, old;
    int st = -1;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, &old);
    pid_t pid =
        helper_spawn("/bin/sh", (char const *const[]){"sh", "-c", "kill -TERM $$; exit 0", NULL});
    sigprocmask(SIG_SETMASK, &old, NULL);
    assert_true(pid > 0);
    assert_int_equal(helper_wait(pid, 10000, &st), 1);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGTERM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_order),         cmocka_unit_test(test_find_skips),
        cmocka_unit_test(test_not_found_names_it), cmocka_unit_test(test_spawn_and_wait),
        cmocka_unit_test(test_spawn_errors),       cmocka_unit_test(test_wait_is_bounded),
        cmocka_unit_test(test_spawn_unblocks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
