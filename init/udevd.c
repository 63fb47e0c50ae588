/* SPDX-License-Identifier: ISC */
/* vinit-udevd: the udev database of a container's USB devices, for libvirt
 * and libusb, which read it through libudev. A separate program run as a
 * service of vinit's tree, so that PID 1 never links libudev. Three cases:
 * a host's /run/udev bind-mounted in (it is checked, and left alone); no
 * database but a USB bus in /sys (the entries are written from sysfs, kept
 * current from kernel uevents, and each change is announced to libudev
 * monitors as udevd would); neither (it says how to get USB, and exits). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>
#include <skalibs/strerr.h>

#include "mkpath.h"
#include "udev.h"

char const *PROG = "vinit-udevd";

#define MARKER       ".vinit-udevd"
#define KNOWN_MAX    256
#define GROUP_KERNEL 1
#define GROUP_UDEV   2

static struct {
    char const *sysfs, *udevdir, *dev, *uevents;
    int once, ready_fd, verbose;
} opt = {"/sys", "/run/udev", "/dev", NULL, 0, -1, 0};

static char sysroot[PATH_MAX]; /* opt.sysfs, resolved */

/* What was written for each device, to undo it at its removal: a table
 * sized once, no allocation while running. */
static struct known {
    char devpath[256];
    char db[64];
    char node[128]; /* the node made here, "" when none */
    unsigned long long usec;
} known[KNOWN_MAX];

static int announce_fd = -1; /* netlink socket to the "udev" group, -1: off */
static int mknod_refused;
static unsigned long long seqnum;

static void usage(FILE *out)
{
    fputs("usage: vinit-udevd [options]\n"
          "Provides the udev database entries of USB devices (or checks the host's).\n"
          "\n"
          "  --sysfs DIR      the sysfs root  [/sys]\n"
          "  --udev-dir DIR   the udev runtime directory  [/run/udev]\n"
          "  --dev DIR        where to make bus/usb/BBB/DDD nodes  [/dev]\n"
          "  --uevents FILE   read uevents (KEY=VALUE blocks) from FILE instead of the\n"
          "                   kernel, and exit at its end\n"
          "  --once           write the entries and exit\n"
          "  --ready-fd FD    write a newline on FD once the entries are written\n"
          "  -v, --verbose    say what is written\n",
          out);
}

static void parse(int argc, char **argv)
{
    static struct option const longs[] = {
        {"sysfs", 1, 0, 's'},   {"udev-dir", 1, 0, 'u'}, {"dev", 1, 0, 'd'},
        {"uevents", 1, 0, 'e'}, {"once", 0, 0, 'o'},     {"ready-fd", 1, 0, 'r'},
        {"verbose", 0, 0, 'v'}, {"help", 0, 0, 'h'},     {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            opt.sysfs = optarg;
            break;
        case 'u':
            opt.udevdir = optarg;
            break;
        case 'd':
            opt.dev = optarg;
            break;
        case 'e':
            opt.uevents = optarg;
            break;
        case 'o':
            opt.once = 1;
            break;
        case 'r':
            opt.ready_fd = atoi(optarg);
            break;
        case 'v':
            opt.verbose++;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(100);
        }
    }
    if (optind < argc)
        strerr_dief(100, "unexpected argument ", argv[optind]);
}

/* out = a b c; -1 (out "") when it does not fit. */
static int join(char *out, size_t size, char const *a, char const *b, char const *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    *out = 0;
    if (la + lb + lc >= size)
        return (errno = ENAMETOOLONG, -1);
    memcpy(out, a, la);
    memcpy(out + la, b, lb);
    memcpy(out + la + lb, c, lc + 1);
    return 0;
}

