/* SPDX-License-Identifier: ISC */
/* Unit tests for doctor: findings from fake worlds, relevance to the tree,
 * bridges named in libvirt's XML, the TCP ports the tree needs and who
 * holds them, the JSON form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/capability.h>

#include "doctor.h"

static struct doctor_report report;

/* everything a libvirt host could want, and a tree that runs it all */
static struct doctor_world healthy(void)
{
    struct doctor_world w;
    memset(&w, 0, sizeof w);
    w.wants = DOCTOR_ALL;
    w.caps_known = 1;
    w.caps = ~UINT64_C(0);
    w.kvm = 1;
    w.kvm_gid = 994;
    w.kvm_mode = 0660;
    w.image_kvm_group = 1;
    w.image_kvm_gid = 994;
    w.tun = w.vhost_net = 1;
    w.cgroup = DOCTOR_CGROUP_V2;
    w.cgroup_writable = 1;
    w.netlink = 1;
    w.has_ipv4 = 1;
    w.hugepages = 16;
    w.hugetlbfs = 1;
    w.run_udev = 1;
    return w;
}

/* the first finding of that check, which must exist */
static struct doctor_finding const *find(char const *check)
{
    for (unsigned int i = 0; i < report.n; i++)
        if (!strcmp(report.f[i].check, check))
            return &report.f[i];
    fail_msg("no finding %s", check);
    return NULL;
}

static int has(char const *check)
{
    for (unsigned int i = 0; i < report.n; i++)
        if (!strcmp(report.f[i].check, check))
            return 1;
    return 0;
}

static void test_healthy(void **state)
{
    struct doctor_world w = healthy();
    doctor_judge(&w, &report);
    assert_int_equal(doctor_worst(&report), DOCTOR_OK);
    assert_int_equal(find("kvm")->status, DOCTOR_OK);
    assert_int_equal(find("capabilities")->status, DOCTOR_OK);
    assert_false(has("user"));
    assert_false(has("bridge")); /* none named */
}

static void test_no_kvm(void **state)
{
    struct doctor_world w = healthy();
    w.kvm = 0;
    doctor_judge(&w, &report);
    struct doctor_finding const *f = find("kvm");
    assert_int_equal(f->status, DOCTOR_WARN);
    assert_non_null(strstr(f->what, "TCG"));
    assert_non_null(strstr(f->fix, "--device /dev/kvm"));
    /* a tree without libvirt: only information */
    w.wants = DOCTOR_SSHD;
    doctor_judge(&w, &report);
    assert_int_equal(find("kvm")->status, DOCTOR_INFO);
    /* there but useless (no VM can be made) */
    w.wants = DOCTOR_LIBVIRT;
    w.kvm = -1;
    doctor_judge(&w, &report);
    assert_int_equal(find("kvm")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("kvm")->what, "cannot be opened or make a VM"));
}

static void test_kvm_group(void **state)
{
    struct doctor_world w = healthy();
    w.kvm_gid = 108;
    doctor_judge(&w, &report);
    struct doctor_finding const *f = find("kvm");
    assert_int_equal(f->status, DOCTOR_INFO);
    assert_non_null(strstr(f->what, "group 108, the image's kvm group is 994"));
    assert_non_null(strstr(f->what, "never chowned"));
}

/* qemu runs as libvirt-qemu: a node only root may open is no use to it,
 * and root's group is never handed out for it */
static void test_kvm_for_root_only(void **state)
{
    struct doctor_world w = healthy();
    w.kvm_mode = 0600;
    doctor_judge(&w, &report);
    struct doctor_finding const *f = find("kvm");
    assert_int_equal(f->status, DOCTOR_WARN);
    assert_non_null(strstr(f->what, "mode 0600"));
    assert_non_null(strstr(f->what, "TCG"));
    assert_non_null(strstr(f->fix, "0660"));

    w = healthy();
    w.kvm_gid = 0;
    doctor_judge(&w, &report);
    f = find("kvm");
    assert_int_equal(f->status, DOCTOR_WARN);
    assert_non_null(strstr(f->what, "group root"));
    assert_null(strstr(f->what, "given group 0"));

    w = healthy();
    w.kvm_gid = 0;
    w.kvm_mode = 0666;
    doctor_judge(&w, &report);
    assert_int_equal(find("kvm")->status, DOCTOR_OK);
}

