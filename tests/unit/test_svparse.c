/* SPDX-License-Identifier: ISC */
/* Unit tests for svparse: every kind of one-value file, good and bad. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <cap-ng.h>
#include <cmocka.h>

#include "svparse.h"

static char const *why;

static void test_names(void **state)
{
    assert_int_equal(svparse_name("libvirtd", &why), 0);
    assert_int_equal(svparse_name("virtiofsd@share_1", &why), 0);
    assert_int_equal(svparse_name("smb.d-2", &why), 0);
    assert_int_equal(svparse_name("", &why), -1);
    assert_int_equal(svparse_name(".hidden", &why), -1);
    assert_int_equal(svparse_name("-x", &why), -1);
    assert_int_equal(svparse_name("a b", &why), -1);
    assert_int_equal(svparse_name("a/b", &why), -1);
    assert_int_equal(svparse_name("caf\xc3\xa9", &why), -1);
    char longname[80];
    memset(longname, 'a', 64);
    longname[64] = 0;
    assert_int_equal(svparse_name(longname, &why), -1);
    longname[63] = 0;
    assert_int_equal(svparse_name(longname, &why), 0);
}

static void test_text_strips_and_refuses_binary(void **state)
{
    char a[] = "  5000\n\n";
    assert_int_equal(svparse_text(a, strlen(a), &why), 0);
    assert_string_equal(a, "5000");
    char b[] = "50\00000";
    assert_int_equal(svparse_text(b, 6, &why), -1);
    assert_non_null(strstr(why, "binary"));
    char c[] = "\x01\x02garbage";
    assert_int_equal(svparse_text(c, strlen(c), &why), -1);
    char d[] = "a\tb\nc\n";
    assert_int_equal(svparse_text(d, strlen(d), &why), 0);
    assert_string_equal(d, "a\tb\nc");
}

static void test_type(void **state)
{
    enum svparse_type t;
    assert_int_equal(svparse_type("oneshot", &t, &why), 0);
    assert_int_equal(t, SVPARSE_ONESHOT);
    assert_int_equal(svparse_type("longrun", &t, &why), 0);
    assert_int_equal(t, SVPARSE_LONGRUN);
    assert_int_equal(svparse_type("bundle", &t, &why), -1);
}

static void test_ms(void **state)
{
    unsigned int ms = 7;
    assert_int_equal(svparse_ms("3000", &ms, &why), 0);
    assert_int_equal(ms, 3000);
    assert_int_equal(svparse_ms("0", &ms, &why), 0);
    assert_int_equal(svparse_ms("3s", &ms, &why), -1);
    assert_int_equal(svparse_ms("-1", &ms, &why), -1);
    assert_int_equal(svparse_ms("", &ms, &why), -1);
    assert_int_equal(svparse_ms("99999999999999999999", &ms, &why), -1);
    assert_int_equal(svparse_ms("86400001", &ms, &why), -1);
    assert_int_equal(ms, 0);
}

static void test_signal(void **state)
{
    int s;
    assert_int_equal(svparse_signal("SIGHUP", &s, &why), 0);
    assert_int_equal(s, SIGHUP);
    assert_int_equal(svparse_signal("TERM", &s, &why), 0);
    assert_int_equal(s, SIGTERM);
    assert_int_equal(svparse_signal("10", &s, &why), 0);
    assert_int_equal(s, 10);
    assert_int_equal(svparse_signal("0", &s, &why), -1);
    assert_int_equal(svparse_signal("SIGNOPE", &s, &why), -1);
    assert_int_equal(svparse_signal("999", &s, &why), -1);
}

static void test_restart_fd_range(void **state)
{
    enum svparse_restart r;
    int fd, v;
    assert_int_equal(svparse_restart("on-failure", &r, &why), 0);
    assert_int_equal(r, SVPARSE_RESTART_ON_FAILURE);
    assert_int_equal(svparse_restart("sometimes", &r, &why), -1);
    unsigned char all = 9;
    assert_int_equal(svparse_notify_access("main", &all, &why), 0);
    assert_int_equal(all, 0);
    assert_int_equal(svparse_notify_access("all", &all, &why), 0);
    assert_int_equal(all, 1);
    assert_int_equal(svparse_notify_access("exec", &all, &why), -1); /* systemd's; not here */
    assert_string_equal(why, "not main or all");
    assert_int_equal(svparse_fd("3", &fd, &why), 0);
    assert_int_equal(fd, 3);
    assert_int_equal(svparse_fd("1", &fd, &why), -1); /* stdout is not for readiness */
    assert_int_equal(svparse_fd("256", &fd, &why), -1);
    assert_int_equal(svparse_int_range("-1000", -1000, 1000, &v, &why), 0);
    assert_int_equal(v, -1000);
    assert_int_equal(svparse_int_range("1001", -1000, 1000, &v, &why), -1);
    assert_int_equal(svparse_int_range("12a", -1000, 1000, &v, &why), -1);
}

