/* SPDX-License-Identifier: ISC */
/* machine: vinit as a machine's init (see machine.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/input.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "machine.h"
#include "modalias.h"
#include "settings.h"

int machine_detect(int pid1, char const *container, int proc_mounted, int init_pidns, int forced)
{
    if (!pid1)
        return 0;
    if (forced >= 0)
        return forced;
    if (container && container[0])
        return 0;
    /* no manager mounts /proc for a kernel's init; an initramfs that did
     * and then ran us leaves us in the machine's own pid namespace, which
     * no container is in (docker sets no container=) */
    return !proc_mounted || init_pidns == 1;
}

static int shell_capitals(char const *s, size_t n)
{
    if (!n || isdigit((unsigned char) s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char) s[i]) && !isdigit((unsigned char) s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* one word of the command line into w (quotes dropped); the rest after */
static char const *word(char const *p, char *w, size_t size)
{
    size_t n = 0;
    int quoted = 0;
    for (; *p && (quoted || !isspace((unsigned char) *p)); p++) {
        if (*p == '"') {
            quoted = !quoted;
            continue;
        }
        if (n + 1 < size)
            w[n++] = *p;
    }
    w[n] = 0;
    return p;
}

static void option(char const *w, struct machine_opts *o,
                   void (*ignored)(char const *, char const *, void *), void *arg)
{
    char const *name = w + 6, *eq = strchr(name, '=');
    char const *v = eq ? eq + 1 : "";
    size_t n = eq ? (size_t) (eq - name) : strlen(name);
    unsigned int ms;
    if (n == 7 && !strncmp(name, "machine", n)) {
        if (strcmp(v, "0") && strcmp(v, "1"))
            return ignored(w, "not 0 or 1", arg);
        o->machine = v[0] - '0';
    } else if (n == 7 && !strncmp(name, "verbose", n)) {
        if (strlen(v) != 1 || v[0] < '0' || v[0] > '3')
            return ignored(w, "not 0 to 3", arg);
        o->verbosity = v[0] - '0';
    } else if (n == 12 && !strncmp(name, "stop-timeout", n)) {
        if (settings_parse_duration(v, &ms) < 0)
            return ignored(w, "not a duration (8, 8s, 1500ms, 2m)", arg);
        o->stop_ms = (long) ms;
    } else if (n == 8 && !strncmp(name, "hostname", n)) {
        size_t len = strlen(v);
        if (!len || len >= sizeof o->hostname ||
            strspn(v, "abcdefghijklmnopqrstuvwxyz"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != len)
            return ignored(w, "not a host name", arg);
        memcpy(o->hostname, v, len + 1);
    } else if (n == 8 && !strncmp(name, "services", n)) {
        if (v[0] != '/' || strlen(v) >= sizeof o->services)
            return ignored(w, "not an absolute path", arg);
        strcpy(o->services, v);
    } else {
        ignored(w, "unknown option", arg);
    }
}

void machine_cmdline(char const *cmdline, struct machine_opts *o,
                     void (*ignored)(char const *word, char const *why, void *arg),
                     void (*env)(char const *key, size_t keylen, char const *value, void *arg),
                     void *arg)
{
    char w[4096];
    memset(o, 0, sizeof *o);
    o->machine = o->verbosity = -1;
    o->stop_ms = -1;
    for (char const *p = cmdline; *p;) {
        if (isspace((unsigned char) *p)) {
            p++;
            continue;
        }
        p = word(p, w, sizeof w);
        char const *eq = strchr(w, '=');
        if (!strncmp(w, "vinit.", 6))
            option(w, o, ignored, arg);
        else if (!strcmp(w, "rw"))
            o->rw = 1;
        else if (!strcmp(w, "ro"))
            o->rw = 0;
        else if (eq && shell_capitals(w, (size_t) (eq - w)))
            env(w, (size_t) (eq - w), eq + 1, arg);
    }
}

struct machine_mount const machine_mounts[] = {
    {"/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555},
    {"/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555},
    {"/dev", "devtmpfs", "mode=0755", MS_NOSUID, 0755},
    {"/dev/pts", "devpts", "mode=0620,gid=5,ptmxmode=0666", MS_NOSUID | MS_NOEXEC, 0755},
    {"/dev/shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV, 01777},
    {"/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV, 0755},
    {"/tmp", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV, 01777},
    {"/sys/fs/cgroup", "cgroup2", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0755},
};
size_t const machine_nmounts = sizeof machine_mounts / sizeof *machine_mounts;

int machine_wants_mount(size_t i, int (*mounted)(char const *where, void *arg), void *arg)
{
    return i < machine_nmounts && !mounted(machine_mounts[i].where, arg);
}

void machine_modules_warning(int kernel_modules, char const *modprobe, int has_modprobe,
                             char const *release, int has_tree, char *out, size_t size)
{
    *out = 0;
    if (!kernel_modules || (has_modprobe && has_tree))
        return;
    if (!has_tree && !has_modprobe)
        snprintf(out, size,
                 "no %s and no /lib/modules/%s: the kernel and vinit-udevd cannot load modules: "
                 "install kmod and the kernel's modules (Debian: linux-image-%s) in the image, "
                 "or build the drivers in",
                 modprobe, release, release);
    else if (!has_modprobe)
        snprintf(out, size,
                 "no %s: the kernel and vinit-udevd cannot load modules: install kmod in the image",
                 modprobe);
    else
        snprintf(out, size,
                 "no /lib/modules/%s: the kernel and vinit-udevd cannot load modules of this "
                 "kernel: install its modules (Debian: linux-image-%s) in the image, or build "
                 "the drivers in",
                 release, release);
}

/* --- adapters ------------------------------------------------------------ */

static void said_ignored(char const *w, char const *why, void *arg)
{
    (void) arg;
    strerr_warnw("kernel command line: ignored ", w, ": ", why);
}

static void set_env(char const *key, size_t keylen, char const *value, void *arg)
{
    char name[256];
    (void) arg;
    if (keylen >= sizeof name)
        return;
    memcpy(name, key, keylen);
    name[keylen] = 0;
    setenv(name, value, 0); /* what the kernel passed already stays */
}

/* a mount point of /proc/self/mountinfo (its fifth field) */
static int in_mountinfo(char const *where, void *arg)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096], point[4096];
    int found = 0;
    (void) arg;
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && !strcmp(point, where);
    fclose(f);
    return found;
}

static void mount_api(void)
{
    for (size_t i = 0; i < machine_nmounts; i++) {
        struct machine_mount const *m = &machine_mounts[i];
        if (!machine_wants_mount(i, in_mountinfo, NULL))
            continue;
        mkdir(m->where, m->mode);
        if (mount(m->type, m->where, m->type, m->flags, m->options) < 0) {
            char const *cost = !strcmp(m->type, "devtmpfs")
                                   ? " (no devtmpfs in this kernel?): /dev is left as it is"
                               : !strcmp(m->type, "cgroup2") ? ": no cgroup limits for guests"
                                                             : "";
            strerr_warnwusys("mount ", m->type, " on ", m->where, cost);
        }
    }
}

static void loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strcpy(r.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &r) < 0 ||
        (r.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &r) < 0))
        strerr_warnwusys("bring the loopback interface lo up");
    if (s >= 0)
        close(s);
}

static void set_hostname(char const *asked)
{
    char name[65] = "";
    if (asked[0]) {
        strcpy(name, asked);
    } else {
        int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        ssize_t r = read(fd, name, sizeof name - 1);
        close(fd);
        name[r > 0 ? r : 0] = 0;
        name[strcspn(name, " \t\r\n")] = 0;
    }
    if (name[0] && sethostname(name, strlen(name)) < 0)
        strerr_warnwusys("set the hostname to ", name);
}

/* The power button's watcher: a child that reads every input device for
 * KEY_POWER and asks PID 1 for the ordered stop (SIGRTMIN+4, poweroff).
 * Input devices need evdev and the ACPI button driver, modules in Debian's
 * kernels: an initramfs may load them before vinit, or vinit-udevd after
 * it; so the watcher opens the devices there are, then each one that
 * appears (inotify on /dev and /dev/input; a look every 5 s without it),
 * and says so when there is still none after 30 s. */
#define POWER_INPUTS 32
struct power_inputs {
    struct pollfd fds[POWER_INPUTS + 1]; /* the last: inotify */
    nfds_t n;
    uint32_t opened; /* by event number */
};

static void power_inputs_open(struct power_inputs *p)
{
    for (int i = 0; i < POWER_INPUTS && p->n < POWER_INPUTS; i++) {
        char path[32];
        if (p->opened & (UINT32_C(1) << i))
            continue;
        snprintf(path, sizeof path, "/dev/input/event%d", i);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        p->fds[p->n++] = (struct pollfd){.fd = fd, .events = POLLIN};
        p->opened |= UINT32_C(1) << i;
    }
}

static void power_button(void)
{
    pid_t pid = fork();
    if (pid < 0)
        strerr_warnwusys("start the power button's watcher");
    if (pid != 0)
        return;
    static struct power_inputs p;
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), input_watched = 0;
    if (ino >= 0 && inotify_add_watch(ino, "/dev", IN_CREATE | IN_MOVED_TO) < 0) {
        close(ino);
        ino = -1;
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int said = 0;
    for (;;) {
        if (ino >= 0 && !input_watched)
            input_watched = inotify_add_watch(ino, "/dev/input", IN_CREATE | IN_ATTRIB) >= 0;
        power_inputs_open(&p);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!p.n && !said && now.tv_sec - start.tv_sec >= 30) {
            strerr_warnw("no input device (/dev/input/event*) after 30 s: the power button is not"
                         " heard; load evdev and button (in the initramfs, or kmod and the"
                         " kernel's modules in the image for vinit-udevd), or stop with"
                         " ctrl-alt-del");
            said = 1;
        }
        nfds_t n = p.n;
        if (ino >= 0)
            p.fds[n++] = (struct pollfd){.fd = ino, .events = POLLIN};
        int timeout = ino < 0 || (!p.n && !said) ? 5000 : -1;
        int r = poll(p.fds, n, timeout);
        if (r < 0 && errno != EINTR)
            _exit(111);
        if (ino >= 0 && (p.fds[n - 1].revents & POLLIN)) {
            char buf[4096];
            while (read(ino, buf, sizeof buf) > 0) {
            }
        }
        for (nfds_t i = 0; i < p.n; i++) {
            struct input_event ev;
            if (!(p.fds[i].revents & POLLIN))
                continue;
            while (read(p.fds[i].fd, &ev, sizeof ev) == (ssize_t) sizeof ev)
                if (ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1) {
                    kill(1, SIGRTMIN + 4);
                    _exit(0);
                }
        }
    }
}

/* The start of a small kernel file (/proc) into buf, always terminated
 * ("" when it cannot be read): 0, or -1 when it cannot be opened. */
static int read_small(char const *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    buf[0] = 0;
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, buf, size - 1);
    buf[r > 0 ? r : 0] = 0;
    close(fd);
    return 0;
}

