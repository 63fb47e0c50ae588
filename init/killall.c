/* SPDX-License-Identifier: ISC */
/* killall: as PID 1, kill(-1, sig) reaches every process of the namespace in
 * one atomic step, whatever session or process group it made for itself. A
 * subreaper cannot do that (it would hit the whole host), so it reads the
 * process tree from /proc and signals its own descendants only. The tables
 * are static: nothing is allocated while stopping. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "killall.h"

static int by_pid(void const *a, void const *b)
{
    pid_t x = ((struct killall_proc const *) a)->pid, y = ((struct killall_proc const *) b)->pid;
    return (x > y) - (x < y);
}

static struct killall_proc *find(struct killall_proc *t, size_t n, pid_t pid)
{
    struct killall_proc key = {.pid = pid};
    return bsearch(&key, t, n, sizeof *t, by_pid);
}

/* Walks up from p until the answer is known, then writes it down the path
 * again, so that every entry is walked once: the whole tree costs O(n log n). */
static unsigned char resolve(struct killall_proc *t, size_t n, struct killall_proc *p, pid_t root)
{
    unsigned char answer = KILLALL_OTHER;
    struct killall_proc *q = p;
    for (size_t steps = 0; steps <= n; steps++) {
        if (q->mark) {
            answer = q->mark;
            break;
        }
        if (q->ppid == root) {
            answer = KILLALL_DESCENDANT;
            break;
        }
        q = find(t, n, q->ppid);
        if (!q)
            break;
    }
    for (q = p; q && !q->mark; q = find(t, n, q->ppid)) {
        q->mark = answer;
        if (q->ppid == root)
            break;
    }
    return answer;
}

size_t killall_mark_descendants(struct killall_proc *t, size_t n, pid_t root)
{
    size_t marked = 0;
    qsort(t, n, sizeof *t, by_pid);
    for (size_t i = 0; i < n; i++)
        t[i].mark = KILLALL_UNKNOWN;
    for (size_t i = 0; i < n; i++)
        marked += resolve(t, n, t + i, root) == KILLALL_DESCENDANT;
    return marked;
}

static struct killall_proc table[KILLALL_MAX];

/* "PID (NAME) STATE PPID ...": the name is whatever the process set, so
 * only the last ')' ends it; the fields after it are plain. */
pid_t killall_stat_ppid(char const *stat)
{
    char const *p = strrchr(stat, ')');
    long long ppid = 0;
    if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
        return -1;
    p += 4;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((ppid = ppid * 10 + (*p - '0')) > 4194304)
            return -1; /* above any pid_max */
    return *p == ' ' || !*p ? (pid_t) ppid : -1;
}

/* The parent of pid, from its stat file. */
static pid_t read_ppid(pid_t pid)
{
    char path[32], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return -1;
    buf[r] = 0;
    return killall_stat_ppid(buf);
}

static size_t scan_proc(void)
{
    static char buf[32768];
    size_t n = 0;
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    for (;;) {
        ssize_t len = getdents64(fd, buf, sizeof buf);
        if (len <= 0)
            break;
        for (ssize_t off = 0; off < len;) {
            struct dirent64 *d = (struct dirent64 *) (buf + off);
            off += d->d_reclen;
            pid_t pid = 0;
            if (sscanf(d->d_name, "%d", &pid) != 1 || pid <= 0 || n >= KILLALL_MAX)
                continue;
            table[n].pid = pid;
            table[n].ppid = read_ppid(pid);
            n++;
        }
    }
    close(fd);
    return n;
}

/* all: every process of the namespace (PID 1), else our descendants */
static int signal_scanned(int sig, int all, pid_t spare)
{
    size_t n = scan_proc();
    int sent = 0;
    if (!all)
        killall_mark_descendants(table, n, getpid());
    for (size_t i = 0; i < n; i++) {
        if (all ? table[i].pid == getpid() : table[i].mark != KILLALL_DESCENDANT)
            continue;
        if (table[i].pid == spare)
            continue;
        if (kill(table[i].pid, sig) == 0)
            sent++;
        if (sig == SIGTERM)
            kill(table[i].pid, SIGCONT);
    }
    return sent;
}

int killall_signal(int pid1, int sig, pid_t spare)
{
    if (!pid1 || spare > 0)
        return signal_scanned(sig, pid1, spare);
    /* ESRCH only says nobody was left to signal */
    if (kill(-1, sig) < 0 && errno != ESRCH)
        return -1;
    if (sig == SIGTERM)
        kill(-1, SIGCONT);
    return 0;
}
