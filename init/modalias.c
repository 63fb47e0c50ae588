/* SPDX-License-Identifier: ISC */
/* modalias: which modules a machine's devices ask for (see modalias.h).
 * The aliases come from sysfs and from kernel uevents: untrusted text,
 * checked before it becomes an argument of modprobe, and kept in a fixed
 * pool. */
#include <errno.h>
#include <string.h>

#include "modalias.h"

int modalias_valid(char const *s)
{
    size_t n = 0;
    if (!s || !*s || *s == '-')
        return 0;
    for (; s[n]; n++)
        if ((unsigned char) s[n] <= 0x20 || (unsigned char) s[n] >= 0x7f)
            return 0;
    return n < MODALIAS_MAX;
}

int modalias_from_text(char const *text, size_t len, char *out, size_t size)
{
    *out = 0;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    if (!len || len >= size || memchr(text, 0, len))
        return (errno = EINVAL, -1);
    memcpy(out, text, len);
    out[len] = 0;
    if (!modalias_valid(out)) {
        *out = 0;
        return (errno = EINVAL, -1);
    }
    return 0;
}

void modalias_clear(struct modalias_set *set)
{
    set->n = set->len = 0;
}

int modalias_add(struct modalias_set *set, char const *alias)
{
    if (!modalias_valid(alias))
        return (errno = EINVAL, -1);
    size_t n = strlen(alias);
    for (size_t at = 0; at < set->len; at += strlen(set->pool + at) + 1)
        if (!strcmp(set->pool + at, alias))
            return 0;
    if (set->len + n + 1 > sizeof set->pool)
        return (errno = ENOSPC, -2);
    memcpy(set->pool + set->len, alias, n + 1);
    set->len += n + 1;
    set->n++;
    return 1;
}

size_t modalias_batch(struct modalias_set const *set, size_t *pos, char const **args, size_t max)
{
    size_t given = 0, bytes = 0;
    if (max > MODALIAS_BATCH_ARGS)
        max = MODALIAS_BATCH_ARGS;
    while (*pos < set->len && given < max) {
        char const *a = set->pool + *pos;
        size_t n = strlen(a);
        /* one alias always fits alone: MODALIAS_MAX < MODALIAS_BATCH_BYTES */
        if (given && bytes + n + 1 > MODALIAS_BATCH_BYTES)
            break;
        args[given++] = a;
        bytes += n + 1;
        *pos += n + 1;
    }
    return given;
}

char const *modalias_of_uevent(char const *action, char const *modalias)
{
    if (!action || strcmp(action, "add") || !modalias_valid(modalias))
        return NULL;
    return modalias;
}

void modalias_modprobe_path(char const *proc, char *out, size_t size)
{
    size_t n = proc ? strlen(proc) : 0;
    while (n && (proc[n - 1] == '\n' || proc[n - 1] == ' '))
        n--;
    if (!n || proc[0] != '/' || n >= size) {
        strcpy(out, MODALIAS_MODPROBE);
        return;
    }
    memcpy(out, proc, n);
    out[n] = 0;
}
