/* SPDX-License-Identifier: ISC */
/* Unit tests for env: policies, envdirs and withheld variables. */
#include <errno.h>
#include <limits.h>
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

/* a fresh directory under /tmp; rm_tree removes it */
static void rm_tree(char const *dir)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void write_file(char const *dir, char const *name, char const *text, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* a PEM-like text of len bytes: lines of 64 and a newline */
static char *pem(size_t len)
{
    char *t = malloc(len + 1);
    assert_non_null(t);
    for (size_t k = 0; k < len; k++)
        t[k] = k % 65 == 64
                   ? '\n'
                   : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[k % 65];
    t[len] = 0;
    return t;
}

static void test_matches_any_length(void **state)
{
    char name[400];
    memset(name, 'A', 300);
    strcpy(name + 300, "_TOKEN");
    assert_true(env_matches("*_TOKEN", name, strlen(name)));
    assert_false(env_matches("*_KEY", name, strlen(name)));
    char pattern[400]; /* a pattern longer than 255 bytes counts too */
    memset(pattern, 'A', 300);
    strcpy(pattern + 300, "_*");
    assert_true(env_matches(pattern, name, strlen(name)));
    assert_true(env_matches("SECRET_*", "SECRET_X/y", 10)); /* '*' takes a '/' */
}

static void test_storable_name(void **state)
{
    char name[300];
    assert_true(env_storable_name("SECRET_TOKEN", 12));
    assert_true(env_storable_name("_x9", 3));
    assert_false(env_storable_name("../../escaped_TOKEN", 19));
    assert_false(env_storable_name("SECRET_X/y", 10));
    assert_false(env_storable_name("..", 2));
    assert_false(env_storable_name("", 0));
    assert_false(env_storable_name("9LIVES", 6));
    assert_false(env_storable_name("A-B", 3));
    memset(name, 'A', sizeof name);
    assert_true(env_storable_name(name, 255)); /* NAME_MAX */
    assert_false(env_storable_name(name, 256));
}

/* env-secrets gets a value whole, up to what the kernel allows */
static void test_secrets_whole(void **state)
{
    char dir[] = "/tmp/vinit-secrets-XXXXXX", missing[64];
    assert_non_null(mkdtemp(dir));
    char *big = pem(100 * 1024);
    write_file(dir, "CERT_PEM", big, strlen(big));
    write_file(dir, "SHORT", "s3cr3t", 6);
    assert_int_equal(env_apply_secrets("CERT_PEM\nSHORT", dir, missing, sizeof missing), 0);
    assert_string_equal(getenv("CERT_PEM"), big);
    assert_string_equal(getenv("SHORT"), "s3cr3t");
    /* a name that is not there, or not a name, is said */
    errno = 0;
    assert_int_equal(env_apply_secrets("SHORT NOT_THERE", dir, missing, sizeof missing), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(missing, "NOT_THERE");
    assert_int_equal(env_apply_secrets("../SHORT", dir, missing, sizeof missing), -1);
    assert_string_equal(missing, "../SHORT");
    /* longer than an environment string may be: refused, not cut */
    char *huge = pem(ENV_STRING_MAX);
    write_file(dir, "HUGE", huge, strlen(huge));
    errno = 0;
    assert_null(env_withheld_value(dir, "HUGE", 4));
    assert_int_equal(errno, E2BIG);
    unsetenv("CERT_PEM");
    unsetenv("SHORT");
    free(big);
    free(huge);
    rm_tree(dir);
}

static char const *odd_seen[4];
static size_t odd_len[4], nodd;
static void odd(char const *name, size_t len)
{
    assert_true(nodd < 4);
    odd_seen[nodd] = name;
    odd_len[nodd++] = len;
}

/* every byte of the value (vlen bytes after the '=') overwritten */
static void assert_wiped(char const *var, size_t vlen)
{
    char const *v = strchr(var, '=') + 1;
    for (size_t k = 0; k < vlen; k++)
        assert_int_equal(v[k], 0);
}

static void test_withhold(void **state)
{
    char top[] = "/tmp/vinit-withhold-XXXXXX", store[64], path[128];
    struct stat st;
    assert_non_null(mkdtemp(top));
    snprintf(store, sizeof store, "%s/run/env", top);
    snprintf(path, sizeof path, "%s/run", top);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(mkdir(store, 0755), 0);
    write_file(store, "STALE_TOKEN", "old", 3); /* an earlier run's */
    char *big = pem(100 * 1024), *bigvar = malloc(strlen(big) + 16);
    sprintf(bigvar, "BIG_TOKEN=%s", big);
    char keep[] = "KEEP=1", good[] = "GOOD_TOKEN=v", again[] = "GOOD_TOKEN=second",
         up[] = "../../escaped_TOKEN=evil", slash[] = "SECRET_X/y_TOKEN=1",
         setting[] = "VINIT_RUNDIR=/r", bad[] = "A-B_TOKEN=2";
    char *fake[] = {keep, good, up, slash, setting, bigvar, again, bad, NULL};
    extern char **environ;
    char **saved = environ;
    environ = fake;
    nodd = 0;
    assert_int_equal(env_withhold("*_TOKEN", store, odd), 0);
    /* children keep the rest; internals go later */
    assert_ptr_equal(environ[0], keep);
    assert_ptr_equal(environ[1], setting);
    assert_null(environ[2]);
    /* the names that are not storable: said, never written */
    assert_int_equal(nodd, 3);
    assert_memory_equal(odd_seen[0], "../../escaped_TOKEN", 19);
    assert_int_equal(odd_len[0], 19);
    assert_memory_equal(odd_seen[1], "SECRET_X/y_TOKEN", 16);
    assert_memory_equal(odd_seen[2], "A-B_TOKEN", 9);
    snprintf(path, sizeof path, "%s/escaped_TOKEN", top);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/run/escaped_TOKEN", top);
    assert_int_equal(access(path, F_OK), -1);
    /* the store: fresh, root's, each value whole, the first of a name */
    assert_int_equal(stat(store, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    snprintf(path, sizeof path, "%s/STALE_TOKEN", store);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/GOOD_TOKEN", store);
    assert_int_equal(stat(path, &st), 0);
    /* 0 where a capability reads it (root), else 0400 (a plain user) */
    assert_int_equal(st.st_mode & 07777, geteuid() ? 0400 : 0);
    char *v = env_withheld_value(store, "GOOD_TOKEN", 10);
    assert_string_equal(v, "v");
    free(v);
    v = env_withheld_value(store, "BIG_TOKEN", 9);
    assert_non_null(v);
    assert_string_equal(v, big);
    free(v);
    /* no copy left where they were (what /proc/1/environ shows) */
    assert_wiped(good, 1);
    assert_wiped(again, 6);
    assert_wiped(up, 4);
    assert_wiped(slash, 1);
    assert_wiped(bad, 1);
    assert_wiped(bigvar, strlen(big));
    assert_string_equal(keep, "KEEP=1");
    /* what it took, for vinit env and the loader */
    assert_true(env_is_withheld("GOOD_TOKEN", 10));
    assert_true(env_is_withheld("NEVER_SET_TOKEN", 15));
    assert_false(env_is_withheld("KEEP", 4));
    assert_false(env_is_withheld("VINIT_X_TOKEN", 13)); /* never an internal */
    assert_string_equal(env_withheld_dir(), store);
    /* the loader sees them as they came; a variable set counts first */
    char const *const given[] = {"KEEP=1", "GOOD_TOKEN=mine", NULL};
    char const **merged = env_merge_withheld(given, store);
    assert_non_null(merged);
    size_t n = 0, found_big = 0;
    for (; merged[n]; n++)
        found_big += !strncmp(merged[n], "BIG_TOKEN=", 10) && !strcmp(merged[n] + 10, big);
    assert_int_equal(n, 3);
    assert_int_equal(found_big, 1);
    assert_string_equal(merged[1], "GOOD_TOKEN=mine");
    env_free_merged(merged, given);
    env_drop_internals();
    assert_ptr_equal(environ[0], keep);
    assert_null(environ[1]);
    /* without VINIT_ENV_WITHHOLD: an earlier store goes, nothing else */
    char other[] = "GOOD_TOKEN=w";
    char *fake2[] = {other, NULL};
    environ = fake2;
    assert_int_equal(env_withhold(NULL, store, odd), 0);
    assert_int_equal(access(store, F_OK), -1);
    assert_ptr_equal(environ[0], other);
    assert_false(env_is_withheld("GOOD_TOKEN", 10));
    environ = saved;
    free(big);
    free(bigvar);
    rm_tree(top);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_keeps),  cmocka_unit_test(test_apply_list_and_clean),
        cmocka_unit_test(test_envdir),        cmocka_unit_test(test_conditions_and_lists),
        cmocka_unit_test(test_expand),        cmocka_unit_test(test_matches_any_length),
        cmocka_unit_test(test_storable_name), cmocka_unit_test(test_secrets_whole),
        cmocka_unit_test(test_withhold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
