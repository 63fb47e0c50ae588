/* SPDX-License-Identifier: ISC */
/* Unit tests for udev: the _ENC encoding and the sanitising of USB strings,
 * the properties of devices and interfaces (missing, odd and oversized
 * attributes included), database names and entries, the monitor message. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "udev.h"

static char const *get(struct udev_props const *ps, char const *key)
{
    return udev_props_get(ps, key);
}

static int in_db(struct udev_props const *ps, char const *key)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].key, key))
            return ps->p[i].db;
    return -1;
}

static void test_encode(void **state)
{
    char out[256];
    udev_encode("ACME Corp./x", out, sizeof out);
    assert_string_equal(out, "ACME\\x20Corp.\\x2fx");
    udev_encode("a\\b", out, sizeof out);
    assert_string_equal(out, "a\\x5cb");
    udev_encode("M\xc3\xbcller #1+@=:", out, sizeof out); /* valid UTF-8 stays */
    assert_string_equal(out, "M\xc3\xbcller\\x20#1+@=:");
    udev_encode("\xff\xc0\x80", out, sizeof out); /* invalid and overlong */
    assert_string_equal(out, "\\xff\\xc0\\x80");
    udev_encode("\xed\xa0\x80", out, sizeof out); /* a surrogate */
    assert_string_equal(out, "\\xed\\xa0\\x80");
    udev_encode("\t\n", out, sizeof out);
    assert_string_equal(out, "\\x09\\x0a");
}

static void test_encode_cuts(void **state)
{
    char out[8];
    memset(out, 'Z', sizeof out);
    udev_encode("   ", out, 6); /* one escape fits, not a half one */
    assert_string_equal(out, "\\x20");
    assert_int_equal(out[6], 'Z');
    udev_encode("ab\xc3\xbc", out, 4); /* the sequence does not fit whole */
    assert_string_equal(out, "ab");
    udev_encode("abc", out, 1);
    assert_string_equal(out, "");
    char big[300];
    char *huge = malloc(100000);
    memset(huge, ' ', 99999);
    huge[99999] = 0;
    udev_encode(huge, big, sizeof big);
    assert_true(strlen(big) < sizeof big);
    assert_int_equal(strlen(big) % 4, 0);
    free(huge);
}

static void test_sanitize(void **state)
{
    char out[64];
    udev_sanitize("  Logitech   USB\tReceiver \n", out, sizeof out);
    assert_string_equal(out, "Logitech_USB_Receiver");
    udev_sanitize("a/b,c*d", out, sizeof out);
    assert_string_equal(out, "a_b_c_d");
    udev_sanitize("M\xc3\xbcller", out, sizeof out);
    assert_string_equal(out, "M\xc3\xbcller");
    udev_sanitize("x\xffy\x01z", out, sizeof out);
    assert_string_equal(out, "x_y_z");
    udev_sanitize("AB\\x20C", out, sizeof out); /* already encoded: kept */
    assert_string_equal(out, "AB\\x20C");
    udev_sanitize("   ", out, sizeof out);
    assert_string_equal(out, "");
    char long_in[2000];
    memset(long_in, 'q', sizeof long_in - 1);
    long_in[sizeof long_in - 1] = 0;
    udev_sanitize(long_in, out, sizeof out);
    assert_int_equal(strlen(out), 63);
    /* a multibyte sequence cut at the end is not left half */
    char cut[8];
    udev_sanitize("abcde\xe2\x82\xac", cut, 8);
    assert_string_equal(cut, "abcde__");
}

static void test_serial(void **state)
{
    assert_true(udev_serial_ok("A1B2-C3 D4"));
    assert_false(udev_serial_ok("AB,C"));
    assert_false(udev_serial_ok("AB\x01"));
    assert_false(udev_serial_ok("\xc3\xa9t\xc3\xa9"));
    assert_true(udev_serial_ok(""));
}

static void test_interfaces(void **state)
{
    char list[64] = "";
    udev_interfaces_add(list, sizeof list, 3, 1, 2);
    assert_string_equal(list, ":030102:");
    udev_interfaces_add(list, sizeof list, 0x3, 1, 2);
    assert_string_equal(list, ":030102:");
    udev_interfaces_add(list, sizeof list, 0xff, 0x100, 8);
    assert_string_equal(list, ":030102:ff0008:");
    char small[12] = "";
    udev_interfaces_add(small, sizeof small, 1, 1, 0);
    udev_interfaces_add(small, sizeof small, 1, 2, 0); /* no room: left out */
    assert_string_equal(small, ":010100:");
}

