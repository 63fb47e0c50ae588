/* SPDX-License-Identifier: ISC */
/* udev: libvirt lists USB devices through libudev, and libudev takes the
 * ID_VENDOR_ID, ID_MODEL_ID... of a device from udevd's database in
 * /run/udev/data, not from sysfs. A container has no udevd, so libvirt
 * fails with "Missing udev property 'ID_VENDOR_ID'". This module computes,
 * from sysfs attributes, the properties udevd's usb_id builtin would have
 * stored, formats them as a database entry (the "I:", "E:", "V:" lines
 * libudev parses) and as the netlink message libudev monitors receive. It
 * is written from the formats, not from udev's code. Attribute text is
 * untrusted: every buffer is bounded and every value is cut, never
 * overflowed. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udev.h"

static void copy(char *out, size_t size, char const *in)
{
    size_t n = strlen(in);
    if (n >= size)
        n = size - 1;
    memcpy(out, in, n);
    out[n] = 0;
}

static void append(char *out, size_t size, char const *in)
{
    size_t len = strlen(out);
    copy(out + len, size - len, in);
}

char const *udev_props_get(struct udev_props const *ps, char const *key)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].key, key))
            return ps->p[i].value;
    return NULL;
}

int udev_props_set(struct udev_props *ps, char const *key, char const *value, int db)
{
    struct udev_prop *p = NULL;
    if (strlen(key) >= UDEV_KEY_MAX || !*key)
        return (errno = EINVAL, -1);
    for (size_t i = 0; i < ps->n && !p; i++)
        if (!strcmp(ps->p[i].key, key))
            p = &ps->p[i];
    if (!p) {
        if (ps->n >= UDEV_PROPS_MAX)
            return (errno = ENOSPC, -1);
        p = &ps->p[ps->n++];
        copy(p->key, sizeof p->key, key);
    }
    copy(p->value, sizeof p->value, value);
    /* a newline would end the database line, and the message's entry */
    for (char *c = p->value; *c; c++)
        if ((unsigned char) *c < 0x20 || *c == 0x7f)
            *c = '_';
    p->db = (unsigned char) !!db;
    return 0;
}

static int key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* One "KEY=VALUE" line of [s, end): added when well formed. */
static int parse_line(char const *s, char const *end, struct udev_props *ps)
{
    char key[UDEV_KEY_MAX], value[UDEV_VALUE_MAX];
    char const *eq = s;
    while (eq < end && key_char(*eq))
        eq++;
    if (eq == s || eq >= end || *eq != '=' || (size_t) (eq - s) >= sizeof key)
        return 0;
    memcpy(key, s, (size_t) (eq - s));
    key[eq - s] = 0;
    size_t n = (size_t) (end - eq - 1);
    if (n >= sizeof value)
        n = sizeof value - 1;
    memcpy(value, eq + 1, n);
    value[n] = 0;
    if (n && value[n - 1] == '\r')
        value[n - 1] = 0;
    return udev_props_set(ps, key, value, 0) == 0;
}

size_t udev_uevent_parse(char const *text, size_t len, struct udev_props *ps)
{
    size_t added = 0;
    char const *end = text + len;
    for (char const *s = text; s < end;) {
        char const *e = s;
        while (e < end && *e != '\n' && *e)
            e++;
        added += (size_t) parse_line(s, e, ps);
        s = e + 1;
    }
    return added;
}

size_t udev_uevent_blocks(char const *buf, size_t len, int eof,
                          void (*each)(char const *block, size_t n, void *arg), void *arg)
{
    size_t used = 0;
    while (used < len) {
        /* memmem, not strstr: a NUL must not hide the rest of the data,
         * nor stop the reader from moving past it */
        char const *start = buf + used, *end = memmem(start, len - used, "\n\n", 2);
        if (!end && !eof)
            break;
        size_t n = end ? (size_t) (end - start) : len - used;
        each(start, n, arg);
        used += n + (end ? 2 : 0);
    }
    return used;
}

