/* SPDX-License-Identifier: ISC */
/* Unit tests for machine: when vinit is a machine's init, the kernel
 * command line it reads, the API file systems it mounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "machine.h"

static void test_detect(void **state)
{
    (void) state;
    /* pid1, container, proc mounted, first pid namespace, forced */
    assert_false(machine_detect(0, NULL, 0, -1, -1)); /* never when not PID 1 */
    assert_false(machine_detect(0, NULL, 1, 1, 1));
    assert_true(machine_detect(1, NULL, 0, -1, -1));      /* the kernel ran us: no /proc */
    assert_true(machine_detect(1, NULL, 1, 1, -1));       /* an initramfs mounted /proc first */
    assert_false(machine_detect(1, NULL, 1, 0, -1));      /* docker: no container=, own pid ns */
    assert_false(machine_detect(1, NULL, 1, -1, -1));     /* unknown: a container */
    assert_false(machine_detect(1, "podman", 1, 0, -1));  /* podman, nspawn say so */
    assert_false(machine_detect(1, "docker", 0, -1, -1)); /* container= wins over no /proc */
    assert_true(machine_detect(1, "", 0, -1, -1));        /* an empty container= is none */
    assert_true(machine_detect(1, "podman", 1, 0, 1));    /* forced either way */
    assert_false(machine_detect(1, NULL, 0, 1, 0));
}

static char said[16][128];
static int nsaid;
static char envs[16][128];
static int nenvs;

static void ignored(char const *w, char const *why, void *arg)
{
    (void) arg;
    if (nsaid < 16)
        snprintf(said[nsaid++], sizeof *said, "%s|%s", w, why);
}

static void env(char const *key, size_t keylen, char const *value, void *arg)
{
    (void) arg;
    if (nenvs < 16)
        snprintf(envs[nenvs++], sizeof *envs, "%.*s=%s", (int) keylen, key, value);
}

static void parse(char const *cmdline, struct machine_opts *o)
{
    nsaid = nenvs = 0;
    machine_cmdline(cmdline, o, ignored, env, NULL);
}

static void test_cmdline_options(void **state)
{
    struct machine_opts o;
    (void) state;
    parse("BOOT_IMAGE=/vmlinuz console=ttyS0 root=/dev/vda rw quiet vinit.verbose=2 "
          "vinit.stop-timeout=15s vinit.hostname=vm-1 vinit.services=/srv/tree vinit.machine=1",
          &o);
    assert_int_equal(nsaid, 0);
    assert_int_equal(o.verbosity, 2);
    assert_int_equal(o.stop_ms, 15000);
    assert_string_equal(o.hostname, "vm-1");
    assert_string_equal(o.services, "/srv/tree");
    assert_int_equal(o.machine, 1);
    assert_int_equal(o.rw, 1);
    /* the kernel's own words are not environment: only capitals */
    assert_int_equal(nenvs, 1);
    assert_string_equal(envs[0], "BOOT_IMAGE=/vmlinuz");

    parse("", &o);
    assert_int_equal(o.verbosity, -1);
    assert_int_equal(o.stop_ms, -1);
    assert_int_equal(o.machine, -1);
    assert_int_equal(o.rw, 0);
    assert_string_equal(o.hostname, "");
    parse("rw ro", &o);
    assert_int_equal(o.rw, 0); /* the last one counts, as for the kernel */
}

static void test_cmdline_environment(void **state)
{
    struct machine_opts o;
    (void) state;
    parse("GREETING=\"hello world\" SOCK_GID=4242  EMPTY= lower=no 9LIVES=x A-B=c X1=\"a=b\"", &o);
    assert_int_equal(nenvs, 4);
    assert_string_equal(envs[0], "GREETING=hello world");
    assert_string_equal(envs[1], "SOCK_GID=4242");
    assert_string_equal(envs[2], "EMPTY=");
    assert_string_equal(envs[3], "X1=a=b");
    assert_int_equal(nsaid, 0);
}

