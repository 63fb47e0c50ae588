/* SPDX-License-Identifier: ISC */
/* Unit tests for ctl: the request parser and its limits, the connection
 * table's pure decisions, the answer's JSON and text, and the server itself
 * over a real socket, driven turn by turn as PID 1's loop drives it: a
 * silent client is dropped at its deadline, a full table says busy, a
 * process out of file descriptors answers instead of leaving the listener
 * readable, an answer larger than the socket's buffer is written as the
 * client takes it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl.h"

/* ---- the parser ---- */

static enum ctl_parse parse(char const *s, int eof, struct ctl_request *r)
{
    return ctl_request_parse(s, strlen(s), eof, r);
}

static void test_parse_words(void **state)
{
    static struct ctl_request r;
    assert_int_equal(parse("restart  a\tb c\n", 0, &r), CTL_PARSE_OK);
    assert_int_equal(r.verb, CTL_VERB_RESTART);
    assert_int_equal(r.argc, 3);
    assert_string_equal(r.argv[0], "a");
    assert_string_equal(r.argv[1], "b");
    assert_string_equal(r.argv[2], "c");
    assert_null(r.argv[3]);
    assert_int_equal(parse(" status --json\nhealth\n", 0, &r), CTL_PARSE_OK);
    assert_int_equal(r.verb, CTL_VERB_STATUS);
    assert_int_equal(r.argc, 1); /* what follows the first line is not read */
    assert_int_equal(parse("health\n", 0, &r), CTL_PARSE_OK);
    assert_int_equal(r.verb, CTL_VERB_HEALTH);
    assert_int_equal(r.argc, 0);
    assert_null(r.argv[0]);
    /* bytes past ASCII are words like any other */
    assert_int_equal(parse("stop caf\xc3\xa9 \xff\n", 0, &r), CTL_PARSE_OK);
    assert_string_equal(r.argv[1], "\xff");
}

static void test_parse_incomplete_and_end(void **state)
{
    static struct ctl_request r;
    assert_int_equal(parse("stat", 0, &r), CTL_PARSE_MORE);
    assert_int_equal(parse("", 0, &r), CTL_PARSE_MORE);
    /* the client closed its side: what it sent is the request */
    assert_int_equal(parse("shutdown --reboot", 1, &r), CTL_PARSE_OK);
    assert_int_equal(r.verb, CTL_VERB_SHUTDOWN);
    assert_string_equal(r.argv[0], "--reboot");
    assert_int_equal(parse("", 1, &r), CTL_PARSE_NOTHING);
    assert_int_equal(parse("\n", 0, &r), CTL_PARSE_EMPTY);
    assert_int_equal(parse(" \t \n", 0, &r), CTL_PARSE_EMPTY);
    assert_int_equal(parse("  ", 1, &r), CTL_PARSE_EMPTY);
}

static void test_parse_limits(void **state)
{
    static struct ctl_request r;
    static char big[CTL_REQUEST_MAX * 4];
    /* a line of CTL_REQUEST_MAX bytes with its newline is the longest */
    memset(big, 'a', sizeof big);
    memcpy(big, "stop ", 5);
    big[CTL_REQUEST_MAX - 1] = '\n';
    assert_int_equal(ctl_request_parse(big, CTL_REQUEST_MAX, 0, &r), CTL_PARSE_OK);
    assert_int_equal(strlen(r.argv[0]), CTL_REQUEST_MAX - 6);
    big[CTL_REQUEST_MAX - 1] = 'a';
    big[CTL_REQUEST_MAX] = '\n';
    assert_int_equal(ctl_request_parse(big, CTL_REQUEST_MAX + 1, 0, &r), CTL_PARSE_TOO_LONG);
    /* no newline yet, the buffer full: too long, not "more" */
    assert_int_equal(ctl_request_parse(big, CTL_REQUEST_MAX, 0, &r), CTL_PARSE_TOO_LONG);
    assert_int_equal(ctl_request_parse(big, CTL_REQUEST_MAX - 1, 0, &r), CTL_PARSE_MORE);
    assert_int_equal(ctl_request_parse(big, CTL_REQUEST_MAX - 1, 1, &r), CTL_PARSE_OK);
    assert_int_equal(ctl_request_parse(big, sizeof big, 1, &r), CTL_PARSE_TOO_LONG);
    /* CTL_WORDS_MAX words, verb included, and one more */
    size_t n = 0;
    n += (size_t) sprintf(big, "stop");
    for (int i = 1; i < CTL_WORDS_MAX; i++)
        n += (size_t) sprintf(big + n, " w%d", i);
    strcpy(big + n, "\n");
    assert_int_equal(parse(big, 0, &r), CTL_PARSE_OK);
    assert_int_equal(r.argc, CTL_WORDS_MAX - 1);
    assert_string_equal(r.argv[CTL_WORDS_MAX - 2], "w63");
    strcpy(big + n, " w64\n");
    assert_int_equal(parse(big, 0, &r), CTL_PARSE_TOO_MANY);
}

