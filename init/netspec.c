/* SPDX-License-Identifier: ISC */
/* netspec: VINIT_BRIDGE values and interface names, pure. Kept apart from
 * net.c so that PID 1 can refuse a bad value at start (a usage error, exit
 * 100) without linking libnl. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "netspec.h"

int netspec_name_ok(char const *name)
{
    size_t n = strlen(name);
    if (!n || n > NETSPEC_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '/' || name[i] == ':' || name[i] == ',' || (unsigned char) name[i] <= ' ' ||
            (unsigned char) name[i] >= 0x7f)
            return 0;
    return 1;
}

static int address_ok(char const *a)
{
    char host[64];
    char const *slash = strchr(a, '/');
    if (!slash || (size_t) (slash - a) >= sizeof host || !slash[1])
        return 0;
    memcpy(host, a, (size_t) (slash - a));
    host[slash - a] = 0;
    unsigned char buf[16];
    int family = strchr(host, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, host, buf) != 1)
        return 0;
    char *end;
    unsigned long prefix = strtoul(slash + 1, &end, 10);
    return !*end && prefix <= (family == AF_INET ? 32u : 128u);
}

/* one field after the name: an address (has a '/') or an MTU (digits) */
static int bridge_field(char const *f, struct netspec_bridge *b, char const **why)
{
    if (strchr(f, '/')) {
        if (b->address[0] || strlen(f) >= sizeof b->address || !address_ok(f))
            return *why = "not an address/prefix (like 10.0.0.1/24)", -1;
        strcpy(b->address, f);
        return 0;
    }
    char *end;
    unsigned long mtu = strtoul(f, &end, 10);
    if (!*f || *end || b->mtu || mtu < 68 || mtu > 65535)
        return *why = "not an MTU from 68 to 65535, nor an address/prefix", -1;
    b->mtu = (unsigned int) mtu;
    return 0;
}

int netspec_bridge_parse(char const *s, struct netspec_bridge *b, char const **why)
{
    char buf[256];
    memset(b, 0, sizeof *b);
    if (strlen(s) >= sizeof buf)
        return *why = "too long", -1;
    strcpy(buf, s);
    char *save = NULL, *f = strtok_r(buf, ",", &save);
    if (!f || !netspec_name_ok(f))
        return *why = "the bridge name must be 1 to 15 characters, without blanks, '/', ':' or ','",
               -1;
    strcpy(b->name, f);
    while ((f = strtok_r(NULL, ",", &save)))
        if (bridge_field(f, b, why) < 0)
            return -1;
    return 0;
}
