/* SPDX-License-Identifier: ISC */
/* netspec: the pure half of net. What VINIT_BRIDGE asks for, and which
 * interface names are usable, read without netlink: PID 1 checks the value
 * at start with it and never links libnl (net.c, in vinit-doctor, makes the
 * bridge). */
#ifndef VINIT_NETSPEC_H
#define VINIT_NETSPEC_H

#define NETSPEC_NAME_MAX 15 /* IFNAMSIZ - 1 */

/* VINIT_BRIDGE=name[,address/prefix][,mtu] */
struct netspec_bridge {
    char name[NETSPEC_NAME_MAX + 1];
    char address[64]; /* "10.0.0.1/24" or "fd00::1/64"; empty: none */
    unsigned int mtu; /* 0: the kernel's default */
};

/* Parses a VINIT_BRIDGE value. 0, or -1 with *why saying what is wrong. */
int netspec_bridge_parse(char const *s, struct netspec_bridge *b, char const **why);

/* Is name usable as an interface name (1/0)? */
int netspec_name_ok(char const *name);

#endif