static void test_descriptors(void **state)
{
    unsigned char d[18 + 9 + 9 + 7 + 9] = {18, 1};
    unsigned char *p = d + 18;
    memcpy(p, (unsigned char[]){9, 2, 0, 0, 2, 1, 0, 0x80, 50}, 9); /* configuration */
    memcpy(p + 9, (unsigned char[]){9, 4, 0, 0, 1, 3, 1, 2, 0}, 9); /* HID interface */
    memcpy(p + 18, (unsigned char[]){7, 5, 0x81, 3, 8, 0, 10}, 7);  /* endpoint */
    memcpy(p + 25, (unsigned char[]){9, 4, 1, 0, 2, 8, 6, 0x50, 0}, 9);
    char list[64];
    assert_int_equal(udev_interfaces_from_descriptors(d, sizeof d, list, sizeof list), 0);
    assert_string_equal(list, ":030102:080650:");
    /* a length running past the end: corrupt */
    d[18 + 25] = 40;
    assert_int_equal(udev_interfaces_from_descriptors(d, sizeof d, list, sizeof list), -1);
    assert_string_equal(list, "");
    assert_int_equal(udev_interfaces_from_descriptors(d, 10, list, sizeof list), -1);
    /* a zero length ends the walk instead of looping */
    d[18 + 25] = 0;
    assert_int_equal(udev_interfaces_from_descriptors(d, sizeof d, list, sizeof list), 0);
    assert_string_equal(list, ":030102:");
}

static char const device_uevent[] = "MAJOR=189\nMINOR=2\nDEVNAME=bus/usb/001/003\n"
                                    "DEVTYPE=usb_device\nDRIVER=usb\nPRODUCT=46d/c52b/1211\n"
                                    "TYPE=0/0/0\nBUSNUM=001\nDEVNUM=003\n";

static void test_device(void **state)
{
    struct udev_props ps;
    struct udev_usb u = {
        .sysname = "1-2",
        .uevent = device_uevent,
        .id_vendor = "046d",
        .id_product = "c52b",
        .manufacturer = "  Logitech ",
        .product = "USB Receiver",
        .serial = "AB 12",
        .bcd_device = "1211",
        .interfaces = ":030101:030102:",
    };
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_string_equal(get(&ps, "ID_VENDOR_ID"), "046d");
    assert_string_equal(get(&ps, "ID_MODEL_ID"), "c52b");
    assert_string_equal(get(&ps, "ID_VENDOR"), "Logitech");
    assert_string_equal(get(&ps, "ID_VENDOR_ENC"), "\\x20\\x20Logitech\\x20");
    assert_string_equal(get(&ps, "ID_MODEL"), "USB_Receiver");
    assert_string_equal(get(&ps, "ID_MODEL_ENC"), "USB\\x20Receiver");
    assert_string_equal(get(&ps, "ID_REVISION"), "1211");
    assert_string_equal(get(&ps, "ID_SERIAL"), "Logitech_USB_Receiver_AB_12");
    assert_string_equal(get(&ps, "ID_SERIAL_SHORT"), "AB_12");
    assert_string_equal(get(&ps, "ID_BUS"), "usb");
    assert_string_equal(get(&ps, "ID_USB_INTERFACES"), ":030101:030102:");
    assert_string_equal(get(&ps, "ID_USB_VENDOR_ID"), "046d");
    assert_string_equal(get(&ps, "BUSNUM"), "001");
    assert_string_equal(get(&ps, "DEVNAME"), "bus/usb/001/003");
    assert_string_equal(get(&ps, "DRIVER"), "usb");
    /* udev's own go to the database; the kernel's libudev reads from sysfs */
    assert_int_equal(in_db(&ps, "ID_VENDOR_ID"), 1);
    assert_int_equal(in_db(&ps, "MAJOR"), 0);
    assert_int_equal(in_db(&ps, "DEVNAME"), 0);
    assert_null(get(&ps, "ID_USB_INTERFACE_NUM"));
}

