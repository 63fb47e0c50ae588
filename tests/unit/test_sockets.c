/* SPDX-License-Identifier: ISC */
/* Unit tests for sockets: the handoff to the runner (format, parse, the
 * base clear of the notification fd), the words for a socket, and binding
 * for real in a scratch directory: a stale socket file replaced, a live one
 * and a plain file refused with the fix, a TCP port taken, the manager's
 * sockets found by name and number. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockets.h"
#include "svresolve.h"

static struct svsrc_tree src;
static struct svtree tree;
static char dir[] = "/tmp/vinit-sockets-XXXXXX";

static void quiet(char const *service, char const *path, char const *problem, char const *value,
                  void *arg)
{
    (void) service, (void) path, (void) problem, (void) value, (void) arg;
}

/* A tree of one service "web" with the given listen lines. */
static void compile(char const *const *lines, unsigned int n)
{
    char const *why;
    unsigned char load[1] = {SVTREE_WANTED};
    svtree_free(&tree);
    memset(&src, 0, sizeof src);
    src.n = 1;
    strcpy(src.sv[0].name, "web");
    strcpy(src.sv[0].dir, "web");
    src.sv[0].notification_fd = -1;
    for (unsigned int k = 0; k < n; k++)
        assert_int_equal(svparse_listen(lines[k], &src.sv[0].listen[src.sv[0].nlisten++], &why), 0);
    svresolve_order(&src, "/x", quiet, NULL);
    assert_int_equal(svtree_build(&tree, &src, load, NULL, NULL), 0);
}

