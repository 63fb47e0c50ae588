/* SPDX-License-Identifier: ISC */
/* fuzz_killall: what a subreaper reads from /proc before it signals its
 * descendants: a /proc/PID/stat text (killall_stat_ppid), and a process
 * table with loops, strangers and unknown parents, as pid reuse during a
 * scan can make (killall_mark_descendants, checked against a plain walk
 * up the tree). The input is the stat text; its bytes, taken by pairs,
 * are also the table's (pid, ppid), the first byte the root. */
#include <string.h>

#include "fuzz.h"
#include "killall.h"

#define TABLE 128

/* Does pid p descend from root in t (unsorted, pids unique)? */
static int descends(struct killall_proc const *t, size_t n, size_t i, pid_t root)
{
    for (size_t steps = 0; steps <= n; steps++) {
        if (t[i].ppid == root)
            return 1;
        size_t j = 0;
        while (j < n && t[j].pid != t[i].ppid)
            j++;
        if (j == n)
            return 0;
        i = j;
    }
    return 0; /* a loop */
}

static void table(uint8_t const *data, size_t size)
{
    static struct killall_proc t[TABLE], copy[TABLE];
    size_t n = 0;
    if (!size)
        return;
    pid_t root = data[0];
    for (size_t i = 1; i + 1 < size && n < TABLE; i += 2) {
        int seen = 0;
        for (size_t j = 0; j < n; j++)
            seen |= t[j].pid == data[i];
        if (!seen) /* /proc lists each pid once */
            t[n++] = (struct killall_proc){.pid = data[i], .ppid = data[i + 1], .mark = 0x77};
    }
    memcpy(copy, t, n * sizeof *t);
    size_t marked = killall_mark_descendants(t, n, root);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        fuzz_assert(t[i].mark == KILLALL_DESCENDANT || t[i].mark == KILLALL_OTHER);
        if (i)
            fuzz_assert(t[i - 1].pid < t[i].pid); /* sorted */
        count += t[i].mark == KILLALL_DESCENDANT;
    }
    fuzz_assert(marked == count);
    /* each entry kept its parent, and is marked as a plain walk says */
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (t[j].pid != copy[i].pid)
            j++;
        fuzz_assert(t[j].ppid == copy[i].ppid);
        fuzz_assert((t[j].mark == KILLALL_DESCENDANT) == descends(copy, n, i, root));
    }
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    char *stat = fuzz_str(data, size);
    pid_t ppid = killall_stat_ppid(stat);
    fuzz_assert(ppid == -1 || (ppid >= 0 && ppid <= 4194304));
    if (ppid >= 0)
        fuzz_assert(strrchr(stat, ')'));
    free(stat);
    table(data, size);
    return 0;
}