static void test_device_bare(void **state)
{
    struct udev_props ps;
    /* no strings, no serial, no revision, and no BUSNUM in the uevent */
    struct udev_usb u = {.sysname = "2-1",
                         .uevent = "DEVTYPE=usb_device\nPRODUCT=1d6b/2/510\n",
                         .id_vendor = "1d6b",
                         .id_product = "0002",
                         .busnum = "2",
                         .devnum = "x1"};
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_string_equal(get(&ps, "ID_VENDOR"), "1d6b");
    assert_string_equal(get(&ps, "ID_MODEL"), "0002");
    assert_string_equal(get(&ps, "ID_SERIAL"), "1d6b_0002");
    assert_null(get(&ps, "ID_SERIAL_SHORT"));
    assert_null(get(&ps, "ID_REVISION"));
    assert_null(get(&ps, "ID_USB_INTERFACES"));
    assert_null(get(&ps, "DRIVER"));
    assert_string_equal(get(&ps, "BUSNUM"), "002"); /* from the attribute */
    assert_int_equal(in_db(&ps, "BUSNUM"), 1);
    assert_null(get(&ps, "DEVNUM")); /* garbage: left out */
    /* no idVendor attribute: the kernel's PRODUCT still names it */
    u.id_vendor = NULL;
    u.id_product = "";
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_string_equal(get(&ps, "ID_VENDOR_ID"), "1d6b");
    assert_string_equal(get(&ps, "ID_MODEL_ID"), "0002");
    /* nothing at all to identify it: no ID_*, but no failure */
    u.uevent = "DEVTYPE=usb_device\n";
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_null(get(&ps, "ID_VENDOR_ID"));
    assert_null(get(&ps, "ID_SERIAL"));
}

static void test_serial_refused(void **state)
{
    struct udev_props ps;
    struct udev_usb u = {.uevent = "DEVTYPE=usb_device\n",
                         .id_vendor = "0781",
                         .id_product = "5567",
                         .manufacturer = "Odd\x01 Co\xff",
                         .product = "Stick, \"v2\"",
                         .serial = "12,34"};
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_null(get(&ps, "ID_SERIAL_SHORT")); /* ',' makes udev drop it */
    assert_string_equal(get(&ps, "ID_VENDOR"), "Odd__Co_");
    assert_string_equal(get(&ps, "ID_VENDOR_ENC"), "Odd\\x01\\x20Co\\xff");
    assert_string_equal(get(&ps, "ID_MODEL"), "Stick___v2_");
    assert_string_equal(get(&ps, "ID_MODEL_ENC"), "Stick\\x2c\\x20\\x22v2\\x22");
    assert_string_equal(get(&ps, "ID_SERIAL"), "Odd__Co__Stick___v2_");
}

static void test_interface(void **state)
{
    struct udev_props ps;
    struct udev_usb u = {.sysname = "1-2:1.0",
                         .uevent = "DEVTYPE=usb_interface\nDRIVER=usbhid\nPRODUCT=46d/c52b/1211\n"
                                   "TYPE=0/0/0\nINTERFACE=3/1/2\nMODALIAS=usb:v046Dpc52B\n",
                         .driver = "usbhid",
                         .id_vendor = "046d",
                         .id_product = "c52b",
                         .manufacturer = "Logitech",
                         .if_number = "00",
                         .if_class = "03",
                         .if_subclass = "01"};
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_string_equal(get(&ps, "ID_USB_INTERFACE_NUM"), "00");
    assert_string_equal(get(&ps, "ID_USB_DRIVER"), "usbhid");
    assert_string_equal(get(&ps, "ID_TYPE"), "hid");
    assert_string_equal(get(&ps, "INTERFACE"), "3/1/2");
    assert_string_equal(get(&ps, "ID_VENDOR_ID"), "046d");
    assert_null(get(&ps, "BUSNUM"));
    u.if_class = "08";
    u.if_subclass = "06";
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_string_equal(get(&ps, "ID_TYPE"), "scsi");
    u.if_class = "e0";
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_string_equal(get(&ps, "ID_TYPE"), "generic");
    u.if_class = NULL; /* garbage or missing: still no failure */
    u.if_subclass = "zz";
    assert_int_equal(udev_usb_props(&u, &ps), 0);
}

