/* SPDX-License-Identifier: ISC */
/* fuzz_net: the VINIT_BRIDGE value (name[,address/prefix][,mtu]) as PID 1
 * reads it at start (netspec_bridge_parse), and netspec_name_ok on each
 * comma-separated field. An accepted spec names a usable interface, an
 * address with a prefix, and an MTU in range. */
#include <string.h>

#include "fuzz.h"
#include "netspec.h"

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    char *s = fuzz_str(data, size);
    struct netspec_bridge b;
    char const *why = NULL;
    memset(&b, 0x5a, sizeof b);
    if (netspec_bridge_parse(s, &b, &why) == 0) {
        fuzz_assert(strlen(b.name) <= NETSPEC_NAME_MAX && netspec_name_ok(b.name));
        fuzz_assert(strlen(b.address) < sizeof b.address);
        fuzz_assert(!b.address[0] || strchr(b.address, '/'));
        fuzz_assert(!b.mtu || (b.mtu >= 68 && b.mtu <= 65535));
    } else
        fuzz_assert(why && strlen(why));
    for (char *f = s, *next; f; f = next) {
        next = strchr(f, ',');
        if (next)
            *next++ = 0;
        int ok = netspec_name_ok(f);
        fuzz_assert(ok == 0 || ok == 1);
        if (ok)
            fuzz_assert(*f && strlen(f) <= NETSPEC_NAME_MAX && !strchr(f, '/') && !strchr(f, ' '));
    }
    free(s);
    return 0;
}