static void test_caps(void **state)
{
    struct doctor_world w = healthy();
    w.caps &= ~(UINT64_C(1) << CAP_SETPCAP | UINT64_C(1) << CAP_SYS_NICE);
    w.wants = DOCTOR_LIBVIRT;
    doctor_judge(&w, &report);
    struct doctor_finding const *f = find("cap_setpcap");
    assert_int_equal(f->status, DOCTOR_WARN);
    assert_non_null(strstr(f->what, "capng_apply"));
    assert_non_null(strstr(f->fix, "--cap-add=SETPCAP"));
    assert_non_null(strstr(f->fix, "--capability=CAP_SETPCAP"));
    assert_int_equal(find("cap_sys_nice")->status, DOCTOR_INFO); /* optional: never a warning */
    assert_false(has("capabilities"));
    /* a tree of plain services: libvirt's capabilities do not matter */
    w.wants = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("cap_setpcap")->status, DOCTOR_INFO);
    assert_int_equal(doctor_worst(&report), DOCTOR_INFO);
    /* unknown: said, not guessed */
    w.caps_known = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("capabilities")->status, DOCTOR_WARN);
}

static void test_proc_sys_and_cgroups(void **state)
{
    struct doctor_world w = healthy();
    w.proc_sys_ro = 1;
    w.cgroup = DOCTOR_CGROUP_HYBRID;
    w.cgroup_writable = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("proc_sys")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("proc_sys")->what, "NAT network"));
    assert_int_equal(find("cgroups")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("cgroups")->what, "hybrid cgroups, read-only"));
    assert_non_null(strstr(find("cgroups")->fix, "cgroup_controllers = [ ]"));

    /* our cgroup nowhere to be found: not called read-only */
    w.cgroup = DOCTOR_CGROUP_V1;
    w.cgroup_writable = -1;
    doctor_judge(&w, &report);
    assert_int_equal(find("cgroups")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("cgroups")->what, "our cgroup not found under /sys/fs/cgroup"));
    assert_null(strstr(find("cgroups")->what, "read-only"));
}

static void test_devices(void **state)
{
    struct doctor_world w = healthy();
    w.tun = 0;
    w.vhost_net = -1;
    doctor_judge(&w, &report);
    assert_int_equal(find("tun")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("tun")->fix, "--device /dev/net/tun"));
    assert_int_equal(find("vhost_net")->status, DOCTOR_INFO);
    assert_non_null(strstr(find("vhost_net")->what, "cannot be opened"));
}

static void test_bridges(void **state)
{
    struct doctor_world w = healthy();
    w.nbridges = 3;
    strcpy(w.bridges[0].name, "br0");
    strcpy(w.bridges[0].from, "guest web");
    strcpy(w.bridges[1].name, "eth9");
    strcpy(w.bridges[1].from, "VINIT_BRIDGE");
    w.bridges[1].link = (struct net_link){.exists = 1, .mtu = 1500};
    strcpy(w.bridges[2].name, "lan");
    strcpy(w.bridges[2].from, "network lan");
    w.bridges[2].link = (struct net_link){.exists = 1, .is_bridge = 1, .up = 1, .mtu = 9000};
    w.wants = 0; /* a missing bridge always matters: something named it */
    doctor_judge(&w, &report);
    struct doctor_finding const *f = &report.f[0];
    for (unsigned int i = 0; i < report.n && strcmp(report.f[i].check, "bridge"); i++)
        f = &report.f[i + 1];
    assert_string_equal(f->check, "bridge");
    assert_int_equal(f->status, DOCTOR_ERROR);
    assert_non_null(strstr(f->what, "Cannot get interface MTU on 'br0'"));
    assert_non_null(strstr(f->what, "guest web"));
    assert_non_null(strstr(f->fix, "VINIT_BRIDGE=br0"));
    assert_int_equal(f[1].status, DOCTOR_ERROR);
    assert_non_null(strstr(f[1].what, "not a bridge"));
    assert_int_equal(f[2].status, DOCTOR_OK);
    assert_non_null(strstr(f[2].what, "MTU 9000"));
    assert_int_equal(doctor_worst(&report), DOCTOR_ERROR);
}