static void test_garbage(void **state)
{
    struct udev_props ps;
    size_t n = 200000;
    char *text = malloc(n + 1);
    /* one huge value, a huge key, binary bytes, lines without '=' */
    memset(text, 'v', n);
    memcpy(text, "DEVTYPE=usb_device\nHUGE=", 24);
    memcpy(text + 100000, "\nNOEQUALS\n=x\n\x01\x02=3\nK\x00Y=1\n", 24);
    memset(text + 100024, 'K', 1000);
    text[101024] = '=';
    text[n] = 0;
    struct udev_usb u = {.uevent = text, .id_vendor = "12\n34", .id_product = "abcd"};
    u.manufacturer = text + 30; /* a 100 kB string */
    assert_int_equal(udev_usb_props(&u, &ps), 0);
    assert_int_equal(strlen(get(&ps, "HUGE")), UDEV_VALUE_MAX - 1);
    assert_null(get(&ps, "NOEQUALS"));
    assert_string_equal(get(&ps, "ID_VENDOR_ID"), "12_34"); /* no newline in the db */
    assert_int_equal(strlen(get(&ps, "ID_VENDOR")), 63);
    for (size_t i = 0; i < ps.n; i++) {
        assert_null(strchr(ps.p[i].value, '\n'));
        assert_true(strlen(ps.p[i].key) < UDEV_KEY_MAX);
    }
    free(text);
    /* neither a device nor an interface */
    u.uevent = "DEVTYPE=usb_hub\n";
    errno = 0;
    assert_int_equal(udev_usb_props(&u, &ps), -1);
    assert_int_equal(errno, EINVAL);
    u.uevent = NULL;
    assert_int_equal(udev_usb_props(&u, &ps), -1);
}

static void test_table_full(void **state)
{
    struct udev_props ps = {0};
    char key[16];
    for (int i = 0; i < UDEV_PROPS_MAX; i++) {
        snprintf(key, sizeof key, "K%d", i);
        assert_int_equal(udev_props_set(&ps, key, "v", 0), 0);
    }
    assert_int_equal(udev_props_set(&ps, "ONE_MORE", "v", 0), -1);
    assert_int_equal(udev_props_set(&ps, "K3", "again", 1), 0); /* replacing still works */
    assert_string_equal(get(&ps, "K3"), "again");
    assert_int_equal(udev_props_set(&ps, "", "v", 0), -1);
    /* a uevent of many lines fills the table and stops there */
    char many[8192] = "";
    for (int i = 0; i < 200; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "X%d=%d\n", i, i);
    ps.n = 0;
    assert_int_equal(udev_uevent_parse(many, strlen(many), &ps), UDEV_PROPS_MAX);
}

static void test_db_name(void **state)
{
    struct udev_props ps = {0};
    char name[64];
    udev_uevent_parse("MAJOR=189\nMINOR=3\n", 18, &ps);
    assert_int_equal(udev_db_name(&ps, "1-1", name, sizeof name), 0);
    assert_string_equal(name, "c189:3");
    ps.n = 0;
    assert_int_equal(udev_db_name(&ps, "1-1:1.0", name, sizeof name), 0);
    assert_string_equal(name, "+usb:1-1:1.0");
    udev_uevent_parse("MAJOR=x\nMINOR=3\n", 16, &ps); /* libudev ignores it too */
    assert_int_equal(udev_db_name(&ps, "1-1", name, sizeof name), 0);
    assert_string_equal(name, "+usb:1-1");
    assert_int_equal(udev_db_name(&ps, "../../etc", name, sizeof name), -1);
    assert_int_equal(udev_db_name(&ps, "..", name, sizeof name), -1);
    assert_int_equal(udev_db_name(&ps, NULL, name, sizeof name), -1);
    assert_int_equal(udev_db_name(&ps, "1-1", name, 5), -1);
}

