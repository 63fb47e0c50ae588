/* SPDX-License-Identifier: ISC */
/* Unit tests for modalias: which aliases reach modprobe (odd, long and
 * option-like text does not), the set's deduplication and its bound, the
 * commands it is cut into, the uevents that ask for a module, and the
 * modprobe the kernel names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "modalias.h"

static struct modalias_set set;

static void test_valid(void **state)
{
    char long_alias[MODALIAS_MAX + 1];
    (void) state;
    assert_true(modalias_valid("pci:v00008086d00001237sv00001AF4sd00001100bc06sc00i00"));
    assert_true(modalias_valid("usb:v0627p0001d0000dc00dsc00dp00ic03isc00ip00in00"));
    assert_true(modalias_valid("acpi:PNP0C0C:"));
    assert_true(modalias_valid("input:b0019v0000p0001e0000-e0,1,k74,ramlsfw"));
    assert_false(modalias_valid(NULL));
    assert_false(modalias_valid(""));
    assert_false(modalias_valid("-r")); /* an option of modprobe */
    assert_false(modalias_valid("--remove"));
    assert_false(modalias_valid("pci:a b")); /* two words */
    assert_false(modalias_valid("pci:a\tb"));
    assert_false(modalias_valid("pci:\x1b[2J"));  /* control bytes */
    assert_false(modalias_valid("pci:\xc3\xa9")); /* not ASCII */
    assert_false(modalias_valid("pci:a\x7f"));
    memset(long_alias, 'a', MODALIAS_MAX - 1);
    long_alias[MODALIAS_MAX - 1] = 0;
    assert_true(modalias_valid(long_alias)); /* the longest kept */
    long_alias[MODALIAS_MAX - 1] = 'a';
    long_alias[MODALIAS_MAX] = 0;
    assert_false(modalias_valid(long_alias));
}

static void test_from_text(void **state)
{
    char out[MODALIAS_MAX];
    (void) state;
    assert_int_equal(modalias_from_text("pci:v1d2\n", 9, out, sizeof out), 0);
    assert_string_equal(out, "pci:v1d2");
    assert_int_equal(modalias_from_text("acpi:X:\r\n\n", 10, out, sizeof out), 0);
    assert_string_equal(out, "acpi:X:");
    assert_int_equal(modalias_from_text("\n", 1, out, sizeof out), -1);
    assert_string_equal(out, "");
    assert_int_equal(modalias_from_text("a\0b\n", 4, out, sizeof out), -1); /* a NUL inside */
    assert_int_equal(modalias_from_text("-v\n", 3, out, sizeof out), -1);
    assert_int_equal(modalias_from_text("pci:1 2", 7, out, sizeof out), -1);
    assert_string_equal(out, "");
    assert_int_equal(modalias_from_text("abcdef", 6, out, 4), -1); /* does not fit */
    assert_int_equal(errno, EINVAL);
}