static void test_cmdline_bad_options_ignored(void **state)
{
    struct machine_opts o;
    (void) state;
    parse("vinit.bogus=1 vinit.verbose=9 vinit.stop-timeout=soon vinit.hostname=a_b "
          "vinit.services=relative vinit.machine=yes vinit.verbose=1",
          &o);
    assert_int_equal(nsaid, 6);
    assert_string_equal(said[0], "vinit.bogus=1|unknown option");
    assert_string_equal(said[1], "vinit.verbose=9|not 0 to 3");
    assert_string_equal(said[2], "vinit.stop-timeout=soon|not a duration (8, 8s, 1500ms, 2m)");
    assert_string_equal(said[3], "vinit.hostname=a_b|not a host name");
    assert_string_equal(said[4], "vinit.services=relative|not an absolute path");
    assert_string_equal(said[5], "vinit.machine=yes|not 0 or 1");
    /* the good one after them still counts; the bad ones left it unset */
    assert_int_equal(o.verbosity, 1);
    assert_int_equal(o.stop_ms, -1);
    assert_int_equal(o.machine, -1);
    /* a word longer than any buffer is cut, never overflows */
    char longline[9000];
    memset(longline, 'A', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    longline[1] = '=';
    parse(longline, &o);
    assert_int_equal(nenvs, 1); /* A=AAA..., cut at the buffer: one variable */
    assert_int_equal(strlen(envs[0]), sizeof *envs - 1);
}

static char const *const *mounted_set;

static int mounted(char const *where, void *arg)
{
    (void) arg;
    for (char const *const *m = mounted_set; *m; m++)
        if (!strcmp(*m, where))
            return 1;
    return 0;
}

static void test_mounts(void **state)
{
    (void) state;
    /* a bare kernel: everything, /proc first, /dev before /dev/pts */
    mounted_set = (char const *const[]){NULL};
    assert_string_equal(machine_mounts[0].where, "/proc");
    for (size_t i = 0; i < machine_nmounts; i++)
        assert_true(machine_wants_mount(i, mounted, NULL));
    size_t dev = machine_nmounts, pts = machine_nmounts;
    for (size_t i = 0; i < machine_nmounts; i++) {
        if (!strcmp(machine_mounts[i].where, "/dev"))
            dev = i;
        if (!strcmp(machine_mounts[i].where, "/dev/pts"))
            pts = i;
    }
    assert_true(dev < pts && pts < machine_nmounts);
    /* what an initramfs mounted already is left alone */
    mounted_set = (char const *const[]){"/proc", "/sys", "/dev", NULL};
    for (size_t i = 0; i < machine_nmounts; i++)
        assert_int_equal(machine_wants_mount(i, mounted, NULL),
                         strcmp(machine_mounts[i].where, "/proc") &&
                             strcmp(machine_mounts[i].where, "/sys") &&
                             strcmp(machine_mounts[i].where, "/dev"));
    assert_false(machine_wants_mount(machine_nmounts, mounted, NULL));
}

static void test_modules_warning(void **state)
{
    char msg[1024], tiny[24];
    char const *r = "6.1.0-28-amd64";
    (void) state;
    /* kernel loads modules, modprobe there, has modprobe, release, tree there */
    machine_modules_warning(1, "/sbin/modprobe", 1, r, 1, msg, sizeof msg);
    assert_string_equal(msg, ""); /* all there: nothing to say */
    machine_modules_warning(0, "/sbin/modprobe", 0, r, 0, msg, sizeof msg);
    assert_string_equal(msg, ""); /* a kernel without modules: all built in */
    machine_modules_warning(1, "/sbin/modprobe", 0, r, 1, msg, sizeof msg);
    assert_string_equal(msg, "no /sbin/modprobe: the kernel and vinit-udevd cannot load modules: "
                             "install kmod in the image");
    machine_modules_warning(1, "/usr/local/sbin/modprobe", 0, r, 1, msg, sizeof msg);
    assert_non_null(strstr(msg, "no /usr/local/sbin/modprobe: ")); /* the kernel's own path */
    machine_modules_warning(1, "/sbin/modprobe", 1, r, 0, msg, sizeof msg);
    assert_string_equal(msg, "no /lib/modules/6.1.0-28-amd64: the kernel and vinit-udevd cannot "
                             "load modules of this kernel: install its modules (Debian: "
                             "linux-image-6.1.0-28-amd64) in the image, or build the drivers in");
    /* both missing: one warning naming both */
    machine_modules_warning(1, "/sbin/modprobe", 0, r, 0, msg, sizeof msg);
    assert_string_equal(msg, "no /sbin/modprobe and no /lib/modules/6.1.0-28-amd64: the kernel "
                             "and vinit-udevd cannot load modules: install kmod and the kernel's "
                             "modules (Debian: linux-image-6.1.0-28-amd64) in the image, or "
                             "build the drivers in");
    /* a small buffer is cut, never overrun */
    machine_modules_warning(1, "/sbin/modprobe", 0, r, 0, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_cmdline_options),
        cmocka_unit_test(test_cmdline_environment),
        cmocka_unit_test(test_cmdline_bad_options_ignored),
        cmocka_unit_test(test_mounts),
        cmocka_unit_test(test_modules_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
