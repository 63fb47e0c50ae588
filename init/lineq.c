/* SPDX-License-Identifier: ISC */
/* lineq: the lines wait in one buffer, allocated only while some do (a
 * service whose output flows holds none), moved down when the free room
 * is at the front. The head line is handed out whole, so that its writer
 * writes it with one call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lineq.h"

size_t lineq_note(char *out, char const *service, unsigned long n)
{
    int k = service ? snprintf(out, LINEQ_NOTE_MAX,
                               "vinit: warning: service %.96s: %lu line%s dropped (stdout was "
                               "not taking them)\n",
                               service, n, n == 1 ? "" : "s")
                    : snprintf(out, LINEQ_NOTE_MAX,
                               "vinit: warning: %lu line%s of vinit's own dropped (stderr was "
                               "not taking them)\n",
                               n, n == 1 ? "" : "s");
    return k > 0 && k < LINEQ_NOTE_MAX ? (size_t) k : 0;
}

/* Room for need more bytes at the end, or 0. */
static int room(struct lineq *q, size_t need)
{
    if (!q->buf) {
        q->buf = malloc(LINEQ_SIZE);
        if (!q->buf)
            return 0;
        q->off = q->len = 0;
    }
    if (q->len - q->off + need > LINEQ_SIZE)
        return 0;
    if (q->len + need > LINEQ_SIZE) {
        memmove(q->buf, q->buf + q->off, q->len - q->off);
        q->len -= q->off;
        q->off = 0;
    }
    return 1;
}

static void append(struct lineq *q, char const *p, size_t n)
{
    memcpy(q->buf + q->len, p, n);
    q->len += n;
}

int lineq_put(struct lineq *q, char const *line, size_t len, char const *service)
{
    char note[LINEQ_NOTE_MAX];
    size_t n = q->gap ? lineq_note(note, service, q->gap) : 0;
    if (len > LINEQ_SIZE - LINEQ_NOTE_MAX || !room(q, n + len)) {
        q->gap++;
        return 0;
    }
    append(q, note, n);
    q->gap = 0;
    append(q, line, len);
    return 1;
}

size_t lineq_next(struct lineq *q, char const **p, char const *service)
{
    if (q->off == q->len && q->gap) {
        char note[LINEQ_NOTE_MAX];
        size_t n = lineq_note(note, service, q->gap);
        if (!room(q, n))
            return 0; /* no memory: said with the next line that fits */
        append(q, note, n);
        q->gap = 0;
    }
    if (q->off == q->len)
        return 0;
    char const *start = q->buf + q->off;
    char const *nl = memchr(start, '\n', q->len - q->off);
    *p = start;
    return nl ? (size_t) (nl - start) + 1 : q->len - q->off;
}

void lineq_pop(struct lineq *q)
{
    char const *p;
    size_t n = q->off < q->len ? lineq_next(q, &p, NULL) : 0;
    q->off += n;
    if (q->off == q->len && !q->gap)
        lineq_free(q);
}

int lineq_waiting(struct lineq const *q)
{
    return q->off < q->len || q->gap;
}

void lineq_free(struct lineq *q)
{
    free(q->buf);
    *q = (struct lineq){0};
}
