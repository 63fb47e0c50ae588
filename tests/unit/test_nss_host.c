/* SPDX-License-Identifier: ISC */
/* Unit tests for nss_host (libnss_vinit.so.2): its entry points called as
 * glibc calls them. host-UID and host-GID by id and by name, the ids and
 * names it never answers, buffers one byte too small (ERANGE, every string
 * inside the buffer: each buffer is allocated at its exact size, so ASan
 * sees a byte written past it), enumeration empty, and the processes it
 * answers in: libvirt's daemons by name, VINIT_NSS_HOST=1 or 0. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nss_host.h"

/* the program name glibc took from argv[0], as the module reads it */
static void as(char const *prog)
{
    static char name[64];
    strncpy(name, prog, sizeof name - 1);
    program_invocation_short_name = name;
}

static int setup(void **state)
{
    unsetenv("VINIT_NSS_HOST");
    as("libvirtd");
    return 0;
}

static char buf[1024];

static void test_pw_by_uid(void **state)
{
    struct passwd pw;
    int err = 0;
    assert_int_equal(_nss_vinit_getpwuid_r(4242, &pw, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "host-4242");
    assert_string_equal(pw.pw_passwd, "*");
    assert_int_equal(pw.pw_uid, 4242);
    assert_int_equal(pw.pw_gid, 4242);
    assert_string_equal(pw.pw_gecos, "host user 4242");
    assert_string_equal(pw.pw_dir, "/");
    assert_string_equal(pw.pw_shell, "/usr/sbin/nologin");
    assert_int_equal(err, 0);
    assert_int_equal(_nss_vinit_getpwuid_r(1, &pw, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "host-1");
    assert_int_equal(_nss_vinit_getpwuid_r(4294967294u, &pw, buf, sizeof buf, &err),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "host-4294967294");
    assert_string_equal(pw.pw_gecos, "host user 4294967294");
    assert_int_equal(pw.pw_gid, 4294967294u);
    assert_int_equal(_nss_vinit_getpwuid_r(65533, &pw, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_vinit_getpwuid_r(65536, &pw, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
}

/* root, nobody and the two "no id" values are never made up */
static void test_never(void **state)
{
    uid_t const never[] = {0, 65534, 65535, (uid_t) -1};
    struct passwd pw;
    struct group gr;
    for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
        int err = 0;
        assert_int_equal(_nss_vinit_getpwuid_r(never[i], &pw, buf, sizeof buf, &err),
                         NSS_STATUS_NOTFOUND);
        assert_int_equal(err, ENOENT);
        err = 0;
        assert_int_equal(_nss_vinit_getgrgid_r((gid_t) never[i], &gr, buf, sizeof buf, &err),
                         NSS_STATUS_NOTFOUND);
        assert_int_equal(err, ENOENT);
    }
}

static void test_pw_by_name(void **state)
{
    struct passwd pw;
    int err = 0;
    assert_int_equal(_nss_vinit_getpwnam_r("host-4242", &pw, buf, sizeof buf, &err),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "host-4242");
    assert_int_equal(pw.pw_uid, 4242);
    assert_int_equal(pw.pw_gid, 4242);
    assert_string_equal(pw.pw_shell, "/usr/sbin/nologin");
    assert_int_equal(_nss_vinit_getpwnam_r("host-4294967294", &pw, buf, sizeof buf, &err),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(pw.pw_uid, 4294967294u);
    assert_int_equal(_nss_vinit_getpwnam_r("host-1", &pw, buf, sizeof buf, &err),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(pw.pw_uid, 1);
}

/* names that are not host-N with N plain decimal, within uid_t, and an id
 * it answers */
static char const *const bad_names[] = {
    "host-0",
    "host-01",
    "host-007",
    "host-x",
    "host-",
    "host",
    "",
    "root",
    "Host-1",
    "host-1x",
    "host-1 ",
    " host-1",
    "host--1",
    "host-+1",
    "host-1.0",
    "host-0x10",
    "host-65534",
    "host-65535",
    "host-4294967295",
    "host-4294967296",
    "host-5000000000",
    "host-99999999999999",
    "host-18446744073709551617",
    "hosts-1",
    "host_1",
};

static void test_bad_names(void **state)
{
    struct passwd pw;
    struct group gr;
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        int err = 0;
        if (_nss_vinit_getpwnam_r(bad_names[i], &pw, buf, sizeof buf, &err) != NSS_STATUS_NOTFOUND)
            fail_msg("passwd: %s was answered", bad_names[i]);
        assert_int_equal(err, ENOENT);
        err = 0;
        if (_nss_vinit_getgrnam_r(bad_names[i], &gr, buf, sizeof buf, &err) != NSS_STATUS_NOTFOUND)
            fail_msg("group: %s was answered", bad_names[i]);
        assert_int_equal(err, ENOENT);
    }
}

static void test_gr(void **state)
{
    struct group gr;
    int err = 0;
    assert_int_equal(_nss_vinit_getgrgid_r(4242, &gr, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_name, "host-4242");
    assert_string_equal(gr.gr_passwd, "*");
    assert_int_equal(gr.gr_gid, 4242);
    assert_non_null(gr.gr_mem);
    assert_null(gr.gr_mem[0]);
    assert_int_equal(_nss_vinit_getgrnam_r("host-77", &gr, buf, sizeof buf, &err),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_name, "host-77");
    assert_int_equal(gr.gr_gid, 77);
    assert_null(gr.gr_mem[0]);
    /* a buffer at an odd address: the member list is aligned in it */
    assert_int_equal(_nss_vinit_getgrgid_r(9, &gr, buf + 3, sizeof buf - 3, &err),
                     NSS_STATUS_SUCCESS);
    assert_int_equal((uintptr_t) gr.gr_mem % _Alignof(char *), 0);
    assert_true((char *) gr.gr_mem >= buf + 3);
    assert_null(gr.gr_mem[0]);
    assert_string_equal(gr.gr_name, "host-9");
}

/* the size of the smallest buffer that serves: every smaller one is
 * ERANGE with TRYAGAIN; each buffer exactly as long as said */
static size_t smallest(enum nss_status (*call)(void *ent, char *b, size_t len, int *errnop),
                       void *ent, int offset)
{
    for (size_t len = 0; len < 200; len++) {
        size_t size = len + (size_t) offset;
        char *b = malloc(size ? size : 1);
        assert_non_null(b);
        int err = 0;
        enum nss_status st = call(ent, b + offset, len, &err);
        free(b);
        if (st == NSS_STATUS_SUCCESS)
            return len;
        assert_int_equal(st, NSS_STATUS_TRYAGAIN);
        assert_int_equal(err, ERANGE);
    }
    fail_msg("no buffer under 200 bytes served");
    return 0;
}

/* the calls smallest() makes */
static enum nss_status pwuid(void *ent, char *b, size_t len, int *errnop)
{
    return _nss_vinit_getpwuid_r(4294967294u, ent, b, len, errnop);
}
static enum nss_status pwnam(void *ent, char *b, size_t len, int *errnop)
{
    return _nss_vinit_getpwnam_r("host-4242", ent, b, len, errnop);
}
static enum nss_status grgid(void *ent, char *b, size_t len, int *errnop)
{
    return _nss_vinit_getgrgid_r(4294967294u, ent, b, len, errnop);
}
static enum nss_status grnam(void *ent, char *b, size_t len, int *errnop)
{
    return _nss_vinit_getgrnam_r("host-4242", ent, b, len, errnop);
}

static void test_erange(void **state)
{
    struct passwd pw;
    struct group gr;
    /* host-4294967294 * host user 4294967294 / /usr/sbin/nologin, each terminated */
    assert_int_equal(smallest(pwuid, &pw, 0), 16 + 2 + 21 + 2 + 18);
    assert_int_equal(smallest(pwnam, &pw, 0), 10 + 2 + 15 + 2 + 18);
    /* the member list (one NULL pointer) and host-N * */
    assert_int_equal(smallest(grgid, &gr, 0), sizeof(char *) + 16 + 2);
    assert_int_equal(smallest(grnam, &gr, 0), sizeof(char *) + 10 + 2);
    /* at an odd address, the member list's alignment counts too */
    assert_true(smallest(grnam, &gr, 1) > sizeof(char *) + 10 + 2);
}

static void test_enumeration(void **state)
{
    struct passwd pw;
    struct group gr;
    int err = 0;
    assert_int_equal(_nss_vinit_setpwent(0), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_vinit_getpwent_r(&pw, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(err, ENOENT);
    assert_int_equal(_nss_vinit_endpwent(), NSS_STATUS_SUCCESS);
    err = 0;
    assert_int_equal(_nss_vinit_setgrent(1), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_vinit_getgrent_r(&gr, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(err, ENOENT);
    assert_int_equal(_nss_vinit_endgrent(), NSS_STATUS_SUCCESS);
}

/* whether a process of that name (and environment) gets host-4242 both ways */
static int answers(char const *prog)
{
    struct passwd pw;
    struct group gr;
    int err = 0;
    as(prog);
    int n = (_nss_vinit_getpwuid_r(4242, &pw, buf, sizeof buf, &err) == NSS_STATUS_SUCCESS) +
            (_nss_vinit_getpwnam_r("host-4242", &pw, buf, sizeof buf, &err) == NSS_STATUS_SUCCESS) +
            (_nss_vinit_getgrgid_r(4242, &gr, buf, sizeof buf, &err) == NSS_STATUS_SUCCESS) +
            (_nss_vinit_getgrnam_r("host-4242", &gr, buf, sizeof buf, &err) == NSS_STATUS_SUCCESS);
    assert_true(n == 0 || n == 4);
    return n == 4;
}

static void test_who(void **state)
{
    /* libvirt's daemons, monolithic and modular */
    assert_true(answers("libvirtd"));
    assert_true(answers("virtqemud"));
    assert_true(answers("virtproxyd"));
    assert_true(answers("virtlogd"));
    /* what picks free ids or joins groups by name, and anything else */
    assert_false(answers("useradd"));
    assert_false(answers("groupadd"));
    assert_false(answers("usermod"));
    assert_false(answers("perl")); /* adduser */
    assert_false(answers("getent"));
    assert_false(answers("id"));
    assert_false(answers("sshd"));
    assert_false(answers("virsh"));
    assert_false(answers("virtd"));
    assert_false(answers("libvirtd2"));
    assert_false(answers("xlibvirtd"));
    assert_false(answers(""));
    struct passwd pw;
    int err = 0;
    program_invocation_short_name = NULL;
    assert_int_equal(_nss_vinit_getpwuid_r(4242, &pw, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
    /* the environment decides first: 1 and 0 */
    setenv("VINIT_NSS_HOST", "1", 1);
    assert_true(answers("getent"));
    assert_true(answers("libvirtd"));
    setenv("VINIT_NSS_HOST", "0", 1);
    assert_false(answers("libvirtd"));
    assert_false(answers("getent"));
    /* anything else: the name decides */
    setenv("VINIT_NSS_HOST", "yes", 1);
    assert_true(answers("libvirtd"));
    assert_false(answers("getent"));
    unsetenv("VINIT_NSS_HOST");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pw_by_uid, setup),
        cmocka_unit_test_setup(test_never, setup),
        cmocka_unit_test_setup(test_pw_by_name, setup),
        cmocka_unit_test_setup(test_bad_names, setup),
        cmocka_unit_test_setup(test_gr, setup),
        cmocka_unit_test_setup(test_erange, setup),
        cmocka_unit_test_setup(test_enumeration, setup),
        cmocka_unit_test_setup(test_who, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
