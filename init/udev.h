/* SPDX-License-Identifier: ISC */
/* udev: the udev database entries of USB devices, made from sysfs the way
 * udevd's usb_id builtin makes them, in the format libudev reads; and the
 * message libudev's "udev" monitors receive. Pure functions on plain data,
 * but for udev_db_write and udev_db_remove. */
#ifndef VINIT_UDEV_H
#define VINIT_UDEV_H

#include <stddef.h>
#include <stdint.h>

#define UDEV_KEY_MAX   32
#define UDEV_VALUE_MAX 512
#define UDEV_PROPS_MAX 64
/* libudev's monitors read at most 8192 bytes a message */
#define UDEV_WIRE_MAX 8192

/* db: written to the database (udev's own properties); otherwise it is
 * the kernel's, which libudev reads from sysfs itself. */
struct udev_prop {
    char key[UDEV_KEY_MAX];
    char value[UDEV_VALUE_MAX];
    unsigned char db;
};

struct udev_props {
    size_t n;
    struct udev_prop p[UDEV_PROPS_MAX];
};

/* What sysfs says of one usb_device or usb_interface; NULL when absent,
 * without the trailing newline. For an interface, the usb_device fields
 * are its parent's. */
struct udev_usb {
    char const *sysname; /* "1-1", "1-1:1.0" */
    char const *uevent;  /* the uevent file's text */
    char const *driver;  /* the driver link's name, NULL when unbound */
    char const *id_vendor, *id_product, *manufacturer, *product, *serial, *bcd_device;
    char const *busnum, *devnum;
    char const *interfaces; /* ":ccsspp:...:" (udev_interfaces_*) */
    char const *if_number, *if_class, *if_subclass;
};

/* The value of key, or NULL. */
char const *udev_props_get(struct udev_props const *ps, char const *key);
/* Sets key (replacing it if present); control characters in value become
 * '_', a value too long is cut. 0, or -1 when the table is full or the key
 * is too long. */
int udev_props_set(struct udev_props *ps, char const *key, char const *value, int db);

/* Adds the KEY=VALUE lines of text (a uevent file, a synthetic uevent) as
 * kernel properties; lines that are not KEY=VALUE are skipped. The number
 * of properties added. */
size_t udev_uevent_parse(char const *text, size_t len, struct udev_props *ps);

/* Splits the len bytes read so far from a --uevents file into blocks, each
 * ended by a blank line, and calls each(block, n, arg) for every whole one;
 * at the end of the file (eof), what is left is a block too. Every byte is
 * data, a NUL too. Returns how many bytes were used: the rest is a block
 * that the next read completes. */
size_t udev_uevent_blocks(char const *buf, size_t len, int eof,
                          void (*each)(char const *block, size_t n, void *arg), void *arg);

/* udev's _ENC: bytes other than ASCII letters, digits, "#+-.:=@_" and valid
 * UTF-8 sequences become \xNN. Always terminated; cut at a whole sequence. */
void udev_encode(char const *in, char *out, size_t size);
/* ID_VENDOR, ID_MODEL...: blanks trimmed, inner runs of blanks made one
 * '_', every other byte that udev does not allow made '_'. */
void udev_sanitize(char const *in, char *out, size_t size);
/* A serial number udev accepts: printable ASCII without ','. */
int udev_serial_ok(char const *s);

/* ID_USB_INTERFACES: adds ":ccsspp" once to list ("" or ":...:"). */
void udev_interfaces_add(char *list, size_t size, unsigned cls, unsigned sub, unsigned proto);
/* The same from a device's raw "descriptors" attribute; 0, or -1 when it
 * is too short or corrupt (list is then ""). */
int udev_interfaces_from_descriptors(unsigned char const *d, size_t len, char *list, size_t size);

/* Every property of the device: the kernel's from its uevent (and DRIVER),
 * udev's ID_* computed from the attributes. 0, or -1 (EINVAL) when it is
 * neither a usb_device nor a usb_interface. */
int udev_usb_props(struct udev_usb const *u, struct udev_props *out);

/* The database file's name, as libudev derives it: "c189:N" for a device
 * with a node, "+usb:SYSNAME" otherwise. 0, or -1 when it does not fit or
 * sysname is not a plain name. */
int udev_db_name(struct udev_props const *ps, char const *sysname, char *out, size_t size);
/* The database entry text: "I:usec", "E:KEY=VALUE" for the db properties,
 * "V:1". Its length, or 0 when it does not fit. */
size_t udev_db_format(struct udev_props const *ps, uint64_t usec, char *out, size_t size);

/* MurmurHash2 with seed 0, as libudev's in-kernel socket filters use. */
uint32_t udev_hash32(char const *s);
/* The "libudev" message for the properties (which must hold ACTION,
 * DEVPATH, SUBSYSTEM and SEQNUM): header and KEY=VALUE\0 list. Its length,
 * or 0 when it does not fit. */
size_t udev_wire_format(struct udev_props const *ps, char *out, size_t size);

/* Pure: what vinit-udevd does with the database directory at its start.
 *   UDEV_ROLE_CHECK_HOST  someone else's database (a host's /run/udev
 *                         bind-mounted): checked, never written
 *   UDEV_ROLE_PROVIDE     ours to write (none there, or ours already)
 *   UDEV_ROLE_TAKE_OVER   ours to write, over a database a udevd left that
 *                         no longer runs (an initramfs's, on a machine)
 *   UDEV_ROLE_NOTHING     no database, no USB bus, nothing to load
 * has_db: DIR/data exists; ours: vinit-udevd's marker is there;
 * udevd_runs: DIR/control accepts a connection; machine: --modules (vinit
 * is a machine's init: no host, a database there is the initramfs's or a
 * udevd's of the image); has_usb: the sysfs has a USB bus. */
enum udev_role { UDEV_ROLE_CHECK_HOST, UDEV_ROLE_PROVIDE, UDEV_ROLE_TAKE_OVER, UDEV_ROLE_NOTHING };
enum udev_role udev_role_decide(int has_db, int ours, int udevd_runs, int machine, int has_usb);

/* dir/data/name written atomically (a temporary file renamed). 0 or -1. */
int udev_db_write(char const *dir, char const *name, char const *text, size_t len);
/* dir/data/name removed; 0 when it is gone, -1 otherwise. */
int udev_db_remove(char const *dir, char const *name);

#endif
