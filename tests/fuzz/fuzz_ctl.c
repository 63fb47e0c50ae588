/* SPDX-License-Identifier: ISC */
/* fuzz_ctl: the control protocol as PID 1 reads it from any local client
 * (ctl_request_parse: all the bytes sent so far, whole or in part, before
 * and after the client closed its side), and the answers' escaping of
 * text that service files and clients choose: JSON strings
 * (ctl_put_json) and terminal columns (ctl_put_text), into buffers of
 * every small size; and ctl_format_duration. */
#include <string.h>

#include "ctl.h"
#include "fuzz.h"

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* What the request promises: the verb and the blank-separated words. */
static void request_ok(char const *in, size_t len, struct ctl_request const *req)
{
    size_t line = 0;
    while (line < len && in[line] != '\n')
        line++;
    fuzz_assert(line < CTL_REQUEST_MAX);
    fuzz_assert(req->verb <= CTL_VERB_ENV);
    fuzz_assert(req->argc < CTL_WORDS_MAX && !req->argv[req->argc]);
    /* the words, in order, are the line's */
    char const *p = in, *end = in + line;
    unsigned int word = 0;
    for (;;) {
        while (p < end && blank(*p))
            p++;
        if (p == end)
            break;
        size_t n = 0;
        while (p + n < end && !blank(p[n]))
            n++;
        if (word == 0) {
            char verb[CTL_REQUEST_MAX];
            memcpy(verb, p, n);
            verb[n] = 0;
            fuzz_assert(ctl_is_verb(verb));
        } else {
            char const *w = req->argv[word - 1];
            fuzz_assert(w && strlen(w) == n && !memcmp(w, p, n));
            fuzz_assert(w >= req->text && w + n < req->text + sizeof req->text);
        }
        word++;
        p += n;
    }
    fuzz_assert(word == req->argc + 1);
}

static void request(char const *in, size_t len)
{
    static struct ctl_request req, part;
    int has_nl = memchr(in, '\n', len < CTL_REQUEST_MAX ? len : CTL_REQUEST_MAX) != NULL;
    for (int eof = 0; eof < 2; eof++) {
        enum ctl_parse r = ctl_request_parse(in, len, eof, &req);
        fuzz_assert(r <= CTL_PARSE_UNKNOWN && ctl_parse_error(r));
        fuzz_assert(!!*ctl_parse_error(r) == !(r == CTL_PARSE_OK || r == CTL_PARSE_MORE));
        if (!has_nl && len >= CTL_REQUEST_MAX)
            fuzz_assert(r == CTL_PARSE_TOO_LONG);
        else if (!has_nl && !eof)
            fuzz_assert(r == CTL_PARSE_MORE);
        else if (!has_nl && !len)
            fuzz_assert(r == CTL_PARSE_NOTHING);
        else
            fuzz_assert(r != CTL_PARSE_MORE && r != CTL_PARSE_NOTHING);
        if (r == CTL_PARSE_OK)
            request_ok(in, len, &req);
        /* a request that came in pieces: each piece until its newline is
         * "more", and the whole is read as when it came at once */
        if (eof || !has_nl)
            continue;
        size_t nl = (size_t) ((char const *) memchr(in, '\n', len) - in);
        for (size_t k = 0; k <= nl; k += 1 + k / 2)
            fuzz_assert(ctl_request_parse(in, k, 0, &part) == CTL_PARSE_MORE);
        fuzz_assert(ctl_request_parse(in, nl + 1, 0, &part) == r);
        if (r == CTL_PARSE_OK)
            fuzz_assert(part.verb == req.verb && part.argc == req.argc);
    }
}

/* Well-formed UTF-8 at p within end: its length, or 0. */
static size_t utf8(unsigned char const *p, unsigned char const *end)
{
    unsigned char c = *p;
    size_t n = c < 0x80                 ? 1
               : c >= 0xc2 && c <= 0xdf ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    if (!n || (size_t) (end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
        (c == 0xf4 && p[1] > 0x8f))
        return 0;
    return n;
}

static void json_ok(char const *s, size_t len)
{
    unsigned char const *p = (unsigned char const *) s, *end = p + len;
    fuzz_assert(len >= 2 && s[0] == '"' && s[len - 1] == '"');
    for (p++, end--; p < end;) {
        if (*p == '\\') {
            fuzz_assert(p + 1 < end && strchr("\"\\/bfnrtu", p[1]) && p[1]);
            if (p[1] == 'u') {
                fuzz_assert(end - p >= 6);
                for (int i = 2; i < 6; i++)
                    fuzz_assert(strchr("0123456789abcdefABCDEF", p[i]) && p[i]);
                p += 6;
            } else
                p += 2;
            continue;
        }
        fuzz_assert(*p >= 0x20 && *p != '"');
        size_t n = utf8(p, end);
        fuzz_assert(n);
        p += n;
    }
}

static void text_ok(char const *s, size_t len, unsigned int width)
{
    unsigned char const *p = (unsigned char const *) s, *end = p + len;
    unsigned int cols = 0;
    for (; p < end; cols++) {
        size_t n = utf8(p, end);
        fuzz_assert(n && *p >= 0x20 && *p != 0x7f && !(n == 2 && p[0] == 0xc2 && p[1] < 0xa0));
        p += n;
    }
    fuzz_assert(cols >= width);
}

static void answers(char const *s, unsigned int width)
{
    static char buf[16 * 4096 + 64];
    size_t sizes[] = {sizeof buf - 64, 0, 1, 2, 7, 8, 33};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        struct ctl_out o = {.buf = buf, .size = sizes[i]};
        memset(buf + sizes[i], 0x5a, 64);
        ctl_put_json(&o, s);
        fuzz_assert(o.len <= o.size && buf[sizes[i]] == 0x5a);
        if (!o.overflow)
            json_ok(buf, o.len);
        else
            fuzz_assert(i); /* the big buffer holds any input's */
        o = (struct ctl_out){.buf = buf, .size = sizes[i]};
        ctl_put_text(&o, s, width);
        fuzz_assert(o.len <= o.size && buf[sizes[i]] == 0x5a);
        if (!o.overflow)
            text_ok(buf, o.len, width);
        else
            fuzz_assert(i);
    }
    struct ctl_out o = {.buf = buf, .size = 8};
    ctl_put_json(&o, NULL);
    fuzz_assert(!o.overflow && o.len == 4 && !memcmp(buf, "null", 4));
}

static void duration(uint8_t const *data, size_t size)
{
    uint64_t ms = 0;
    char buf[40];
    for (size_t i = 0; i < size && i < 8; i++)
        ms = ms << 8 | data[i];
    for (unsigned int len = 1; len <= 32; len += 7) {
        memset(buf, 0x5a, sizeof buf);
        ctl_format_duration(buf, len, ms);
        fuzz_assert(memchr(buf, 0, len) && buf[len] == 0x5a);
    }
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    char *in = fuzz_copy(data, size); /* bytes from a socket: exactly size */
    request(in, size);
    free(in);
    char *s = fuzz_str(data, size);
    answers(s, size ? data[0] % 40 : 0);
    free(s);
    duration(data, size);
    return 0;
}