static void test_parse_bad_input(void **state)
{
    static struct ctl_request r;
    assert_int_equal(ctl_request_parse("stop a\0b\n", 9, 0, &r), CTL_PARSE_BAD_BYTE);
    assert_int_equal(parse("status\r\n", 0, &r), CTL_PARSE_BAD_BYTE);
    assert_int_equal(parse("stop \x1b[2J\n", 0, &r), CTL_PARSE_BAD_BYTE);
    assert_int_equal(parse("stop \x7f\n", 0, &r), CTL_PARSE_BAD_BYTE);
    assert_int_equal(parse("frob a\n", 0, &r), CTL_PARSE_UNKNOWN);
    assert_int_equal(parse("STATUS\n", 0, &r), CTL_PARSE_UNKNOWN);
    assert_int_equal(parse("doctor\n", 0, &r), CTL_PARSE_UNKNOWN);
    /* a bad byte after the first line is not read */
    assert_int_equal(ctl_request_parse("health\n\0\x1b", 9, 0, &r), CTL_PARSE_OK);
    /* every result has words for the answer */
    for (int p = CTL_PARSE_NOTHING; p <= CTL_PARSE_UNKNOWN; p++)
        assert_true(strlen(ctl_parse_error((enum ctl_parse) p)) > 0);
    assert_string_equal(ctl_parse_error(CTL_PARSE_OK), "");
}

/* ---- the table's decisions ---- */

static void test_events(void **state)
{
    assert_int_equal(ctl_events(CTL_FREE), 0);
    assert_int_equal(ctl_events(CTL_READING), IOPAUSE_READ);
    assert_int_equal(ctl_events(CTL_WRITING), IOPAUSE_WRITE);
}