/* The file's text without its trailing newlines; its length, or -1. */
static ssize_t read_text(char const *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    ssize_t r = 0;
    if (fd < 0)
        return -1;
    while (len < size - 1 && (r = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t) r;
    close(fd);
    if (r < 0 && !len)
        return -1;
    while (len && buf[len - 1] == '\n')
        len--;
    buf[len] = 0;
    return (ssize_t) len;
}

/* A text attribute of dir, in its own slot of a static pool; NULL when
 * absent. */
static char const *attr(char const *dir, char const *name, int slot)
{
    static char pool[16][UDEV_VALUE_MAX + 1];
    char path[PATH_MAX];
    if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return NULL;
    return read_text(path, pool[slot], sizeof pool[slot]) < 0 ? NULL : pool[slot];
}

static char const *link_name(char const *dir, char const *name)
{
    static char target[PATH_MAX];
    char path[PATH_MAX];
    if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return NULL;
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0)
        return NULL;
    target[n] = 0;
    char *slash = strrchr(target, '/');
    return slash ? slash + 1 : target;
}

static int exists(char const *dir, char const *name)
{
    char path[PATH_MAX];
    join(path, sizeof path, dir, name, "");
    return access(path, F_OK) == 0;
}

/* ID_USB_INTERFACES from the raw descriptors, as udev reads them; from
 * the interfaces' directories when that file is absent or corrupt. */
static void interfaces(char const *syspath, char *list, size_t size)
{
    static unsigned char d[18 + 65536];
    char path[PATH_MAX];
    ssize_t n = -1;
    join(path, sizeof path, syspath, "/descriptors", "");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, d, sizeof d);
        close(fd);
    }
    if (n > 0 && udev_interfaces_from_descriptors(d, (size_t) n, list, size) == 0)
        return;
    *list = 0;
    DIR *dir = opendir(syspath);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        char sub[PATH_MAX];
        if (!strchr(e->d_name, ':') || e->d_name[0] == '.')
            continue;
        join(sub, sizeof sub, syspath, "/", e->d_name);
        char const *c = attr(sub, "bInterfaceClass", 13), *s = attr(sub, "bInterfaceSubClass", 14),
                   *p = attr(sub, "bInterfaceProtocol", 15);
        if (c && s && p)
            udev_interfaces_add(list, size, (unsigned) strtoul(c, NULL, 16),
                                (unsigned) strtoul(s, NULL, 16), (unsigned) strtoul(p, NULL, 16));
    }
    if (dir)
        closedir(dir);
}

/* What sysfs says of the device at syspath; -1 when it is gone. */
static int read_device(char const *syspath, struct udev_usb *u, char *list, size_t size)
{
    static char uevent[4096], parent[PATH_MAX];
    struct udev_props k = {0};
    if (read_text(strcat(strcpy(parent, syspath), "/uevent"), uevent, sizeof uevent) < 0)
        return -1;
    udev_uevent_parse(uevent, strlen(uevent), &k);
    char const *type = udev_props_get(&k, "DEVTYPE");
    int interface = type && !strcmp(type, "usb_interface");
    /* an interface's vendor and product are its device's, one level up */
    strcpy(parent, syspath);
    char const *dev = interface ? dirname(parent) : syspath;
    *u = (struct udev_usb){
        .sysname = strrchr(syspath, '/') + 1,
        .uevent = uevent,
        .driver = link_name(syspath, "driver"),
        .id_vendor = attr(dev, "idVendor", 0),
        .id_product = attr(dev, "idProduct", 1),
        .manufacturer = attr(dev, "manufacturer", 2),
        .product = attr(dev, "product", 3),
        .serial = attr(dev, "serial", 4),
        .bcd_device = attr(dev, "bcdDevice", 5),
        .busnum = attr(dev, "busnum", 6),
        .devnum = attr(dev, "devnum", 7),
        .if_number = interface ? attr(syspath, "bInterfaceNumber", 8) : NULL,
        .if_class = interface ? attr(syspath, "bInterfaceClass", 9) : NULL,
        .if_subclass = interface ? attr(syspath, "bInterfaceSubClass", 10) : NULL,
    };
    interfaces(dev, list, size);
    u->interfaces = list;
    return 0;
}

