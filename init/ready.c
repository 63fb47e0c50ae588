/* SPDX-License-Identifier: ISC */
/* ready: libvirtd, virtlogd, smbd, nmbd and sshd speak sd_notify; s6 wants a
 * newline on a file descriptor. The runner (which is about to exec into the
 * daemon) forks twice: the watcher ends up a child of PID 1, not of the
 * daemon, so the daemon never reaps a child it did not make. The watcher
 * follows the daemon through a pidfd and leaves when it dies, so nothing
 * lingers after a crash. As systemd's NotifyAccess=main, READY=1 counts
 * only from the daemon itself: the kernel tells the sender's pid with each
 * datagram (SO_PASSCRED), and the daemon's is the runner's, which execs
 * it (the pid s6-supervise reports). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "caps.h"
#include "ready.h"

#define PROBE_INTERVAL_MS 20

int ready_datagram_says(char const *msg, size_t len, char const *what)
{
    /* variables are newline-separated; one may come with others */
    size_t w = strlen(what);
    for (size_t i = 0; i < len;) {
        size_t n = 0;
        while (i + n < len && msg[i + n] != '\n')
            n++;
        if (n == w && !memcmp(msg + i, what, w))
            return 1;
        i += n + 1;
    }
    return 0;
}

int ready_datagram_is_ready(char const *msg, size_t len)
{
    return ready_datagram_says(msg, len, "READY=1");
}

static int unix_address(struct sockaddr_un *a, char const *path)
{
    size_t len = strlen(path);
    if (len >= sizeof a->sun_path)
        return (errno = ENAMETOOLONG, -1);
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path, path, len + 1);
    return 0;
}

int ready_sender_ok(pid_t sender, pid_t daemon, int any)
{
    return any || (sender > 0 && sender == daemon);
}

pid_t ready_datagram_sender(struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof u);
            return u.pid;
        }
    return 0;
}

typedef void watch_fn(pid_t daemon, int pidfd, int notif_fd, int sock, char const *path);

/* Forks the watcher. In the caller, only the caller's copies remain to be
 * closed; the middle process is reaped here so the daemon inherits none. */
