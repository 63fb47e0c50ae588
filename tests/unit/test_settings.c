/* SPDX-License-Identifier: ISC */
/* Unit tests for settings: options, VINIT_* variables, durations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "settings.h"

#define ARGV(...) ((char const *const[]){"vinit", __VA_ARGS__, NULL})

static char const *const no_env[] = {NULL};

static int parse(struct settings *s, char const *const *argv, int argc, char const *const *envp,
                 struct settings_error *err)
{
    return settings_parse(s, argc, argv, envp, err);
}

static void test_defaults(void **state)
{
    struct settings s;
    struct settings_error err;
    char const *const argv[] = {"vinit", NULL};
    assert_int_equal(parse(&s, argv, 1, no_env, &err), 0);
    assert_int_equal(s.mode, SETTINGS_RUN);
    assert_int_equal(s.stop_timeout_ms, SETTINGS_STOP_TIMEOUT_DEFAULT_MS);
    assert_true(s.stop_timeout_ms < 10000); /* inside docker stop's 10 s */
    assert_int_equal(s.verbosity, 1);
    assert_null(s.command);
}

static void test_command_after_options(void **state)
{
    struct settings s;
    struct settings_error err;
    char const *const *argv = ARGV("-v", "sleep", "-t", "5");
    assert_int_equal(parse(&s, argv, 5, no_env, &err), 0);
    assert_non_null(s.command);
    assert_string_equal(s.command[0], "sleep");
    assert_string_equal(s.command[1], "-t"); /* options end at the command */
    assert_int_equal(s.verbosity, 2);
    assert_int_equal(s.stop_timeout_ms, SETTINGS_STOP_TIMEOUT_DEFAULT_MS);
}

static void test_double_dash(void **state)
{
    struct settings s;
    struct settings_error err;
    char const *const *argv = ARGV("--", "-v");
    assert_int_equal(parse(&s, argv, 3, no_env, &err), 0);
    assert_string_equal(s.command[0], "-v");
    assert_int_equal(s.verbosity, 1);
    char const *const *only = ARGV("--");
    assert_int_equal(parse(&s, only, 2, no_env, &err), 0);
    assert_null(s.command);
}

