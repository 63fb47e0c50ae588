/* SPDX-License-Identifier: ISC */
/* Unit tests for netspec, the pure half of net: VINIT_BRIDGE values and
 * interface names. The
 * netlink side is tested for real in a fresh network namespace
 * (tests/integration/container). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "netspec.h"

static struct netspec_bridge b;
static char const *why;

static void ok(char const *s, char const *name, char const *address, unsigned int mtu)
{
    why = NULL;
    assert_int_equal(netspec_bridge_parse(s, &b, &why), 0);
    assert_string_equal(b.name, name);
    assert_string_equal(b.address, address);
    assert_int_equal(b.mtu, mtu);
}

static void bad(char const *s, char const *reason)
{
    why = NULL;
    assert_int_equal(netspec_bridge_parse(s, &b, &why), -1);
    assert_non_null(why);
    assert_non_null(strstr(why, reason));
}

static void test_bridge_values(void **state)
{
    ok("br0", "br0", "", 0);
    ok("br0,10.0.0.1/24", "br0", "10.0.0.1/24", 0);
    ok("virbr-guests,1400", "virbr-guests", "", 1400);
    ok("br0,10.0.0.1/24,9000", "br0", "10.0.0.1/24", 9000);
    ok("br0,9000,10.0.0.1/24", "br0", "10.0.0.1/24", 9000); /* either order */
    ok("br0,fd00::1/64", "br0", "fd00::1/64", 0);
    ok("br0,10.0.0.1/0", "br0", "10.0.0.1/0", 0);
}

static void test_bad_values(void **state)
{
    bad("", "bridge name");
    bad(",10.0.0.1/24", "bridge name");
    bad("a-name-far-too-long", "bridge name");
    bad("br 0", "bridge name");
    bad("br/0", "bridge name");
    bad("br0,10.0.0.1", "MTU"); /* an address without its prefix */
    bad("br0,10.0.0.1/33", "address");
    bad("br0,10.0.0.300/24", "address");
    bad("br0,fd00::1/129", "address");
    bad("br0,10.0.0.1/24x", "address");
    bad("br0,67", "MTU");
    bad("br0,65536", "MTU");
    bad("br0,1500,1400", "MTU"); /* two MTUs */
    bad("br0,10.0.0.1/24,10.0.0.2/24", "address");
    bad("br0,99999999999999999999", "MTU");
    char huge[400];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    bad(huge, "too long");
}

static void test_names(void **state)
{
    assert_true(netspec_name_ok("br0"));
    assert_true(netspec_name_ok("123456789012345"));
    assert_false(netspec_name_ok("1234567890123456"));
    assert_false(netspec_name_ok(""));
    assert_false(netspec_name_ok("."));
    assert_false(netspec_name_ok(".."));
    assert_false(netspec_name_ok("a:b"));
    assert_false(netspec_name_ok("a\tb"));
    assert_false(netspec_name_ok("\xc3\xa9"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge_values),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
