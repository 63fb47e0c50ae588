/* SPDX-License-Identifier: ISC */
/* doctor: turns the facts of a doctor_world into findings. Each finding
 * names what breaks in words a user has seen in libvirt's log (TCG, "Cannot
 * get interface MTU", capng_apply) and the flag, device or capability that
 * fixes it. A problem only matters when the service tree runs something it
 * breaks: otherwise it is told as information, so that vinit at start stays
 * quiet in a container that runs no libvirt. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/capability.h>

#include "doctor.h"

char const *doctor_status_name(enum doctor_status s)
{
    static char const *const names[] = {"ok", "info", "warn", "error"};
    return names[s];
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
text(char *to, size_t size, char const *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(to, size, fmt, ap);
    va_end(ap);
}
#define WHAT(f, ...) text((f)->what, sizeof(f)->what, __VA_ARGS__)
#define FIX(f, ...)  text((f)->fix, sizeof(f)->fix, __VA_ARGS__)

/* A new finding; a problem nothing in the tree needs is only information
 * (needs 0: it always matters, as a bridge something names). */
static struct doctor_finding *add(struct doctor_report *r, struct doctor_world const *w,
                                  char const *check, enum doctor_status s, unsigned int needs)
{
    static struct doctor_finding spare;
    struct doctor_finding *f = r->n < DOCTOR_FINDINGS_MAX ? &r->f[r->n++] : &spare;
    memset(f, 0, sizeof *f);
    f->check = check;
    f->status = s >= DOCTOR_WARN && needs && !(needs & w->wants) ? DOCTOR_INFO : s;
    return f;
}

static void check_user(struct doctor_world const *w, struct doctor_report *r)
{
    if (w->uid != 0) {
        struct doctor_finding *f =
            add(r, w, "user", DOCTOR_WARN,
                DOCTOR_LIBVIRT | DOCTOR_USERS | DOCTOR_BRIDGE | DOCTOR_SSHD | DOCTOR_SMBD);
        WHAT(f,
             "vinit runs as uid %u, not root, without capabilities: services cannot change "
             "user or capabilities, "
             "directories keep their owner, nothing is unmounted at stop, no bridge is made",
             (unsigned int) w->uid);
        FIX(f, "run the container as root (docker/podman without --user; rootless podman "
               "already maps root to your own user)");
    } else if (w->userns) {
        struct doctor_finding *f = add(r, w, "user", DOCTOR_INFO, 0);
        WHAT(f, "root in a user namespace (rootless): devices and host-wide settings "
                "stay out of reach");
    }
}

struct cap_need {
    int cap;
    char const *check;
    unsigned int needs;
    enum doctor_status missing;
    char const *breaks;
    char const *flag;
};