static int spawn_watcher(watch_fn *watch, int notif_fd, int sock, char const *path)
{
    pid_t daemon = getpid();
    pid_t middle = fork();
    if (middle < 0)
        return -1;
    if (!middle) {
        if (fork())
            _exit(0);
        int pidfd = (int) pidfd_open(daemon, 0);
        if (pidfd < 0)
            _exit(0);
        watch(daemon, pidfd, notif_fd, sock, path);
        _exit(0);
    }
    int status;
    while (waitpid(middle, &status, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

static void signal_ready(int notif_fd)
{
    while (write(notif_fd, "\n", 1) < 0 && errno == EINTR)
        ;
}

static int any_sender;           /* notify-access all */
static unsigned int watchdog_ms; /* 0: no watchdog */

/* A READY=1 from another process than the daemon: said once a run, in the
 * service's log (the watcher writes where the runner did). */
static void ignored(pid_t sender, pid_t daemon)
{
    static int said;
    char s[PID_FMT], d[PID_FMT];
    if (said++)
        return;
    s[pid_fmt(s, sender)] = 0;
    d[pid_fmt(d, daemon)] = 0;
    strerr_warnw("READY=1 from pid ", sender > 0 ? s : "(unknown)",
                 " ignored: only the service's main process (pid ", d,
                 ") may send it, unless its notify-access file says all (said once)");
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The watchdog ran out (why: "no WATCHDOG=1 for N ms", or its trigger):
 * said in the service's log, the daemon aborted for s6-supervise to
 * restart. */
static void bite(int pidfd, char const *why)
{
    strerr_warnw("watchdog: ", why, ": sending the daemon SIGABRT (it is started again)");
    syscall(SYS_pidfd_send_signal, pidfd, SIGABRT, NULL, 0);
}

static void watch_datagrams(pid_t daemon, int pidfd, int notif_fd, int sock, char const *path)
{
    struct pollfd x[2] = {{.fd = sock, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    char msg[4096];
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } control;
    int ready = 0;
    int64_t deadline = -1; /* the watchdog's, once ready */
    for (;;) {
        int wait = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                char n[UINT_FMT], why[64];
                n[uint_fmt(n, watchdog_ms)] = 0;
                snprintf(why, sizeof why, "no WATCHDOG=1 for %s ms", n);
                bite(pidfd, why);
                break;
            }
            wait = (int) left;
        }
        if (poll(x, 2, wait) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (x[1].revents)
            break;
        if (!(x[0].revents & POLLIN))
            continue;
        struct iovec v = {.iov_base = msg, .iov_len = sizeof msg};
        struct msghdr m = {.msg_iov = &v,
                           .msg_iovlen = 1,
                           .msg_control = &control,
                           .msg_controllen = sizeof control};
        ssize_t r = recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (r <= 0)
            continue;
        pid_t sender = ready_datagram_sender(&m);
        int says_ready = ready_datagram_is_ready(msg, (size_t) r);
        int ping = ready_datagram_says(msg, (size_t) r, "WATCHDOG=1");
        int trigger = ready_datagram_says(msg, (size_t) r, "WATCHDOG=trigger");
        if (!says_ready && !ping && !trigger)
            continue;
        if (!ready_sender_ok(sender, daemon, any_sender)) {
            ignored(sender, daemon);
            continue;
        }
        if (trigger && ready) {
            bite(pidfd, "WATCHDOG=trigger");
            break;
        }
        if (says_ready && !ready) {
            ready = 1;
            signal_ready(notif_fd);
            if (!watchdog_ms)
                break;
        }
        if (ready && watchdog_ms)
            deadline = now_ms() + watchdog_ms; /* READY=1 starts it, each ping renews it */
    }
    unlink(path);
}

/* The daemon may run as another user: it must be allowed to send. */
static int give_to(char const *path, char const *user)
{
    uid_t uid;
    gid_t gid;
    char const *missing;
    if (!user[0])
        return 0;
    return caps_ids(user, &uid, &gid, &missing) < 0 ? -1 : chown(path, uid, gid);
}

int ready_notify_bridge(char const *path, int notif_fd, char const *user, int any)
{
    return ready_notify_bridge_watchdog(path, notif_fd, user, any, 0);
}

int ready_notify_bridge_watchdog(char const *path, int notif_fd, char const *user, int any,
                                 unsigned int watchdog)
{
    struct sockaddr_un a;
    int on = 1;
    if (unix_address(&a, path) < 0)
        return -1;
    int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -1;
    any_sender = any;
    watchdog_ms = watchdog;
    unlink(path); /* left by a run that was killed */
    /* the sender's credentials with every datagram, from before the
     * daemon can send one */
    if (setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0 ||
        bind(sock, (struct sockaddr *) &a, sizeof a) < 0 || give_to(path, user) < 0 ||
        spawn_watcher(watch_datagrams, notif_fd, sock, path) < 0) {
        int e = errno;
        close(sock);
        return (errno = e, -1);
    }
    close(sock);
    return 0;
}

int ready_unix_listening(char const *table, char const *path)
{
    size_t plen = strlen(path);
    /* "Num: RefCount Protocol Flags Type St Inode Path", one socket a line;
     * __SO_ACCEPTCON (0x10000) in Flags marks a listening socket */
    for (char const *line = table; line && *line;) {
        char const *end = strchr(line, '\n');
        size_t len = end ? (size_t) (end - line) : strlen(line);
        unsigned long flags;
        char const *p = line + len;
        if (len > plen && !memcmp(p - plen, path, plen) && p[-(long) plen - 1] == ' ' &&
            sscanf(line, "%*s %*s %*s %lx", &flags) == 1 && (flags & 0x10000))
            return 1;
        line = end ? end + 1 : NULL;
    }
    return 0;
}

static int listening(char const *path)
{
    static char table[1 << 20];
    int fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t len = 0;
    ssize_t r;
    while (len < sizeof table - 1 && (r = read(fd, table + len, sizeof table - 1 - len)) > 0)
        len += (size_t) r;
    close(fd);
    table[len] = 0;
    return ready_unix_listening(table, path);
}

/* Not connect(): virtiofsd takes its first connection for the guest's and
 * exits when it closes. A listening socket in /proc/net/unix is the same
 * fact without touching the daemon. */
static void watch_listening(pid_t daemon, int pidfd, int notif_fd, int sock, char const *path)
{
    struct pollfd x = {.fd = pidfd, .events = POLLIN};
    (void) daemon;
    (void) sock;
    for (;;) {
        if (listening(path)) {
            signal_ready(notif_fd);
            return;
        }
        /* the daemon is starting: look again soon, or leave if it died */
        if (poll(&x, 1, PROBE_INTERVAL_MS) > 0)
            return;
    }
}

int ready_socket_bridge(char const *path, int notif_fd)
{
    if (strlen(path) >= sizeof((struct sockaddr_un *) 0)->sun_path)
        return (errno = ENAMETOOLONG, -1);
    return spawn_watcher(watch_listening, notif_fd, -1, path);
}
