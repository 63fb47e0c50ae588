/* SPDX-License-Identifier: ISC */
/* Unit tests for notify: $NOTIFY_SOCKET parsing, and a real datagram. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify.h"

static void test_parse_path(void **state)
{
    struct notify_target t;
    assert_int_equal(notify_parse(&t, "/run/notify/notify.sock"), 0);
    assert_string_equal(t.addr.sun_path, "/run/notify/notify.sock");
    assert_int_equal(t.len,
                     offsetof(struct sockaddr_un, sun_path) + sizeof "/run/notify/notify.sock");
}

static void test_parse_abstract(void **state)
{
    struct notify_target t;
    assert_int_equal(notify_parse(&t, "@vinit/x"), 0);
    assert_int_equal(t.addr.sun_path[0], 0);
    assert_memory_equal(t.addr.sun_path + 1, "vinit/x", 7);
    assert_int_equal(t.len, offsetof(struct sockaddr_un, sun_path) + 8);
}

static void test_parse_empty_and_bad(void **state)
{
    struct notify_target t;
    char longpath[200];
    assert_int_equal(notify_parse(&t, NULL), 0);
    assert_int_equal(t.len, 0);
    assert_int_equal(notify_parse(&t, ""), 0);
    assert_int_equal(t.len, 0);
    assert_int_equal(notify_parse(&t, "relative.sock"), -1);
    assert_int_equal(errno, EINVAL);
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = 0;
    assert_int_equal(notify_parse(&t, longpath), -1);
}

static void test_send_reaches_the_manager(void **state)
{
    char dir[] = "/tmp/vinit-notify-XXXXXX", path[64], buf[64];
    struct notify_target t;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sock", dir);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, path);
    assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof a), 0);
    assert_int_equal(notify_parse(&t, path), 0);
    assert_int_equal(notify_send(&t, "READY=1"), 0);
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    assert_int_equal(r, 7);
    assert_memory_equal(buf, "READY=1", 7);
    close(fd);
    unlink(path);
    rmdir(dir);
    /* nobody listening any more: an error, not a crash or a block */
    assert_int_equal(notify_send(&t, "STOPPING=1"), -1);
}

static void test_send_without_manager_is_a_no_op(void **state)
{
    struct notify_target t;
    notify_parse(&t, NULL);
    assert_int_equal(notify_send(&t, "READY=1"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_path),
        cmocka_unit_test(test_parse_abstract),
        cmocka_unit_test(test_parse_empty_and_bad),
        cmocka_unit_test(test_send_reaches_the_manager),
        cmocka_unit_test(test_send_without_manager_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
