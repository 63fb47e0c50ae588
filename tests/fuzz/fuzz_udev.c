/* SPDX-License-Identifier: ISC */
/* fuzz_udev: what vinit-udevd makes of a USB device's sysfs directory. The
 * input's sections ("== NAME", then the text; see fuzz.h) are the files
 * it reads: uevent, idVendor, product, serial, descriptors (raw bytes)...
 * and "driver" (the driver link's name), "sysname" (the directory's). The
 * properties (udev_usb_props), the database file's name (udev_db_name),
 * its text (udev_db_format, read back as libudev would), the monitor
 * message (udev_wire_format) and the file itself (udev_db_write, in a
 * scratch directory) are checked; so are udev_encode and udev_sanitize on
 * every section's text, into buffers of every small size. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "udev.h"

static char const *const attrs[] = {
    "uevent",           "driver",          "idVendor",           "idProduct", "manufacturer",
    "product",          "serial",          "bcdDevice",          "busnum",    "devnum",
    "bInterfaceNumber", "bInterfaceClass", "bInterfaceSubClass", "sysname",
};
#define NATTRS (sizeof attrs / sizeof *attrs)

struct device {
    char *value[NATTRS];
    unsigned char *descriptors;
    size_t ndescriptors;
};

/* As udevd's read_text: the text without its trailing newlines. */
static void section(char const *h, size_t hlen, char const *body, size_t blen, void *arg)
{
    struct device *d = arg;
    if (hlen == 11 && !memcmp(h, "descriptors", 11)) {
        free(d->descriptors);
        d->descriptors = (unsigned char *) fuzz_copy((uint8_t const *) body, blen);
        d->ndescriptors = blen;
        return;
    }
    for (size_t i = 0; i < NATTRS; i++)
        if (strlen(attrs[i]) == hlen && !memcmp(h, attrs[i], hlen)) {
            while (blen && body[blen - 1] == '\n')
                blen--;
            if (blen > UDEV_VALUE_MAX)
                blen = UDEV_VALUE_MAX;
            free(d->value[i]);
            d->value[i] = fuzz_str((uint8_t const *) body, blen);
        }
}

static char *attr(struct device *d, char const *name)
{
    for (size_t i = 0; i < NATTRS; i++)
        if (!strcmp(attrs[i], name))
            return d->value[i];
    return NULL;
}

static int encoded_ok(char const *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              strchr("#+-.:=@_\\", *s) || (unsigned char) *s >= 0x80))
            return 0;
    return 1;
}

/* udev_encode and udev_sanitize never write past size, always end it. */
static void texts(char const *in)
{
    char out[72];
    for (size_t size = 1; size <= 64; size += size < 12 ? 1 : 13) {
        memset(out, 0x5a, sizeof out);
        udev_encode(in, out, size);
        fuzz_assert(memchr(out, 0, size) && out[size] == 0x5a);
        fuzz_assert(encoded_ok(out));
        memset(out, 0x5a, sizeof out);
        udev_sanitize(in, out, size);
        fuzz_assert(memchr(out, 0, size) && out[size] == 0x5a);
        fuzz_assert(!strchr(out, ' ') && !strchr(out, '\n'));
    }
}

static void props_ok(struct udev_props const *ps)
{
    fuzz_assert(ps->n <= UDEV_PROPS_MAX);
    for (size_t i = 0; i < ps->n; i++) {
        fuzz_assert(ps->p[i].key[0] && strlen(ps->p[i].key) < UDEV_KEY_MAX);
        fuzz_assert(strlen(ps->p[i].value) < UDEV_VALUE_MAX);
        for (char const *c = ps->p[i].value; *c; c++)
            fuzz_assert((unsigned char) *c >= 0x20 && *c != 0x7f);
    }
}

/* The database text as libudev reads it: "I:", then "E:KEY=VALUE" lines,
 * then "V:1", each line whole. */
static void db_ok(struct udev_props const *ps, char const *text, size_t len)
{
    size_t lines = 0, e = 0;
    fuzz_assert(strlen(text) == len && len >= 8 && text[len - 1] == '\n');
    fuzz_assert(!strncmp(text, "I:", 2) && !strcmp(text + len - 4, "V:1\n"));
    for (char const *l = text; *l; l = strchr(l, '\n') + 1, lines++) {
        fuzz_assert(l[1] == ':' && strchr("IEV", l[0]));
        if (l[0] == 'E') {
            fuzz_assert(l[2] != '=' && strchr(l, '=') < strchr(l, '\n'));
            e++;
        }
    }
    size_t want = 0;
    for (size_t i = 0; i < ps->n; i++)
        want += ps->p[i].db;
    fuzz_assert(e == want && lines == e + 2);
}

