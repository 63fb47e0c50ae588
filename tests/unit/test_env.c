/* SPDX-License-Identifier: ISC */
/* Unit tests for env: policies and envdirs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"

static void test_policy_keeps(void **state)
{
    assert_true(env_policy_keeps("inherit", "HOME", 4));
    assert_true(env_policy_keeps("", "HOME", 4));
    assert_false(env_policy_keeps("clean", "HOME", 4));
    char const *list = "PATH\n  SOCK_GID \nTZ";
    assert_true(env_policy_keeps(list, "SOCK_GID", 8));
    assert_true(env_policy_keeps(list, "TZ", 2));
    assert_false(env_policy_keeps(list, "SOCK", 4)); /* whole names only */
    assert_false(env_policy_keeps(list, "SECRET", 6));
}

static void test_apply_list_and_clean(void **state)
{
    setenv("VINIT_T_KEEP", "1", 1);
    setenv("VINIT_T_DROP", "1", 1);
    assert_int_equal(env_apply_policy("VINIT_T_KEEP\nPATH"), 0);
    assert_string_equal(getenv("VINIT_T_KEEP"), "1");
    assert_null(getenv("VINIT_T_DROP"));
    assert_int_equal(env_apply_policy("clean"), 0);
    assert_null(getenv("VINIT_T_KEEP"));
    assert_non_null(getenv("PATH")); /* a clean environment still finds programs */
}

static void test_envdir(void **state)
{
    char dir[] = "/tmp/vinit-envdir-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/GREETING", dir);
    FILE *f = fopen(path, "w");
    fputs("hello world\nsecond line ignored\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/GONE", dir);
    fclose(fopen(path, "w"));
    setenv("GONE", "x", 1);
    assert_int_equal(env_apply_envdir(dir), 0);
    assert_string_equal(getenv("GREETING"), "hello world");
    assert_null(getenv("GONE"));
    assert_int_equal(env_apply_envdir("/nonexistent/vinit-env"), 0);
    /* a FIFO there neither blocks nor counts as a value; the rest applies */
    snprintf(path, sizeof path, "%s/HANG", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    setenv("GREETING", "old", 1);
    errno = 0;
    assert_int_equal(env_apply_envdir(dir), -1);
    assert_int_equal(errno, EINVAL);
    assert_string_equal(getenv("GREETING"), "hello world");
    assert_null(getenv("HANG"));
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_expand(void **state)
{
    char const *const env[] = {"PORT=8080", "EMPTY=", "GID=4242", NULL};
    char out[64];
    char const *why = NULL;
    assert_int_equal(env_expand("tcp:$PORT name=x", out, sizeof out, env, &why), 0);
    assert_string_equal(out, "tcp:8080 name=x");
    assert_int_equal(env_expand("group=${GID}x", out, sizeof out, env, &why), 0);
    assert_string_equal(out, "group=4242x");
    assert_int_equal(env_expand("tcp:${NOPE:-16509}", out, sizeof out, env, &why), 0);
    assert_string_equal(out, "tcp:16509");
    assert_int_equal(env_expand("${EMPTY:-d}", out, sizeof out, env, &why), 0);
    assert_string_equal(out, "d"); /* empty takes the default, as the shell's :- */
    assert_int_equal(env_expand("plain", out, sizeof out, env, &why), 0);
    assert_string_equal(out, "plain");
    assert_int_equal(env_expand("$NOPE", out, sizeof out, env, &why), -1);
    assert_int_equal(env_expand("${PORT", out, sizeof out, env, &why), -1);
    assert_int_equal(env_expand("$ x", out, sizeof out, env, &why), -1);
    assert_int_equal(env_expand("$PORT$PORT$PORT", out, 8, env, &why), -1); /* too long */
}

static void test_conditions_and_lists(void **state)
{
    char const *const env[] = {"SAMBA=1", "EMPTY=", "MODE=host", NULL};
    assert_true(env_condition_holds("", env));
    assert_true(env_condition_holds("SAMBA", env));
    assert_false(env_condition_holds("EMPTY", env));
    assert_false(env_condition_holds("SAMB", env));
    assert_false(env_condition_holds("MISSING", env));
    assert_true(env_condition_holds("MODE=host", env));
    assert_false(env_condition_holds("MODE=hos", env));
    assert_true(env_condition_holds("EMPTY=", env));
    /* switches that default on */
    assert_false(env_condition_holds("SAMBA!=1", env));
    assert_true(env_condition_holds("SAMBA!=0", env));
    assert_true(env_condition_holds("MISSING!=0", env)); /* unset: on */
    assert_true(env_condition_holds("EMPTY!=0", env));
    assert_false(env_condition_holds("EMPTY!=", env));
    /* unset or empty */
    assert_true(env_condition_holds("!MISSING", env));
    assert_true(env_condition_holds("!EMPTY", env));
    assert_false(env_condition_holds("!SAMBA", env));
    assert_true(env_list_has("sshd,libvirtd virtlogd", "libvirtd"));
    assert_true(env_list_has(" sshd ", "sshd"));
    assert_false(env_list_has("sshd,libvirtd", "libvirt"));
    assert_false(env_list_has("", "sshd"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_keeps), cmocka_unit_test(test_apply_list_and_clean),
        cmocka_unit_test(test_envdir),       cmocka_unit_test(test_conditions_and_lists),
        cmocka_unit_test(test_expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
