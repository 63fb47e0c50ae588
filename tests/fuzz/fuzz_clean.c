/* SPDX-License-Identifier: ISC */
/* fuzz_clean: the decisions that may remove a file at a service's start:
 * the pid a pid file or a libvirt status file names (clean_parse_pid, over
 * exactly the bytes read), the kind of a path (clean_kind_of) and the
 * verdict on what the probes found (clean_decide), which must never remove
 * a live socket, a locked pid file or the file of a live pid. The first
 * byte sets the probe and the file type, the rest is the file's text and
 * path. */
#include <string.h>
#include <sys/stat.h>

#include "clean.h"
#include "fuzz.h"

static void parse(char const *text, size_t len)
{
    pid_t pid = clean_parse_pid(CLEAN_PIDFILE, text, len);
    fuzz_assert(pid >= 0 && pid <= 4194304);
    if (pid) {
        size_t i = 0;
        while (i < len && strchr(" \t\n", text[i]) && text[i])
            i++;
        fuzz_assert(i < len && text[i] >= '0' && text[i] <= '9');
    }
    pid = clean_parse_pid(CLEAN_STATUS, text, len);
    fuzz_assert(pid >= 0 && pid <= 4194304);
    if (pid)
        fuzz_assert(memmem(text, len, "pid=", 4));
    fuzz_assert(clean_parse_pid(CLEAN_SOCKET, text, len) == 0);
    fuzz_assert(clean_parse_pid(CLEAN_OTHER, text, len) == 0);
}

static void verdict(unsigned char b, char const *path)
{
    static mode_t const types[] = {S_IFSOCK, S_IFREG, S_IFDIR, S_IFLNK};
    mode_t mode = types[b & 3];
    struct clean_probe p = {
        .kind = clean_kind_of(path, mode),
        .listening = !!(b & 4),
        .locked = !!(b & 8),
        .pid = (b & 16) ? 1234 : 0,
        .pid_alive = !!(b & 32),
    };
    size_t len = strlen(path);
    if (mode == S_IFSOCK)
        fuzz_assert(p.kind == CLEAN_SOCKET);
    else if (mode != S_IFREG)
        fuzz_assert(p.kind == CLEAN_OTHER);
    else if (len >= 4 && !strcmp(path + len - 4, ".pid"))
        fuzz_assert(p.kind == CLEAN_PIDFILE);
    enum clean_verdict v = clean_decide(&p);
    fuzz_assert(v == CLEAN_KEEP || v == CLEAN_REMOVE || v == CLEAN_BLOCK);
    if (v == CLEAN_REMOVE) {
        fuzz_assert(p.kind != CLEAN_OTHER);
        fuzz_assert(p.kind != CLEAN_SOCKET || !p.listening);
        fuzz_assert(p.kind != CLEAN_PIDFILE || !p.locked);
        fuzz_assert(p.kind == CLEAN_SOCKET || !p.pid || !p.pid_alive);
    }
    if (v == CLEAN_BLOCK)
        fuzz_assert(p.kind == CLEAN_PIDFILE && p.locked);
    if (p.kind == CLEAN_PIDFILE && p.locked)
        fuzz_assert(v == CLEAN_BLOCK);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    if (!size)
        return 0;
    /* a file's text is bytes: exactly size - 1 of them */
    char *text = fuzz_copy(data + 1, size - 1);
    parse(text, size - 1);
    free(text);
    char *path = fuzz_str(data + 1, size - 1);
    verdict(data[0], path);
    free(path);
    return 0;
}