static void test_condition_user_paths(void **state)
{
    assert_int_equal(svparse_condition("SAMBA", &why), 0);
    assert_int_equal(svparse_condition("SAMBA=1", &why), 0);
    assert_int_equal(svparse_condition("SAMBA=", &why), 0);
    assert_int_equal(svparse_condition("1X=1", &why), -1);
    assert_int_equal(svparse_condition("=1", &why), -1);
    assert_int_equal(svparse_condition("SSHD!=0", &why), 0);
    assert_int_equal(svparse_condition("!=0", &why), -1);
    assert_int_equal(svparse_condition("SSHD!!=0", &why), -1);
    assert_int_equal(svparse_user("libvirt-qemu", &why), 0);
    assert_int_equal(svparse_user("nobody:nogroup", &why), 0);
    assert_int_equal(svparse_user("root:", &why), -1);
    assert_int_equal(svparse_user("a b", &why), -1);
    assert_int_equal(svparse_socket_path("/run/virtiofsd/share.sock", &why), 0);
    assert_int_equal(svparse_socket_path("run/x.sock", &why), -1);
    char longpath[200] = "/";
    memset(longpath + 1, 'x', 120);
    assert_int_equal(svparse_socket_path(longpath, &why), -1);
    assert_int_equal(svparse_abs_path(longpath, &why), 0);
}

static void test_env_pattern(void **state)
{
    char const *const good[] = {"SOCK_GID", "LIBVIRT_*", "*_TOKEN", "SSH_?", "[A-Z]*",
                                "X[!0-9]",  "X[^a-z_]Y", "*",       "a_b9"};
    char const *const bad[] = {"LIBVIRT_TCP=1", "$SOCK_GID", "${X}",  "A-B", "1X", "X[A-Z",
                               "X[]",           "X[!]",      "X[-a]", "a/b", "a.b"};
    for (size_t k = 0; k < sizeof good / sizeof *good; k++)
        if (svparse_env_pattern(good[k], strlen(good[k]), &why) < 0)
            fail_msg("%s refused: %s", good[k], why);
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        if (svparse_env_pattern(bad[k], strlen(bad[k]), &why) == 0)
            fail_msg("%s taken", bad[k]);
    assert_int_equal(svparse_env_pattern("X", 0, &why), -1);
    /* len bounds the word: the rest of a line is not read */
    assert_int_equal(svparse_env_pattern("SOCK_GID LIBVIRT_*", 8, &why), 0);
    assert_int_equal(svparse_env_pattern("X[A-Z] Y", 3, &why), -1);
}

static void test_rlimit(void **state)
{
    struct svparse_rlimit r;
    assert_int_equal(svparse_rlimit("nofile=1024:4096", &r, &why), 0);
    assert_int_equal(r.resource, RLIMIT_NOFILE);
    assert_int_equal(r.soft, 1024);
    assert_int_equal(r.hard, 4096);
    assert_true(r.has_hard);
    assert_int_equal(svparse_rlimit("memlock=unlimited", &r, &why), 0);
    assert_true(r.soft == RLIM_INFINITY);
    assert_false(r.has_hard);
    assert_int_equal(svparse_rlimit("nofile=4096:1024", &r, &why), -1);
    assert_int_equal(svparse_rlimit("files=1", &r, &why), -1);
    assert_int_equal(svparse_rlimit("nofile", &r, &why), -1);
    assert_int_equal(svparse_rlimit("nofile=lots", &r, &why), -1);
}

static void test_capability(void **state)
{
    int c;
    assert_int_equal(svparse_capability("CAP_NET_ADMIN", &c, &why), 0);
    assert_int_equal(c, CAP_NET_ADMIN);
    assert_int_equal(svparse_capability("setpcap", &c, &why), 0);
    assert_int_equal(c, CAP_SETPCAP);
    assert_int_equal(svparse_capability("CAP_FLY", &c, &why), -1);
    assert_int_equal(svparse_capability("", &c, &why), -1);
}

static void test_words(void **state)
{
    char const *list = " ,sshd,, libvirtd\tvirtlogd\n", *p = list;
    size_t len, n = 0;
    char got[3][16];
    for (; (len = svparse_word(&p)); p += len)
        snprintf(got[n++], sizeof got[0], "%.*s", (int) len, p);
    assert_int_equal(n, 3);
    assert_string_equal(got[0], "sshd");
    assert_string_equal(got[1], "libvirtd");
    assert_string_equal(got[2], "virtlogd");
    p = NULL;
    assert_int_equal(svparse_word(&p), 0);
    p = " , ";
    assert_int_equal(svparse_word(&p), 0);
}

