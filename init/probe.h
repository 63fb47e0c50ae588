/* SPDX-License-Identifier: ISC */
/* probe: the facts vinit doctor judges, read from the running container:
 * capabilities (libcap-ng), device nodes, cgroups, /proc/sys, the network
 * namespace (net), hugepages, udev; and what the service tree runs. */
#ifndef VINIT_PROBE_H
#define VINIT_PROBE_H

#include "doctor.h"
#include "svsrc.h"
#include "svtree.h"

/* Fills w (but w->wants, the caller's) from the system. libvirt_dir is
 * where libvirt's XML names the bridges guests use (/etc/libvirt). */
void probe_world(struct doctor_world *w, char const *libvirt_dir);

/* The TCP ports of t's wanted services (their tcp: listen lines) into
 * w->ports, and what listens on them in this network namespace
 * (/proc/net/tcp and tcp6) into w->listeners: each socket's holder found
 * by its inode among the fds of /proc/PID/fd. vinit's own (held by PID 1,
 * by the doctor's parent, or by a process running the vinit beside
 * vinit-doctor) are marked. After probe_world, which clears w. */
void probe_ports(struct doctor_world *w, struct svtree const *t);

/* DOCTOR_* for what the tree's usable services run; DOCTOR_BRIDGE when
 * VINIT_BRIDGE is set. */
unsigned int probe_wants(struct svsrc_tree const *t, char const *srcdir);

#endif
