/* SPDX-License-Identifier: ISC */
/* fuzz_uevents: a --uevents file as vinit-udevd reads it: split into
 * blank-line-ended blocks (udev_uevent_blocks) as the reads come, each
 * block parsed into properties (udev_uevent_parse). The first byte sets
 * the size of each read (1 to 256 bytes), the rest is the file, NUL bytes
 * and all. The blocks must be the same whatever the reads, and the file
 * must be used up at its end. */
#include <string.h>

#include "fuzz.h"
#include "udev.h"

#define BLOCKS_MAX 4096

struct blocks {
    size_t n;
    size_t off[BLOCKS_MAX], len[BLOCKS_MAX];
    char const *base;
};

static void collect(char const *block, size_t n, void *arg)
{
    static struct udev_props ps;
    struct blocks *b = arg;
    fuzz_assert(b->n < BLOCKS_MAX);
    b->off[b->n] = (size_t) (block - b->base);
    b->len[b->n++] = n;
    fuzz_assert(!memmem(block, n, "\n\n", 2));
    ps.n = 0;
    size_t added = udev_uevent_parse(block, n, &ps);
    fuzz_assert(ps.n <= added && ps.n <= UDEV_PROPS_MAX); /* a key given twice counts once */
    for (size_t i = 0; i < ps.n; i++)
        fuzz_assert(ps.p[i].key[0] && !strchr(ps.p[i].value, '\n'));
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    static struct blocks whole, reads;
    if (!size)
        return 0;
    size_t step = (size_t) data[0] + 1, len = size - 1;
    char *file = fuzz_copy(data + 1, len);
    whole = (struct blocks){.base = file};
    fuzz_assert(udev_uevent_blocks(file, len, 1, collect, &whole) == len);
    /* as read_uevents does: what is not used stays for the next read */
    char *buf = fuzz_copy(data + 1, len);
    reads = (struct blocks){.base = buf};
    size_t have = 0, start = 0; /* buf holds file[start, start + have) */
    for (size_t off = 0;;) {
        size_t r = len - off < step ? len - off : step;
        memcpy(buf + have, file + off, r);
        have += r;
        off += r;
        size_t before = reads.n;
        size_t used = udev_uevent_blocks(buf, have, r == 0, collect, &reads);
        fuzz_assert(used <= have);
        /* offsets into buf are offsets into the file, from start */
        for (size_t i = before; i < reads.n; i++)
            reads.off[i] += start;
        memmove(buf, buf + used, have - used);
        have -= used;
        start += used;
        if (!r)
            break;
    }
    fuzz_assert(have == 0 && start == len);
    fuzz_assert(reads.n == whole.n);
    for (size_t i = 0; i < whole.n; i++)
        fuzz_assert(reads.off[i] == whole.off[i] && reads.len[i] == whole.len[i]);
    free(buf);
    free(file);
    return 0;
}
