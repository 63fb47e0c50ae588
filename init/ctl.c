/* SPDX-License-Identifier: ISC */
/* ctl: one request a connection: a line "verb args...", answered by a line
 * with the exit code for the CLI, then text, then the server closes. Only
 * root may talk to PID 1 (SO_PEERCRED). The server side runs in PID 1's
 * loop: a request is read with a short timeout and the answer written
 * without blocking, so a stuck client cannot stall the init. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "config.h"
#include "ctl.h"
#include "env.h"
#include "settings.h"
#include "svparse.h"
#include "supervise.h"

#define REQUEST_MAX     1024
#define REPLY_MAX       65536
#define READ_TIMEOUT_MS 200

static char const *const verbs[] = {"status", "start",  "stop",     "restart",
                                    "reload", "health", "shutdown", "env"};

int ctl_is_verb(char const *word)
{
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (!strcmp(word, verbs[i]))
            return 1;
    return 0;
}

void ctl_format_duration(char *buf, unsigned int len, uint64_t ms)
{
    uint64_t s = ms / 1000;
    if (ms < 1000)
        snprintf(buf, len, "%llums", (unsigned long long) ms);
    else if (s < 60)
        snprintf(buf, len, "%llus", (unsigned long long) s);
    else if (s < 3600)
        snprintf(buf, len, "%llum%02llus", (unsigned long long) (s / 60),
                 (unsigned long long) (s % 60));
    else
        snprintf(buf, len, "%lluh%02llum", (unsigned long long) (s / 3600),
                 (unsigned long long) (s / 60 % 60));
}

static int socket_path(struct sockaddr_un *a, char const *rundir)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path, sizeof a->sun_path, "%s/" CTL_SOCKET, rundir);
    return n < 0 || (size_t) n >= sizeof a->sun_path ? (errno = ENAMETOOLONG, -1) : 0;
}

int ctl_listen(char const *rundir)
{
    struct sockaddr_un a;
    if (socket_path(&a, rundir) < 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    unlink(a.sun_path); /* left by an earlier run: nobody listens on it */
    if (bind(fd, (struct sockaddr *) &a, sizeof a) < 0 || chmod(a.sun_path, 0600) < 0 ||
        listen(fd, 8) < 0) {
        int e = errno;
        close(fd);
        return (errno = e, -1);
    }
    return fd;
}

/* The reply being built: code on the first line, then text. */
static char reply[REPLY_MAX];
static size_t reply_len;

