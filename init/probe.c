/* SPDX-License-Identifier: ISC */
/* probe: reads the container's facts for doctor. Every probe only looks:
 * devices are opened and closed, nothing is created, changed or mounted,
 * so vinit doctor is safe to run in a live container at any time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>
#include <linux/kvm.h>
#include <linux/magic.h>

#include "net.h"
#include "probe.h"

static void read_caps(struct doctor_world *w)
{
    capng_clear(CAPNG_SELECT_BOTH);
    if (capng_get_caps_process() < 0)
        return;
    w->caps_known = 1;
    for (unsigned int c = 0; c <= CAP_LAST_CAP && c < 64; c++)
        if (capng_have_capability(CAPNG_EFFECTIVE, c) == 1)
            w->caps |= UINT64_C(1) << c;
}

/* rootless: the user namespace maps only part of the ids (the initial one
 * maps "0 0 4294967295") */
static int partial_userns(void)
{
    unsigned long inside, outside, count;
    FILE *f = fopen("/proc/self/uid_map", "re");
    if (!f)
        return 0;
    int n = fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
    fclose(f);
    return n == 3 && !(inside == 0 && outside == 0 && count == 4294967295UL);
}

/* 1 a character device that opens read-write (and passes works(fd) when
 * given), -1 one that does not, 0 none */
static int device(char const *path, gid_t *gid, mode_t *mode, int (*works)(int fd))
{
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
        return 0;
    if (gid)
        *gid = st.st_gid;
    if (mode)
        *mode = st.st_mode & 07777;
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    int ok = !works || works(fd);
    close(fd);
    return ok ? 1 : -1;
}

/* A /dev/kvm that opens can still be useless (the module loaded on a CPU
 * without virtualisation, or nested virtualisation off): qemu would fall
 * back to TCG. Making a VM, and closing it at once, is the real question. */
static int kvm_makes_vms(int fd)
{
    int vm =
        ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION ? ioctl(fd, KVM_CREATE_VM, 0) : -1;
    if (vm >= 0)
        close(vm);
    return vm >= 0;
}

static void read_kvm(struct doctor_world *w)
{
    w->kvm = device("/dev/kvm", &w->kvm_gid, &w->kvm_mode, kvm_makes_vms);
    struct group *g = getgrnam("kvm");
    if (g)
        w->image_kvm_group = 1, w->image_kvm_gid = g->gr_gid;
}

/* the root (4th field of mountinfo) of what is mounted at MOUNTPOINT: a
 * cgroup tree mounted from a cgroup down, without a cgroup namespace
 * (podman --privileged on cgroup v1), has the container's cgroup there */
static void mount_root(char const *mountpoint, char *root, size_t size)
{
    char line[1024];
    snprintf(root, size, "/");
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char r[512], m[512];
        if (sscanf(line, "%*s %*s %*s %511s %511s", r, m) == 2 && !strcmp(m, mountpoint))
            snprintf(root, size, "%s", r); /* the last mount there wins */
    }
    fclose(f);
}

/* our own cgroup's directory: v2's "0::/path", else v1's memory line, less
 * the root of the tree mounted at the cgroup mount point (libvirt too finds
 * its cgroup so) */
static void own_cgroup(char *dir, size_t size, int v2)
{
    char line[512], root[512];
    char const *mnt = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    snprintf(dir, size, "%s", mnt);
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return;
    mount_root(mnt, root, sizeof root);
    size_t rl = strcmp(root, "/") ? strlen(root) : 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char const *path = v2 ? (strncmp(line, "0::", 3) ? NULL : line + 3)
                              : (strstr(line, ":memory:") ? strstr(line, ":memory:") + 8 : NULL);
        if (path) {
            if (rl && !strncmp(path, root, rl) && (path[rl] == '/' || !path[rl]))
                path += rl;
            snprintf(dir, size, "%s%s", mnt, path);
            break;
        }
    }
    fclose(f);
}

static int writable(char const *path)
{
    struct statvfs sv;
    return statvfs(path, &sv) == 0 && !(sv.f_flag & ST_RDONLY) && access(path, W_OK) == 0;
}

/* 1 writable, 0 read-only, -1 missing: our cgroup is not where
 * /proc/self/cgroup and the mount's root say */
static int cgroup_state(char const *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0)
        return errno == ENOENT ? -1 : 0;
    return writable(dir);
}

static void read_cgroup(struct doctor_world *w)
{
    struct statfs fs;
    char dir[600];
    if (statfs("/sys/fs/cgroup", &fs) < 0)
        return;
    if (fs.f_type == CGROUP2_SUPER_MAGIC)
        w->cgroup = DOCTOR_CGROUP_V2;
    else if (fs.f_type == TMPFS_MAGIC)
        w->cgroup = statfs("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC
                        ? DOCTOR_CGROUP_HYBRID
                        : DOCTOR_CGROUP_V1;
    else
        return;
    own_cgroup(dir, sizeof dir, w->cgroup == DOCTOR_CGROUP_V2);
    w->cgroup_writable = cgroup_state(dir);
}

static void read_hugepages(struct doctor_world *w)
{
    char line[256];
    w->hugepages = -1;
    FILE *f = fopen("/proc/meminfo", "re");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "HugePages_Total:", 16))
                w->hugepages = strtol(line + 16, NULL, 10);
        fclose(f);
    }
    if ((f = fopen("/proc/self/mounts", "re"))) {
        while (fgets(line, sizeof line, f))
            if (strstr(line, " hugetlbfs "))
                w->hugetlbfs = 1;
        fclose(f);
    }
}

