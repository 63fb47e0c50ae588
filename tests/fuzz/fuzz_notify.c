/* SPDX-License-Identifier: ISC */
/* fuzz_notify: what vinit reads of sd_notify: the datagrams a daemon sends
 * to a service's readiness bridge (ready_datagram_is_ready, over exactly
 * the bytes received), the NOTIFY_SOCKET value a container manager gives
 * PID 1 (notify_parse), and the /proc/net/unix table the ready-socket
 * watcher reads (ready_unix_listening). */
#include <stddef.h>
#include <string.h>

#include "fuzz.h"
#include "notify.h"
#include "ready.h"

/* The promise, said plainly: some line of the datagram is READY=1. */
static int has_ready_line(char const *msg, size_t len)
{
    for (size_t i = 0; i + 7 <= len; i++)
        if ((i == 0 || msg[i - 1] == '\n') && !memcmp(msg + i, "READY=1", 7) &&
            (i + 7 == len || msg[i + 7] == '\n'))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    /* a datagram is bytes, not a string: exactly size of them */
    char *msg = fuzz_copy(data, size);
    fuzz_assert(ready_datagram_is_ready(msg, size) == has_ready_line(msg, size));
    free(msg);

    char *s = fuzz_str(data, size);
    struct notify_target t;
    size_t len = strlen(s);
    if (notify_parse(&t, s) == 0) {
        if (!len)
            fuzz_assert(!t.len);
        else {
            fuzz_assert(s[0] == '/' || s[0] == '@');
            fuzz_assert(t.len <= sizeof t.addr && t.addr.sun_family == AF_UNIX);
            fuzz_assert(!memcmp(t.addr.sun_path + 1, s + 1, len - 1));
        }
    } else
        fuzz_assert(len && ((s[0] != '/' && s[0] != '@') || len >= sizeof t.addr.sun_path));

    /* the input as /proc/net/unix, the path asked for from its first line */
    char path[128];
    size_t plen = strcspn(s, "\n");
    if (plen >= sizeof path)
        plen = sizeof path - 1;
    memcpy(path, s, plen);
    path[plen] = 0;
    int r = ready_unix_listening(s, path);
    fuzz_assert(r == 0 || r == 1);
    r = ready_unix_listening(s, "/run/libvirt/virtiofsd.sock");
    fuzz_assert(r == 0 || r == 1);
    free(s);
    return 0;
}