static struct cap_need const cap_needs[] = {
    {CAP_SETPCAP, "cap_setpcap", DOCTOR_LIBVIRT | DOCTOR_USERS, DOCTOR_WARN,
     "libvirtd fails in capng_apply when it starts a guest; capabilities files cannot be applied",
     "SETPCAP"},
    {CAP_SYS_ADMIN, "cap_sys_admin", DOCTOR_LIBVIRT, DOCTOR_WARN,
     "libvirtd cannot give guests their own /dev (set namespaces = [ ] in qemu.conf); vinit "
     "cannot mount a tmpfs on a read-only /run nor unmount at stop",
     "SYS_ADMIN"},
    {CAP_NET_ADMIN, "cap_net_admin", DOCTOR_LIBVIRT | DOCTOR_BRIDGE, DOCTOR_WARN,
     "libvirt cannot create tap devices or start its networks; VINIT_BRIDGE cannot be made",
     "NET_ADMIN"},
    {CAP_SETUID, "cap_setuid", DOCTOR_LIBVIRT | DOCTOR_USERS | DOCTOR_SSHD, DOCTOR_WARN,
     "services with a user file, sshd logins and libvirt's qemu user cannot change user", "SETUID"},
    {CAP_SETGID, "cap_setgid", DOCTOR_LIBVIRT | DOCTOR_USERS | DOCTOR_SSHD, DOCTOR_WARN,
     "services with a user file, sshd logins and libvirt's qemu user cannot change group",
     "SETGID"},
    {CAP_CHOWN, "cap_chown", DOCTOR_LIBVIRT | DOCTOR_USERS, DOCTOR_WARN,
     "libvirt cannot hand disk images to the qemu user; directories files cannot set owners",
     "CHOWN"},
    {CAP_DAC_OVERRIDE, "cap_dac_override", DOCTOR_LIBVIRT, DOCTOR_WARN,
     "libvirtd cannot open files other users own (images, sockets)", "DAC_OVERRIDE"},
    {CAP_FOWNER, "cap_fowner", DOCTOR_LIBVIRT, DOCTOR_WARN,
     "libvirt cannot change the mode of files it does not own", "FOWNER"},
    {CAP_KILL, "cap_kill", DOCTOR_USERS, DOCTOR_WARN,
     "vinit cannot stop processes that run as other users", "KILL"},
    {CAP_MKNOD, "cap_mknod", DOCTOR_LIBVIRT, DOCTOR_WARN,
     "libvirt cannot build a guest's /dev; vinit-udevd cannot make /dev/bus/usb nodes", "MKNOD"},
    {CAP_NET_BIND_SERVICE, "cap_net_bind_service", DOCTOR_SSHD | DOCTOR_SMBD, DOCTOR_WARN,
     "sshd cannot listen on port 22, smbd on 139 and 445", "NET_BIND_SERVICE"},
    {CAP_SYS_CHROOT, "cap_sys_chroot", DOCTOR_SSHD, DOCTOR_WARN,
     "sshd's privilege separation (a chroot) fails", "SYS_CHROOT"},
    {CAP_SYS_RESOURCE, "cap_sys_resource", DOCTOR_LIBVIRT | DOCTOR_USERS, DOCTOR_INFO,
     "hard rlimits cannot be raised (rlimits files warn); qemu cannot raise its locked memory",
     "SYS_RESOURCE"},
    {CAP_IPC_LOCK, "cap_ipc_lock", DOCTOR_LIBVIRT, DOCTOR_INFO,
     "guests with locked memory, hugepages or passed-through PCI devices fail", "IPC_LOCK"},
    {CAP_SYS_NICE, "cap_sys_nice", DOCTOR_LIBVIRT, DOCTOR_INFO,
     "guests' <cputune> scheduler settings and I/O priorities cannot be set", "SYS_NICE"},
};

static void check_caps(struct doctor_world const *w, struct doctor_report *r)
{
    if (w->uid != 0)
        return; /* a user has none: the user finding says what that turns off */
    if (!w->caps_known) {
        struct doctor_finding *f = add(r, w, "capabilities", DOCTOR_WARN, 0);
        WHAT(f, "the capabilities of vinit could not be read from /proc/self/status");
        return;
    }
    unsigned int missing = 0;
    for (size_t i = 0; i < sizeof cap_needs / sizeof *cap_needs; i++) {
        struct cap_need const *c = &cap_needs[i];
        if (w->caps & (UINT64_C(1) << c->cap))
            continue;
        missing++;
        struct doctor_finding *f = add(r, w, c->check, c->missing, c->needs);
        WHAT(f, "no CAP_%s: %s", c->flag, c->breaks);
        FIX(f,
            "docker/podman: --cap-add=%s; nspawn: --capability=CAP_%s; Kubernetes: "
            "securityContext.capabilities.add [%s]",
            c->flag, c->flag, c->flag);
    }
    if (!missing) {
        struct doctor_finding *f = add(r, w, "capabilities", DOCTOR_OK, 0);
        WHAT(f, "every capability the services use is there");
    }
}

