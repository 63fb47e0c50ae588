/* SPDX-License-Identifier: ISC */
/* Unit tests for ready: sd_notify datagrams, /proc/net/unix parsing, and
 * the notify bridge end to end (a real socket, a real watcher process). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ready.h"

static void test_datagrams(void **state)
{
    assert_true(ready_datagram_is_ready("READY=1", 7));
    assert_true(ready_datagram_is_ready("STATUS=up\nREADY=1\n", 18));
    assert_false(ready_datagram_is_ready("READY=0", 7));
    assert_true(ready_datagram_says("WATCHDOG=1", 10, "WATCHDOG=1"));
    assert_true(ready_datagram_says("STATUS=x\nWATCHDOG=1", 19, "WATCHDOG=1"));
    assert_false(ready_datagram_says("WATCHDOG=10", 11, "WATCHDOG=1"));
    assert_false(ready_datagram_says("XWATCHDOG=1", 11, "WATCHDOG=1"));
    assert_true(ready_datagram_says("WATCHDOG=trigger\n", 17, "WATCHDOG=trigger"));
    assert_false(ready_datagram_is_ready("NOTREADY=1", 10));
    assert_false(ready_datagram_is_ready("READY=10", 8));
    assert_false(ready_datagram_is_ready("STOPPING=1", 10));
}

static void test_listening_table(void **state)
{
    char const *table =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 1234 /run/vfs/share.sock\n"
        "0000000000000000: 00000003 00000000 00000000 0001 03 1235 /run/vfs/other.sock\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 1236 /run/vfs/share.sock2\n";
    assert_true(ready_unix_listening(table, "/run/vfs/share.sock"));
    assert_false(ready_unix_listening(table, "/run/vfs/other.sock")); /* connected, not listening */
    assert_false(ready_unix_listening(table, "/run/vfs/share"));
    assert_false(ready_unix_listening(table, "vfs/share.sock"));
}

static void test_notify_bridge(void **state)
{
    int p[2];
    char path[] = "/tmp/vinit-ready-XXXXXX", sock[64], c = 0;
    assert_non_null(mkdtemp(path));
    snprintf(sock, sizeof sock, "%s/notify", path);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(ready_notify_bridge(sock, p[1], "", 0), 0);
    close(p[1]);
    /* act as the daemon */
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, sock);
    assert_true(sendto(s, "STATUS=starting", 15, 0, (struct sockaddr *) &a, sizeof a) == 15);
    assert_true(sendto(s, "READY=1", 7, 0, (struct sockaddr *) &a, sizeof a) == 7);
    assert_int_equal(read(p[0], &c, 1), 1);
    assert_int_equal(c, '\n');
    /* the watcher left and closed its copy: end of file, nothing lingers */
    assert_int_equal(read(p[0], &c, 1), 0);
    close(s);
    close(p[0]);
    unlink(sock); /* the watcher may not have yet: the directory goes all the same */
    rmdir(path);
}

static void send_from_child(char const *sock)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strcpy(a.sun_path, sock);
        _exit(sendto(s, "READY=1", 7, 0, (struct sockaddr *) &a, sizeof a) == 7 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
}

static int ready_within(int fd, int ms)
{
    struct pollfd x = {.fd = fd, .events = POLLIN};
    char c = 0;
    return poll(&x, 1, ms) == 1 && read(fd, &c, 1) == 1 && c == '\n';
}

/* READY=1 counts from the daemon (here: the process that made the bridge,
 * as the runner makes it before its exec), not from another process */
static void test_notify_main_only(void **state)
{
    int p[2];
    char path[] = "/tmp/vinit-ready-XXXXXX", sock[64];
    assert_non_null(mkdtemp(path));
    snprintf(sock, sizeof sock, "%s/notify", path);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(ready_notify_bridge(sock, p[1], "", 0), 0);
    close(p[1]);
    send_from_child(sock);
    assert_false(ready_within(p[0], 300)); /* ignored */
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, sock);
    assert_true(sendto(s, "READY=1", 7, 0, (struct sockaddr *) &a, sizeof a) == 7);
    assert_true(ready_within(p[0], 5000));
    close(s);
    close(p[0]);
    unlink(sock); /* the watcher may not have yet: the directory goes all the same */
    rmdir(path);
}

/* notify-access all: any process that can send to the socket */
static void test_notify_any(void **state)
{
    int p[2];
    char path[] = "/tmp/vinit-ready-XXXXXX", sock[64];
    assert_non_null(mkdtemp(path));
    snprintf(sock, sizeof sock, "%s/notify", path);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(ready_notify_bridge(sock, p[1], "", 1), 0);
    close(p[1]);
    send_from_child(sock);
    assert_true(ready_within(p[0], 5000));
    close(p[0]);
    unlink(sock); /* the watcher may not have yet: the directory goes all the same */
    rmdir(path);
}

static void test_sender_ok(void **state)
{
    assert_true(ready_sender_ok(42, 42, 0));
    assert_false(ready_sender_ok(43, 42, 0));
    assert_false(ready_sender_ok(0, 42, 0)); /* no credentials: not the daemon's */
    assert_true(ready_sender_ok(43, 42, 1));
    assert_true(ready_sender_ok(0, 42, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datagrams),     cmocka_unit_test(test_listening_table),
        cmocka_unit_test(test_notify_bridge), cmocka_unit_test(test_notify_main_only),
        cmocka_unit_test(test_notify_any),    cmocka_unit_test(test_sender_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