static void say(char const *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(char const *fmt, ...)
{
    va_list ap;
    if (reply_len >= sizeof reply)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(reply + reply_len, sizeof reply - reply_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        reply_len += (size_t) n < sizeof reply - reply_len ? (size_t) n : sizeof reply - reply_len;
}

static void status_text(uint64_t now)
{
    say("%-20s %-9s %7s %8s %-5s %8s %9s\n", "NAME", "STATE", "PID", "UPTIME", "READY", "RESTARTS",
        "LAST-EXIT");
    for (unsigned int i = 0; i < supervise_count(); i++) {
        struct supervise_info s;
        char up[16] = "-", pid[16] = "-", last[16] = "-";
        supervise_info(i, &s);
        if (s.pid > 0) {
            snprintf(pid, sizeof pid, "%d", (int) s.pid);
            ctl_format_duration(up, sizeof up, now - s.since);
        }
        if (s.last_exit >= 0)
            snprintf(last, sizeof last, "%d", s.last_exit);
        say("%-20s %-9s %7s %8s %-5s %8u %9s%s\n", s.name, supervise_state_name(s.state), pid, up,
            s.ready ? "yes" : "no", s.restarts, last, s.crash_loop ? "  crash loop" : "");
    }
}

static void status_json(uint64_t now)
{
    say("[");
    for (unsigned int i = 0; i < supervise_count(); i++) {
        struct supervise_info s;
        supervise_info(i, &s);
        say("%s{\"name\":\"%s\",\"state\":\"%s\",\"pid\":%d,\"uptime_ms\":%llu,"
            "\"ready\":%s,\"restarts\":%u,\"crash_loop\":%s,\"last_exit\":",
            i ? "," : "", s.name, supervise_state_name(s.state), (int) s.pid,
            (unsigned long long) (s.pid > 0 ? now - s.since : 0), s.ready ? "true" : "false",
            s.restarts, s.crash_loop ? "true" : "false");
        if (s.last_exit >= 0)
            say("%d}", s.last_exit);
        else
            say("null}");
    }
    say("]\n");
}

/* Splits the request into words, in place. */
static unsigned int words(char *req, char **w, unsigned int max)
{
    unsigned int n = 0;
    for (char *t = strtok(req, " \t\n"); t && n < max; t = strtok(NULL, " \t\n"))
        w[n++] = t;
    return n;
}

extern char **environ;

/* vinit env [set NAME=VALUE... | unset NAME...]: the environment children
 * get, changed at run time; the services that use a changed variable
 * restart with it. PID 1 allocates here (setenv, the new snapshot): a
 * control request, not the running loop's path. */
static void env_command(char **w, unsigned int n, uint64_t now, int services)
{
    static char const **snapshot;
    char names[REQUEST_MAX] = "";
    int set = n > 0 && !strcmp(w[0], "set"), unset = n > 0 && !strcmp(w[0], "unset");
    if (!set && !unset) {
        say("0\n");
        for (char **e = environ; *e; e++)
            say("%s\n", *e);
        return;
    }
    for (unsigned int k = 1; k < n; k++) {
        char *eq = strchr(w[k], '=');
        size_t len = eq ? (size_t) (eq - w[k]) : strlen(w[k]);
        if (!svparse_env_name(w[k], len) || (set && !eq) || env_is_internal(w[k], len)) {
            say("100\nvinit env: not %s: %s\n", set ? "NAME=VALUE" : "a variable name", w[k]);
            return;
        }
        if (eq)
            *eq = 0;
        if (set ? setenv(w[k], eq + 1, 1) : unsetenv(w[k])) {
            say("111\nvinit env: %s: %s\n", w[k], strerror(errno));
            return;
        }
        strncat(names, w[k], sizeof names - strlen(names) - 2);
        strcat(names, " ");
    }
    char const **fresh = env_snapshot();
    if (!fresh) {
        say("111\nvinit env: out of memory\n");
        return;
    }
    int r = services ? supervise_env_changed(fresh, names, now) : 0;
    free(snapshot);
    snapshot = fresh;
    say("0\n%d service%s restarting with it\n", r < 0 ? 0 : r, r == 1 ? "" : "s");
}

static enum ctl_action handle(char *req, uint64_t now, int services)
{
    char *w[64];
    unsigned int n = words(req, w, 64);
    reply_len = 0;
    if (!n)
        return say("100\nempty request\n"), CTL_NONE;
    if (!strcmp(w[0], "shutdown")) {
        int reboot = n > 1 && !strcmp(w[1], "--reboot");
        say("0\n%s\n", reboot ? "rebooting" : "stopping");
        return reboot ? CTL_REBOOT : CTL_SHUTDOWN;
    }
    if (!strcmp(w[0], "status")) {
        say("0\n");
        if (n > 1 && !strcmp(w[1], "--json"))
            status_json(now);
        else
            status_text(now);
        return CTL_NONE;
    }
    if (!strcmp(w[0], "env")) {
        env_command(w + 1, n - 1, now, services);
        return CTL_NONE;
    }
    if (!strcmp(w[0], "health")) {
        int ok = !services || supervise_healthy();
        say("%d\n%s\n", ok ? 0 : 1, ok ? "healthy" : "unhealthy: not every service is ready");
        return CTL_NONE;
    }
    if (n < 2)
        return say("100\nusage: vinit %s SERVICE...\n", w[0]), CTL_NONE;
    size_t code_at = reply_len;
    say("0  \n"); /* patched below when a service fails */
    int code = 0;
    for (unsigned int k = 1; k < n; k++)
        if (supervise_command(w[k], w[0], now) < 0) {
            say("vinit: %s %s: %s\n", w[0], w[k],
                errno == ENOENT   ? "no such service running here"
                : errno == EINVAL ? "not for a oneshot"
                                  : strerror(errno));
            code = 1;
        }
    reply[code_at] = (char) ('0' + code);
    return CTL_NONE;
}

/* root, or vinit's own user when vinit runs as one (docker run --user) */
static int from_root(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
           (cred.uid == 0 || cred.uid == geteuid());
}

enum ctl_action ctl_serve(int lfd, uint64_t now, int services)
{
    char req[REQUEST_MAX];
    enum ctl_action action = CTL_NONE;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return CTL_NONE;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t r = -1;
    if (!from_root(fd)) {
        reply_len = 0;
        say("100\nvinit: only root (or the user vinit runs as) may control vinit\n");
    } else if (poll(&p, 1, READ_TIMEOUT_MS) > 0 && (r = read(fd, req, sizeof req - 1)) > 0) {
        req[r] = 0;
        action = handle(req, now, services);
    } else {
        close(fd);
        return CTL_NONE;
    }
    /* best effort and never blocking: a client that does not read loses */
    ssize_t w = write(fd, reply, reply_len);
    (void) w; /* a lost answer does not undo the request */
    close(fd);
    return action;
}

/* uid of PID 1, from /proc/1/status's "Uid:\treal\teffective..." line */
static unsigned long pid1_uid(void)
{
    char line[256];
    unsigned long real = 0, effective = 0;
    FILE *f = fopen("/proc/1/status", "re");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Uid: %lu %lu", &real, &effective) == 2)
            break;
    fclose(f);
    return effective;
}

char const *ctl_find_rundir(void)
{
    static char dir[64];
    char const *v = getenv("VINIT_RUNDIR");
    if (v && *v)
        return v;
    /* a PID 1 of a plain user has its directory under /tmp: looked at
     * first, since a /run/vinit seen here may be someone else's (a /run
     * shared with the host) */
    unsigned long uid = pid1_uid();
    char const *user_dir = uid ? settings_user_rundir(dir, sizeof dir, uid) : NULL;
    char sock[80];
    if (user_dir &&
        snprintf(sock, sizeof sock, "%s/%s", user_dir, CTL_SOCKET) < (int) sizeof sock &&
        access(sock, F_OK) == 0)
        return user_dir;
    if (access(VINIT_RUNDIR "/" CTL_SOCKET, F_OK) == 0)
        return VINIT_RUNDIR;
    return user_dir ? user_dir : VINIT_RUNDIR;
}

int ctl_client(int argc, char const *const *argv, char const *rundir)
{
    struct sockaddr_un a;
    char buf[4096];
    size_t len = 0;
    if (socket_path(&a, rundir) < 0)
        strerr_diefu(111, "use the control socket path: ", rundir, " is too long");
    for (int i = 1; i < argc && len < sizeof buf - 2; i++)
        len += (size_t) snprintf(buf + len, sizeof buf - len, "%s%s", i > 1 ? " " : "", argv[i]);
    buf[len++] = '\n';
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &a, sizeof a) < 0)
        strerr_diefusys(111, "connect to ", a.sun_path, " (is vinit running as PID 1 here?)");
    if (write(fd, buf, len) != (ssize_t) len)
        strerr_diefusys(111, "send the request to ", a.sun_path);
    FILE *in = fdopen(fd, "r");
    int code = 111;
    if (!in || !fgets(buf, sizeof buf, in))
        strerr_dief(111, "no answer from vinit on ", a.sun_path);
    code = atoi(buf);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, code ? stderr : stdout);
    fclose(in);
    return code;
}
