/* SPDX-License-Identifier: ISC */
/* probe: reads the container's facts for doctor. Every probe only looks:
 * devices are opened and closed, nothing is created, changed or mounted,
 * no socket is bound or connected, so vinit doctor is safe to run in a
 * live container at any time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
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

/* 1: a container (container=, /.dockerenv, /run/.containerenv) whose pid
 * namespace is the host's first one (its fixed inode, PROC_PID_INIT_INO);
 * 0: not; -1: unknown */
static int host_pidns(void)
{
    struct stat st;
    char const *c = getenv("container");
    int container =
        (c && c[0]) || access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
    if (stat("/proc/self/ns/pid", &st) < 0)
        return -1;
    return container && st.st_ino == 0xEFFFFFFCu;
}

void probe_world(struct doctor_world *w, char const *libvirt_dir)
{
    unsigned int wants = w->wants;
    memset(w, 0, sizeof *w);
    w->wants = wants;
    w->uid = geteuid();
    w->userns = partial_userns();
    w->host_pidns = host_pidns();
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

/* ---- the tree's TCP ports, and what listens on them ---- */

/* the socket inode of each of w->listeners */
static unsigned long long listener_ino[DOCTOR_LISTENERS_MAX];

static void tree_ports(struct doctor_world *w, struct svtree const *t)
{
    for (unsigned int i = 0; i < t->n; i++) {
        struct svtree_service const *sv = &t->sv[i];
        if (sv->load != SVTREE_WANTED)
            continue;
        for (uint32_t k = sv->listen0; k < sv->listen0 + sv->nlisten; k++) {
            struct svtree_listen const *l = &t->listens[k];
            if ((l->kind != SVPARSE_LISTEN_TCP4 && l->kind != SVPARSE_LISTEN_TCP6) ||
                w->nports >= DOCTOR_PORTS_MAX)
                continue;
            struct doctor_port *p = &w->ports[w->nports++];
            snprintf(p->service, sizeof p->service, "%s", svtree_name(t, i));
            snprintf(p->addr, sizeof p->addr, "%s", svtree_str(t, l->where));
            p->six = l->kind == SVPARSE_LISTEN_TCP6;
            p->port = l->port;
        }
    }
}

static int tree_port(struct doctor_world const *w, unsigned int port)
{
    for (unsigned int i = 0; i < w->nports; i++)
        if (w->ports[i].port == port)
            return 1;
    return 0;
}

/* /proc/net/tcp prints an address as the kernel holds it, each 32-bit word
 * (one for IPv4, four for IPv6) in hex in this machine's byte order:
 * copying the words back gives the address's bytes. IPv4 goes mapped. */
static int hex_address(char const *hex, int six, unsigned char a[16])
{
    size_t words = six ? 4 : 1;
    if (strlen(hex) != words * 8)
        return -1;
    memset(a, 0, 16);
    if (!six)
        a[10] = a[11] = 0xff;
    for (size_t i = 0; i < words; i++) {
        char part[9];
        memcpy(part, hex + i * 8, 8);
        part[8] = 0;
        uint32_t v = (uint32_t) strtoul(part, NULL, 16);
        memcpy(a + (six ? i * 4 : 12), &v, 4);
    }
    return 0;
}

/* The LISTEN sockets of a /proc/net/tcp file on the tree's ports. */
static int read_tcp(struct doctor_world *w, char const *path, int six)
{
    char line[512];
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        char local[40];
        unsigned int port, state;
        unsigned long long ino;
        /* "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode" */
        if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*s %*s %llu", local, &port,
                   &state, &ino) != 4 ||
            state != 0x0A /* TCP_LISTEN */ || !tree_port(w, port) ||
            w->nlisteners >= DOCTOR_LISTENERS_MAX)
            continue;
        struct doctor_listener *l = &w->listeners[w->nlisteners];
        if (hex_address(local, six, l->addr) < 0)
            continue;
        l->six = six;
        l->port = port;
        listener_ino[w->nlisteners++] = ino;
    }
    fclose(f);
    return 0;
}

/* The vinit beside this vinit-doctor (they are installed together). */
static int vinit_beside(struct stat *st)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 7);
    if (n <= 0)
        return 0;
    path[n] = 0;
    char *slash = strrchr(path, '/');
    if (!slash)
        return 0;
    strcpy(slash + 1, "vinit");
    return stat(path, st) == 0;
}

/* Is pid vinit? PID 1 (the container's init), the doctor's parent (vinit
 * at start), or a process running the vinit installed beside the doctor
 * (vinit as a subreaper, seen from vinit doctor). */
static int is_vinit(pid_t pid, struct stat const *vinit)
{
    char path[64];
    struct stat st;
    if (pid == 1 || pid == getppid())
        return 1;
    snprintf(path, sizeof path, "/proc/%d/exe", (int) pid);
    return vinit && stat(path, &st) == 0 && st.st_dev == vinit->st_dev &&
           st.st_ino == vinit->st_ino;
}

static void holder_comm(struct doctor_listener *l, pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int) pid);
    l->pid = (int) pid;
    snprintf(l->comm, sizeof l->comm, "?");
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(l->comm, sizeof l->comm, f))
        l->comm[strcspn(l->comm, "\n")] = 0;
    fclose(f);
}

/* The listeners' holders among the fds of one process. */
static void holders_of(struct doctor_world *w, pid_t pid, struct stat const *vinit)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int) pid);
    DIR *d = opendir(path);
    if (!d)
        return; /* gone, or not ours to look at */
    int me = -1;
    for (struct dirent *e; (e = readdir(d));) {
        char link[64];
        unsigned long long ino;
        ssize_t n = readlinkat(dirfd(d), e->d_name, link, sizeof link - 1);
        if (n <= 0)
            continue;
        link[n] = 0;
        if (sscanf(link, "socket:[%llu]", &ino) != 1)
            continue;
        for (unsigned int k = 0; k < w->nlisteners; k++) {
            struct doctor_listener *l = &w->listeners[k];
            if (listener_ino[k] != ino)
                continue;
            if (me < 0)
                me = is_vinit(pid, vinit);
            if (me)
                l->vinit = 1;
            else if (!l->pid)
                holder_comm(l, pid);
        }
    }
    closedir(d);
}

static void find_holders(struct doctor_world *w)
{
    struct stat vinit;
    int have = vinit_beside(&vinit);
    DIR *d = opendir("/proc");
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == (long) getpid())
            continue;
        holders_of(w, (pid_t) pid, have ? &vinit : NULL);
    }
    closedir(d);
}

void probe_ports(struct doctor_world *w, struct svtree const *t)
{
    w->nports = w->nlisteners = 0;
    tree_ports(w, t);
    if (!w->nports)
        return;
    /* this network namespace's, as /proc/net is the reader's */
    int v4 = read_tcp(w, "/proc/net/tcp", 0);
    int v6 = read_tcp(w, "/proc/net/tcp6", 1);
    w->tcp_known = v4 == 0 || v6 == 0; /* no IPv6 in the kernel: no tcp6 */
    if (w->nlisteners)
        find_holders(w);
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
