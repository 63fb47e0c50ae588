/* SPDX-License-Identifier: ISC */
/* doctor: the preflight checks. Facts about the container (a doctor_world,
 * gathered by probe) become findings, each saying what breaks and the exact
 * fix. Judging is pure, so a fake world tests every finding. doctor knows
 * nothing of probe (probe includes doctor.h, not the other way round);
 * vinit-doctor (doctormain.c) strings the two together. */
#ifndef VINIT_DOCTOR_H
#define VINIT_DOCTOR_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "net.h"

/* What the service tree runs: a problem that matters to none of it is only
 * information. */
enum {
    DOCTOR_LIBVIRT = 1 << 0,
    DOCTOR_NMBD = 1 << 1,
    DOCTOR_SSHD = 1 << 2,
    DOCTOR_SMBD = 1 << 3,
    DOCTOR_USERS = 1 << 4,  /* services with a user or capabilities file */
    DOCTOR_BRIDGE = 1 << 5, /* VINIT_BRIDGE is set */
    DOCTOR_ALL = 0x3f,      /* no tree to ask: everything counts */
};

enum doctor_cgroup { DOCTOR_CGROUP_NONE, DOCTOR_CGROUP_V1, DOCTOR_CGROUP_HYBRID, DOCTOR_CGROUP_V2 };

#define DOCTOR_BRIDGES_MAX 16

struct doctor_bridge {
    char name[NETSPEC_NAME_MAX + 1];
    char from[64]; /* where it is named: "VINIT_BRIDGE", "guest web", "network lan" */
    struct net_link link;
};

#define DOCTOR_PORTS_MAX     32
#define DOCTOR_LISTENERS_MAX 64

/* A tcp: line of the tree's wanted services: a port vinit binds for it. */
struct doctor_port {
    char service[64];
    char addr[64]; /* as the line gives it: "" every IPv4 address, "::" every IPv6 one */
    int six;       /* tcp:[ADDRESS]:PORT */
    unsigned int port;
};

/* A listening TCP socket of this network namespace on one of those ports
 * (/proc/net/tcp, tcp6), and who holds it. */
struct doctor_listener {
    unsigned char addr[16]; /* IPv6; an IPv4 one as ::ffff:A.B.C.D */
    int six;                /* from tcp6: a wildcard :: takes IPv4 too */
    unsigned int port;
    int vinit;     /* vinit itself holds it: the tree's own socket */
    int pid;       /* a process that holds it (not vinit); 0: none of ours seen */
    char comm[17]; /* that process's name */
};

struct doctor_world {
    unsigned int wants; /* DOCTOR_* */
    uid_t uid;
    int userns;     /* in a user namespace that maps only part of the ids (rootless) */
    int host_pidns; /* a container in the host's pid namespace (--pid host); -1 unknown */
    int caps_known;
    uint64_t caps; /* effective set: bit n is capability n */
    int kvm;       /* 0 absent, 1 makes VMs, -1 present but cannot open or make one */
    gid_t kvm_gid;
    mode_t kvm_mode;     /* its permission bits: qemu runs as a plain user */
    int image_kvm_group; /* the image has a kvm group (in /etc/group) */
    gid_t image_kvm_gid;
    int tun, vhost_net; /* 1 usable, 0 absent, -1 present but cannot be opened */
    enum doctor_cgroup cgroup;
    int cgroup_writable; /* 1 our cgroup is writable, 0 read-only, -1 not at its path */
    int proc_sys_ro;
    int netlink; /* netlink could be asked: bridges and has_ipv4 are known */
    unsigned int nbridges;
    struct doctor_bridge bridges[DOCTOR_BRIDGES_MAX];
    int has_ipv4;
    long hugepages; /* HugePages_Total; -1 unknown */
    int hugetlbfs;  /* a hugetlbfs is mounted */
    int run_udev;   /* 0 absent, 1 a database with entries, -1 there but empty or unreadable */
    int sys_bus_usb;
    unsigned int nports; /* the tree's TCP ports */
    struct doctor_port ports[DOCTOR_PORTS_MAX];
    int tcp_known; /* /proc/net/tcp could be read: listeners is the truth */
    unsigned int nlisteners;
    struct doctor_listener listeners[DOCTOR_LISTENERS_MAX];
};

enum doctor_status { DOCTOR_OK, DOCTOR_INFO, DOCTOR_WARN, DOCTOR_ERROR };

#define DOCTOR_FINDINGS_MAX 64
#define DOCTOR_TEXT_MAX     320

struct doctor_finding {
    char const *check; /* "kvm", "cap_net_admin", "bridge"... */
    enum doctor_status status;
    char what[DOCTOR_TEXT_MAX]; /* what was found, and what breaks */
    char fix[DOCTOR_TEXT_MAX];  /* empty when nothing is to be done */
};

struct doctor_report {
    unsigned int n;
    struct doctor_finding f[DOCTOR_FINDINGS_MAX];
};

/* Pure: every finding about w, in a fixed order. */
void doctor_judge(struct doctor_world const *w, struct doctor_report *r);

/* Pure: does listener l keep vinit from binding the address of p (the
 * same port; the same address, or either a wildcard; a wildcard :: also
 * takes IPv4, as vinit's IPv6 sockets do not set IPV6_V6ONLY)? */
int doctor_port_clash(struct doctor_port const *p, struct doctor_listener const *l);

/* The worst status in the report. */
enum doctor_status doctor_worst(struct doctor_report const *r);

char const *doctor_status_name(enum doctor_status s);

/* The report as a table for people, or as JSON. */
void doctor_print_table(FILE *out, struct doctor_report const *r);
void doctor_print_json(FILE *out, struct doctor_report const *r);

/* Pure: the bridges a libvirt XML file needs (a domain's <source
 * bridge='X'/>, a network's <bridge name='X'/> under <forward
 * mode='bridge'/>), each passed to found(). Not an XML parser: enough for
 * the files libvirt itself writes. */
void doctor_xml_bridges(char const *xml, void (*found)(char const *name, void *arg), void *arg);

/* where libvirt's XML names the bridges guests use */
#define DOCTOR_LIBVIRT_DIR "/etc/libvirt"

#endif
