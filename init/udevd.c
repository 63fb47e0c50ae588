/* SPDX-License-Identifier: ISC */
/* vinit-udevd: the udev database of a container's USB devices, for libvirt
 * and libusb, which read it through libudev. A separate program run as a
 * service of vinit's tree, so that PID 1 never links libudev. Three cases:
 * a host's /run/udev bind-mounted in (it is checked, and left alone); no
 * database but a USB bus in /sys (the entries are written from sysfs, kept
 * current from kernel uevents, and each change is announced to libudev
 * monitors as udevd would); neither (it says how to get USB, and exits).
 * With --modules (vinit as a machine's init) it also loads the modules of
 * the devices, as udevd does: modprobe for every sysfs modalias at start,
 * then for the MODALIAS of each kernel uevent that adds a device; and
 * without a USB bus it stays, for one that a module brings later. */
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
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>
#include <skalibs/strerr.h>

#include "mkpath.h"
#include "modalias.h"
#include "udev.h"

char const *PROG = "vinit-udevd";

#define MARKER       ".vinit-udevd"
#define KNOWN_MAX    256
#define GROUP_KERNEL 1
#define GROUP_UDEV   2
/* the coldplug's walk of sysfs/devices: deeper than any device path */
#define WALK_DEPTH 32
/* the kernel's uevents waiting while modprobe runs */
#define UEVENT_BUFFER (16 << 20)

static struct {
    char const *sysfs, *udevdir, *dev, *uevents, *modprobe;
    int once, ready_fd, verbose, modules;
} opt = {"/sys", "/run/udev", "/dev", NULL, NULL, 0, -1, 0, 0};

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
static int providing; /* the database is ours to write (cases 2 and 3) */

/* --modules: the modprobe run ("" when there is none: nothing is loaded)
 * and the coldplug's aliases */
static char modprobe[PATH_MAX];
static struct modalias_set aliases;
static unsigned long asked;

static struct udev *udev;
static struct udev_monitor *mon;

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
          "  --modules        load the modules of the devices (a machine's init): modprobe\n"
          "                   for each modalias in sysfs at start, then for the MODALIAS\n"
          "                   of each uevent that adds a device; stay without a USB bus\n"
          "  --modprobe PATH  the modprobe to run  [/proc/sys/kernel/modprobe's]\n"
          "  -v, --verbose    say what is written\n",
          out);
}

static void parse(int argc, char **argv)
{
    static struct option const longs[] = {
        {"sysfs", 1, 0, 's'},   {"udev-dir", 1, 0, 'u'},
        {"dev", 1, 0, 'd'},     {"uevents", 1, 0, 'e'},
        {"once", 0, 0, 'o'},    {"ready-fd", 1, 0, 'r'},
        {"verbose", 0, 0, 'v'}, {"help", 0, 0, 'h'},
        {"modules", 0, 0, 'm'}, {"modprobe", 1, 0, 'p'},
        {0, 0, 0, 0},
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
        case 'm':
            opt.modules = 1;
            break;
        case 'p':
            opt.modprobe = optarg;
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

/* --- modules --------------------------------------------------------- */

/* The modprobe to run: --modprobe, else the kernel's. When it is missing
 * that is said once, and no module is loaded. */
static void modules_init(void)
{
    char proc[PATH_MAX];
    if (opt.modprobe)
        snprintf(modprobe, sizeof modprobe, "%s", opt.modprobe);
    else
        modalias_modprobe_path(read_text("/proc/sys/kernel/modprobe", proc, sizeof proc) < 0 ? NULL
                                                                                             : proc,
                               modprobe, sizeof modprobe);
    if (access(modprobe, X_OK) == 0)
        return;
    if (errno == ENOENT)
        strerr_warnw("no ", modprobe,
                     ": the modules of the devices are not loaded: install kmod in the image");
    else
        strerr_warnwu("run ", modprobe, ": ", strerror(errno),
                      ": the modules of the devices are not loaded");
    modprobe[0] = 0;
}

/* modprobe -b -q -a ALIAS...: the blacklist applied, unknown aliases
 * quiet (most have no module). fork, exec, wait: no shell. */
static void run_modprobe(char const *const *list, size_t n)
{
    char const *argv[4 + MODALIAS_BATCH_ARGS + 1] = {modprobe, "-b", "-q", "-a"};
    int status;
    if (!modprobe[0] || !n || n > MODALIAS_BATCH_ARGS)
        return;
    memcpy(argv + 4, list, n * sizeof *list);
    argv[4 + n] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        strerr_warnwusys("fork for ", modprobe);
        return;
    }
    if (!pid) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(modprobe, (char *const *) argv);
        strerr_warnwusys("run ", modprobe);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            strerr_warnwusys("wait for ", modprobe);
            return;
        }
    asked += n;
    if (opt.verbose) {
        char num[16], code[16];
        snprintf(num, sizeof num, "%zu", n);
        snprintf(code, sizeof code, "%d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        strerr_warni("ran ", modprobe, " for ", num, " aliases (", list[0], "...): exit code ",
                     code);
    }
}