static void test_directories(void **state)
{
    struct svparse_directory d;
    assert_int_equal(svparse_directory("/var/log/libvirt/qemu 0700 root:root", &d, &why), 0);
    assert_string_equal(d.path, "/var/log/libvirt/qemu");
    assert_int_equal(d.mode, 0700);
    assert_string_equal(d.owner, "root:root");
    assert_int_equal(svparse_directory("/run/sshd", &d, &why), 0);
    assert_int_equal(d.mode, 0755);
    assert_string_equal(d.owner, "");
    assert_int_equal(svparse_directory("/srv/x libvirt-qemu", &d, &why), 0);
    assert_string_equal(d.owner, "libvirt-qemu");
    assert_int_equal(d.mode, 0755);
    assert_int_equal(svparse_directory("relative/dir", &d, &why), -1);
    assert_int_equal(svparse_directory("/x 0799", &d, &why), -1);
    assert_int_equal(svparse_directory("/x 0700 root extra", &d, &why), -1);
}

static int collect(char *line, void *arg)
{
    char *out = arg;
    strcat(out, "[");
    strcat(out, line);
    strcat(out, "]");
    return strcmp(line, "stop") ? 0 : -1;
}

static void test_lines(void **state)
{
    char text[] = "a\n\n  # comment\n  b  \nc", out[64] = "";
    assert_int_equal(svparse_lines(text, collect, out), 0);
    assert_string_equal(out, "[a][b][c]");
    char text2[] = "x\nstop\ny", out2[64] = "";
    assert_int_equal(svparse_lines(text2, collect, out2), -1);
    assert_string_equal(out2, "[x][stop]");
}

static void test_listen(void **state)
{
    struct svparse_listen l;
    char const *reason = NULL;
    assert_int_equal(svparse_listen("/run/libvirt/libvirt-sock mode=0660 group=libvirt "
                                    "name=libvirtd.socket",
                                    &l, &reason),
                     0);
    assert_int_equal(l.kind, SVPARSE_LISTEN_UNIX);
    assert_string_equal(l.where, "/run/libvirt/libvirt-sock");
    assert_int_equal(l.mode, 0660);
    assert_string_equal(l.group, "libvirt");
    assert_string_equal(l.owner, "");
    assert_string_equal(l.name, "libvirtd.socket");
    assert_int_equal(svparse_listen("/run/x.sock", &l, &reason), 0);
    assert_int_equal(l.mode, 0666); /* systemd's SocketMode default */
    assert_int_equal(svparse_listen("tcp:16509", &l, &reason), 0);
    assert_int_equal(l.kind, SVPARSE_LISTEN_TCP4);
    assert_int_equal(l.port, 16509);
    assert_string_equal(l.where, "");
    assert_int_equal(svparse_listen("tcp:127.0.0.1:8080 name=web", &l, &reason), 0);
    assert_string_equal(l.where, "127.0.0.1");
    assert_int_equal(l.port, 8080);
    assert_int_equal(svparse_listen("tcp:[::]:443", &l, &reason), 0);
    assert_int_equal(l.kind, SVPARSE_LISTEN_TCP6);
    assert_string_equal(l.where, "::");
    assert_int_equal(svparse_listen("/run/y.sock fd=y.socket", &l, &reason), 0);
    assert_string_equal(l.from, "y.socket");
    assert_int_equal(svparse_listen("tcp:80 fd=http", &l, &reason), 0);
    assert_string_equal(l.from, "http");
    assert_int_equal(svparse_listen("fd:web fd=x", &l, &reason), -1);
    assert_int_equal(svparse_listen("fd:web", &l, &reason), 0);
    assert_int_equal(l.kind, SVPARSE_LISTEN_FD);
    assert_int_equal(l.fd, -1);
    assert_int_equal(svparse_listen("fd:4", &l, &reason), 0);
    assert_int_equal(l.fd, 4);
    /* refused, each with its reason */
    char const *const bad[] = {"run/x.sock",  "tcp:0",        "tcp:65536",    "tcp:1.2.3:80",
                               "tcp:[::1:80", "tcp:::1:80",   "fd:",          "fd:2",
                               "/x mode=999", "/x color=red", "/x owner=a:b", "tcp:80 group=kvm",
                               "/x name=a:b", "/x name=",     "/x mode"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        reason = NULL;
        if (svparse_listen(bad[k], &l, &reason) != -1 || !reason)
            fail_msg("accepted: %s", bad[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_text_strips_and_refuses_binary),
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_ms),
        cmocka_unit_test(test_signal),
        cmocka_unit_test(test_restart_fd_range),
        cmocka_unit_test(test_condition_user_paths),
        cmocka_unit_test(test_env_pattern),
        cmocka_unit_test(test_rlimit),
        cmocka_unit_test(test_capability),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_directories),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_listen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