static void wire_ok(struct udev_props const *ps, char const *msg, size_t len)
{
    uint32_t v[8];
    fuzz_assert(len > 40 && !memcmp(msg, "libudev", 8));
    memcpy(v, msg + 8, sizeof v);
    fuzz_assert(ntohl(v[0]) == 0xfeedcafe && v[1] == 40 && v[2] == 40 && v[3] == len - 40);
    size_t n = 0;
    for (char const *p = msg + 40; p < msg + len; p += strlen(p) + 1, n++)
        fuzz_assert(memchr(p, 0, (size_t) (msg + len - p)) && strchr(p, '='));
    fuzz_assert(n == ps->n);
}

static void db_file(char const *name, char const *text, size_t len)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/udev", fuzz_tmpdir());
        mkdir(dir, 0755);
        snprintf(dir + strlen(dir), 6, "/data");
        mkdir(dir, 0755);
        dir[strlen(dir) - 5] = 0;
    }
    fuzz_assert(udev_db_write(dir, name, text, len) == 0);
    char path[PATH_MAX + 80], back[UDEV_PROPS_MAX * (UDEV_KEY_MAX + UDEV_VALUE_MAX + 4) + 64];
    snprintf(path, sizeof path, "%s/data/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    fuzz_assert(fd >= 0);
    ssize_t r = read(fd, back, sizeof back);
    close(fd);
    fuzz_assert(r == (ssize_t) len && !memcmp(back, text, len));
    fuzz_assert(udev_db_remove(dir, name) == 0 && access(path, F_OK) < 0);
}

static void device(struct device *d)
{
    static struct udev_props ps;
    static char text[UDEV_PROPS_MAX * (UDEV_KEY_MAX + UDEV_VALUE_MAX + 4) + 64];
    char list[UDEV_VALUE_MAX] = "", db[64];
    char *sysname = attr(d, "sysname");
    if (d->descriptors &&
        udev_interfaces_from_descriptors(d->descriptors, d->ndescriptors, list, sizeof list) == 0)
        fuzz_assert(!list[0] || (list[0] == ':' && list[strlen(list) - 1] == ':'));
    struct udev_usb u = {
        .sysname = sysname ? sysname : "1-1",
        .uevent = attr(d, "uevent"),
        .driver = attr(d, "driver"),
        .id_vendor = attr(d, "idVendor"),
        .id_product = attr(d, "idProduct"),
        .manufacturer = attr(d, "manufacturer"),
        .product = attr(d, "product"),
        .serial = attr(d, "serial"),
        .bcd_device = attr(d, "bcdDevice"),
        .busnum = attr(d, "busnum"),
        .devnum = attr(d, "devnum"),
        .interfaces = list,
        .if_number = attr(d, "bInterfaceNumber"),
        .if_class = attr(d, "bInterfaceClass"),
        .if_subclass = attr(d, "bInterfaceSubClass"),
    };
    if (udev_usb_props(&u, &ps) < 0)
        return;
    props_ok(&ps);
    char const *type = udev_props_get(&ps, "DEVTYPE");
    fuzz_assert(type && (!strcmp(type, "usb_device") || !strcmp(type, "usb_interface")));
    size_t len = udev_db_format(&ps, 1234567, text, sizeof text);
    fuzz_assert(len); /* the buffer fits the fullest table */
    db_ok(&ps, text, len);
    for (size_t size = 0; size < len; size += 1 + size / 3)
        fuzz_assert(udev_db_format(&ps, 1234567, text, size) == 0);
    if (udev_db_name(&ps, u.sysname, db, sizeof db) == 0) {
        fuzz_assert(!strchr(db, '/') && strcmp(db, ".") && strcmp(db, ".."));
        fuzz_assert((db[0] == 'c' && strchr(db, ':')) || !strncmp(db, "+usb:", 5));
        len = udev_db_format(&ps, 1234567, text, sizeof text);
        db_file(db, text, len);
    }
    /* what udevd adds before it announces the device */
    udev_props_set(&ps, "ACTION", "add", 0);
    udev_props_set(&ps, "DEVPATH", "/devices/pci0000:00/usb1/1-1", 0);
    udev_props_set(&ps, "SUBSYSTEM", "usb", 0);
    udev_props_set(&ps, "SEQNUM", "42", 0);
    size_t need = 40;
    for (size_t i = 0; i < ps.n; i++)
        need += strlen(ps.p[i].key) + strlen(ps.p[i].value) + 2;
    int whole = udev_props_get(&ps, "ACTION") && udev_props_get(&ps, "DEVPATH") &&
                udev_props_get(&ps, "SUBSYSTEM") && udev_props_get(&ps, "SEQNUM");
    len = udev_wire_format(&ps, text, UDEV_WIRE_MAX);
    /* a message is made whenever it fits, never cut */
    fuzz_assert(len == (whole && need <= UDEV_WIRE_MAX ? need : 0));
    if (len)
        wire_ok(&ps, text, len);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    struct device d = {0};
    fuzz_sections((char const *) data, size, section, &d);
    device(&d);
    for (size_t i = 0; i < NATTRS; i++)
        if (d.value[i]) {
            texts(d.value[i]);
            free(d.value[i]);
        }
    free(d.descriptors);
    return 0;
}