static void check_kvm(struct doctor_world const *w, struct doctor_report *r)
{
    struct doctor_finding *f;
    if (w->kvm <= 0) {
        f = add(r, w, "kvm", DOCTOR_WARN, DOCTOR_LIBVIRT);
        WHAT(f, "%s: guests run under TCG emulation, many times slower (<domain type='qemu'>)",
             w->kvm ? "/dev/kvm is there but cannot be opened or make a VM" : "no /dev/kvm");
        FIX(f, "docker/podman: --device /dev/kvm; nspawn: --bind=/dev/kvm "
               "--property=DeviceAllow='/dev/kvm rw'; Kubernetes: a KVM device plugin");
    } else if ((w->kvm_mode & 0006) == 0006) {
        f = add(r, w, "kvm", DOCTOR_OK, 0);
        WHAT(f, "/dev/kvm is usable by everyone (mode %04o): guests get hardware acceleration",
             (unsigned int) w->kvm_mode);
    } else if ((w->kvm_mode & 0060) != 0060) {
        /* libvirt runs qemu as libvirt-qemu: the owner's bits are root's */
        f = add(r, w, "kvm", DOCTOR_WARN, DOCTOR_LIBVIRT);
        WHAT(f,
             "/dev/kvm (mode %04o) is for its owner only: qemu, which libvirt runs as "
             "libvirt-qemu, cannot use it; guests run under TCG emulation",
             (unsigned int) w->kvm_mode);
        FIX(f, "on the host, give /dev/kvm to a group with read-write (Debian's udev rule makes "
               "it root:kvm 0660); the container's node keeps the host's mode");
    } else if (w->kvm_gid == 0) {
        /* joining root's group would give qemu far more than /dev/kvm */
        f = add(r, w, "kvm", DOCTOR_WARN, DOCTOR_LIBVIRT);
        WHAT(f, "/dev/kvm belongs to group root: the qemu user is not made a member of root's "
                "group for it; guests run under TCG emulation");
        FIX(f, "on the host, give /dev/kvm to its kvm group (Debian's udev rule: root:kvm "
               "0660); the container's node keeps the host's group id");
    } else if (w->image_kvm_group && w->image_kvm_gid != w->kvm_gid) {
        f = add(r, w, "kvm", DOCTOR_INFO, DOCTOR_LIBVIRT);
        WHAT(f,
             "/dev/kvm belongs to group %u, the image's kvm group is %u: the qemu user is "
             "given group %u; the host's node is never chowned",
             (unsigned int) w->kvm_gid, (unsigned int) w->image_kvm_gid, (unsigned int) w->kvm_gid);
    } else {
        f = add(r, w, "kvm", DOCTOR_OK, 0);
        WHAT(f, "/dev/kvm is usable: guests get hardware acceleration");
    }
}

static void check_device(struct doctor_world const *w, struct doctor_report *r, int state,
                         char const *check, char const *node, enum doctor_status missing,
                         char const *breaks)
{
    struct doctor_finding *f = add(r, w, check, state > 0 ? DOCTOR_OK : missing, DOCTOR_LIBVIRT);
    if (state > 0) {
        WHAT(f, "%s is usable", node);
        return;
    }
    WHAT(f, "%s %s: %s", node, state ? "cannot be opened" : "is missing", breaks);
    FIX(f, "docker/podman: --device %s; nspawn: --bind=%s --property=DeviceAllow='%s rw'", node,
        node, node);
}

static void check_cgroup(struct doctor_world const *w, struct doctor_report *r)
{
    static char const *const names[] = {"no cgroup file system", "cgroup v1", "hybrid cgroups",
                                        "cgroup v2"};
    struct doctor_finding *f;
    if (w->cgroup != DOCTOR_CGROUP_NONE && w->cgroup_writable > 0) {
        f = add(r, w, "cgroups", DOCTOR_OK, 0);
        WHAT(f, "%s, writable: libvirt can put guests in cgroups", names[w->cgroup]);
        return;
    }
    f = add(r, w, "cgroups", DOCTOR_WARN, DOCTOR_LIBVIRT);
    WHAT(f, "%s%s: libvirt cannot put guests in cgroups (no per-guest CPU or memory limits)",
         names[w->cgroup],
         w->cgroup == DOCTOR_CGROUP_NONE ? ""
         : w->cgroup_writable < 0        ? ", our cgroup not found under /sys/fs/cgroup"
                                         : ", read-only");
    FIX(f, "set cgroup_controllers = [ ] in /etc/libvirt/qemu.conf (the shipped libvirtd "
           "service does), or give the container a writable cgroup of its own (cgroup v2 "
           "with --cgroupns=private, or --privileged)");
}