/* The length of a valid UTF-8 sequence of 2 to 4 bytes at s, else 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(unsigned char const *s)
{
    unsigned char c = s[0];
    size_t n = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    if (!n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0; /* also stops at the terminating 0 */
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

static int allowed(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("#+-.:=@_", c));
}

void udev_encode(char const *in, char *out, size_t size)
{
    size_t o = 0;
    unsigned char const *s = (unsigned char const *) in;
    if (!size)
        return;
    while (*s) {
        size_t n = utf8_seq(s);
        if (n) {
            if (o + n >= size)
                break;
            memcpy(out + o, s, n);
            o += n, s += n;
        } else if (allowed((char) *s)) {
            if (o + 1 >= size)
                break;
            out[o++] = (char) *s++;
        } else {
            if (o + 4 >= size)
                break;
            snprintf(out + o, 5, "\\x%02x", *s++);
            o += 4;
        }
    }
    out[o] = 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Blanks trimmed, inner runs made one '_'. */
static void squeeze(char const *in, char *out, size_t size)
{
    size_t o = 0, len = strlen(in);
    while (len && blank(in[len - 1]))
        len--;
    size_t i = 0;
    while (i < len && blank(in[i]))
        i++;
    for (int gap = 0; i < len && o + 1 < size; i++) {
        if (blank(in[i])) {
            gap = 1;
            continue;
        }
        if (gap) {
            if (o + 2 >= size)
                break;
            out[o++] = '_';
            gap = 0;
        }
        out[o++] = in[i];
    }
    out[o] = 0;
}

void udev_sanitize(char const *in, char *out, size_t size)
{
    if (!size)
        return;
    squeeze(in, out, size);
    unsigned char *s = (unsigned char *) out;
    while (*s) {
        size_t n = utf8_seq(s);
        if (n) {
            s += n;
            continue;
        }
        /* keep "\x" so that text already encoded stays readable */
        if (!allowed((char) *s) && !(*s == '\\' && s[1] == 'x'))
            *s = '_';
        s++;
    }
    /* a sequence cut in half at the end was made '_' above: it is not
     * valid UTF-8 any more */
}

int udev_serial_ok(char const *s)
{
    for (unsigned char const *p = (unsigned char const *) s; *p; p++)
        if (*p < 0x20 || *p > 0x7f || *p == ',')
            return 0;
    return 1;
}

void udev_interfaces_add(char *list, size_t size, unsigned cls, unsigned sub, unsigned proto)
{
    char one[8];
    size_t len = strlen(list);
    snprintf(one, sizeof one, ":%02x%02x%02x", cls & 0xff, sub & 0xff, proto & 0xff);
    if (strstr(list, one))
        return;
    if (!len) {
        if (size < 9)
            return;
        snprintf(list, size, "%s:", one);
        return;
    }
    /* list ends with ':', which starts the new entry */
    if (len + 7 >= size)
        return;
    snprintf(list + len, size - len, "%s:", one + 1);
}

int udev_interfaces_from_descriptors(unsigned char const *d, size_t len, char *list, size_t size)
{
    if (size)
        *list = 0;
    /* a device descriptor (18 bytes), then configurations, interfaces,
     * endpoints..., each starting with its length and its type */
    if (len < 18 || !size)
        return (errno = EINVAL, -1);
    for (size_t pos = 0, l; pos + 2 <= len; pos += l) {
        if ((l = d[pos]) < 2)
            break;
        if (pos + l > len) {
            *list = 0;
            return (errno = EINVAL, -1);
        }
        if (d[pos + 1] == 4 && l >= 9) /* USB_DT_INTERFACE */
            udev_interfaces_add(list, size, d[pos + 5], d[pos + 6], d[pos + 7]);
    }
    return 0;
}

static char const *iftype(unsigned long cls, char const *subclass)
{
    switch (cls) {
    case 1:
        return "audio";
    case 3:
        return "hid";
    case 6:
        return "media";
    case 7:
        return "printer";
    case 9:
        return "hub";
    case 0x0e:
        return "video";
    case 8:
        break;
    default:
        return "generic";
    }
    /* mass storage: by subclass */
    switch (subclass ? strtoul(subclass, NULL, 0) : 0) {
    case 1:
        return "rbc";
    case 2:
        return "atapi";
    case 3:
        return "tape";
    case 4:
        return "floppy";
    case 6:
        return "scsi";
    default:
        return "generic";
    }
}

/* A text the kernel gave, or NULL when absent or empty. */
static char const *given(char const *s)
{
    return s && *s ? s : NULL;
}

static void set2(struct udev_props *ps, char const *key, char const *value)
{
    char usb[UDEV_KEY_MAX];
    udev_props_set(ps, key, value, 1);
    /* udev also sets an ID_USB_ copy, which other builtins leave alone */
    snprintf(usb, sizeof usb, "ID_USB_%s", key + 3);
    udev_props_set(ps, usb, value, 1);
}

/* idVendor and idProduct, or else the kernel's PRODUCT=v/p/r: a missing
 * attribute must not cost libvirt its ID_VENDOR_ID. */
static void ids(struct udev_usb const *u, struct udev_props const *k, char *vid, char *pid)
{
    unsigned v, p;
    char const *product = udev_props_get(k, "PRODUCT");
    *vid = *pid = 0;
    if (given(u->id_vendor))
        copy(vid, 64, u->id_vendor);
    if (given(u->id_product))
        copy(pid, 64, u->id_product);
    if ((!*vid || !*pid) && product && sscanf(product, "%x/%x/", &v, &p) == 2) {
        if (!*vid)
            snprintf(vid, 64, "%04x", v & 0xffff);
        if (!*pid)
            snprintf(pid, 64, "%04x", p & 0xffff);
    }
}

/* What usb_id computes from the usb_device's attributes. */
static void usb_id(struct udev_usb const *u, struct udev_props *ps)
{
    char vid[64], pid[64], vendor[64], model[64], rev[64], serial[UDEV_VALUE_MAX], id[256];
    char enc[256];
    ids(u, ps, vid, pid);
    if (!*vid || !*pid)
        return; /* nothing to identify it by */
    udev_encode(given(u->manufacturer) ? u->manufacturer : vid, enc, sizeof enc);
    set2(ps, "ID_VENDOR_ENC", enc);
    udev_sanitize(given(u->manufacturer) ? u->manufacturer : vid, vendor, sizeof vendor);
    udev_encode(given(u->product) ? u->product : pid, enc, sizeof enc);
    set2(ps, "ID_MODEL_ENC", enc);
    udev_sanitize(given(u->product) ? u->product : pid, model, sizeof model);
    set2(ps, "ID_VENDOR", vendor);
    set2(ps, "ID_VENDOR_ID", vid);
    set2(ps, "ID_MODEL", model);
    set2(ps, "ID_MODEL_ID", pid);
    *serial = 0;
    if (given(u->serial) && udev_serial_ok(u->serial))
        udev_sanitize(u->serial, serial, sizeof serial);
    if (given(u->bcd_device)) {
        udev_sanitize(u->bcd_device, rev, sizeof rev);
        set2(ps, "ID_REVISION", rev);
    }
    /* vendor_model[_serial], cut at udev's 255 bytes */
    *id = 0;
    char const *parts[4] = {vendor, "_", model, *serial ? "_" : ""};
    for (int i = 0; i < 5; i++)
        append(id, sizeof id, i < 4 ? parts[i] : serial);
    set2(ps, "ID_SERIAL", id);
    if (*serial)
        set2(ps, "ID_SERIAL_SHORT", serial);
    udev_props_set(ps, "ID_BUS", "usb", 1);
    if (given(u->interfaces))
        udev_props_set(ps, "ID_USB_INTERFACES", u->interfaces, 1);
}

/* BUSNUM and DEVNUM from the attributes when the uevent lacks them:
 * libvirt refuses a device without them. */
static void numbers(struct udev_usb const *u, struct udev_props *ps)
{
    char const *keys[2] = {"BUSNUM", "DEVNUM"}, *vals[2] = {u->busnum, u->devnum};
    for (int i = 0; i < 2; i++) {
        char buf[16], *end;
        if (udev_props_get(ps, keys[i]) || !given(vals[i]))
            continue;
        unsigned long n = strtoul(vals[i], &end, 10);
        if (*end || end == vals[i] || n > 999)
            continue;
        snprintf(buf, sizeof buf, "%03lu", n);
        udev_props_set(ps, keys[i], buf, 1);
    }
}

int udev_usb_props(struct udev_usb const *u, struct udev_props *out)
{
    out->n = 0;
    if (u->uevent)
        udev_uevent_parse(u->uevent, strlen(u->uevent), out);
    char const *t = udev_props_get(out, "DEVTYPE");
    int device = t && !strcmp(t, "usb_device"), interface = t && !strcmp(t, "usb_interface");
    if (!device && !interface)
        return (errno = EINVAL, -1);
    if (given(u->driver) && !udev_props_get(out, "DRIVER"))
        udev_props_set(out, "DRIVER", u->driver, 0);
    if (device)
        numbers(u, out);
    usb_id(u, out);
    if (interface) {
        unsigned long cls = given(u->if_class) ? strtoul(u->if_class, NULL, 16) : 0xff;
        if (given(u->if_number))
            udev_props_set(out, "ID_USB_INTERFACE_NUM", u->if_number, 1);
        if (given(u->driver))
            udev_props_set(out, "ID_USB_DRIVER", u->driver, 1);
        set2(out, "ID_TYPE", iftype(cls, u->if_subclass));
    }
    return 0;
}

static int plain_name(char const *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int udev_db_name(struct udev_props const *ps, char const *sysname, char *out, size_t size)
{
    char const *maj = udev_props_get(ps, "MAJOR"), *min = udev_props_get(ps, "MINOR");
    char *e1, *e2;
    int n;
    if (maj && min) {
        unsigned long a = strtoul(maj, &e1, 10), b = strtoul(min, &e2, 10);
        /* libudev takes the number only when both parse */
        if (*maj && *min && !*e1 && !*e2 && a <= UINT_MAX && b <= UINT_MAX && a) {
            n = snprintf(out, size, "c%lu:%lu", a, b);
            return n > 0 && (size_t) n < size ? 0 : (errno = ENAMETOOLONG, -1);
        }
    }
    if (!sysname || !plain_name(sysname))
        return (errno = EINVAL, -1);
    n = snprintf(out, size, "+usb:%s", sysname);
    return n > 0 && (size_t) n < size ? 0 : (errno = ENAMETOOLONG, -1);
}

size_t udev_db_format(struct udev_props const *ps, uint64_t usec, char *out, size_t size)
{
    size_t o = 0;
    int n = snprintf(out, size, "I:%llu\n", (unsigned long long) usec);
    if (n < 0 || (size_t) n >= size)
        return 0;
    o = (size_t) n;
    for (size_t i = 0; i < ps->n; i++) {
        /* libudev's reader takes the byte after "E:" as the value's
         * start: never an empty key */
        if (!ps->p[i].db || !*ps->p[i].key)
            continue;
        n = snprintf(out + o, size - o, "E:%s=%s\n", ps->p[i].key, ps->p[i].value);
        if (n < 0 || (size_t) n >= size - o)
            return 0;
        o += (size_t) n;
    }
    n = snprintf(out + o, size - o, "V:1\n");
    if (n < 0 || (size_t) n >= size - o)
        return 0;
    return o + (size_t) n;
}

uint32_t udev_hash32(char const *s)
{
    uint32_t const m = 0x5bd1e995;
    size_t len = strlen(s);
    uint32_t h = (uint32_t) len;
    unsigned char const *d = (unsigned char const *) s;
    for (; len >= 4; d += 4, len -= 4) {
        uint32_t k =
            (uint32_t) d[0] | (uint32_t) d[1] << 8 | (uint32_t) d[2] << 16 | (uint32_t) d[3] << 24;
        k *= m;
        k ^= k >> 24;
        k *= m;
        h = h * m ^ k;
    }
    switch (len) {
    case 3:
        h ^= (uint32_t) d[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t) d[1] << 8;
        /* fall through */
    case 1:
        h ^= d[0];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    return h ^ h >> 15;
}

/* The header of a message on the "udev" group: libudev checks the prefix
 * and the magic; the kernel's socket filters that libudev installs for
 * udev_monitor_filter_add_match_subsystem_devtype() compare the hashes. */
struct wire_header {
    char prefix[8];
    uint32_t magic; /* big-endian, like the hashes */
    uint32_t header_size, properties_off, properties_len;
    uint32_t subsystem_hash, devtype_hash, tag_bloom_hi, tag_bloom_lo;
};

size_t udev_wire_format(struct udev_props const *ps, char *out, size_t size)
{
    struct wire_header h = {.prefix = "libudev", .magic = htobe32(0xfeedcafe)};
    char const *sub = udev_props_get(ps, "SUBSYSTEM"), *type = udev_props_get(ps, "DEVTYPE");
    size_t o = sizeof h;
    if (!sub || !udev_props_get(ps, "ACTION") || !udev_props_get(ps, "DEVPATH") ||
        !udev_props_get(ps, "SEQNUM") || size < sizeof h)
        return 0;
    for (size_t i = 0; i < ps->n; i++) {
        int n = snprintf(out + o, size - o, "%s=%s", ps->p[i].key, ps->p[i].value);
        if (n < 0 || (size_t) n >= size - o)
            return 0;
        o += (size_t) n + 1; /* and its terminating 0 */
    }
    h.header_size = sizeof h;
    h.properties_off = sizeof h;
    h.properties_len = (uint32_t) (o - sizeof h);
    h.subsystem_hash = htobe32(udev_hash32(sub));
    h.devtype_hash = type ? htobe32(udev_hash32(type)) : 0;
    memcpy(out, &h, sizeof h);
    return o;
}

static int data_path(char *out, size_t size, char const *dir, char const *name, char const *tail)
{
    int n = snprintf(out, size, "%s/data/%s%s", dir, name, tail);
    return n > 0 && (size_t) n < size ? 0 : (errno = ENAMETOOLONG, -1);
}

int udev_db_write(char const *dir, char const *name, char const *text, size_t len)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    if (data_path(path, sizeof path, dir, name, "") < 0 ||
        data_path(tmp, sizeof tmp, dir, name, ".vinit-tmp") < 0)
        return -1;
    /* readers see the old entry or the new one, never half of one */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, text, len);
    int ok = w == (ssize_t) len, e = ok ? 0 : w < 0 ? errno : EIO;
    if (close(fd) < 0 && ok)
        ok = 0, e = errno;
    if (ok && rename(tmp, path) < 0)
        ok = 0, e = errno;
    if (!ok) {
        unlink(tmp);
        return (errno = e, -1);
    }
    return 0;
}

int udev_db_remove(char const *dir, char const *name)
{
    char path[PATH_MAX];
    if (data_path(path, sizeof path, dir, name, "") < 0)
        return -1;
    return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

enum udev_role udev_role_decide(int has_db, int ours, int udevd_runs, int machine, int has_usb)
{
    if (has_db && !ours && machine && !udevd_runs)
        return UDEV_ROLE_TAKE_OVER;
    if (has_db && !ours)
        return UDEV_ROLE_CHECK_HOST;
    if (!has_usb && !machine)
        return UDEV_ROLE_NOTHING;
    return UDEV_ROLE_PROVIDE;
}
