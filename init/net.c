/* SPDX-License-Identifier: ISC */
/* net: libnl-3 route requests, in vinit-doctor only (PID 1 never links
 * libnl). Each call opens its own netlink socket and closes it.
 * libnl returns its own negative codes (NLE_*); they are turned into errno
 * values here so that callers speak strerror like the rest of vinit. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "net.h"

static int from_nl(int e)
{
    switch (e < 0 ? -e : e) {
    case NLE_PERM:
        return EPERM;
    case NLE_EXIST:
        return EEXIST;
    case NLE_NOMEM:
        return ENOMEM;
    case NLE_OBJ_NOTFOUND:
    case NLE_NODEV:
        return ENODEV;
    case NLE_OPNOTSUPP:
    case NLE_PROTO_MISMATCH:
        return EOPNOTSUPP;
    case NLE_INVAL:
    case NLE_RANGE:
        return EINVAL;
    default:
        return EIO;
    }
}

static struct nl_sock *open_route(void)
{
    struct nl_sock *sk = nl_socket_alloc();
    if (!sk)
        return errno = ENOMEM, NULL;
    int e = nl_connect(sk, NETLINK_ROUTE);
    if (e < 0) {
        nl_socket_free(sk);
        return errno = from_nl(e), NULL;
    }
    return sk;
}

static void describe(struct rtnl_link *link, struct net_link *l)
{
    char const *type = rtnl_link_get_type(link);
    l->exists = 1;
    l->is_bridge = type && !strcmp(type, "bridge");
    l->up = !!(rtnl_link_get_flags(link) & IFF_UP);
    l->mtu = rtnl_link_get_mtu(link);
}

int net_link_get(char const *name, struct net_link *l)
{
    memset(l, 0, sizeof *l);
    struct nl_sock *sk = open_route();
    if (!sk)
        return -1;
    struct rtnl_link *link = NULL;
    int e = rtnl_link_get_kernel(sk, 0, name, &link);
    nl_socket_free(sk);
    if (e < 0) {
        /* absent is an answer, not an error */
        e = from_nl(e);
        return e == ENODEV ? 0 : (errno = e, -1);
    }
    describe(link, l);
    rtnl_link_put(link);
    return 0;
}

struct ipv4_scan {
    struct nl_cache *links;
    int found;
};

static void one_address(struct nl_object *o, void *arg)
{
    struct ipv4_scan *s = arg;
    struct rtnl_addr *a = (struct rtnl_addr *) o;
    if (rtnl_addr_get_family(a) != AF_INET)
        return;
    struct rtnl_link *link = rtnl_link_get(s->links, rtnl_addr_get_ifindex(a));
    if (!link)
        return;
    if (!(rtnl_link_get_flags(link) & IFF_LOOPBACK))
        s->found = 1;
    rtnl_link_put(link);
}

int net_has_ipv4(void)
{
    struct nl_sock *sk = open_route();
    if (!sk)
        return -1;
    struct ipv4_scan s = {0};
    struct nl_cache *addrs = NULL;
    int e = rtnl_link_alloc_cache(sk, AF_UNSPEC, &s.links);
    if (e >= 0)
        e = rtnl_addr_alloc_cache(sk, &addrs);
    if (e >= 0)
        nl_cache_foreach(addrs, one_address, &s);
    if (addrs)
        nl_cache_free(addrs);
    if (s.links)
        nl_cache_free(s.links);
    nl_socket_free(sk);
    return e < 0 ? (errno = from_nl(e), -1) : s.found;
}

static int create_bridge(struct nl_sock *sk, struct netspec_bridge const *b)
{
    struct rtnl_link *link = rtnl_link_bridge_alloc();
    if (!link)
        return -NLE_NOMEM;
    rtnl_link_set_name(link, b->name);
    if (b->mtu)
        rtnl_link_set_mtu(link, b->mtu);
    int e = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(link);
    return e;
}

/* up, and the MTU asked for: one change request for both */
static int set_up(struct nl_sock *sk, struct rtnl_link *old, struct netspec_bridge const *b)
{
    struct rtnl_link *want = rtnl_link_alloc();
    if (!want)
        return -NLE_NOMEM;
    rtnl_link_set_flags(want, IFF_UP);
    if (b->mtu && rtnl_link_get_mtu(old) != b->mtu)
        rtnl_link_set_mtu(want, b->mtu);
    int e = rtnl_link_change(sk, old, want, 0);
    rtnl_link_put(want);
    return e;
}

static int add_address(struct nl_sock *sk, int ifindex, char const *address)
{
    struct nl_addr *local = NULL;
    int e = nl_addr_parse(address, strchr(address, ':') ? AF_INET6 : AF_INET, &local);
    if (e < 0)
        return e;
    struct rtnl_addr *a = rtnl_addr_alloc();
    if (!a) {
        nl_addr_put(local);
        return -NLE_NOMEM;
    }
    rtnl_addr_set_ifindex(a, ifindex);
    rtnl_addr_set_local(a, local);
    e = rtnl_addr_add(sk, a, 0);
    rtnl_addr_put(a);
    nl_addr_put(local);
    /* there already: that is the state wanted */
    return e == -NLE_EXIST ? 0 : e;
}

static int ensure(struct nl_sock *sk, struct netspec_bridge const *b, char const **what)
{
    struct rtnl_link *link = NULL;
    int e = rtnl_link_get_kernel(sk, 0, b->name, &link);
    if (e < 0) {
        if ((e = create_bridge(sk, b)) < 0)
            return *what = "create the bridge", e;
        if ((e = rtnl_link_get_kernel(sk, 0, b->name, &link)) < 0)
            return *what = "find the bridge just created", e;
    }
    struct net_link l;
    describe(link, &l);
    if (!l.is_bridge)
        e = -NLE_EXIST, *what = "use the interface: it exists and is not a bridge";
    else if ((e = set_up(sk, link, b)) < 0)
        *what = "bring the bridge up (or set its MTU)";
    else if (b->address[0] && (e = add_address(sk, rtnl_link_get_ifindex(link), b->address)) < 0)
        *what = "give the bridge its address";
    rtnl_link_put(link);
    return e;
}

int net_bridge_ensure(struct netspec_bridge const *b, char const **what)
{
    struct nl_sock *sk = open_route();
    if (!sk)
        return *what = "open a netlink socket", -1;
    int e = ensure(sk, b, what);
    nl_socket_free(sk);
    return e < 0 ? (errno = from_nl(e), -1) : 0;
}