static void test_nmbd_ipv4(void **state)
{
    struct doctor_world w = healthy();
    w.has_ipv4 = 0;
    w.wants = DOCTOR_NMBD;
    doctor_judge(&w, &report);
    assert_int_equal(find("ipv4")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("ipv4")->what, "nmbd"));
    w.wants = DOCTOR_LIBVIRT;
    doctor_judge(&w, &report);
    assert_int_equal(find("ipv4")->status, DOCTOR_INFO);
    w.netlink = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("network")->status, DOCTOR_WARN);
    assert_false(has("ipv4"));
}

static void test_user(void **state)
{
    struct doctor_world w = healthy();
    w.uid = 1000;
    doctor_judge(&w, &report);
    assert_int_equal(find("user")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("user")->what, "uid 1000"));
    assert_false(has("cap_setpcap")); /* the user finding covers them */
    w.wants = 0;                      /* plain services run fine as a user */
    doctor_judge(&w, &report);
    assert_int_equal(find("user")->status, DOCTOR_INFO);
    w.uid = 0;
    w.userns = 1;
    doctor_judge(&w, &report);
    assert_int_equal(find("user")->status, DOCTOR_INFO);
    assert_non_null(strstr(find("user")->what, "rootless"));
}

static void test_udev_and_hugepages(void **state)
{
    struct doctor_world w = healthy();
    w.run_udev = -1;
    w.hugepages = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("udev")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("udev")->what, "ID_VENDOR_ID"));
    assert_int_equal(find("hugepages")->status, DOCTOR_INFO);
    w.run_udev = 0;
    w.sys_bus_usb = 1;
    doctor_judge(&w, &report);
    assert_int_equal(find("udev")->status, DOCTOR_INFO);
    assert_non_null(strstr(find("udev")->what, "vinit-udevd"));
}

/* --pid host: the runtime kills the guests at the stop */
static void test_host_pidns(void **state)
{
    struct doctor_world w = healthy();
    w.host_pidns = 1;
    doctor_judge(&w, &report);
    assert_int_equal(find("pidns")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("pidns")->what, "--pid host"));
    assert_non_null(strstr(find("pidns")->what, "guests are killed"));
    assert_non_null(strstr(find("pidns")->fix, "drop --pid=host"));
    w.wants = DOCTOR_SSHD; /* no libvirt: only information */
    doctor_judge(&w, &report);
    assert_int_equal(find("pidns")->status, DOCTOR_INFO);
    w = healthy();
    w.host_pidns = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("pidns")->status, DOCTOR_OK);
    w.host_pidns = -1; /* unknown: nothing said */
    doctor_judge(&w, &report);
    for (unsigned int i = 0; i < report.n; i++)
        assert_string_not_equal(report.f[i].check, "pidns");
}

static char names[256];
static void collect(char const *name, void *arg)
{
    strcat(names, name);
    strcat(names, " ");
}

static void xml(char const *text, char const *want)
{
    names[0] = 0;
    doctor_xml_bridges(text, collect, NULL);
    assert_string_equal(names, want);
}