static void check_proc_sys(struct doctor_world const *w, struct doctor_report *r)
{
    struct doctor_finding *f;
    if (!w->proc_sys_ro) {
        f = add(r, w, "proc_sys", DOCTOR_OK, 0);
        WHAT(f, "/proc/sys is writable: libvirt's NAT network can start");
        return;
    }
    f = add(r, w, "proc_sys", DOCTOR_WARN, DOCTOR_LIBVIRT);
    WHAT(f, "/proc/sys is read-only: libvirt's NAT network (default) cannot start (it writes "
            "/proc/sys/net/...): a network marked autostart fails at libvirtd's start (the "
            "image's LIBVIRT_DEFAULT_NETWORK=auto leaves it off here; =on marks it anyway)");
    FIX(f, "give guests a bridge instead (VINIT_BRIDGE in a private network namespace, or a "
           "host bridge with --network=host), or run --privileged");
}

static void check_bridge(struct doctor_world const *w, struct doctor_report *r,
                         struct doctor_bridge const *b)
{
    struct doctor_finding *f;
    if (!b->link.exists) {
        f = add(r, w, "bridge", DOCTOR_ERROR, 0);
        WHAT(f,
             "%s needs bridge %s, which is not in this network namespace: guests on it fail "
             "with \"Cannot get interface MTU on '%s'\"",
             b->from, b->name, b->name);
        FIX(f,
            "--network=host to use the host's %s, or VINIT_BRIDGE=%s[,address/prefix] to "
            "make it in the container's own namespace",
            b->name, b->name);
    } else if (!b->link.is_bridge) {
        f = add(r, w, "bridge", DOCTOR_ERROR, 0);
        WHAT(f, "%s needs bridge %s, but %s is not a bridge", b->from, b->name, b->name);
        FIX(f, "name a bridge, or remove the interface %s", b->name);
    } else if (!b->link.up) {
        f = add(r, w, "bridge", DOCTOR_WARN, 0);
        WHAT(f, "bridge %s (for %s) is down, MTU %u: guests on it have no network", b->name,
             b->from, b->link.mtu);
        FIX(f, "ip link set %s up", b->name);
    } else {
        f = add(r, w, "bridge", DOCTOR_OK, 0);
        WHAT(f, "bridge %s (for %s) is here and up, MTU %u", b->name, b->from, b->link.mtu);
    }
}

static void check_network(struct doctor_world const *w, struct doctor_report *r)
{
    struct doctor_finding *f;
    if (!w->netlink) {
        f = add(r, w, "network", DOCTOR_WARN, 0);
        WHAT(f, "netlink cannot be asked: bridges and interfaces are not checked");
        return;
    }
    for (unsigned int i = 0; i < w->nbridges; i++)
        check_bridge(w, r, &w->bridges[i]);
    if (w->has_ipv4) {
        f = add(r, w, "ipv4", DOCTOR_OK, 0);
        WHAT(f, "an IPv4 interface other than loopback is there (nmbd broadcasts on it)");
        return;
    }
    f = add(r, w, "ipv4", DOCTOR_WARN, DOCTOR_NMBD);
    WHAT(f, "no IPv4 address outside loopback: nmbd exits at start (no interface to broadcast on)");
    FIX(f, "give the container a network (not --network=none), or switch nmbd off");
}