static struct known *find(char const *devpath, int make)
{
    struct known *free_slot = NULL;
    for (size_t i = 0; i < KNOWN_MAX; i++) {
        if (!strcmp(known[i].devpath, devpath))
            return &known[i];
        if (!free_slot && !known[i].devpath[0])
            free_slot = &known[i];
    }
    if (!make || !free_slot || strlen(devpath) >= sizeof free_slot->devpath)
        return NULL;
    strcpy(free_slot->devpath, devpath);
    return free_slot;
}

static unsigned long long now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long) ts.tv_sec * 1000000 + (unsigned long long) ts.tv_nsec / 1000;
}

static void mknod_warn(char const *path)
{
    char e[128];
    snprintf(e, sizeof e, "%s", strerror(errno));
    mknod_refused = 1;
    strerr_warnw(
        "unable to create ", path, ": ", e,
        " (the container may not make device nodes): pass the host's USB devices in instead,"
        " with --device /dev/bus/usb (docker, podman), --bind=/dev/bus/usb and"
        " --property=DeviceAllow='char-usb_device rw' (systemd-nspawn), or a hostPath volume"
        " of /dev/bus/usb in a privileged pod (Kubernetes)");
}

/* dev/bus/usb/BBB/DDD, char 189:N, as udev makes it (0664). */
static void make_node(struct udev_props const *ps, struct known *k)
{
    char const *name = udev_props_get(ps, "DEVNAME"), *maj = udev_props_get(ps, "MAJOR"),
               *min = udev_props_get(ps, "MINOR");
    char path[PATH_MAX], dir[PATH_MAX];
    struct stat st;
    if (mknod_refused || !name || !maj || !min || strncmp(name, "bus/usb/", 8) ||
        strstr(name, ".."))
        return;
    dev_t rdev = makedev(strtoul(maj, NULL, 10), strtoul(min, NULL, 10));
    if ((size_t) snprintf(path, sizeof path, "%s/%s", opt.dev, name) >= sizeof path)
        return;
    if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == rdev)
        return; /* already there, made by us or passed in by the manager */
    strcpy(dir, path);
    unlink(path);
    if (mkpath_make(dirname(dir), 0755) < 0 || mknod(path, S_IFCHR | 0664, rdev) < 0) {
        if (errno == EPERM || errno == EACCES || errno == EROFS)
            mknod_warn(path);
        else
            strerr_warnwusys("create ", path);
        return;
    }
    if (k && strlen(path) < sizeof k->node)
        strcpy(k->node, path);
}

/* Tells libudev monitors (libvirt's, libusb's) of the change, as udevd
 * does once it has written the database. */
static void announce(struct udev_props *ps, char const *action, char const *devpath,
                     unsigned long long usec)
{
    static char msg[UDEV_WIRE_MAX];
    char num[32];
    if (announce_fd < 0)
        return;
    udev_props_set(ps, "ACTION", action, 0);
    udev_props_set(ps, "DEVPATH", devpath, 0);
    udev_props_set(ps, "SUBSYSTEM", "usb", 0);
    if (!udev_props_get(ps, "SEQNUM")) {
        snprintf(num, sizeof num, "%llu", ++seqnum);
        udev_props_set(ps, "SEQNUM", num, 0);
    }
    snprintf(num, sizeof num, "%llu", usec);
    udev_props_set(ps, "USEC_INITIALIZED", num, 0);
    char const *name = udev_props_get(ps, "DEVNAME");
    if (name && *name != '/') {
        char abs[UDEV_VALUE_MAX];
        snprintf(abs, sizeof abs, "/dev/%.*s", UDEV_VALUE_MAX - 8, name);
        udev_props_set(ps, "DEVNAME", abs, 0);
    }
    size_t len = udev_wire_format(ps, msg, sizeof msg);
    struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_groups = GROUP_UDEV};
    if (!len) {
        strerr_warnw("unable to announce ", devpath, ": too many properties");
        return;
    }
    /* nobody listening is no error; a refusal (no CAP_NET_ADMIN) is said once */
    if (sendto(announce_fd, msg, len, 0, (struct sockaddr *) &to, sizeof to) < 0 &&
        errno != ECONNREFUSED && errno != ESRCH) {
        strerr_warnwusys("announce devices to libudev monitors (no CAP_NET_ADMIN?),"
                         " libvirt sees new USB devices only when it lists them again: ",
                         devpath);
        close(announce_fd);
        announce_fd = -1;
    }
}

