/* SPDX-License-Identifier: ISC */
/* Unit tests for mounts: mountinfo parsing and the new-mounts order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mounts.h"

static char const info[] = "21 1 0:19 / / rw,relatime - overlay overlay rw\n"
                           "22 21 0:20 / /proc rw - proc proc rw\n"
                           "30 21 8:1 /vol /config rw - ext4 /dev/sda1 rw\n"
                           "41 21 0:40 / /run/my\\040dir rw - tmpfs tmpfs rw\n"
                           "42 41 0:41 / /run/my\\040dir/inner rw - tmpfs tmpfs rw\n";

static void test_parse(void **state)
{
    struct mounts_entry e[8];
    assert_int_equal(mounts_parse(info, e, 8), 5);
    assert_int_equal(e[0].id, 21);
    assert_string_equal(e[0].target, "/");
    assert_string_equal(e[2].target, "/config");
    assert_string_equal(e[3].target, "/run/my dir"); /* \040 is a space */
    assert_int_equal(mounts_parse(info, e, 2), 2);   /* never past the table */
    assert_int_equal(mounts_parse("garbage\n\n", e, 8), 0);
}

static void test_new_ones_newest_first(void **state)
{
    struct mounts_entry e[8];
    size_t n = mounts_parse(info, e, 8), out[8];
    int const before[] = {21, 22, 30}; /* the manager's: never touched */
    assert_int_equal(mounts_new(before, 3, e, n, out), 2);
    assert_string_equal(e[out[0]].target, "/run/my dir/inner"); /* on top goes first */
    assert_string_equal(e[out[1]].target, "/run/my dir");
    assert_int_equal(mounts_new(before, 3, e, 3, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_new_ones_newest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