static void test_db_format(void **state)
{
    struct udev_props ps = {0};
    char out[256];
    udev_props_set(&ps, "MAJOR", "189", 0);
    udev_props_set(&ps, "ID_VENDOR_ID", "046d", 1);
    udev_props_set(&ps, "ID_BUS", "usb", 1);
    size_t n = udev_db_format(&ps, 1234567, out, sizeof out);
    assert_string_equal(out, "I:1234567\nE:ID_VENDOR_ID=046d\nE:ID_BUS=usb\nV:1\n");
    assert_int_equal(n, strlen(out));
    assert_int_equal(udev_db_format(&ps, 1234567, out, 20), 0);
    assert_int_equal(udev_db_format(&ps, 1234567, out, n), 0); /* no room for the 0 */
    assert_int_equal(udev_db_format(&ps, 1234567, out, n + 1), n);
}

static void test_hash(void **state)
{
    /* computed by an independent implementation of MurmurHash2 */
    assert_int_equal(udev_hash32("usb"), 0x0577c5e5);
    assert_int_equal(udev_hash32("usb_device"), 0x27f8f50c);
    assert_int_equal(udev_hash32("usb_interface"), 0xb1024765);
    assert_int_equal(udev_hash32(""), 0);
}

static void test_wire(void **state)
{
    struct udev_props ps = {0};
    char buf[UDEV_WIRE_MAX];
    udev_props_set(&ps, "ACTION", "add", 0);
    udev_props_set(&ps, "DEVPATH", "/devices/x/usb1/1-1", 0);
    udev_props_set(&ps, "SUBSYSTEM", "usb", 0);
    udev_props_set(&ps, "DEVTYPE", "usb_device", 0);
    assert_int_equal(udev_wire_format(&ps, buf, sizeof buf), 0); /* no SEQNUM */
    udev_props_set(&ps, "SEQNUM", "7", 0);
    udev_props_set(&ps, "ID_VENDOR_ID", "046d", 1);
    size_t n = udev_wire_format(&ps, buf, sizeof buf);
    assert_true(n > 40);
    assert_string_equal(buf, "libudev");
    uint32_t w[8];
    memcpy(w, buf + 8, sizeof w);
    assert_int_equal(ntohl(w[0]), 0xfeedcafe);
    assert_int_equal(w[1], 40); /* header size, host order */
    assert_int_equal(w[2], 40); /* properties offset */
    assert_int_equal(w[3], n - 40);
    assert_int_equal(ntohl(w[4]), 0x0577c5e5);
    assert_int_equal(ntohl(w[5]), 0x27f8f50c);
    assert_string_equal(buf + 40, "ACTION=add");
    assert_memory_equal(buf + n - 18, "ID_VENDOR_ID=046d", 18);
    assert_int_equal(udev_wire_format(&ps, buf, 60), 0);
}

static void test_db_files(void **state)
{
    char dir[] = "/tmp/test_udev.XXXXXX", data[64], path[96], text[64];
    assert_non_null(mkdtemp(dir));
    /* no data/ directory: an error, with errno */
    assert_int_equal(udev_db_write(dir, "c189:1", "I:1\n", 4), -1);
    assert_int_equal(errno, ENOENT);
    snprintf(data, sizeof data, "%s/data", dir);
    assert_int_equal(mkdir(data, 0755), 0);
    assert_int_equal(udev_db_write(dir, "c189:1", "I:1\nV:1\n", 8), 0);
    snprintf(path, sizeof path, "%s/c189:1", data);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t r = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[r] = 0;
    assert_string_equal(text, "I:1\nV:1\n");
    assert_int_equal(udev_db_remove(dir, "c189:1"), 0);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(udev_db_remove(dir, "c189:1"), 0); /* already gone */
    assert_int_equal(rmdir(data), 0);                   /* nothing left behind */
    assert_int_equal(rmdir(dir), 0);
}

struct blocks {
    unsigned int n;
    char text[4][64];
};

static void block(char const *b, size_t n, void *arg)
{
    struct blocks *bs = arg;
    assert_true(bs->n < 4 && n < sizeof bs->text[0]);
    memcpy(bs->text[bs->n], b, n);
    bs->text[bs->n++][n] = 0;
}

