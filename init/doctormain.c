/* SPDX-License-Identifier: ISC */
/* vinit-doctor: the preflight checks (probe looks, doctor judges) and the
 * VINIT_BRIDGE bridge (net), as a program of their own. They make a KVM VM,
 * talk netlink, look groups up and read libvirt's XML: any of it may hang
 * or crash, and PID 1 must do neither, so PID 1 never runs or links them.
 *   vinit-doctor [--json] [-s DIR] [--libvirt-dir DIR]   what vinit doctor runs
 *   vinit-doctor --at-start [-s DIR]   PID 1's check at start: problems only
 *   vinit-doctor --bridge SPEC         makes the VINIT_BRIDGE bridge for PID 1
 * The last two speak as vinit ("vinit: warning: ..."): their lines are
 * PID 1's start, as they were when PID 1 did the work itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skalibs/strerr.h>

#include "config.h"
#include "doctor.h"
#include "net.h"
#include "probe.h"
#include "svload.h"
#include "svresolve.h"
#include "svsrc.h"
#include "svtree.h"

char const *PROG = "vinit-doctor";
extern char **environ;

static int usage(void)
{
    fputs("usage: vinit doctor [--json] [-s SERVICES_DIR] [--libvirt-dir DIR]\n"
          "       vinit-doctor --at-start [-s SERVICES_DIR] | --bridge SPEC  (what vinit runs at "
          "start)\n",
          stderr);
    return 100;
}

/* the tree's faults are vinit's to tell at start, not the doctor's */
static void quiet(char const *service, char const *path, char const *problem, char const *value,
                  void *arg)
{
}

/* What the tree runs, read as vinit would; no tree: everything counts. */
static unsigned int tree_wants(char const *srcdir)
{
    static struct svsrc_tree tree;
    if (svsrc_read(&tree, srcdir, quiet, NULL) < 0)
        return DOCTOR_ALL;
    svresolve_instances(&tree, (char const *const *) environ, quiet, NULL);
    svresolve_order(&tree, srcdir, quiet, NULL);
    return probe_wants(&tree, srcdir);
}

static struct doctor_world world;
static struct doctor_report report;

/* The tree's sockets, as vinit's loader reads them (variables expanded,
 * if= weighed, VINIT_SERVICES applied): what listens on its TCP ports. */
static void tree_ports(char const *srcdir)
{
    struct svtree t;
    struct svload_request r = {
        .srcdir = srcdir, .only = getenv("VINIT_SERVICES"), .envp = (char const *const *) environ};
    if (svload_read(&r, &t, quiet, NULL) < 0)
        return;
    probe_ports(&world, &t);
    svtree_free(&t);
}

static void examine(char const *srcdir, char const *libvirt_dir)
{
    char const *dir = srcdir && *srcdir ? srcdir : VINIT_SERVICES_DIR;
    world.wants = tree_wants(dir);
    probe_world(&world, libvirt_dir);
    tree_ports(dir);
    doctor_judge(&world, &report);
}

/* At start: the same checks, only the problems told, one line each. */
static int at_start(char const *srcdir)
{
    PROG = "vinit";
    examine(srcdir, DOCTOR_LIBVIRT_DIR);
    for (unsigned int i = 0; i < report.n; i++) {
        struct doctor_finding const *f = &report.f[i];
        if (f->status < DOCTOR_WARN)
            continue;
        if (f->fix[0])
            strerr_warnw("doctor: ", f->check, ": ", f->what, "; fix: ", f->fix);
        else
            strerr_warnw("doctor: ", f->check, ": ", f->what);
    }
    return doctor_worst(&report) < DOCTOR_WARN ? 0 : 1;
}

/* VINIT_BRIDGE: 0 made (or there already), 1 refused (said why), 100 a
 * value PID 1 should not have passed. */
static int bridge(char const *spec)
{
    struct netspec_bridge b;
    char const *why;
    PROG = "vinit";
    if (netspec_bridge_parse(spec, &b, &why) < 0) {
        strerr_warnw("invalid VINIT_BRIDGE: ", spec, ": ", why);
        return 100;
    }
    if (net_bridge_ensure(&b, &why) == 0)
        return 0;
    strerr_warnwu("VINIT_BRIDGE ", b.name, ": ", why, ": ", strerror(errno),
                  errno == EPERM ? " (the container needs CAP_NET_ADMIN: --cap-add=NET_ADMIN)"
                                 : "");
    return 1;
}

/* vinit doctor: exit 0 when nothing is wrong, 1 when something is. */
static int report_all(int json, char const *srcdir, char const *libvirt_dir)
{
    examine(srcdir, libvirt_dir);
    if (json)
        doctor_print_json(stdout, &report);
    else
        doctor_print_table(stdout, &report);
    return fflush(stdout) == 0 && doctor_worst(&report) < DOCTOR_WARN ? 0 : 1;
}

int main(int argc, char const *const *argv)
{
    char const *srcdir = getenv("VINIT_SERVICES_DIR"), *libvirt_dir = DOCTOR_LIBVIRT_DIR;
    int json = 0, start = 0;
    if (argc == 3 && !strcmp(argv[1], "--bridge"))
        return bridge(argv[2]);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--at-start"))
            start = 1;
        else if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--services-dir")) && i + 1 < argc)
            srcdir = argv[++i];
        else if (!strcmp(argv[i], "--libvirt-dir") && i + 1 < argc)
            libvirt_dir = argv[++i];
        else
            return usage();
    }
    return start ? at_start(srcdir) : report_all(json, srcdir, libvirt_dir);
}
