/* SPDX-License-Identifier: ISC */
/* udevread: reads USB devices back through libudev, the way libvirt's node
 * device driver does (enumerate the "usb" subsystem, then properties,
 * device node, initialized state, sysfs attributes), and prints one
 * "SYSNAME KEY=VALUE" line each, for the tests to grep.
 *   udevread list
 *   udevread monitor COUNT SECONDS [DEVTYPE]: a libudev "udev" monitor (as
 *     libvirt's and libusb's), filtered on usb (and DEVTYPE, as libusb
 *     filters on usb_device); prints "ready", then each device received. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

static char const *const attrs[] = {
    "manufacturer",
    "product",
    "serial",
    "busnum",
    "devnum",
    "idVendor",
    "bInterfaceNumber",
    "bInterfaceClass",
    "bInterfaceSubClass",
    "bInterfaceProtocol",
};

static void print(struct udev_device *d, char const *prefix)
{
    char const *name = udev_device_get_sysname(d), *node = udev_device_get_devnode(d);
    struct udev_list_entry *e;
    printf("%s%s initialized=%d\n", prefix, name, udev_device_get_is_initialized(d));
    printf("%s%s devnode=%s\n", prefix, name, node ? node : "");
    udev_list_entry_foreach(e, udev_device_get_properties_list_entry(d)) printf(
        "%s%s %s=%s\n", prefix, name, udev_list_entry_get_name(e), udev_list_entry_get_value(e));
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++) {
        char const *v = udev_device_get_sysattr_value(d, attrs[i]);
        if (v)
            printf("%s%s sysattr:%s=%s\n", prefix, name, attrs[i], v);
    }
}

static int list(struct udev *udev)
{
    struct udev_enumerate *en = udev_enumerate_new(udev);
    struct udev_list_entry *e;
    int n = 0;
    if (!en || udev_enumerate_add_match_subsystem(en, "usb") < 0 ||
        udev_enumerate_scan_devices(en) < 0)
        return perror("udevread: enumerate"), 1;
    udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en))
    {
        struct udev_device *d = udev_device_new_from_syspath(udev, udev_list_entry_get_name(e));
        if (!d)
            continue;
        /* what libvirt insists on: "Missing udev property 'ID_VENDOR_ID'" */
        char const *t = udev_device_get_devtype(d);
        if (t && !strcmp(t, "usb_device") && !udev_device_get_property_value(d, "ID_VENDOR_ID"))
            printf("%s missing=ID_VENDOR_ID\n", udev_device_get_sysname(d));
        print(d, "");
        udev_device_unref(d);
        n++;
    }
    printf("devices=%d\n", n);
    udev_enumerate_unref(en);
    return 0;
}

static int monitor(struct udev *udev, int count, int seconds, char const *devtype)
{
    struct udev_monitor *m = udev_monitor_new_from_netlink(udev, "udev");
    if (!m || udev_monitor_filter_add_match_subsystem_devtype(m, "usb", devtype) < 0 ||
        udev_monitor_enable_receiving(m) < 0)
        return perror("udevread: monitor"), 1;
    printf("ready\n");
    fflush(stdout);
    struct pollfd p = {.fd = udev_monitor_get_fd(m), .events = POLLIN};
    while (count > 0 && poll(&p, 1, seconds * 1000) > 0) {
        struct udev_device *d = udev_monitor_receive_device(m);
        if (!d)
            continue;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s ", udev_device_get_action(d));
        print(d, prefix);
        fflush(stdout);
        udev_device_unref(d);
        count--;
    }
    udev_monitor_unref(m);
    return count > 0;
}

int main(int argc, char **argv)
{
    struct udev *udev = udev_new();
    int r = 2;
    if (!udev)
        return perror("udevread: udev_new"), 1;
    if (argc == 2 && !strcmp(argv[1], "list"))
        r = list(udev);
    else if (argc >= 4 && !strcmp(argv[1], "monitor"))
        r = monitor(udev, atoi(argv[2]), atoi(argv[3]), argc > 4 ? argv[4] : NULL);
    else
        fputs("usage: udevread list | monitor COUNT SECONDS [DEVTYPE]\n", stderr);
    udev_unref(udev);
    return r;
}