static void test_handoff(void **state)
{
    char const *lines[] = {"/run/a.sock name=a.socket", "tcp:8080"};
    char buf[256];
    int base;
    unsigned int n;
    char const *names;
    compile(lines, 2);
    assert_int_equal(sockets_handoff_base(-1), 3);
    assert_int_equal(sockets_handoff_base(3), 4); /* clear of the bridge's fd */
    assert_int_equal(sockets_handoff_base(7), 8);
    assert_int_equal(sockets_handoff_format(buf, sizeof buf, 4, &tree, 0), 0);
    assert_string_equal(buf, "4 2 a.socket:web.socket");
    assert_int_equal(sockets_handoff_parse(buf, &base, &n, &names), 0);
    assert_int_equal(base, 4);
    assert_int_equal(n, 2);
    assert_string_equal(names, "a.socket:web.socket");
    assert_int_equal(sockets_handoff_format(buf, 8, 4, &tree, 0), -1); /* too small */
    char const *const bad[] = {"", "x 1 a", "2 1 a", "4 0 a", "4 99 a", "4", "4 1a"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        if (sockets_handoff_parse(bad[k], &base, &n, &names) != -1)
            fail_msg("accepted: '%s'", bad[k]);
}

static void test_describe(void **state)
{
    char const *lines[] = {"/run/a.sock", "tcp:80", "tcp:10.0.0.1:81", "tcp:[::]:82", "fd:web"};
    char buf[128];
    char const *want[] = {"/run/a.sock", "tcp:80", "tcp:10.0.0.1:81", "tcp:[::]:82", "fd:web"};
    compile(lines, 5);
    for (uint32_t k = 0; k < 5; k++) {
        sockets_describe(buf, sizeof buf, &tree, k);
        assert_string_equal(buf, want[k]);
    }
}

static int is_listening(int fd)
{
    int on = 0;
    socklen_t len = sizeof on;
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

static void test_unix(void **state)
{
    char line[256], path[128];
    char const *lines[1] = {line};
    char const *fix;
    struct stat st;
    int fd, other;
    unsigned long long ino;
    snprintf(path, sizeof path, "%s/sub/web.sock", dir);
    snprintf(line, sizeof line, "%s mode=0640", path);
    compile(lines, 1);
    /* its directory is made; the socket listens, with its mode, close-on-exec */
    assert_int_equal(sockets_open(&tree, 0, &fd, &ino, &fix), 0);
    assert_true(is_listening(fd));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(ino, st.st_ino);
    assert_true(sockets_still_ours(path, ino));
    /* a live one in the way: refused, the fix said */
    assert_int_equal(sockets_open(&tree, 0, &other, &ino, &fix), -1);
    assert_int_equal(errno, EADDRINUSE);
    assert_non_null(strstr(fix, "someone listens"));
    /* a stale one (nobody listens any more): replaced */
    close(fd);
    assert_int_equal(sockets_open(&tree, 0, &fd, &ino, &fix), 0);
    assert_true(is_listening(fd));
    /* replaced by someone else: no longer ours */
    unsigned long long before = ino;
    unlink(path);
    other = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, path);
    assert_int_equal(bind(other, (struct sockaddr *) &a, sizeof a), 0);
    assert_false(sockets_still_ours(path, before));
    close(other);
    unlink(path);
    close(fd);
    /* a plain file in the way is not ours to remove */
    close(open(path, O_WRONLY | O_CREAT, 0600));
    assert_int_equal(sockets_open(&tree, 0, &fd, &ino, &fix), -1);
    assert_int_equal(errno, EEXIST);
    assert_int_equal(stat(path, &st), 0);
    unlink(path);
}

static void test_tcp_port_taken(void **state)
{
    char const *lines[1];
    char const *fix;
    int fd, again;
    unsigned long long ino;
    char line[64];
    /* a free port, found by binding port 0 once */
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    assert_int_equal(bind(probe, (struct sockaddr *) &any, sizeof any), 0);
    assert_int_equal(getsockname(probe, (struct sockaddr *) &a, &alen), 0);
    unsigned int port = ntohs(((struct sockaddr_in *) &a)->sin_port);
    close(probe);
    snprintf(line, sizeof line, "tcp:127.0.0.1:%u", port);
    lines[0] = line;
    compile(lines, 1);
    assert_int_equal(sockets_open(&tree, 0, &fd, &ino, &fix), 0);
    assert_true(is_listening(fd));
    assert_int_equal(sockets_open(&tree, 0, &again, &ino, &fix), -1);
    assert_int_equal(errno, EADDRINUSE);
    assert_non_null(strstr(fix, "the port is taken"));
    close(fd);
}

static void test_from_manager(void **state)
{
    char line[160];
    char const *lines[] = {"fd:admin", "fd:4", "fd:nothere", line, NULL};
    char const *fix;
    char pid[16];
    int fd;
    unsigned long long ino;
    /* as a manager leaves them: fds 3 and 4 */
    int a = socket(AF_UNIX, SOCK_STREAM, 0), b = socket(AF_UNIX, SOCK_STREAM, 0);
    int ta = fcntl(a, F_DUPFD, 10), tb = fcntl(b, F_DUPFD, 10);
    close(a);
    close(b);
    assert_int_equal(dup2(ta, 3), 3);
    assert_int_equal(dup2(tb, 4), 4);
    close(ta);
    close(tb);
    snprintf(pid, sizeof pid, "%d", (int) getpid());
    setenv("LISTEN_PID", pid, 1);
    setenv("LISTEN_FDS", "2", 1);
    setenv("LISTEN_FDNAMES", "admin:rw", 1);
    assert_int_equal(sockets_take_inherited(), 2);
    assert_int_equal(fcntl(3, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    snprintf(line, sizeof line, "%s/fallback.sock fd=nothere", dir);
    char other[160];
    snprintf(other, sizeof other, "%s/taken.sock fd=rw", dir);
    lines[4] = other;
    compile(lines, 5);
    assert_int_equal(sockets_open(&tree, 0, &fd, &ino, &fix), 0);
    assert_int_equal(fd, 3);
    /* fd=NAME: the manager's when passed, else the path is bound */
    assert_int_equal(sockets_open(&tree, 4, &fd, &ino, &fix), 0);
    assert_int_equal(fd, 4);
    assert_int_equal(sockets_open(&tree, 3, &fd, &ino, &fix), 0);
    assert_true(fd != 3 && fd != 4 && ino != 0);
    close(fd);
    assert_int_equal(sockets_open(&tree, 1, &fd, &ino, &fix), 0);
    assert_int_equal(fd, 4);
    assert_int_equal(sockets_open(&tree, 2, &fd, &ino, &fix), -1);
    assert_non_null(strstr(fix, "passed no such socket"));
    close(3);
    close(4);
}

static int setup(void **state)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[64];
    svtree_free(&tree);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handoff),      cmocka_unit_test(test_describe),
        cmocka_unit_test(test_unix),         cmocka_unit_test(test_tcp_port_taken),
        cmocka_unit_test(test_from_manager),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