static void test_uevent_blocks(void **state)
{
    char const in[] = "A=1\nB=2\n\nC=3\n\nD=";
    struct blocks bs = {0};
    /* whole blocks only, until the end of the file */
    assert_int_equal(udev_uevent_blocks(in, sizeof in - 1, 0, block, &bs), 14);
    assert_int_equal(bs.n, 2);
    assert_string_equal(bs.text[0], "A=1\nB=2");
    assert_string_equal(bs.text[1], "C=3");
    bs.n = 0;
    assert_int_equal(udev_uevent_blocks(in + 14, 2, 1, block, &bs), 2);
    assert_int_equal(bs.n, 1);
    assert_string_equal(bs.text[0], "D=");
    /* a NUL is a byte like any other: it neither hides what follows nor
     * stops the reader at the end of the file (it spun there, forever) */
    char const nul[] = "A=1\0x\n\nB=2\0";
    bs.n = 0;
    assert_int_equal(udev_uevent_blocks(nul, sizeof nul - 1, 0, block, &bs), 7);
    assert_int_equal(bs.n, 1);
    assert_memory_equal(bs.text[0], "A=1\0x", 6);
    bs.n = 0;
    assert_int_equal(udev_uevent_blocks(nul + 7, 4, 1, block, &bs), 4);
    assert_int_equal(bs.n, 1);
    assert_memory_equal(bs.text[0], "B=2\0", 4);
    bs.n = 0;
    assert_int_equal(udev_uevent_blocks("", 0, 1, block, &bs), 0);
    assert_int_equal(bs.n, 0);
}

/* Every combination of what vinit-udevd finds at its start. */
static void test_role(void **state)
{
    for (int bits = 0; bits < 32; bits++) {
        int has_db = bits & 1, ours = bits >> 1 & 1, runs = bits >> 2 & 1, machine = bits >> 3 & 1,
            usb = bits >> 4 & 1;
        enum udev_role want;
        if (has_db && !ours)
            /* a foreign database: the host's, unless on a machine its
             * udevd is gone (the initramfs's) */
            want = machine && !runs ? UDEV_ROLE_TAKE_OVER : UDEV_ROLE_CHECK_HOST;
        else if (!usb && !machine)
            want = UDEV_ROLE_NOTHING;
        else
            want = UDEV_ROLE_PROVIDE;
        if (udev_role_decide(has_db, ours, runs, machine, usb) != want)
            fail_msg("db=%d ours=%d udevd=%d machine=%d usb=%d: got %d, want %d", has_db, ours,
                     runs, machine, usb, udev_role_decide(has_db, ours, runs, machine, usb), want);
    }
    /* the cases by name */
    assert_int_equal(udev_role_decide(1, 0, 1, 0, 1), UDEV_ROLE_CHECK_HOST);
    assert_int_equal(udev_role_decide(1, 0, 0, 0, 1), UDEV_ROLE_CHECK_HOST);
    assert_int_equal(udev_role_decide(1, 0, 1, 1, 1), UDEV_ROLE_CHECK_HOST);
    assert_int_equal(udev_role_decide(1, 0, 0, 1, 0), UDEV_ROLE_TAKE_OVER);
    assert_int_equal(udev_role_decide(1, 1, 0, 0, 1), UDEV_ROLE_PROVIDE);
    assert_int_equal(udev_role_decide(0, 0, 0, 0, 1), UDEV_ROLE_PROVIDE);
    assert_int_equal(udev_role_decide(0, 0, 0, 1, 0), UDEV_ROLE_PROVIDE);
    assert_int_equal(udev_role_decide(0, 0, 0, 0, 0), UDEV_ROLE_NOTHING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),         cmocka_unit_test(test_encode_cuts),
        cmocka_unit_test(test_sanitize),       cmocka_unit_test(test_serial),
        cmocka_unit_test(test_interfaces),     cmocka_unit_test(test_descriptors),
        cmocka_unit_test(test_device),         cmocka_unit_test(test_device_bare),
        cmocka_unit_test(test_serial_refused), cmocka_unit_test(test_interface),
        cmocka_unit_test(test_garbage),        cmocka_unit_test(test_table_full),
        cmocka_unit_test(test_db_name),        cmocka_unit_test(test_db_format),
        cmocka_unit_test(test_hash),           cmocka_unit_test(test_wire),
        cmocka_unit_test(test_db_files),       cmocka_unit_test(test_uevent_blocks),
        cmocka_unit_test(test_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