static void check_hugepages(struct doctor_world const *w, struct doctor_report *r)
{
    struct doctor_finding *f;
    if (w->hugepages > 0 && w->hugetlbfs) {
        f = add(r, w, "hugepages", DOCTOR_OK, 0);
        WHAT(f, "%ld hugepages reserved, hugetlbfs mounted", w->hugepages);
        return;
    }
    f = add(r, w, "hugepages", DOCTOR_INFO, 0);
    if (w->hugepages > 0) {
        WHAT(f, "%ld hugepages reserved, but no hugetlbfs mounted: guests with <hugepages/> fail",
             w->hugepages);
        FIX(f, "mount the host's /dev/hugepages into the container (-v "
               "/dev/hugepages:/dev/hugepages)");
    } else {
        WHAT(f, "no hugepages reserved: guests with <hugepages/> fail (others are fine)");
        FIX(f, "reserve them on the host (sysctl vm.nr_hugepages=N) and mount /dev/hugepages "
               "into the container");
    }
}

static void check_udev(struct doctor_world const *w, struct doctor_report *r)
{
    struct doctor_finding *f;
    if (w->run_udev > 0) {
        f = add(r, w, "udev", DOCTOR_OK, 0);
        WHAT(f, "/run/udev holds a udev database: libvirt can pass USB devices through");
    } else if (w->run_udev < 0) {
        f = add(r, w, "udev", DOCTOR_WARN, DOCTOR_LIBVIRT);
        WHAT(f, "/run/udev is there but holds no readable database: libvirt fails with "
                "\"Missing udev property 'ID_VENDOR_ID'\"");
        FIX(f, "bind-mount the host's /run/udev read-only, or leave /run/udev out and run "
               "vinit-udevd");
    } else if (w->sys_bus_usb) {
        f = add(r, w, "udev", DOCTOR_INFO, 0);
        WHAT(f, "no udev database: vinit-udevd provides the USB entries from /sys");
    } else {
        f = add(r, w, "udev", DOCTOR_INFO, 0);
        WHAT(f, "no USB here (no /sys/bus/usb, no /run/udev): USB passthrough is off");
        FIX(f, "bind-mount the host's /dev/bus/usb and /run/udev (read-only), or /sys/bus/usb "
               "with vinit-udevd");
    }
}

/* An address as bind sees it: IPv4 (a mapped IPv6 one is IPv4) or IPv6,
 * a wildcard or one address. */
struct where {
    int four, any;
    unsigned char a[16];
};

static void where_of(unsigned char const a[16], int six, struct where *w)
{
    static unsigned char const mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static unsigned char const zero[16];
    memcpy(w->a, a, 16);
    w->four = !six || !memcmp(a, mapped, 12);
    w->any = w->four ? !memcmp(a + 12, zero, 4) : !memcmp(a, zero, 16);
}

/* the line's address; 0 when it is not one (the loader refuses those) */
static int line_where(struct doctor_port const *p, struct where *w)
{
    unsigned char a[16] = {0};
    if (p->six)
        return inet_pton(AF_INET6, p->addr, a) == 1 ? (where_of(a, 1, w), 1) : 0;
    a[10] = a[11] = 0xff;
    if (*p->addr && inet_pton(AF_INET, p->addr, a + 12) != 1)
        return 0;
    where_of(a, 0, w);
    return 1;
}

int doctor_port_clash(struct doctor_port const *p, struct doctor_listener const *l)
{
    struct where mine, theirs;
    if (p->port != l->port || !line_where(p, &mine))
        return 0;
    where_of(l->addr, l->six, &theirs);
    if (mine.four == theirs.four)
        return mine.any || theirs.any || !memcmp(mine.a, theirs.a, 16);
    /* one side IPv4, the other IPv6: only a wildcard :: takes both */
    return mine.four ? theirs.any : mine.any;
}

/* tcp:PORT, tcp:ADDRESS:PORT, tcp:[ADDRESS]:PORT, as the listen line */
static void port_text(char *to, size_t size, struct doctor_port const *p)
{
    snprintf(to, size, "tcp:%s%s%s%s%u", p->six ? "[" : "", p->addr, p->six ? "]" : "",
             *p->addr ? ":" : "", p->port);
}