static int sane_devpath(char const *p)
{
    return p && p[0] == '/' && !strstr(p, "/../") && !strstr(p, "/./") &&
           strlen(p) + strlen(sysroot) < PATH_MAX - 64;
}

/* add, change, bind, unbind: the entry written again from sysfs. */
static void update(char const *action, char const *devpath, int tell)
{
    static struct udev_props ps;
    static char text[UDEV_PROPS_MAX * (UDEV_KEY_MAX + UDEV_VALUE_MAX + 4) + 64];
    char syspath[PATH_MAX], list[UDEV_VALUE_MAX], db[64], path[PATH_MAX];
    struct udev_usb u;
    snprintf(syspath, sizeof syspath, "%s%s", sysroot, devpath);
    if (read_device(syspath, &u, list, sizeof list) < 0 || udev_usb_props(&u, &ps) < 0 ||
        udev_db_name(&ps, u.sysname, db, sizeof db) < 0)
        return; /* gone already, or not a device nor an interface */
    struct known *k = find(devpath, 1);
    unsigned long long usec = k && k->usec ? k->usec : now_usec();
    size_t len = udev_db_format(&ps, usec, text, sizeof text);
    snprintf(path, sizeof path, "%s/data/%s", opt.udevdir, db);
    if (!len || udev_db_write(opt.udevdir, db, text, len) < 0) {
        strerr_warnwusys("write ", path);
        return;
    }
    if (opt.verbose)
        strerr_warni("wrote ", path, " for ", devpath);
    if (k) {
        k->usec = usec;
        strcpy(k->db, db);
    }
    make_node(&ps, k);
    if (tell)
        announce(&ps, action, devpath, usec);
}

/* remove: the entry and the node made here go. */
static void forget(struct udev_props *ev, char const *devpath)
{
    char db[64], path[PATH_MAX];
    struct known *k = find(devpath, 0);
    char const *slash = strrchr(devpath, '/');
    if (k && k->db[0])
        strcpy(db, k->db);
    else if (udev_db_name(ev, slash + 1, db, sizeof db) < 0)
        return;
    snprintf(path, sizeof path, "%s/data/%s", opt.udevdir, db);
    if (udev_db_remove(opt.udevdir, db) < 0)
        strerr_warnwusys("remove ", path);
    else if (opt.verbose)
        strerr_warni("removed ", path, " for ", devpath);
    if (k && k->node[0] && unlink(k->node) < 0 && errno != ENOENT)
        strerr_warnwusys("remove ", k->node);
    announce(ev, "remove", devpath, k ? k->usec : now_usec());
    if (k)
        memset(k, 0, sizeof *k);
}

/* One uevent, from the kernel or from --uevents. */
static void handle(struct udev_props *ev)
{
    char const *action = udev_props_get(ev, "ACTION"), *devpath = udev_props_get(ev, "DEVPATH"),
               *sub = udev_props_get(ev, "SUBSYSTEM");
    if (!action || !sub || strcmp(sub, "usb") || !sane_devpath(devpath))
        return;
    if (!strcmp(action, "remove"))
        forget(ev, devpath);
    else if (!strcmp(action, "add") || !strcmp(action, "change") || !strcmp(action, "bind") ||
             !strcmp(action, "unbind") || !strcmp(action, "move")) {
        char const *old = udev_props_get(ev, "DEVPATH_OLD");
        if (!strcmp(action, "move") && sane_devpath(old))
            forget(ev, old);
        update(action, devpath, 1);
    }
}

