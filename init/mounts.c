/* SPDX-License-Identifier: ISC */
/* mounts: systemd in a container unmounts everything it sees at shutdown,
 * the runtime's volumes and /etc/hosts included, and fails loudly on them
 * ("Failed unmounting /config"). vinit remembers the mount ids present when
 * it started and, once every process is gone, unmounts only the newer ones
 * (a service's tmpfs, a bind mount a hook made), in reverse order, lazily
 * when still busy. Mount ids are unique for the life of the kernel, so a
 * mount made and replaced during the run is never mistaken for an old one.
 * /proc/self/mountinfo is parsed here rather than with libmount: PID 1 stays
 * free of libmount, libblkid and libselinux, and of their memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "mounts.h"

/* Mount points escape space, tab, newline and backslash as \ooo. */
static void unescape(char *dst, size_t size, char const *src, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        if (src[i] == '\\' && i + 3 < len + 1 && src[i + 1] >= '0' && src[i + 1] <= '3') {
            dst[o++] =
                (char) ((src[i + 1] - '0') * 64 + (src[i + 2] - '0') * 8 + (src[i + 3] - '0'));
            i += 3;
        } else
            dst[o++] = src[i];
    }
    dst[o] = 0;
}

size_t mounts_parse(char const *text, struct mounts_entry *e, size_t max)
{
    size_t n = 0;
    for (char const *line = text; line && *line && n < max;) {
        char const *end = strchr(line, '\n');
        size_t len = end ? (size_t) (end - line) : strlen(line);
        /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
        char const *p = line, *stop = line + len;
        char const *field[5];
        int k = 0;
        while (p < stop && k < 5) {
            while (p < stop && *p == ' ')
                p++;
            field[k++] = p;
            while (p < stop && *p != ' ')
                p++;
        }
        if (k == 5) {
            char const *mp = field[4], *mpend = mp;
            while (mpend < stop && *mpend != ' ')
                mpend++;
            e[n].id = atoi(field[0]);
            unescape(e[n].target, sizeof e[n].target, mp, (size_t) (mpend - mp));
            n++;
        }
        line = end ? end + 1 : NULL;
    }
    return n;
}

size_t mounts_new(int const *before, size_t nbefore, struct mounts_entry const *now, size_t nnow,
                  size_t *out)
{
    size_t n = 0;
    for (size_t i = nnow; i-- > 0;) {
        int known = 0;
        for (size_t j = 0; j < nbefore && !known; j++)
            known = before[j] == now[i].id;
        if (!known)
            out[n++] = i;
    }
    return n;
}

static int snapshot_ids[MOUNTS_MAX];
static size_t snapshot_n;
static struct mounts_entry table[MOUNTS_MAX];
static char text[1 << 20];

static size_t read_table(void)
{
    int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    ssize_t r;
    if (fd < 0)
        return 0;
    while (len < sizeof text - 1 && (r = read(fd, text + len, sizeof text - 1 - len)) > 0)
        len += (size_t) r;
    close(fd);
    text[len] = 0;
    return mounts_parse(text, table, MOUNTS_MAX);
}

int mounts_snapshot(void)
{
    size_t n = read_table();
    if (!n)
        return -1;
    for (size_t i = 0; i < n; i++)
        snapshot_ids[i] = table[i].id;
    snapshot_n = n;
    return 0;
}

int mounts_unmount_new(int verbose)
{
    static size_t order[MOUNTS_MAX];
    int done = 0;
    if (!snapshot_n)
        return 0;
    size_t n = read_table();
    size_t k = mounts_new(snapshot_ids, snapshot_n, table, n, order);
    for (size_t i = 0; i < k; i++) {
        char const *t = table[order[i]].target;
        if (umount2(t, UMOUNT_NOFOLLOW) == 0 ||
            (errno == EBUSY && umount2(t, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)) {
            done++;
            if (verbose)
                strerr_warni("unmounted ", t);
        } else if (errno != EINVAL && errno != ENOENT)
            strerr_warnwusys("unmount ", t);
    }
    return done;
}