/* The first listener on p's address that is not vinit's own, or NULL. */
static struct doctor_listener const *taker(struct doctor_world const *w,
                                           struct doctor_port const *p)
{
    for (unsigned int k = 0; k < w->nlisteners; k++)
        if (!w->listeners[k].vinit && doctor_port_clash(p, &w->listeners[k]))
            return &w->listeners[k];
    return NULL;
}

static void port_taken(struct doctor_world const *w, struct doctor_report *r,
                       struct doctor_port const *p, struct doctor_listener const *l)
{
    char line[160], who[64] = "";
    struct doctor_finding *f = add(r, w, "port", DOCTOR_ERROR, 0);
    port_text(line, sizeof line, p);
    if (l->pid > 0)
        snprintf(who, sizeof who, "%s (pid %d)", l->comm, l->pid);
    WHAT(f,
         "port %u (%s of service %s) is taken by %s: vinit cannot listen on it, so %s "
         "does not start (unable to listen)",
         p->port, line, p->service,
         l->pid > 0 ? who
                    : "a process outside this container (the host's, or another "
                      "container's sharing its network)",
         p->service);
    if (l->pid > 0)
        FIX(f, "stop %s or move it to another port, or give %s another port in its listen file",
            who, p->service);
    else
        FIX(f,
            "find it on the host (ss -ltnp 'sport = :%u') and stop it, give %s another port "
            "in its listen file, or give the container a network of its own (not --network "
            "host)",
            p->port, p->service);
}

/* Each TCP port of the tree that something other than vinit listens on;
 * else one line that they are clear. */
static void check_ports(struct doctor_world const *w, struct doctor_report *r)
{
    struct doctor_finding *f;
    if (!w->nports)
        return;
    if (!w->tcp_known) {
        f = add(r, w, "port", DOCTOR_WARN, 0);
        WHAT(f, "/proc/net/tcp cannot be read: the TCP ports of the services are not checked");
        return;
    }
    unsigned int taken = 0;
    for (unsigned int i = 0; i < w->nports; i++) {
        struct doctor_listener const *l = taker(w, &w->ports[i]);
        if (l)
            port_taken(w, r, &w->ports[i], l), taken++;
    }
    if (taken)
        return;
    f = add(r, w, "port", DOCTOR_OK, 0);
    size_t n = (size_t) snprintf(f->what, sizeof f->what,
                                 "the TCP ports of the services are "
                                 "free or vinit's own:");
    for (unsigned int i = 0; i < w->nports && n < sizeof f->what; i++)
        n += (size_t) snprintf(f->what + n, sizeof f->what - n, "%s %u (%s)", i ? "," : "",
                               w->ports[i].port, w->ports[i].service);
}

/* --pid host: the runtime signals every process of the container at its
 * stop, guests included, before vinit's ordered stop reaches them */
static void check_pidns(struct doctor_world const *w, struct doctor_report *r)
{
    struct doctor_finding *f;
    if (w->host_pidns < 0)
        return;
    if (!w->host_pidns) {
        f = add(r, w, "pidns", DOCTOR_OK, 0);
        WHAT(f, "the container has a pid namespace of its own");
        return;
    }
    f = add(r, w, "pidns", DOCTOR_WARN, DOCTOR_LIBVIRT);
    WHAT(f, "the container shares the host's pid namespace (--pid host): at its stop the runtime "
            "signals every process of the container itself, so running guests are killed "
            "(qemu: terminating on signal 15) before vinit's ordered stop can shut them down, "
            "and vinit is not PID 1");
    FIX(f, "run it with a pid namespace of its own: drop --pid=host (docker, podman) or "
           "hostPID: true (Kubernetes)");
}

void doctor_judge(struct doctor_world const *w, struct doctor_report *r)
{
    r->n = 0;
    check_user(w, r);
    check_caps(w, r);
    check_kvm(w, r);
    check_device(w, r, w->tun, "tun", "/dev/net/tun", DOCTOR_WARN,
                 "guests cannot have tap network interfaces (bridge or network type)");
    check_device(w, r, w->vhost_net, "vhost_net", "/dev/vhost-net", DOCTOR_INFO,
                 "virtio-net runs its data path inside qemu, slower");
    check_cgroup(w, r);
    check_proc_sys(w, r);
    check_network(w, r);
    check_hugepages(w, r);
    check_udev(w, r);
    check_ports(w, r);
    check_pidns(w, r);
}

