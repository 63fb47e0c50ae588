/* SPDX-License-Identifier: ISC */
/* Unit tests for clean: staleness decisions, kinds, pid parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "clean.h"

static enum clean_verdict decide(enum clean_kind kind, int listening, int locked, pid_t pid,
                                 int alive)
{
    struct clean_probe p = {kind, listening, locked, pid, alive};
    return clean_decide(&p);
}

static void test_sockets(void **state)
{
    assert_int_equal(decide(CLEAN_SOCKET, 0, 0, 0, 0), CLEAN_REMOVE); /* refused: stale */
    assert_int_equal(decide(CLEAN_SOCKET, 1, 0, 0, 0), CLEAN_KEEP);   /* someone listens */
}

static void test_pid_files(void **state)
{
    assert_int_equal(decide(CLEAN_PIDFILE, 0, 1, 42, 1), CLEAN_BLOCK);  /* held lock */
    assert_int_equal(decide(CLEAN_PIDFILE, 0, 1, 0, 0), CLEAN_BLOCK);   /* even unreadable */
    assert_int_equal(decide(CLEAN_PIDFILE, 0, 0, 42, 0), CLEAN_REMOVE); /* process gone */
    assert_int_equal(decide(CLEAN_PIDFILE, 0, 0, 0, 0), CLEAN_REMOVE);  /* empty, unlocked */
    /* unlocked but the pid lives: it may be a daemon that does not lock;
     * in doubt, keep */
    assert_int_equal(decide(CLEAN_PIDFILE, 0, 0, 42, 1), CLEAN_KEEP);
}

static void test_status_files(void **state)
{
    assert_int_equal(decide(CLEAN_STATUS, 0, 0, 42, 0), CLEAN_REMOVE);
    assert_int_equal(decide(CLEAN_STATUS, 0, 0, 42, 1), CLEAN_KEEP);
    assert_int_equal(decide(CLEAN_STATUS, 0, 0, 0, 0), CLEAN_KEEP); /* says no pid: keep */
    assert_int_equal(decide(CLEAN_OTHER, 0, 0, 0, 0), CLEAN_KEEP);
}

static void test_kinds(void **state)
{
    assert_int_equal(clean_kind_of("/run/libvirt/libvirt-sock", S_IFSOCK), CLEAN_SOCKET);
    assert_int_equal(clean_kind_of("/run/libvirtd.pid", S_IFREG), CLEAN_PIDFILE);
    assert_int_equal(clean_kind_of("/run/libvirt/qemu/vm1.xml", S_IFREG), CLEAN_STATUS);
    assert_int_equal(clean_kind_of("/run/libvirt/qemu/vm1.pid", S_IFDIR), CLEAN_OTHER);
    assert_int_equal(clean_kind_of("/run/x.conf", S_IFREG), CLEAN_OTHER);
}

static void test_pids(void **state)
{
    char const *xml = "<domstatus state='running' reason='booted' pid='12345'>\n<monitor/>";
    assert_int_equal(clean_parse_pid(CLEAN_STATUS, xml, strlen(xml)), 12345);
    assert_int_equal(clean_parse_pid(CLEAN_STATUS, "<a pid=\"77\">", 12), 77);
    assert_int_equal(clean_parse_pid(CLEAN_STATUS, "<a ppid='5'/>", 13), 0); /* not ppid= */
    assert_int_equal(clean_parse_pid(CLEAN_STATUS, "no pid here", 11), 0);
    assert_int_equal(clean_parse_pid(CLEAN_PIDFILE, "  4242\n", 7), 4242);
    assert_int_equal(clean_parse_pid(CLEAN_PIDFILE, "garbage", 7), 0);
    assert_int_equal(clean_parse_pid(CLEAN_PIDFILE, "99999999999", 11), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sockets),      cmocka_unit_test(test_pid_files),
        cmocka_unit_test(test_status_files), cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_pids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