/* The coldplug's aliases, in commands of bounded size. */
static void load_aliases(void)
{
    char const *batch[MODALIAS_BATCH_ARGS];
    size_t pos = 0, n;
    while ((n = modalias_batch(&aliases, &pos, batch, MODALIAS_BATCH_ARGS)))
        run_modprobe(batch, n);
    modalias_clear(&aliases);
}

static void gather(int dir)
{
    char text[MODALIAS_MAX + 1], alias[MODALIAS_MAX];
    int fd = openat(dir, "modalias", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return;
    ssize_t r = read(fd, text, sizeof text);
    close(fd);
    if (r <= 0 || r == (ssize_t) sizeof text ||
        modalias_from_text(text, (size_t) r, alias, sizeof alias) < 0)
        return; /* none, cut, or not an alias */
    if (modalias_add(&aliases, alias) == -2) {
        load_aliases(); /* the set is full: what it holds first */
        modalias_add(&aliases, alias);
    }
}

/* Every directory under dir (an fd, closed here), links not followed, at
 * most WALK_DEPTH deep: its modalias file's alias. */
static void walk(int dir, int depth)
{
    DIR *d = fdopendir(dir);
    struct dirent *e;
    if (!d) {
        close(dir);
        return;
    }
    while ((e = readdir(d))) {
        struct stat st;
        int type = e->d_type;
        if (e->d_name[0] == '.')
            continue;
        if (type == DT_UNKNOWN)
            type = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? DT_UNKNOWN
                   : S_ISDIR(st.st_mode)                                      ? DT_DIR
                   : S_ISREG(st.st_mode)                                      ? DT_REG
                                                                              : DT_UNKNOWN;
        if (type == DT_REG && !strcmp(e->d_name, "modalias"))
            gather(dirfd(d));
        else if (type == DT_DIR && depth + 1 < WALK_DEPTH) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                walk(sub, depth + 1);
        }
    }
    closedir(d);
}

/* At start: the modules of every device there already (the kernel sent
 * their uevents before anyone listened), as udevadm trigger has udevd
 * load them. */
static void coldplug(void)
{
    char path[PATH_MAX], num[32];
    if (!modprobe[0])
        return;
    int fd = join(path, sizeof path, sysroot, "/devices", "") < 0
                 ? -1
                 : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        strerr_warnwusys("open ", path, ": the modules of the devices there are not loaded");
        return;
    }
    modalias_clear(&aliases);
    walk(fd, 0);
    load_aliases();
    snprintf(num, sizeof num, "%lu", asked);
    strerr_warni("ran ", modprobe, " for the ", num, " device aliases in ", path);
}

/* A device added: its module, if it asks for one. */
static void modules_event(struct udev_props const *ev)
{
    char const *alias =
        modalias_of_uevent(udev_props_get(ev, "ACTION"), udev_props_get(ev, "MODALIAS"));
    if (alias)
        run_modprobe(&alias, 1);
}