enum doctor_status doctor_worst(struct doctor_report const *r)
{
    enum doctor_status worst = DOCTOR_OK;
    for (unsigned int i = 0; i < r->n; i++)
        if (r->f[i].status > worst)
            worst = r->f[i].status;
    return worst;
}

void doctor_print_table(FILE *out, struct doctor_report const *r)
{
    fprintf(out, "%-20s %-6s %s\n", "CHECK", "STATUS", "FINDING");
    for (unsigned int i = 0; i < r->n; i++) {
        struct doctor_finding const *f = &r->f[i];
        fprintf(out, "%-20s %-6s %s\n", f->check, doctor_status_name(f->status), f->what);
        if (f->fix[0])
            fprintf(out, "%-27s fix: %s\n", "", f->fix);
    }
}

static void json_string(FILE *out, char const *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void doctor_print_json(FILE *out, struct doctor_report const *r)
{
    fputs("{\"findings\":[", out);
    for (unsigned int i = 0; i < r->n; i++) {
        struct doctor_finding const *f = &r->f[i];
        fprintf(out, "%s{\"check\":", i ? "," : "");
        json_string(out, f->check);
        fprintf(out, ",\"status\":\"%s\",\"what\":", doctor_status_name(f->status));
        json_string(out, f->what);
        fputs(",\"fix\":", out);
        if (f->fix[0])
            json_string(out, f->fix);
        else
            fputs("null", out);
        fputc('}', out);
    }
    fprintf(out, "],\"worst\":\"%s\"}\n", doctor_status_name(doctor_worst(r)));
}

/* The value of attribute attr inside the tag that starts at tag (up to its
 * '>'), copied into to: 1 when found. */
static int attribute(char const *tag, char const *attr, char *to, size_t size)
{
    char const *end = strchr(tag, '>');
    size_t alen = strlen(attr);
    for (char const *p = tag; end && p < end; p++) {
        if (strncmp(p, attr, alen) || (p[alen] != '=') || p[-1] > ' ')
            continue;
        char q = p[alen + 1];
        char const *v = p + alen + 2, *close = q == '\'' || q == '"' ? strchr(v, q) : NULL;
        if (!close || close > end || (size_t) (close - v) >= size)
            return 0;
        memcpy(to, v, (size_t) (close - v));
        to[close - v] = 0;
        return 1;
    }
    return 0;
}

/* Every tag <name ...> in xml, in turn. */
static char const *next_tag(char const *xml, char const *name)
{
    size_t n = strlen(name);
    for (char const *p = strchr(xml, '<'); p; p = strchr(p + 1, '<'))
        if (!strncmp(p + 1, name, n) && (p[n + 1] == ' ' || p[n + 1] == '\t' || p[n + 1] == '\n'))
            return p + 1 + n;
    return NULL;
}

void doctor_xml_bridges(char const *xml, void (*found)(char const *name, void *arg), void *arg)
{
    char name[64], mode[32];
    for (char const *p = next_tag(xml, "source"); p; p = next_tag(p, "source"))
        if (attribute(p, "bridge", name, sizeof name))
            found(name, arg);
    /* a network forwards to a bridge that exists already only in mode
     * 'bridge'; its other modes make their own (virbr0) */
    int bridged = 0;
    for (char const *p = next_tag(xml, "forward"); p; p = next_tag(p, "forward"))
        if (attribute(p, "mode", mode, sizeof mode) && !strcmp(mode, "bridge"))
            bridged = 1;
    if (!bridged)
        return;
    for (char const *p = next_tag(xml, "bridge"); p; p = next_tag(p, "bridge"))
        if (attribute(p, "name", name, sizeof name))
            found(name, arg);
}
