/* SPDX-License-Identifier: ISC */
/* fuzz_log: the line splitter that turns each service's output into
 * "name: line" lines (log_feed, log_flush, log_format). The input is the
 * output, cut into reads where it holds a byte 0x02; a byte 0x01 stands
 * for 1000 'x' (lines as long as LOG_LINE_MAX come cheap). The lines must
 * be what the whole output says, whatever the reads: each newline ends
 * one line, an empty line stays one, a longer line is cut into pieces of
 * LOG_LINE_MAX, and nothing is lost or made up. */
#include <string.h>

#include "fuzz.h"
#include "log.h"

#define STREAM_MAX (4 * LOG_LINE_MAX + 4096)
#define LINES_MAX  (STREAM_MAX + 1)

struct lines {
    size_t n;
    size_t len[LINES_MAX];
    size_t off[LINES_MAX];
    size_t used;
    char text[STREAM_MAX];
};

static void collect(char const *name, char const *line, size_t len, void *arg)
{
    struct lines *l = arg;
    fuzz_assert(!strcmp(name, "svc"));
    fuzz_assert(len <= LOG_LINE_MAX && !memchr(line, '\n', len));
    fuzz_assert(l->n < LINES_MAX && l->used + len <= STREAM_MAX);
    l->off[l->n] = l->used;
    l->len[l->n++] = len;
    memcpy(l->text + l->used, line, len);
    l->used += len;
}

/* What the promise says the lines of s are. */
static void expected(char const *s, size_t len, struct lines *l)
{
    while (len) {
        char const *nl = memchr(s, '\n', len);
        size_t n = nl ? (size_t) (nl - s) : len;
        if (!n && nl)
            collect("svc", s, 0, l);
        for (size_t off = 0; off < n; off += LOG_LINE_MAX)
            collect("svc", s + off, n - off < LOG_LINE_MAX ? n - off : LOG_LINE_MAX, l);
        s += n + !!nl;
        len -= n + !!nl;
    }
}

static int same(struct lines const *a, struct lines const *b)
{
    if (a->n != b->n || a->used != b->used || memcmp(a->text, b->text, a->used))
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->len[i] != b->len[i])
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    static char stream[STREAM_MAX];
    static size_t cuts[STREAM_MAX + 1];
    static struct lines got, want;
    static struct log_buf b;
    size_t len = 0, ncuts = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == 0x02) {
            cuts[ncuts++] = len;
            continue;
        }
        size_t n = data[i] == 0x01 ? 1000 : 1;
        if (len + n > STREAM_MAX)
            break;
        memset(stream + len, data[i] == 0x01 ? 'x' : data[i], n);
        len += n;
    }
    cuts[ncuts++] = len;
    got.n = got.used = 0;
    b = (struct log_buf){.name = "svc", .file_fd = -1, .tee_fd = -1};
    for (size_t i = 0, from = 0; i < ncuts; from = cuts[i++]) {
        log_feed(&b, stream + from, cuts[i] - from, collect, &got);
        fuzz_assert(b.len < LOG_LINE_MAX);
    }
    log_flush(&b, collect, &got);
    fuzz_assert(b.len == 0);
    log_release(&b);
    want.n = want.used = 0;
    expected(stream, len, &want);
    fuzz_assert(same(&got, &want));
    /* and each line as it goes to stdout */
    static char out[LOG_LINE_MAX + 80];
    for (size_t i = 0; i < got.n; i++) {
        size_t n = log_format(out, "svc", got.text + got.off[i], got.len[i]);
        fuzz_assert(n == got.len[i] + 6 && !memcmp(out, "svc: ", 5) && out[n - 1] == '\n');
    }
    return 0;
}