/* Every device and interface on the USB bus; the number of devices. */
static int scan(void)
{
    char dir[PATH_MAX], link[PATH_MAX], real[PATH_MAX];
    int n = 0;
    join(dir, sizeof dir, sysroot, "/bus/usb/devices", "");
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) {
        strerr_warnwusys("open ", dir);
        return 0;
    }
    while ((e = readdir(d))) {
        size_t root = strlen(sysroot);
        if (e->d_name[0] == '.' ||
            (size_t) snprintf(link, sizeof link, "%s/%s", dir, e->d_name) >= sizeof link)
            continue;
        if (!realpath(link, real) || strncmp(real, sysroot, root) || real[root] != '/')
            continue; /* a link out of this sysfs */
        update("add", real + root, 0);
        n += !strchr(e->d_name, ':');
    }
    closedir(d);
    return n;
}

/* A host's database: are the USB devices of this sysfs in it? */
static void check_host(void)
{
    char dir[PATH_MAX], path[PATH_MAX], first[PATH_MAX] = "";
    int total = 0, missing = 0;
    join(dir, sizeof dir, sysroot, "/bus/usb/devices", "");
    DIR *d = opendir(dir);
    struct dirent *e;
    snprintf(path, sizeof path, "%s/data", opt.udevdir);
    if (access(path, R_OK | X_OK) < 0) {
        strerr_warnwu(
            "read ", path, ": ", strerror(errno),
            ": bind-mount /run/udev read-only from a host where udevd runs, or drop the bind"
            " mount and let vinit-udevd provide the entries");
        return;
    }
    while (d && (e = readdir(d))) {
        char sub[PATH_MAX];
        join(sub, sizeof sub, dir, "/", e->d_name);
        char const *dev = e->d_name[0] == '.' ? NULL : attr(sub, "dev", 0);
        if (!dev)
            continue;
        total++;
        snprintf(path, sizeof path, "%s/data/c%s", opt.udevdir, dev);
        if (access(path, R_OK) < 0 && !missing++)
            join(first, sizeof first, path, " for ", sub);
    }
    if (d)
        closedir(d);
    char t[16], m[16];
    snprintf(t, sizeof t, "%d", total);
    snprintf(m, sizeof m, "%d", missing);
    if (!missing)
        strerr_warni("host udev database in ", opt.udevdir, " is usable: ", t, " USB devices");
    else
        strerr_warnw("host udev database in ", opt.udevdir, " lacks ", m, " of ", t,
                     " USB devices (", first,
                     "): bind-mount /run/udev read-only from a host where udevd runs and sees"
                     " these devices, or drop the bind mount and let vinit-udevd provide the"
                     " entries");
}

/* Our data directory: made, marked as ours, emptied of a previous run's
 * USB entries. /run/udev/control is where libudev looks for a running
 * udevd before it lets a "udev" monitor receive anything. */