/* A stat of the kernel's modprobe and of the kernel's modules: what the
 * services (vinit-udevd) need to load the drivers of the devices. */
static void modules_check(void)
{
    char proc[PATH_MAX], modprobe[PATH_MAX], tree[PATH_MAX], msg[1024];
    struct utsname u;
    struct stat st;
    int known = read_small("/proc/sys/kernel/modprobe", proc, sizeof proc) == 0;
    if (uname(&u) < 0)
        return;
    modalias_modprobe_path(known ? proc : NULL, modprobe, sizeof modprobe);
    snprintf(tree, sizeof tree, "/lib/modules/%s", u.release);
    machine_modules_warning(known, modprobe, stat(modprobe, &st) == 0, u.release,
                            stat(tree, &st) == 0 && S_ISDIR(st.st_mode), msg, sizeof msg);
    if (msg[0])
        strerr_warnw(msg);
}

void machine_setup(struct machine_opts *o)
{
    char cmdline[4096];
    /* the kernel gives init HOME and TERM, not PATH */
    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 0);
    mount_api();
    read_small("/proc/cmdline", cmdline, sizeof cmdline);
    machine_cmdline(cmdline, o, said_ignored, set_env, NULL);
    /* the options reach the settings as their variables would */
    char num[32];
    if (o->verbosity >= 0)
        snprintf(num, sizeof num, "%d", o->verbosity), setenv("VINIT_VERBOSITY", num, 1);
    if (o->stop_ms >= 0)
        snprintf(num, sizeof num, "%ldms", o->stop_ms), setenv("VINIT_STOP_TIMEOUT", num, 1);
    if (o->services[0])
        setenv("VINIT_SERVICES_DIR", o->services, 1);
    struct statvfs root;
    if (o->rw && mount(NULL, "/", NULL, MS_REMOUNT, NULL) < 0)
        strerr_warnwusys("remount / read-write (rw on the kernel command line)");
    else if (!o->rw && statvfs("/", &root) == 0 && (root.f_flag & ST_RDONLY))
        strerr_warnw("the root file system is read-only (no rw on the kernel command line): "
                     "what writes under / fails (the services say which file); add rw to the "
                     "kernel command line, or give the image tmpfs or volumes where it writes");
    set_hostname(o->hostname);
    loopback_up();
    if (reboot(RB_DISABLE_CAD) < 0)
        strerr_warnwusys("have ctrl-alt-del come as SIGINT");
    modules_check();
    power_button();
}

void machine_end(int reboot_asked)
{
    sync();
    /* the root read-only: what the kernel does not flush at poweroff is
     * on disk before it goes */
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 && errno != EBUSY)
        strerr_warnwusys("remount / read-only");
    sync();
    strerr_warnw(reboot_asked ? "rebooting the machine" : "powering the machine off");
    reboot(reboot_asked ? RB_AUTOBOOT : RB_POWER_OFF);
    /* not allowed (no CAP_SYS_BOOT?): PID 1 must not return */
    strerr_warnwusys("reboot(2)");
    for (;;)
        pause();
}