static void test_stop_timeout_forms(void **state)
{
    struct settings s;
    struct settings_error err;
    struct {
        char const *a, *b;
        unsigned int ms;
    } const cases[] = {
        {"-t", "3", 3000},
        {"-t", "250ms", 250},
        {"--stop-timeout", "2m", 120000},
        {"--stop-timeout=7s", NULL, 7000},
        {"-t1500ms", NULL, 1500},
        {"-t", "0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char const *const argv[] = {"vinit", cases[i].a, cases[i].b, NULL};
        assert_int_equal(parse(&s, argv, cases[i].b ? 3 : 2, no_env, &err), 0);
        assert_int_equal(s.stop_timeout_ms, cases[i].ms);
    }
}

static void test_env_and_override(void **state)
{
    struct settings s;
    struct settings_error err;
    char const *const env[] = {"PATH=/bin", "VINIT_STOP_TIMEOUT=4", "VINIT_VERBOSITY=3", NULL};
    char const *const argv[] = {"vinit", NULL};
    assert_int_equal(parse(&s, argv, 1, env, &err), 0);
    assert_int_equal(s.stop_timeout_ms, 4000);
    assert_int_equal(s.verbosity, 3);
    char const *const *over = ARGV("-q", "--stop-timeout", "1s");
    assert_int_equal(parse(&s, over, 4, env, &err), 0);
    assert_int_equal(s.stop_timeout_ms, 1000);
    assert_int_equal(s.verbosity, 0);
}

static void test_env_prefix_is_exact(void **state)
{
    char const *const env[] = {"VINIT_STOP_TIMEOUTX=1", "VINIT_STOP_TIMEOUT=9", NULL};
    assert_string_equal(settings_getenv(env, "VINIT_STOP_TIMEOUT"), "9");
    assert_null(settings_getenv(env, "VINIT_STOP"));
}

static void test_errors_name_the_culprit(void **state)
{
    struct settings s;
    struct settings_error err;
    char const *const bad_env[] = {"VINIT_STOP_TIMEOUT=soon", NULL};
    char const *const argv[] = {"vinit", NULL};
    assert_int_equal(parse(&s, argv, 1, bad_env, &err), -1);
    assert_string_equal(err.object, "VINIT_STOP_TIMEOUT");
    assert_string_equal(err.value, "soon");

    char const *const bad_verb[] = {"VINIT_VERBOSITY=9", NULL};
    assert_int_equal(parse(&s, argv, 1, bad_verb, &err), -1);
    assert_string_equal(err.object, "VINIT_VERBOSITY");

    char const *const *unknown = ARGV("--frobnicate");
    assert_int_equal(parse(&s, unknown, 2, no_env, &err), -1);
    assert_string_equal(err.object, "--frobnicate");

    char const *const *missing = ARGV("-t");
    assert_int_equal(parse(&s, missing, 2, no_env, &err), -1);
    assert_null(err.value);

    char const *const *garbage = ARGV("-t", "5x");
    assert_int_equal(parse(&s, garbage, 3, no_env, &err), -1);
    assert_string_equal(err.value, "5x");
}

static void test_duration_limits(void **state)
{
    unsigned int ms = 42;
    assert_int_equal(settings_parse_duration("", &ms), -1);
    assert_int_equal(settings_parse_duration("-1", &ms), -1);
    assert_int_equal(settings_parse_duration("1.5", &ms), -1);
    assert_int_equal(settings_parse_duration("99999999999999999999999", &ms), -1);
    assert_int_equal(settings_parse_duration("86400", &ms), 0);
    assert_int_equal(ms, 86400000u);
    assert_int_equal(settings_parse_duration("86401", &ms), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(ms, 86400000u); /* untouched on error */
}

static void test_help_version_verbosity(void **state)
{
    struct settings s;
    struct settings_error err;
    char const *const *h = ARGV("--help");
    assert_int_equal(parse(&s, h, 2, no_env, &err), 0);
    assert_int_equal(s.mode, SETTINGS_HELP);
    char const *const *v = ARGV("-V");
    assert_int_equal(parse(&s, v, 2, no_env, &err), 0);
    assert_int_equal(s.mode, SETTINGS_VERSION);
    char const *const *vv = ARGV("-vvvvv");
    assert_int_equal(parse(&s, vv, 2, no_env, &err), 0);
    assert_int_equal(s.verbosity, 3);
}

static void test_service_tree_settings(void **state)
{
    struct settings s;
    struct settings_error err;
    char const *const argv[] = {"vinit", NULL};
    assert_int_equal(parse(&s, argv, 1, no_env, &err), 0);
    assert_string_equal(s.services_dir, "/etc/vinit/services");
    assert_false(s.services_dir_given);
    assert_string_equal(s.rundir, "/run/vinit");
    assert_false(s.rundir_given);
    assert_null(s.only);
    assert_true(s.unmount);
    assert_true(s.doctor);
    char const *const env[] = {"VINIT_SERVICES_DIR=/srv/sv", "VINIT_RUNDIR=/tmp/r",
                               "VINIT_SERVICES=sshd,libvirtd", NULL};
    assert_int_equal(parse(&s, argv, 1, env, &err), 0);
    assert_string_equal(s.services_dir, "/srv/sv");
    assert_true(s.services_dir_given);
    assert_string_equal(s.rundir, "/tmp/r");
    assert_true(s.rundir_given);
    assert_string_equal(s.only, "sshd,libvirtd");
    char const *const off[] = {"VINIT_UNMOUNT=0", "VINIT_DOCTOR=0", NULL};
    assert_int_equal(parse(&s, argv, 1, off, &err), 0);
    assert_false(s.unmount);
    assert_false(s.doctor);
    char const *const on[] = {"VINIT_UNMOUNT=1", "VINIT_DOCTOR=", NULL};
    assert_int_equal(parse(&s, argv, 1, on, &err), 0);
    assert_true(s.unmount);
    assert_true(s.doctor);
    char const *const *opt = ARGV("-s", "/x/y");
    assert_int_equal(parse(&s, opt, 3, no_env, &err), 0);
    assert_string_equal(s.services_dir, "/x/y");
    char const *const rel[] = {"VINIT_RUNDIR=run/vinit", NULL};
    assert_int_equal(parse(&s, argv, 1, rel, &err), -1);
    assert_string_equal(err.object, "VINIT_RUNDIR");
    char const *const *relopt = ARGV("--services-dir=services");
    assert_int_equal(parse(&s, relopt, 2, no_env, &err), -1);
}

static void test_user_rundir(void **state)
{
    char buf[64];
    assert_string_equal(settings_user_rundir(buf, sizeof buf, 1000), "/tmp/vinit-1000");
    assert_string_equal(settings_user_rundir(buf, sizeof buf, 4294967294UL),
                        "/tmp/vinit-4294967294");
    char tiny[8];
    assert_string_equal(settings_user_rundir(tiny, sizeof tiny, 1000),
                        "/tmp/vi"); /* cut, never overrun */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_command_after_options),
        cmocka_unit_test(test_double_dash),
        cmocka_unit_test(test_stop_timeout_forms),
        cmocka_unit_test(test_env_and_override),
        cmocka_unit_test(test_env_prefix_is_exact),
        cmocka_unit_test(test_errors_name_the_culprit),
        cmocka_unit_test(test_duration_limits),
        cmocka_unit_test(test_help_version_verbosity),
        cmocka_unit_test(test_service_tree_settings),
        cmocka_unit_test(test_user_rundir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