static void provide_setup(void)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/data", opt.udevdir);
    if (mkpath_make(path, 0755) < 0)
        strerr_diefu(111, "create ", path);
    snprintf(path, sizeof path, "%s/" MARKER, opt.udevdir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, "vinit-udevd\n", 12) != 12)
        strerr_diefu(111, "write ", path);
    close(fd);
    snprintf(path, sizeof path, "%s/control", opt.udevdir);
    if (access(path, F_OK) < 0 && (fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/data", opt.udevdir);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "c189:", 5) || !strncmp(e->d_name, "+usb:", 5))
            udev_db_remove(opt.udevdir, e->d_name);
    if (d)
        closedir(d);
}

static void announce_open(void)
{
    struct sockaddr_nl me = {.nl_family = AF_NETLINK};
    announce_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
    if (announce_fd >= 0 && bind(announce_fd, (struct sockaddr *) &me, sizeof me) < 0) {
        close(announce_fd);
        announce_fd = -1;
    }
}

static void uevent_block(char const *block, size_t n, void *arg)
{
    struct udev_props *ev = arg;
    ev->n = 0;
    if (udev_uevent_parse(block, n, ev))
        handle(ev);
}

/* --uevents: complete blocks (ended by a blank line) are handled as they
 * come; the rest waits for more. 1 at the end of the file. */
static int read_uevents(int fd)
{
    static char buf[65536];
    static size_t len;
    static struct udev_props ev;
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : (strerr_warnwusys("read ", opt.uevents), 1);
    len += (size_t) r;
    size_t used = udev_uevent_blocks(buf, len, !r, uevent_block, &ev);
    len -= used;
    memmove(buf, buf + used, len);
    if (len == sizeof buf - 1) {
        strerr_warnw("uevent block too long in ", opt.uevents, ": skipped");
        len = 0;
    }
    return r == 0;
}

static void read_kernel(struct udev_monitor *mon)
{
    static struct udev_props ev;
    struct udev_device *d = udev_monitor_receive_device(mon);
    struct udev_list_entry *e;
    if (!d)
        return;
    ev.n = 0;
    udev_list_entry_foreach(e, udev_device_get_properties_list_entry(d))
        udev_props_set(&ev, udev_list_entry_get_name(e), udev_list_entry_get_value(e), 0);
    udev_device_unref(d);
    handle(&ev);
}

static int signal_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (fd < 0)
        strerr_diefu(111, "create a signalfd");
    return fd;
}

/* The events, until SIGTERM or the end of --uevents. No timeout: nothing
 * wakes this process up but an event. */
static void run(void)
{
    struct udev *udev = NULL;
    struct udev_monitor *mon = NULL;
    struct pollfd p[2] = {{.fd = signal_fd(), .events = POLLIN}, {.events = POLLIN}};
    if (opt.uevents) {
        if ((p[1].fd = open(opt.uevents, O_RDONLY | O_CLOEXEC)) < 0)
            strerr_diefusys(111, "open ", opt.uevents);
    } else {
        if (!(udev = udev_new()) || !(mon = udev_monitor_new_from_netlink(udev, "kernel")) ||
            udev_monitor_filter_add_match_subsystem_devtype(mon, "usb", NULL) < 0 ||
            udev_monitor_enable_receiving(mon) < 0)
            strerr_diefu(111, "listen to kernel uevents");
        p[1].fd = udev_monitor_get_fd(mon);
    }
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            strerr_diefusys(111, "poll");
        }
        if (p[0].revents)
            break;
        if (p[1].revents && mon)
            read_kernel(mon);
        else if (p[1].revents && read_uevents(p[1].fd))
            break;
    }
    if (mon)
        udev_monitor_unref(mon);
    if (udev)
        udev_unref(udev);
}

static void ready(void)
{
    if (opt.ready_fd >= 0) {
        if (write(opt.ready_fd, "\n", 1) < 0)
            strerr_warnwusys("write readiness");
        close(opt.ready_fd);
    }
}

int main(int argc, char **argv)
{
    char path[PATH_MAX];
    parse(argc, argv);
    umask(0);
    if (!realpath(opt.sysfs, sysroot))
        snprintf(sysroot, sizeof sysroot, "%s", opt.sysfs);
    snprintf(path, sizeof path, "%s/data", opt.udevdir);
    int has_db = access(path, F_OK) == 0 && !exists(opt.udevdir, "/" MARKER);
    int has_usb = exists(sysroot, "/bus/usb");
    if (has_db) {
        check_host();
        ready();
        return 0;
    }
    if (!has_usb) {
        strerr_warni("USB passthrough is not available: no udev database in ", opt.udevdir,
                     " and no USB bus in ", sysroot,
                     "; to get it, bind-mount the host's /sys and /dev/bus/usb (or pass"
                     " --device /dev/bus/usb), or the host's /run/udev read-only");
        ready();
        return 0;
    }
    provide_setup();
    int n = scan();
    char num[16];
    snprintf(num, sizeof num, "%d", n);
    strerr_warni("wrote the udev database entries of ", num, " USB devices in ", opt.udevdir);
    ready();
    if (opt.once)
        return 0;
    announce_open();
    run();
    return 0;
}