/* One uevent, from the kernel or from --uevents. */
static void handle(struct udev_props *ev)
{
    char const *action = udev_props_get(ev, "ACTION"), *devpath = udev_props_get(ev, "DEVPATH"),
               *sub = udev_props_get(ev, "SUBSYSTEM");
    if (opt.modules)
        modules_event(ev);
    if (!providing || !action || !sub || strcmp(sub, "usb") || !sane_devpath(devpath))
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

/* Whether a udevd answers on DIR/control (its control socket accepts a
 * connection); a socket file left by one that ended refuses it. */
static int udevd_runs(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if ((size_t) snprintf(sa.sun_path, sizeof sa.sun_path, "%s/control", opt.udevdir) >=
        sizeof sa.sun_path)
        return 0;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return 0;
    int ok = connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0 || errno == EAGAIN;
    close(fd);
    return ok;
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

static void read_kernel(void)
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

/* The kernel's uevents: every one with --modules (any device may ask for
 * a module; then before the coldplug, so that a device a module brings is
 * not missed), the usb subsystem's otherwise. */
static void listen_kernel(void)
{
    if (opt.uevents || mon)
        return;
    if (!(udev = udev_new()) || !(mon = udev_monitor_new_from_netlink(udev, "kernel")) ||
        (!opt.modules && udev_monitor_filter_add_match_subsystem_devtype(mon, "usb", NULL) < 0) ||
        udev_monitor_enable_receiving(mon) < 0)
        strerr_diefu(111, "listen to kernel uevents");
    /* they wait there while modprobe runs; a refusal (no CAP_NET_ADMIN)
     * leaves the default size */
    if (opt.modules)
        udev_monitor_set_receive_buffer_size(mon, UEVENT_BUFFER);
}

/* The events, until SIGTERM or the end of --uevents. No timeout: nothing
 * wakes this process up but an event. */
static void run(void)
{
    struct pollfd p[2] = {{.fd = signal_fd(), .events = POLLIN}, {.events = POLLIN}};
    if (opt.uevents) {
        if ((p[1].fd = open(opt.uevents, O_RDONLY | O_CLOEXEC)) < 0)
            strerr_diefusys(111, "open ", opt.uevents);
    } else {
        listen_kernel();
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
            read_kernel();
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
    /* modprobe inherits nothing of s6's readiness */
    if (opt.ready_fd >= 0)
        fcntl(opt.ready_fd, F_SETFD, FD_CLOEXEC);
    if (!realpath(opt.sysfs, sysroot))
        snprintf(sysroot, sizeof sysroot, "%s", opt.sysfs);
    /* the modules first: the USB host controller's may bring the bus */
    if (opt.modules) {
        modules_init();
        if (!opt.once)
            listen_kernel();
        coldplug();
    }
    snprintf(path, sizeof path, "%s/data", opt.udevdir);
    int has_db = access(path, F_OK) == 0, ours = exists(opt.udevdir, "/" MARKER);
    int has_usb = exists(sysroot, "/bus/usb");
    /* asked on a machine only: a container's host udevd is left alone */
    int runs = has_db && !ours && opt.modules && udevd_runs();
    enum udev_role role = udev_role_decide(has_db, ours, runs, opt.modules, has_usb);
    if (role == UDEV_ROLE_CHECK_HOST) {
        check_host();
        ready();
        if (opt.modules && !opt.once)
            run(); /* the modules of the devices still to come */
        return 0;
    }
    if (role == UDEV_ROLE_TAKE_OVER)
        strerr_warni("the udev database in ", opt.udevdir,
                     " is of a udevd that no longer runs (the initramfs's):"
                     " vinit-udevd keeps its USB entries from now on");
    if (role == UDEV_ROLE_NOTHING) {
        strerr_warni("USB passthrough is not available: no udev database in ", opt.udevdir,
                     " and no USB bus in ", sysroot,
                     "; to get it, bind-mount the host's /sys and /dev/bus/usb (or pass"
                     " --device /dev/bus/usb), or the host's /run/udev read-only");
        ready();
        return 0;
    }
    providing = 1;
    provide_setup();
    if (has_usb) {
        int n = scan();
        char num[16];
        snprintf(num, sizeof num, "%d", n);
        strerr_warni("wrote the udev database entries of ", num, " USB devices in ", opt.udevdir);
    } else {
        strerr_warni("no USB bus in ", sysroot, " yet: its entries go to ", opt.udevdir,
                     " when one appears");
    }
    ready();
    if (opt.once)
        return 0;
    announce_open();
    run();
    return 0;
}
