/* SPDX-License-Identifier: ISC */
/* net: the network namespace as guests need it, through libnl-3: whether a
 * bridge named in the configuration is here (and its MTU), whether nmbd has
 * an IPv4 interface to broadcast on, and the bridge VINIT_BRIDGE asks for
 * (read by netspec). Linked into vinit-doctor only, never into PID 1. */
#ifndef VINIT_NET_H
#define VINIT_NET_H

#include "netspec.h"

struct net_link {
    int exists, is_bridge, up;
    unsigned int mtu;
};

/* What the current network namespace has under that name: 0 (l->exists
 * tells), or -1 with errno when netlink cannot be asked. */
int net_link_get(char const *name, struct net_link *l);

/* 1 when some interface other than loopback has an IPv4 address, 0 when
 * none has, -1 with errno when netlink cannot be asked. */
int net_has_ipv4(void);

/* Makes the bridge exist as the spec says, up: created when missing, its MTU
 * and address set when they differ or lack; a second call changes nothing.
 * 0, or -1 with errno and *what naming the step that failed (an interface of
 * that name that is not a bridge: EEXIST). */
int net_bridge_ensure(struct netspec_bridge const *b, char const **what);

#endif