static void read_udev(struct doctor_world *w)
{
    w->sys_bus_usb = access("/sys/bus/usb", F_OK) == 0;
    DIR *d = opendir("/run/udev/data");
    if (!d) {
        w->run_udev = errno == ENOENT && access("/run/udev", F_OK) < 0 ? 0 : -1;
        return;
    }
    w->run_udev = -1;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') {
            w->run_udev = 1;
            break;
        }
    closedir(d);
}

struct bridge_source {
    struct doctor_world *w;
    char from[64];
};

static void add_bridge(char const *name, void *arg)
{
    struct bridge_source *s = arg;
    struct doctor_world *w = s->w;
    if (!netspec_name_ok(name) || w->nbridges >= DOCTOR_BRIDGES_MAX)
        return;
    for (unsigned int i = 0; i < w->nbridges; i++)
        if (!strcmp(w->bridges[i].name, name))
            return;
    struct doctor_bridge *b = &w->bridges[w->nbridges++];
    snprintf(b->name, sizeof b->name, "%s", name);
    snprintf(b->from, sizeof b->from, "%s", s->from);
}

/* every *.xml of dir, read whole (libvirt's are a few KiB) */
static void scan_xml(struct doctor_world *w, char const *dir, char const *kind)
{
    static char xml[65536];
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        char path[4096];
        if (n < 5 || strcmp(e->d_name + n - 4, ".xml"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t r = read(fd, xml, sizeof xml - 1);
        close(fd);
        if (r <= 0)
            continue;
        xml[r] = 0;
        struct bridge_source s = {.w = w};
        snprintf(s.from, sizeof s.from, "%s %.*s", kind, (int) (n - 4), e->d_name);
        doctor_xml_bridges(xml, add_bridge, &s);
    }
    closedir(d);
}

static void read_network(struct doctor_world *w, char const *libvirt_dir)
{
    char dir[4096];
    char const *want = getenv("VINIT_BRIDGE");
    struct netspec_bridge spec;
    char const *why;
    if (want && *want && netspec_bridge_parse(want, &spec, &why) == 0) {
        struct bridge_source s = {.w = w, .from = "VINIT_BRIDGE"};
        add_bridge(spec.name, &s);
    }
    snprintf(dir, sizeof dir, "%s/qemu", libvirt_dir);
    scan_xml(w, dir, "guest");
    snprintf(dir, sizeof dir, "%s/qemu/networks", libvirt_dir);
    scan_xml(w, dir, "network");
    w->has_ipv4 = net_has_ipv4();
    w->netlink = w->has_ipv4 >= 0;
    for (unsigned int i = 0; w->netlink && i < w->nbridges; i++)
        if (net_link_get(w->bridges[i].name, &w->bridges[i].link) < 0)
            w->netlink = 0;
}

void probe_world(struct doctor_world *w, char const *libvirt_dir)
{
    unsigned int wants = w->wants;
    memset(w, 0, sizeof *w);
    w->wants = wants;
    w->uid = geteuid();
    w->userns = partial_userns();
    read_caps(w);
    read_kvm(w);
    w->tun = device("/dev/net/tun", NULL, NULL, NULL);
    w->vhost_net = device("/dev/vhost-net", NULL, NULL, NULL);
    read_cgroup(w);
    w->proc_sys_ro = !writable("/proc/sys/net/ipv4/ip_forward") && !writable("/proc/sys/net");
    read_network(w, libvirt_dir);
    read_hugepages(w);
    read_udev(w);
}

unsigned int probe_wants(struct svsrc_tree const *t, char const *srcdir)
{
    static struct {
        char const *word;
        unsigned int bit;
    } const daemons[] = {
        {"libvirtd", DOCTOR_LIBVIRT},
        {"nmbd", DOCTOR_NMBD},
        {"sshd", DOCTOR_SSHD},
        {"smbd", DOCTOR_SMBD},
    };
    unsigned int wants = 0;
    char const *bridge = getenv("VINIT_BRIDGE");
    if (bridge && *bridge)
        wants |= DOCTOR_BRIDGE;
    for (unsigned int i = 0; i < t->n; i++) {
        struct svsrc_service const *sv = &t->sv[i];
        if (sv->disabled || sv->is_template)
            continue;
        if (sv->user[0] || sv->has_caps)
            wants |= DOCTOR_USERS;
        for (size_t k = 0; k < sizeof daemons / sizeof *daemons; k++)
            if (!(wants & daemons[k].bit) && svsrc_mentions(srcdir, sv, daemons[k].word))
                wants |= daemons[k].bit;
    }
    return wants;
}