static void test_xml_bridges(void **state)
{
    xml("<domain type='kvm'><devices>\n"
        "<interface type='network'><source network='default'/></interface>\n"
        "<interface type='bridge'>\n  <source bridge='br0'/>\n</interface>\n"
        "<interface type=\"bridge\"><source\tbridge=\"lan2\" /></interface>\n"
        "<disk><source file='/x.img'/></disk></devices></domain>",
        "br0 lan2 ");
    xml("<network><name>host</name><forward mode='bridge'/><bridge name='br1'/></network>", "br1 ");
    /* a NAT network makes its own bridge: nothing needed beforehand */
    xml("<network><name>default</name><forward mode='nat'/><bridge name='virbr0' stp='on'/>"
        "</network>",
        "");
    xml("<network><bridge name='virbr1'/></network>", "");
    /* broken files: nothing, and no crash */
    xml("<domain><source bridge='br0", "");
    xml("<source bridge=br0/>", "");
    xml("<source", "");
    xml("", "");
    xml("<sourcebridge='x'/><source mybridge='y'/>", "");
}

/* a tcp: line of service svc ("" every IPv4 address; six: in brackets) */
static struct doctor_port port(char const *svc, char const *addr, int six, unsigned int number)
{
    struct doctor_port p;
    memset(&p, 0, sizeof p);
    snprintf(p.service, sizeof p.service, "%s", svc);
    snprintf(p.addr, sizeof p.addr, "%s", addr);
    p.six = six;
    p.port = number;
    return p;
}

/* a LISTEN socket as /proc/net/tcp (six 0: addr is IPv4) or tcp6 gives it */
static struct doctor_listener listener(char const *addr, int six, unsigned int number, int pid,
                                       char const *comm)
{
    struct doctor_listener l;
    memset(&l, 0, sizeof l);
    if (six)
        assert_int_equal(inet_pton(AF_INET6, addr, l.addr), 1);
    else {
        l.addr[10] = l.addr[11] = 0xff;
        assert_int_equal(inet_pton(AF_INET, addr, l.addr + 12), 1);
    }
    l.six = six;
    l.port = number;
    l.pid = pid;
    snprintf(l.comm, sizeof l.comm, "%s", comm ? comm : "");
    return l;
}

/* bind's rules, as measured in a network namespace: the same port clashes
 * when the addresses are the same or either is a wildcard; a wildcard ::
 * (without IPV6_V6ONLY) takes IPv4 as well, an IPv6 address does not */
