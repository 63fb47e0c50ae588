/* SPDX-License-Identifier: ISC */
/* fuzz_mounts: /proc/self/mountinfo text as mounts_parse reads it (into a
 * table smaller than the text may need, too), then mounts_new between the
 * ids of the first half of the entries and the whole table. */
#include <string.h>

#include "fuzz.h"
#include "mounts.h"

#define TABLE 64

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    static struct mounts_entry e[TABLE + 1];
    char *text = fuzz_str(data, size);
    size_t lines = 1;
    for (char const *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    /* a guard entry after the table: the parser must stay below max */
    memset(&e[TABLE], 0x5a, sizeof e[TABLE]);
    size_t max = size ? data[0] % (TABLE + 1) : TABLE;
    size_t n = mounts_parse(text, e, max);
    fuzz_assert(n <= max && n <= lines);
    fuzz_assert(e[TABLE].id == 0x5a5a5a5a);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(e[i].target);
        fuzz_assert(len < sizeof e[i].target);
        fuzz_assert(len <= size); /* decoding only ever shortens */
    }
    int before[TABLE];
    size_t nbefore = n / 2, out[TABLE];
    for (size_t i = 0; i < nbefore; i++)
        before[i] = e[i].id;
    size_t k = mounts_new(before, nbefore, e, n, out);
    fuzz_assert(k <= n);
    for (size_t i = 0; i < k; i++) {
        fuzz_assert(out[i] < n);
        if (i)
            fuzz_assert(out[i] < out[i - 1]); /* last first */
        for (size_t j = 0; j < nbefore; j++)
            fuzz_assert(before[j] != e[out[i]].id);
    }
    free(text);
    return 0;
}