static void test_set_dedup(void **state)
{
    (void) state;
    modalias_clear(&set);
    assert_int_equal(modalias_add(&set, "pci:a"), 1);
    assert_int_equal(modalias_add(&set, "usb:b"), 1);
    assert_int_equal(modalias_add(&set, "pci:a"), 0); /* a duplicate */
    assert_int_equal(modalias_add(&set, "pci:"), 1);  /* a prefix is another alias */
    assert_int_equal(modalias_add(&set, "pci:ab"), 1);
    assert_int_equal(modalias_add(&set, "usb:b"), 0);
    assert_int_equal(modalias_add(&set, "-q"), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(set.n, 4);
    assert_string_equal(set.pool, "pci:a"); /* the order first added */
    modalias_clear(&set);
    assert_int_equal(set.n, 0);
    assert_int_equal(modalias_add(&set, "pci:a"), 1);
}

static void test_set_full(void **state)
{
    char alias[MODALIAS_MAX];
    size_t added = 0;
    int r;
    (void) state;
    modalias_clear(&set);
    memset(alias, 'x', sizeof alias);
    alias[MODALIAS_MAX - 1] = 0;
    for (;;) {
        snprintf(alias, 16, "of:%011zu", added);
        alias[14] = 'x'; /* snprintf's NUL: the alias stays MODALIAS_MAX - 1 long */
        if ((r = modalias_add(&set, alias)) != 1)
            break;
        added++;
    }
    assert_int_equal(r, -2);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(added, MODALIAS_POOL / MODALIAS_MAX);
    assert_int_equal(set.n, added);
    assert_true(set.len <= MODALIAS_POOL);
    /* full, a duplicate is still known as one */
    snprintf(alias, 16, "of:%011zu", (size_t) 0);
    alias[14] = 'x';
    assert_int_equal(modalias_add(&set, alias), 0);
    modalias_clear(&set);
    assert_int_equal(modalias_add(&set, alias), 1);
}

static void test_batch(void **state)
{
    char const *args[MODALIAS_BATCH_ARGS];
    char alias[32];
    size_t pos = 0, total = 0, batches = 0, n;
    (void) state;
    modalias_clear(&set);
    for (int i = 0; i < 300; i++) {
        snprintf(alias, sizeof alias, "pci:v%04d", i);
        assert_int_equal(modalias_add(&set, alias), 1);
    }
    while ((n = modalias_batch(&set, &pos, args, MODALIAS_BATCH_ARGS))) {
        assert_true(n <= MODALIAS_BATCH_ARGS);
        snprintf(alias, sizeof alias, "pci:v%04zu", total);
        assert_string_equal(args[0], alias); /* in order, none skipped */
        total += n;
        batches++;
    }
    assert_int_equal(total, 300);
    assert_int_equal(batches, 3); /* 128 + 128 + 44 */
    assert_int_equal(modalias_batch(&set, &pos, args, MODALIAS_BATCH_ARGS), 0);
    /* a smaller max, and more than the bound asked: the bound */
    pos = 0;
    assert_int_equal(modalias_batch(&set, &pos, args, 7), 7);
    assert_string_equal(args[6], "pci:v0006");
    pos = 0;
    assert_int_equal(modalias_batch(&set, &pos, args, 100000), MODALIAS_BATCH_ARGS);
    /* an empty set gives nothing */
    modalias_clear(&set);
    pos = 0;
    assert_int_equal(modalias_batch(&set, &pos, args, MODALIAS_BATCH_ARGS), 0);
}

static void test_batch_bytes(void **state)
{
    char const *args[MODALIAS_BATCH_ARGS];
    char alias[MODALIAS_MAX];
    size_t pos = 0, total = 0, n;
    (void) state;
    modalias_clear(&set);
    for (int i = 0; i < 200; i++) {
        memset(alias, 'y', sizeof alias);
        snprintf(alias, 16, "of:%011d", i);
        alias[14] = 'y';
        alias[MODALIAS_MAX - 1] = 0;
        if (modalias_add(&set, alias) != 1)
            break;
    }
    while ((n = modalias_batch(&set, &pos, args, MODALIAS_BATCH_ARGS))) {
        size_t bytes = 0;
        for (size_t i = 0; i < n; i++)
            bytes += strlen(args[i]) + 1;
        assert_true(bytes <= MODALIAS_BATCH_BYTES); /* cut by bytes, not by count */
        size_t left = set.n - total, full = MODALIAS_BATCH_BYTES / MODALIAS_MAX;
        assert_int_equal(n, left < full ? left : full);
        total += n;
    }
    assert_int_equal(total, set.n);
}

static void test_uevent(void **state)
{
    (void) state;
    assert_string_equal(modalias_of_uevent("add", "pci:v00008086d000010D3"),
                        "pci:v00008086d000010D3");
    assert_string_equal(
        modalias_of_uevent("add", "usb:v0627p0001d0000dc00dsc00dp00ic03isc00ip00in00"),
        "usb:v0627p0001d0000dc00dsc00dp00ic03isc00ip00in00");
    assert_null(modalias_of_uevent("remove", "pci:v00008086d000010D3"));
    assert_null(modalias_of_uevent("change", "pci:v00008086d000010D3"));
    assert_null(modalias_of_uevent("bind", "pci:v00008086d000010D3"));
    assert_null(modalias_of_uevent("add", NULL)); /* no module asked */
    assert_null(modalias_of_uevent(NULL, "pci:v1"));
    assert_null(modalias_of_uevent("add", "--force"));
    assert_null(modalias_of_uevent("add", ""));
    assert_null(modalias_of_uevent("add", "pci:a b"));
    assert_null(modalias_of_uevent("added", "pci:v1"));
}

static void test_modprobe_path(void **state)
{
    char out[64];
    char tiny[sizeof MODALIAS_MODPROBE];
    (void) state;
    modalias_modprobe_path("/sbin/modprobe\n", out, sizeof out);
    assert_string_equal(out, "/sbin/modprobe");
    modalias_modprobe_path("/usr/local/sbin/modprobe\n", out, sizeof out);
    assert_string_equal(out, "/usr/local/sbin/modprobe");
    modalias_modprobe_path(NULL, out, sizeof out); /* unreadable */
    assert_string_equal(out, "/sbin/modprobe");
    modalias_modprobe_path("\n", out, sizeof out); /* the kernel's helper off */
    assert_string_equal(out, "/sbin/modprobe");
    modalias_modprobe_path("", out, sizeof out);
    assert_string_equal(out, "/sbin/modprobe");
    modalias_modprobe_path("modprobe\n", out, sizeof out); /* relative */
    assert_string_equal(out, "/sbin/modprobe");
    modalias_modprobe_path("/a/very/long/path/to/a/modprobe/program\n", tiny, sizeof tiny);
    assert_string_equal(tiny, "/sbin/modprobe"); /* too long for out */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),     cmocka_unit_test(test_from_text),
        cmocka_unit_test(test_set_dedup), cmocka_unit_test(test_set_full),
        cmocka_unit_test(test_batch),     cmocka_unit_test(test_batch_bytes),
        cmocka_unit_test(test_uevent),    cmocka_unit_test(test_modprobe_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
