/* SPDX-License-Identifier: ISC */
/* probe: the facts vinit doctor judges, read from the running container:
 * capabilities (libcap-ng), device nodes, cgroups, /proc/sys, the network
 * namespace (net), hugepages, udev; and what the service tree runs. */
#ifndef VINIT_PROBE_H
#define VINIT_PROBE_H

#include "doctor.h"
#include "svsrc.h"

/* Fills w (but w->wants, the caller's) from the system. libvirt_dir is
 * where libvirt's XML names the bridges guests use (/etc/libvirt). */
void probe_world(struct doctor_world *w, char const *libvirt_dir);

/* DOCTOR_* for what the tree's usable services run; DOCTOR_BRIDGE when
 * VINIT_BRIDGE is set. */
unsigned int probe_wants(struct svsrc_tree const *t, char const *srcdir);

#endif