static void test_steps(void **state)
{
    /* phase x (revents, expired) */
    static struct {
        enum ctl_phase phase;
        short revents;
        int expired;
        enum ctl_step step;
    } const t[] = {
        {CTL_READING, 0, 0, CTL_STEP_WAIT},
        {CTL_READING, 0, 1, CTL_STEP_DROP},
        {CTL_READING, POLLIN, 0, CTL_STEP_READ},
        {CTL_READING, POLLIN, 1, CTL_STEP_READ},  /* the request came just in time */
        {CTL_READING, POLLHUP, 0, CTL_STEP_READ}, /* read sees the end */
        {CTL_READING, POLLERR, 0, CTL_STEP_READ},
        {CTL_WRITING, 0, 0, CTL_STEP_WAIT},
        {CTL_WRITING, 0, 1, CTL_STEP_DROP},
        {CTL_WRITING, POLLOUT, 0, CTL_STEP_WRITE},
        {CTL_WRITING, POLLOUT, 1, CTL_STEP_WRITE},
        {CTL_WRITING, POLLHUP, 0, CTL_STEP_DROP}, /* the client left */
        {CTL_WRITING, POLLERR, 0, CTL_STEP_DROP},
        {CTL_FREE, POLLIN, 1, CTL_STEP_WAIT},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        assert_int_equal(ctl_step(t[i].phase, t[i].revents, t[i].expired), t[i].step);
}

static void test_soonest(void **state)
{
    uint64_t d[] = {0, 1300, 1200, 0, 5000};
    assert_int_equal(ctl_soonest(d, 5, 1000), 200);
    assert_int_equal(ctl_soonest(d, 5, 1250), 0); /* past: at once */
    assert_int_equal(ctl_soonest(d, 1, 1000), -1);
    assert_int_equal(ctl_soonest(d, 0, 1000), -1);
}

/* ---- the answer ---- */

static char obuf[4096];
static struct ctl_out out;

static char const *json(char const *s)
{
    out = (struct ctl_out){obuf, sizeof obuf - 1, 0, 0};
    ctl_put_json(&out, s);
    obuf[out.len] = 0;
    return obuf;
}

static void test_json_escapes(void **state)
{
    assert_string_equal(json(NULL), "null");
    assert_string_equal(json(""), "\"\"");
    assert_string_equal(json("sshd"), "\"sshd\"");
    assert_string_equal(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_string_equal(json("\n\t\x01\x1f\x7f"), "\"\\u000a\\u0009\\u0001\\u001f\\u007f\"");
    /* well-formed UTF-8 passes: 2, 3 and 4 bytes, the highest code point */
    assert_string_equal(json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"),
                        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"");
    /* anything else is U+FFFD, byte by byte */
    assert_string_equal(json("\xff"), "\"\\ufffd\"");
    assert_string_equal(json("\xc0\x80"), "\"\\ufffd\\ufffd\"");            /* overlong NUL */
    assert_string_equal(json("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\""); /* overlong */
    assert_string_equal(json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
    assert_string_equal(json("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    assert_string_equal(json("\xc3"), "\"\\ufffd\""); /* cut at the end */
    assert_string_equal(json("\xe2\x82"
                             "a"),
                        "\"\\ufffd\\ufffda\""); /* cut mid-string */
    assert_string_equal(json("\x80x"), "\"\\ufffdx\"");
}

static void test_json_every_byte(void **state)
{
    /* each byte alone gives valid JSON text: printable, escaped or U+FFFD */
    for (int c = 1; c < 256; c++) {
        char s[2] = {(char) c, 0};
        char const *j = json(s);
        size_t n = strlen(j);
        assert_true(j[0] == '"' && j[n - 1] == '"' && n >= 3);
        for (size_t i = 1; i < n - 1; i++)
            assert_true((unsigned char) j[i] >= 0x20 && (unsigned char) j[i] < 0x7f);
        if (c == '"' || c == '\\')
            assert_int_equal(n, 4);
    }
}

static void test_text(void **state)
{
    out = (struct ctl_out){obuf, sizeof obuf - 1, 0, 0};
    ctl_put_text(&out, "ab", 5);
    ctl_put_text(&out, "x\x1b[2Jy\n\xff\xc2\x9b\xc3\xa9", 0);
    obuf[out.len] = 0;
    assert_string_equal(obuf, "ab   x?[2Jy???\xc3\xa9");
}

static void test_overflow(void **state)
{
    char small[8];
    struct ctl_out o = {small, sizeof small, 0, 0};
    ctl_put(&o, "%s", "1234");
    assert_int_equal(o.len, 4);
    assert_false(o.overflow);
    ctl_put(&o, "%s", "5678");
    assert_true(o.overflow);
    assert_true(o.len <= sizeof small);
    o = (struct ctl_out){small, sizeof small, 0, 0};
    ctl_put_json(&o, "\x01\x01\x01");
    assert_true(o.overflow);
    assert_true(o.len <= sizeof small);
}

static struct supervise_info info(char const *name, enum supervise_state st, char const *reason)
{
    return (struct supervise_info){.name = name,
                                   .state = st,
                                   .last_exit = -1,
                                   .wanted = st != SUPERVISE_OFF,
                                   .done = st == SUPERVISE_READY || st == SUPERVISE_EXITED,
                                   .reason = reason};
}

static void test_status_row(void **state)
{
    struct supervise_info s = info("web", SUPERVISE_READY, NULL);
    s.pid = 42;
    s.since = 1000;
    s.ready = 1;
    s.restarts = 2;
    s.last_exit = 1;
    out = (struct ctl_out){obuf, sizeof obuf - 1, 0, 0};
    ctl_status_row(&out, &s, 63000);
    obuf[out.len] = 0;
    assert_string_equal(
        obuf, "web                  ready          42    1m02s yes          2         1\n");
    s = info("db\n", SUPERVISE_FAILED, "no run file in /srv/\"db\"\x1b");
    out.len = 0;
    ctl_status_row(&out, &s, 63000);
    obuf[out.len] = 0;
    assert_string_equal(obuf,
                        "db?                  failed          -        - no           0         -"
                        "  no run file in /srv/\"db\"?\n");
}

static void test_status_json(void **state)
{
    struct supervise_info s = info("db", SUPERVISE_FAILED, "no \"run\"\n");
    out = (struct ctl_out){obuf, sizeof obuf - 1, 0, 0};
    ctl_status_json(&out, &s, 5000, 1);
    s = info("web\\", SUPERVISE_STARTING, NULL);
    s.pid = 7;
    s.since = 4000;
    s.last_exit = 0;
    s.nsockets = 2;
    s.sockets[0] = "/run/web.sock";
    s.sockets[1] = "tcp:[::]:443";
    s.health = "unhealthy";
    s.health_last = 4500;
    s.health_failures = 3;
    s.health_line = "no answer";
    s.stdout_dropped = 1234; /* stdout's reader stalled */
    s.log_file_dropped = 5;
    s.logger_dropped = 67;
    ctl_status_json(&out, &s, 5000, 0);
    obuf[out.len] = 0;
    assert_string_equal(
        obuf, "{\"name\":\"db\",\"state\":\"failed\",\"pid\":0,\"uptime_ms\":0,"
              "\"ready\":false,\"restarts\":0,\"crash_loop\":false,\"last_exit\":null,"
              "\"reason\":\"no \\\"run\\\"\\u000a\",\"stdout_dropped\":0,"
              "\"log_file_dropped\":0,\"logger_dropped\":0,\"sockets\":[],\"health\":null,"
              "\"health_checked_ms_ago\":null,\"health_failures\":0,\"health_output\":null},"
              "{\"name\":\"web\\\\\",\"state\":\"starting\",\"pid\":7,\"uptime_ms\":1000,"
              "\"ready\":false,\"restarts\":0,\"crash_loop\":false,\"last_exit\":0,"
              "\"reason\":null,\"stdout_dropped\":1234,\"log_file_dropped\":5,"
              "\"logger_dropped\":67,\"sockets\":[\"/run/web.sock\",\"tcp:[::]:443\"],"
              "\"health\":\"unhealthy\",\"health_checked_ms_ago\":500,\"health_failures\":3,"
              "\"health_output\":\"no answer\"}");
}

static void test_status_row_health(void **state)
{
    struct supervise_info s = info("web", SUPERVISE_READY, NULL);
    s.health = "healthy";
    s.health_last = 3000;
    s.health_line = "ok";
    out = (struct ctl_out){obuf, sizeof obuf - 1, 0, 0};
    ctl_status_row(&out, &s, 5000);
    obuf[out.len] = 0;
    assert_non_null(strstr(obuf, "  healthy (checked 2s ago: ok)\n"));
    s.health = "starting";
    s.health_last = 0;
    out = (struct ctl_out){obuf, sizeof obuf - 1, 0, 0};
    ctl_status_row(&out, &s, 5000);
    obuf[out.len] = 0;
    assert_non_null(strstr(obuf, "  starting\n"));
}

static void test_health_faults(void **state)
{
    struct supervise_info s[] = {
        info("a", SUPERVISE_FAILED, "why"),   info("ok", SUPERVISE_READY, NULL),
        info("done", SUPERVISE_EXITED, NULL), info("off", SUPERVISE_OFF, NULL),
        info("b", SUPERVISE_STARTING, NULL),
    };
    s[3].wanted = 0;
    int n = 0;
    out = (struct ctl_out){obuf, sizeof obuf - 1, 0, 0};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        n += ctl_health_fault(&out, &s[i], !n);
    obuf[out.len] = 0;
    assert_int_equal(n, 2);
    assert_string_equal(obuf, " a (failed), b (starting)");
}

/* ---- the server, over a real socket ---- */

static char dir[64];
static struct sockaddr_un addr;
static uint64_t clock_ms = 1000;

static int group_setup(void **state)
{
    strcpy(dir, "/tmp/vinit-test-ctl.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s/" CTL_SOCKET, dir);
    return ctl_listen(dir) < 0;
}

static int group_teardown(void **state)
{
    unlink(addr.sun_path);
    rmdir(dir);
    return 0;
}

static int client(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *) &addr, sizeof addr), 0);
    return fd;
}

/* One turn of PID 1's loop: poll what ctl asks for, then ctl_io. */
static enum ctl_action turn(int timeout_ms)
{
    iopause_fd x[CTL_POLLFDS_MAX];
    unsigned int n = ctl_pollfds(x, CTL_POLLFDS_MAX, clock_ms);
    assert_true(poll(x, n, timeout_ms) >= 0);
    return ctl_io(x, n, clock_ms, 0);
}

/* Every connection's deadline passes: the table is empty again. */
static void expire_all(void)
{
    clock_ms += CTL_WRITE_MS + CTL_READ_MS;
    turn(0);
    iopause_fd x[CTL_POLLFDS_MAX];
    assert_int_equal(ctl_pollfds(x, CTL_POLLFDS_MAX, clock_ms), 1); /* the listener alone */
    assert_int_equal(ctl_wait_ms(clock_ms), -1);
}

/* What the server sent, up to its end (it has closed) or nothing more now. */
static size_t received(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;
    while (n < size - 1 && (r = recv(fd, buf + n, size - 1 - n, MSG_DONTWAIT)) > 0)
        n += (size_t) r;
    buf[n] = 0;
    return n;
}

static int closed(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0;
}

static void test_serve_requests(void **state)
{
    char buf[512];
    int fd = client();
    assert_int_equal(write(fd, "health\n", 7), 7);
    assert_int_equal(turn(1000), CTL_NONE);
    received(fd, buf, sizeof buf);
    assert_string_equal(buf, "0\nhealthy\n");
    assert_true(closed(fd));
    close(fd);
    /* in two pieces */
    fd = client();
    assert_int_equal(write(fd, "sta", 3), 3);
    turn(1000);
    assert_int_equal(received(fd, buf, sizeof buf), 0);
    assert_int_equal(write(fd, "tus\n", 4), 4);
    turn(1000);
    received(fd, buf, sizeof buf);
    assert_true(!strncmp(buf, "0\nNAME ", 7));
    close(fd);
    fd = client();
    assert_int_equal(write(fd, "frob\n", 5), 5);
    turn(1000);
    received(fd, buf, sizeof buf);
    assert_true(!strncmp(buf, "100\nvinit: unknown request", 26));
    close(fd);
    fd = client();
    assert_int_equal(write(fd, "shutdown --reboot\n", 18), 18);
    assert_int_equal(turn(1000), CTL_REBOOT);
    received(fd, buf, sizeof buf);
    assert_string_equal(buf, "0\nrebooting\n");
    close(fd);
    expire_all();
}

static void test_too_long(void **state)
{
    char buf[512], big[3000];
    int fd = client();
    memset(big, 'a', sizeof big);
    assert_int_equal(write(fd, big, sizeof big), sizeof big);
    turn(1000);
    received(fd, buf, sizeof buf);
    assert_string_equal(buf, "100\nvinit: request too long (one line of at most 1024 bytes)\n");
    close(fd);
    expire_all();
}

static void test_silent_client_dropped_at_deadline(void **state)
{
    char buf[64];
    int fd = client();
    turn(1000);
    assert_int_equal(ctl_wait_ms(clock_ms), CTL_READ_MS);
    clock_ms += CTL_READ_MS - 1;
    turn(0);
    assert_false(closed(fd));
    clock_ms += 1;
    turn(0);
    assert_int_equal(received(fd, buf, sizeof buf), 0);
    assert_true(closed(fd)); /* closed without a word */
    close(fd);
    expire_all();
}

static void test_full_table_says_busy(void **state)
{
    enum { N = CTL_CONN_MAX + 8 };
    int fd[N], busy = 0, waiting = 0;
    char buf[256];
    for (int i = 0; i < N; i++)
        fd[i] = client();
    turn(1000);
    turn(0);
    for (int i = 0; i < N; i++) {
        if (received(fd[i], buf, sizeof buf)) {
            assert_string_equal(
                buf, "111 busy\nvinit: busy: 32 control connections are open; try again\n");
            busy++;
        } else
            waiting++;
    }
    assert_int_equal(busy, N - CTL_CONN_MAX);
    assert_int_equal(waiting, CTL_CONN_MAX);
    /* one that speaks is answered while the others wait */
    int k = 0;
    while (closed(fd[k]))
        k++;
    assert_int_equal(write(fd[k], "health\n", 7), 7);
    turn(1000);
    received(fd[k], buf, sizeof buf);
    assert_string_equal(buf, "0\nhealthy\n");
    clock_ms += CTL_READ_MS;
    turn(0);
    for (int i = 0; i < N; i++) {
        assert_true(closed(fd[i]));
        close(fd[i]);
    }
    expire_all();
}

static void test_out_of_fds_answers_and_rests(void **state)
{
    char buf[256];
    struct rlimit old, low;
    int fd = client();
    assert_int_equal(write(fd, "status\n", 7), 7);
    /* the lowest free descriptor becomes the limit: accept4 gets EMFILE */
    int f = dup(0);
    assert_true(f >= 0);
    close(f);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    low.rlim_cur = (rlim_t) f;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    turn(1000);
    iopause_fd x[CTL_POLLFDS_MAX];
    unsigned int n = ctl_pollfds(x, CTL_POLLFDS_MAX, clock_ms);
    int ready = poll(x, n, 0);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    received(fd, buf, sizeof buf);
    assert_true(!strncmp(buf, "111 busy\nvinit: PID 1 has no file descriptor left", 49));
    assert_true(closed(fd));
    close(fd);
    /* nothing left queued: the loop would sleep */
    assert_int_equal(ready, 0);
    /* and it serves again once descriptors are free */
    fd = client();
    assert_int_equal(write(fd, "health\n", 7), 7);
    turn(1000);
    received(fd, buf, sizeof buf);
    assert_string_equal(buf, "0\nhealthy\n");
    close(fd);
    expire_all();
}

static void test_large_answer_written_as_taken(void **state)
{
    static char want[CTL_REPLY_MAX], got[CTL_REPLY_MAX];
    size_t big = CTL_REPLY_MAX - 8192, n = 0; /* more than a socket takes at once */
    char *v = malloc(big + 1);
    assert_non_null(v);
    memset(v, 'x', big);
    v[big] = 0;
    assert_int_equal(setenv("VINIT_TEST_BIG", v, 1), 0);
    free(v);
    extern char **environ;
    size_t len = (size_t) snprintf(want, sizeof want, "0\n");
    for (char **e = environ; *e; e++)
        len += (size_t) snprintf(want + len, sizeof want - len, "%s\n", *e);
    assert_true(len < sizeof want);
    int fd = client();
    assert_int_equal(write(fd, "env\n", 4), 4);
    turn(1000);
    /* more than the socket took at once: the rest waits for the client */
    iopause_fd x[CTL_POLLFDS_MAX];
    assert_int_equal(ctl_pollfds(x, CTL_POLLFDS_MAX, clock_ms), 2);
    assert_int_equal(x[1].events, IOPAUSE_WRITE);
    for (int i = 0; i < 1000 && !closed(fd); i++) {
        n += received(fd, got + n, sizeof got - n);
        turn(100);
    }
    n += received(fd, got + n, sizeof got - n);
    close(fd);
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
    /* a client that does not take it is dropped at the deadline */
    fd = client();
    assert_int_equal(write(fd, "env\n", 4), 4);
    turn(1000);
    clock_ms += CTL_WRITE_MS;
    turn(0);
    n = received(fd, got, sizeof got);
    assert_true(n > 0 && n < len);
    assert_true(closed(fd));
    close(fd);
    unsetenv("VINIT_TEST_BIG");
    expire_all();
}

static void test_other_users_refused(void **state)
{
    char buf[256];
    int p[2];
    if (geteuid() != 0)
        skip(); /* only root can be another user here (make check runs as any user) */
    assert_int_equal(chmod(dir, 0711), 0);
    assert_int_equal(chmod(addr.sun_path, 0666), 0);
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        close(p[0]);
        if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
            _exit(2);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0)
            _exit(3);
        /* refused, the connection may be closed already: EPIPE then */
        ssize_t sent = send(fd, "shutdown\n", 9, MSG_NOSIGNAL);
        (void) sent;
        ssize_t r, n = 0;
        while ((r = read(fd, buf + n, sizeof buf - 1 - (size_t) n)) > 0)
            n += r;
        _exit(write(p[1], buf, (size_t) n) == n ? 0 : 4);
    }
    close(p[1]);
    int st = 0;
    enum ctl_action a = CTL_NONE;
    pid_t w;
    while ((w = waitpid(pid, &st, WNOHANG)) == 0)
        if (turn(50) != CTL_NONE)
            a = CTL_SHUTDOWN;
    assert_int_equal(chmod(addr.sun_path, 0600), 0);
    assert_int_equal(chmod(dir, 0700), 0);
    assert_int_equal(w, pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    assert_true(n > 0);
    buf[n] = 0;
    assert_string_equal(buf,
                        "100\nvinit: only root (or the user vinit runs as) may control vinit\n");
    assert_int_equal(a, CTL_NONE); /* and the request was not done */
    expire_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_words),
        cmocka_unit_test(test_parse_incomplete_and_end),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_parse_bad_input),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_soonest),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_every_byte),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_status_row),
        cmocka_unit_test(test_status_json),
        cmocka_unit_test(test_status_row_health),
        cmocka_unit_test(test_health_faults),
        /* over a real socket, bound once for the group */
        cmocka_unit_test(test_serve_requests),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_silent_client_dropped_at_deadline),
        cmocka_unit_test(test_full_table_says_busy),
        cmocka_unit_test(test_out_of_fds_answers_and_rests),
        cmocka_unit_test(test_large_answer_written_as_taken),
        cmocka_unit_test(test_other_users_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