static void test_port_clash(void **state)
{
    static struct {
        char const *line;
        int line6;
        char const *held;
        int held6;
        int clash;
    } const cases[] = {
        {"", 0, "127.0.0.1", 0, 1},
        {"127.0.0.1", 0, "0.0.0.0", 0, 1},
        {"127.0.0.1", 0, "127.0.0.1", 0, 1},
        {"127.0.0.2", 0, "127.0.0.1", 0, 0},
        {"::", 1, "127.0.0.1", 0, 1},
        {"127.0.0.1", 0, "::", 1, 1},
        {"", 0, "::1", 1, 0},
        {"::", 1, "::1", 1, 1},
        {"::1", 1, "0.0.0.0", 0, 0},
        {"::1", 1, "::", 1, 1},
        {"::1", 1, "::2", 1, 0},
        {"", 0, "::ffff:10.0.0.1", 1, 1},
        {"10.0.0.2", 0, "::ffff:10.0.0.1", 1, 0},
        {"::ffff:10.0.0.1", 1, "10.0.0.1", 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct doctor_port p = port("web", cases[i].line, cases[i].line6, 8080);
        struct doctor_listener l = listener(cases[i].held, cases[i].held6, 8080, 0, NULL);
        if (doctor_port_clash(&p, &l) != cases[i].clash)
            fail_msg("line %s%s%s against %s: expected %d", cases[i].line6 ? "[" : "",
                     cases[i].line, cases[i].line6 ? "]" : "", cases[i].held, cases[i].clash);
        l.port = 8081;
        assert_false(doctor_port_clash(&p, &l));
    }
    /* an address the loader would not pass: no clash claimed */
    struct doctor_port bad = port("web", "not-an-address", 0, 8080);
    struct doctor_listener any = listener("0.0.0.0", 0, 8080, 0, NULL);
    assert_false(doctor_port_clash(&bad, &any));
}

static void test_ports(void **state)
{
    struct doctor_world w = healthy();
    /* no TCP line in the tree: nothing said */
    doctor_judge(&w, &report);
    assert_false(has("port"));

    w.nports = 2;
    w.ports[0] = port("libvirtd", "", 0, 16509);
    w.ports[1] = port("web", "::", 1, 8080);
    w.tcp_known = 1;
    /* vinit holds its own; someone on another port or address is no matter */
    w.nlisteners = 3;
    w.listeners[0] = listener("0.0.0.0", 0, 16509, 0, NULL);
    w.listeners[0].vinit = 1;
    w.listeners[1] = listener("::", 1, 8080, 0, NULL);
    w.listeners[1].vinit = 1;
    w.listeners[2] = listener("0.0.0.0", 0, 22, 40, "sshd");
    doctor_judge(&w, &report);
    struct doctor_finding const *f = find("port");
    assert_int_equal(f->status, DOCTOR_OK);
    assert_string_equal(f->what, "the TCP ports of the services are free or vinit's own: 16509 "
                                 "(libvirtd), 8080 (web)");
    assert_int_equal(doctor_worst(&report), DOCTOR_OK);

    /* taken by a process of the container: named, with its pid */
    w.listeners[1] = listener("127.0.0.1", 0, 8080, 42, "python3");
    doctor_judge(&w, &report);
    f = find("port");
    assert_int_equal(f->status, DOCTOR_ERROR);
    assert_string_equal(f->what, "port 8080 (tcp:[::]:8080 of service web) is taken by python3 "
                                 "(pid 42): vinit cannot listen on it, so web does not start "
                                 "(unable to listen)");
    assert_string_equal(f->fix, "stop python3 (pid 42) or move it to another port, or give web "
                                "another port in its listen file");
    /* matters whatever the tree runs: the tree itself asked for the port */
    w.wants = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("port")->status, DOCTOR_ERROR);
    w.wants = DOCTOR_ALL;

    /* held by nobody this container can see: the host's (--network host) */
    w.listeners[0] = listener("127.0.0.1", 0, 16509, 0, NULL);
    doctor_judge(&w, &report);
    f = find("port");
    assert_non_null(strstr(f->what, "port 16509 (tcp:16509 of service libvirtd) is taken by a "
                                    "process outside this container"));
    assert_non_null(strstr(f->fix, "ss -ltnp 'sport = :16509'"));
    unsigned int n = 0;
    for (unsigned int i = 0; i < report.n; i++)
        n += !strcmp(report.f[i].check, "port");
    assert_int_equal(n, 2); /* one finding per port taken, no "free" line */

    /* /proc/net/tcp not readable: said, not guessed */
    w.tcp_known = 0;
    doctor_judge(&w, &report);
    assert_int_equal(find("port")->status, DOCTOR_WARN);
    assert_non_null(strstr(find("port")->what, "not checked"));
}

static void test_json(void **state)
{
    struct doctor_world w = healthy();
    w.nbridges = 1;
    strcpy(w.bridges[0].name, "br0");
    strcpy(w.bridges[0].from, "guest \"a\\b\"\n");
    doctor_judge(&w, &report);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    doctor_print_json(out, &report);
    fclose(out);
    assert_non_null(strstr(buf, "{\"findings\":[{\"check\":\"capabilities\",\"status\":\"ok\""));
    assert_non_null(strstr(buf, "guest \\\"a\\\\b\\\"\\u000a needs bridge br0"));
    assert_non_null(strstr(buf, "\"fix\":null"));
    assert_non_null(strstr(buf, "],\"worst\":\"error\"}\n"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy),
        cmocka_unit_test(test_no_kvm),
        cmocka_unit_test(test_kvm_group),
        cmocka_unit_test(test_kvm_for_root_only),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_proc_sys_and_cgroups),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_bridges),
        cmocka_unit_test(test_nmbd_ipv4),
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_udev_and_hugepages),
        cmocka_unit_test(test_host_pidns),
        cmocka_unit_test(test_xml_bridges),
        cmocka_unit_test(test_port_clash),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
