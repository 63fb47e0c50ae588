/* SPDX-License-Identifier: ISC */
/* Unit tests for svsrc: a real tree on disk, good services and the whole
 * bad-input matrix: each fault reported once with its file, only the faulty
 * services and their dependents disabled, the rest ordered. */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "svload.h"
#include "svresolve.h"
#include "svsrc.h"
#include "svtree.h"

static char root[] = "/tmp/vinit-svsrc-XXXXXX";
static struct svsrc_tree tree;
static char reports[64][512];
static unsigned int nreports;

static void report(char const *service, char const *path, char const *problem, char const *value,
                   void *arg)
{
    (void) arg;
    if (nreports < 64)
        snprintf(reports[nreports++], sizeof *reports, "%s|%s|%s|%s", service ? service : "-",
                 path ? path : "-", problem, value ? value : "-");
}

/* how many reports mention all of the given words */
static unsigned int reported(char const *a, char const *b)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < nreports; i++)
        n += strstr(reports[i], a) && (!b || strstr(reports[i], b));
    return n;
}

static void put(char const *rel, char const *content, mode_t mode)
{
    char path[PATH_MAX], dir[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    strcpy(dir, path);
    *strrchr(dir, '/') = 0;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    chmod(path, mode);
}

static void run_file(char const *service)
{
    char rel[128];
    snprintf(rel, sizeof rel, "%s/run", service);
    put(rel, "#!/bin/sh\nexec sleep 1000\n", 0755);
}

static void make_tree(void)
{
    assert_non_null(mkdtemp(root));
    /* good: virtlogd <- libvirtd <- guests (oneshot); sshd alone */
    run_file("virtlogd");
    put("virtlogd/notify", "", 0644);
    run_file("libvirtd");
    put("libvirtd/dependencies", "virtlogd\n", 0644);
    put("libvirtd/timeout-up", "30000\n", 0644);
    put("libvirtd/down-signal", "SIGTERM\n", 0644);
    put("libvirtd/essential", "", 0644);
    put("guests/type", "oneshot\n", 0644);
    put("guests/up", "#!/bin/sh\ntrue\n", 0755);
    put("guests/down", "#!/bin/sh\ntrue\n", 0755);
    put("guests/dependencies.d/libvirtd", "", 0644);
    run_file("sshd");
    put("sshd/rlimits", "nofile=1024:4096\n# comment\ncore=0\n", 0644);
    put("sshd/capabilities", "CAP_NET_BIND_SERVICE setuid\n", 0644);
    put("sshd/user", "root:root\n", 0644);
    put("sshd/restart", "on-failure\n", 0644);
    {
        /* a list's comments do not count against its size: 2 KiB of them
         * around one socket line (the image's libvirtd has 1.3 KiB) */
        static char listen[4096];
        char *p = listen;
        for (int i = 0; i < 40; i++)
            p += sprintf(p, "  # comment line %02d, written as a user would write one\n\n", i);
        strcpy(p, "/run/sshd.sock mode=0600\n\t# the end\n");
        put("sshd/listen", listen, 0644);
    }
    run_file("longlist"); /* a list whose lines are too long */
    {
        static char listen[2048];
        char *p = listen;
        for (int i = 0; i < 40; i++)
            p += sprintf(p, "/run/longlist/socket-%02d.sock\n", i);
        put("longlist/listen", listen, 0644);
    }
    /* faults */
    put("norun/timeout-up", "100\n", 0644); /* missing run */
    put("noexec/run", "#!/bin/sh\n", 0644); /* not executable */
    run_file("unknowndep");
    put("unknowndep/dependencies", "ghost\n", 0644); /* unknown dependency */
    run_file("cyc-a");
    put("cyc-a/dependencies", "cyc-b\n", 0644);
    run_file("cyc-b");
    put("cyc-b/dependencies", "cyc-a\n", 0644); /* cycle */
    run_file("bad name");                       /* bad name */
    run_file("badtimeout");
    put("badtimeout/timeout-down", "soon\n", 0644); /* non-numeric */
    run_file("baduser");
    put("baduser/user", "no-such-user-vinit\n", 0644); /* unknown user */
    run_file("garbage");
    put("garbage/down-signal", "\x01\x02\xff\xfe", 0644); /* garbage bytes */
    run_file("huge");
    char *big = malloc(SVSRC_FILE_MAX + 10);
    memset(big, '1', SVSRC_FILE_MAX + 9);
    big[SVSRC_FILE_MAX + 9] = 0;
    put("huge/timeout-up", big, 0644); /* a huge file */
    free(big);
    put("empty/.keep", "", 0644); /* an empty directory */
    run_file("dependent");
    put("dependent/dependencies", "noexec\n", 0644); /* depends on a faulty one */
    char loop[PATH_MAX];
    snprintf(loop, sizeof loop, "%s/looped", root);
    assert_int_equal(symlink(loop, loop), 0); /* symlink loop */
    run_file("fifoenv");
    put("fifoenv/env/OK", "v\n", 0644);
    {
        char fifo[PATH_MAX];
        snprintf(fifo, sizeof fifo, "%s/fifoenv/env/HANG", root);
        assert_int_equal(mkfifo(fifo, 0600), 0); /* a FIFO in env/ */
    }
    run_file("twoready");
    put("twoready/notify", "", 0644);
    put("twoready/notification-fd", "3\n", 0644); /* two readiness methods */
    /* env-uses: what a program outside the directory reads */
    put("config/type", "oneshot\n", 0644);
    put("config/up", "#!/bin/sh\nexec /usr/lib/x/hooks/config\n", 0755);
    put("config/env-uses", "# what hooks/config reads\nLIBVIRT_* SOCK_GID\n\n  CFG_[A-Z]?\n", 0644);
    run_file("badpattern");
    put("badpattern/env-uses", "LIBVIRT_*\nLIBVIRT_TCP=1\n", 0644); /* not a pattern */
    run_file("badbracket");
    put("badbracket/env-uses", "LIBVIRT_[A-Z\n", 0644); /* a [ without its ] */
}

static int setup(void **state)
{
    make_tree();
    assert_int_equal(svsrc_read(&tree, root, report, NULL), 0);
    svresolve_order(&tree, root, report, NULL);
    return 0;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return getenv("KEEP") ? 0 : system(cmd);
}

static struct svsrc_service const *sv(char const *name)
{
    int i = svsrc_find(&tree, name);
    assert_true(i >= 0);
    return &tree.sv[i];
}

static void test_good_services_parsed(void **state)
{
    assert_true(sv("virtlogd")->notify);
    assert_int_equal(sv("libvirtd")->timeout_up, 30000);
    assert_int_equal(sv("libvirtd")->down_signal, 15);
    assert_true(sv("libvirtd")->essential);
    assert_int_equal(sv("guests")->type, SVPARSE_ONESHOT);
    assert_true(sv("guests")->has_down);
    assert_int_equal(sv("guests")->ndeps, 1);
    assert_int_equal(sv("sshd")->nrlimits, 2);
    assert_int_equal(sv("sshd")->ncaps, 2);
    assert_int_equal(sv("sshd")->restart, SVPARSE_RESTART_ON_FAILURE);
    assert_int_equal(sv("sshd")->notification_fd, -1);
    assert_string_equal(sv("sshd")->listen_text, "/run/sshd.sock mode=0600");
    assert_string_equal(sv("config")->env_uses, "LIBVIRT_* SOCK_GID\n  CFG_[A-Z]?");
    for (char const *const *n =
             (char const *const[]){"virtlogd", "libvirtd", "guests", "sshd", "config", NULL};
         *n; n++) {
        assert_false(sv(*n)->disabled);
        assert_false(sv(*n)->faulty);
    }
}

static void test_order_follows_dependencies(void **state)
{
    assert_int_equal(sv("virtlogd")->level, 0);
    assert_int_equal(sv("sshd")->level, 0);
    assert_int_equal(sv("libvirtd")->level, 1);
    assert_int_equal(sv("guests")->level, 2);
    int pos[4] = {-1, -1, -1, -1};
    char const *names[] = {"virtlogd", "libvirtd", "guests", "sshd"};
    for (unsigned int i = 0; i < tree.norder; i++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(tree.sv[tree.order[i]].name, names[k]))
                pos[k] = (int) i;
    assert_true(pos[0] >= 0 && pos[0] < pos[1] && pos[1] < pos[2]);
    assert_true(pos[3] >= 0);
    assert_int_equal(tree.norder, tree.n - 2); /* all but the cycle's two members */
}

static void test_each_fault_named_once(void **state)
{
    assert_int_equal(reported("norun/run", "missing"), 1);
    assert_int_equal(reported("noexec/run", "not executable"), 1);
    assert_int_equal(reported("unknowndep/dependencies", "ghost"), 1);
    assert_int_equal(reported("cyc-a/dependencies", "cyc-a -> cyc-b -> cyc-a"), 1);
    assert_int_equal(reported("cyc-b/dependencies", "dependency cycle"), 1);
    assert_int_equal(reported("bad name", "name has a character"), 1);
    assert_int_equal(reported("badtimeout/timeout-down", "soon"), 1);
    assert_int_equal(reported("baduser/user", "unknown user"), 1);
    assert_int_equal(reported("garbage/down-signal", "binary"), 1);
    assert_int_equal(reported("huge/timeout-up", "too large"), 1);
    assert_int_equal(reported("empty/run", "missing"), 1);
    assert_int_equal(reported("looped", "symbolic links"), 1);
    assert_int_equal(reported("twoready", "more than one readiness"), 1);
    assert_int_equal(reported("fifoenv/env/HANG", "not a regular file"), 1);
    assert_int_equal(reported("longlist/listen", "too long: at most 1023 bytes of lines"), 1);
    assert_int_equal(reported("badpattern/env-uses|", "shell pattern of names"), 1);
    assert_int_equal(reported("badpattern/env-uses|", "|LIBVIRT_TCP=1"), 1);
    assert_int_equal(reported("badbracket/env-uses|", "a [ without its ]"), 1);
    /* a dependent of a faulty service is not a fault of its own: its
     * fate is said when the tree runs */
    assert_int_equal(reported("dependent|", "noexec"), 0);
}

static void test_only_the_faulty_are_disabled(void **state)
{
    assert_true(sv("fifoenv")->faulty);
    char const *const off[] = {"norun",      "noexec",   "unknowndep", "cyc-a",     "cyc-b",
                               "badtimeout", "baduser",  "garbage",    "huge",      "empty",
                               "twoready",   "longlist", "badpattern", "badbracket"};
    for (size_t i = 0; i < sizeof off / sizeof *off; i++)
        assert_true(sv(off[i])->disabled);
    /* only a cycle's members are left out of the order */
    assert_int_equal(sv("cyc-a")->level, -1);
    assert_int_equal(sv("noexec")->level, 0);
    assert_false(sv("dependent")->faulty);
    assert_false(sv("dependent")->disabled);
    assert_int_equal(sv("dependent")->level, 1);
    assert_int_equal(svsrc_find(&tree, "bad name"), -1);
    assert_int_equal(svsrc_find(&tree, "looped"), -1);
}

/* Which services use a variable: a file of the directory mentions it, or
 * a pattern of env-uses matches it (whole names: fnmatch). */
static void test_uses(void **state)
{
    char const *const used[] = {"LIBVIRT_TCP", "LIBVIRT_", "SOCK_GID", "CFG_AB", "CFG_Z9"};
    /* whole names: not what a pattern's text holds (env-uses is no run
     * script) */
    char const *const unused[] = {"LIBVIRT", "SOCK_GID2", "XSOCK_GID", "CFG_ABC",
                                  "CFG_A",   "CFG_",      "SOCK",      "PATH"};
    for (size_t k = 0; k < sizeof used / sizeof *used; k++)
        if (!svsrc_uses(root, sv("config"), used[k]))
            fail_msg("config should use %s", used[k]);
    for (size_t k = 0; k < sizeof unused / sizeof *unused; k++)
        if (svsrc_uses(root, sv("config"), unused[k]))
            fail_msg("config should not use %s", unused[k]);
    /* as before: a file that says the name */
    assert_true(svsrc_uses(root, sv("libvirtd"), "virtlogd"));
    assert_false(svsrc_uses(root, sv("libvirtd"), "LIBVIRT_TCP"));
}

static void test_instances(void **state)
{
    static struct svsrc_tree t;
    memset(&t, 0, sizeof t);
    t.n = 3;
    strcpy(t.sv[0].name, "virtiofsd");
    strcpy(t.sv[0].dir, "virtiofsd");
    strcpy(t.sv[0].instances, "SHARES");
    t.sv[0].notification_fd = -1;
    strcpy(t.sv[1].name, "libvirtd");
    strcpy(t.sv[1].dir, "libvirtd");
    t.sv[1].ndeps = 1;
    strcpy(t.sv[1].deps[0], "virtiofsd");
    strcpy(t.sv[2].name, "other");
    strcpy(t.sv[2].dir, "other");
    char const *const env[] = {"SHARES=docs:/srv/docs, media:/srv/media bad/name:/x docs:/y", NULL};
    nreports = 0;
    svresolve_instances(&t, env, report, NULL);
    assert_int_equal(t.n, 5);
    int docs = svsrc_find(&t, "virtiofsd@docs"), media = svsrc_find(&t, "virtiofsd@media");
    assert_true(docs >= 0 && media >= 0);
    assert_string_equal(t.sv[docs].dir, "virtiofsd"); /* runs from the template's directory */
    assert_true(t.sv[0].is_template);
    assert_false(t.sv[docs].is_template);
    assert_int_equal(reported("bad instance name", "virtiofsd@bad/name"), 1);
    /* a dependency on the template means every instance */
    assert_int_equal(t.sv[1].ndeps, 2);
    assert_string_equal(t.sv[1].deps[0], "virtiofsd@docs");
    assert_string_equal(t.sv[1].deps[1], "virtiofsd@media");
    svresolve_order(&t, "/x", report, NULL);
    assert_true(t.sv[0].disabled);  /* the template never runs */
    assert_false(t.sv[1].disabled); /* and takes nobody down with it */
    assert_int_equal(t.sv[1].level, 1);
    assert_int_equal(svresolve_item_name_len("docs:/srv/docs", 14), 4);
    assert_int_equal(svresolve_item_name_len("plain", 5), 5);
}

static void test_no_instances_when_unset(void **state)
{
    static struct svsrc_tree t;
    memset(&t, 0, sizeof t);
    t.n = 1;
    strcpy(t.sv[0].name, "virtiofsd");
    strcpy(t.sv[0].instances, "SHARES");
    char const *const env[] = {NULL};
    svresolve_instances(&t, env, report, NULL);
    assert_int_equal(t.n, 1);
    assert_true(t.sv[0].is_template);
}

static void test_missing_tree_is_an_error(void **state)
{
    struct svsrc_tree *t = malloc(sizeof *t);
    assert_int_equal(svsrc_read(t, "/nonexistent/vinit", report, NULL), -1);
    free(t);
}

/* The image's own tree (services/ of this repository) loads as the image
 * boots it, with each setting that adds sockets: every service wanted or
 * off, none broken, the sockets all there. Users and groups of the image
 * this machine may not have are the only faults let pass. */
static void test_image_tree(void **state)
{
    static char const *const envs[][5] = {
        {"PATH=/usr/bin:/bin", NULL},
        {"SOCK_GID=4242", "LIBVIRT_TCP=1", "LIBVIRT_TCP_PORT=16600", "LIBVIRT_TLS=1", NULL},
        {"COCKPIT=1", NULL},
    };
    static unsigned int const sockets[] = {3, 5, 3}; /* libvirtd's */
    for (size_t e = 0; e < sizeof envs / sizeof *envs; e++) {
        struct svload_request r = {.srcdir = "services", .envp = envs[e]};
        struct svtree t;
        nreports = 0;
        assert_int_equal(svload_read(&r, &t, report, NULL), 0);
        int lv = svtree_find(&t, "libvirtd"), vl = svtree_find(&t, "virtlogd");
        int ck = svtree_find(&t, "cockpit");
        /* wanted (or broken here for want of the image's cockpit-wsinstance user) */
        int cockpit = ck >= 0 && t.sv[ck].load != SVTREE_OFF && t.sv[ck].nlisten == 1;
        char const *why = lv < 0 || vl < 0                 ? "libvirtd or virtlogd missing"
                          : t.sv[lv].load == SVTREE_BROKEN ? svtree_str(&t, t.sv[lv].reason)
                          : t.sv[lv].nlisten != sockets[e] ? "libvirtd: not all its sockets"
                          : t.sv[vl].nlisten != 2          ? "virtlogd: not both its sockets"
                          : cockpit != (e == 2)
                              ? "cockpit: wanted with its socket only with COCKPIT=1"
                              : NULL;
        char said[512];
        snprintf(said, sizeof said, "%s", why ? why : "");
        svtree_free(&t);
        if (why)
            fail_msg("the image's tree, environment %zu: %s", e, said);
        /* the tree's README.md is no service: said and ignored */
        for (unsigned int i = 0; i < nreports; i++)
            if (!strstr(reports[i], "unknown user") && !strstr(reports[i], "unknown group") &&
                !strstr(reports[i], "/README.md|not a directory"))
                fail_msg("the image's tree: %s", reports[i]);
    }
}

/* vinit env set in the image: a variable that a setup hook reads reruns
 * that oneshot (its env-uses), never guests; one that no hook reads
 * reruns none. names, then the oneshots it marks. */
static void test_image_env_uses(void **state)
{
    static char const *const cases[][2] = {
        {"LIBVIRT_TCP", "libvirt-config"},
        {"LIBVIRT_TCP_AUTH", "libvirt-config"},
        {"LIBVIRT_TLS_VERIFY", "libvirt-config"},
        {"SOCK_GID", "libvirt-config"},
        {"LIBVIRT_USERS_FILE", "cockpit-setup libvirt-config"},
        {"COCKPIT_USERS_FILE", "cockpit-setup"},
        {"COCKPIT_HOME", "cockpit-setup"},
        {"SAMBA_SHARES", "samba-config"},
        {"SAMBA_PASSWORD", "samba-config"},
        {"NMBD", "samba-config"},
        {"SSH_AUTHORIZED_KEYS", "sshd-keys"},
        {"SSH_PORT", "sshd-keys"},
        {"GUESTS_ON_STOP", ""},
        {"COCKPIT_PORT", ""},
        {"TZ", ""},
        {"PATH", ""},
    };
    char const *const env[] = {"COCKPIT=1", NULL};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        struct svload_request r = {.srcdir = "services", .envp = env, .names = cases[c][0]};
        struct svtree t;
        char got[256] = "";
        nreports = 0;
        assert_int_equal(svload_read(&r, &t, report, NULL), 0);
        for (unsigned int i = 0; i < t.n; i++)
            if (t.sv[i].uses && t.sv[i].type == SVPARSE_ONESHOT)
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", *got ? " " : "",
                         svtree_name(&t, i));
        svtree_free(&t);
        if (strcmp(got, cases[c][1]))
            fail_msg("vinit env set %s: reruns [%s], want [%s]", cases[c][0], got, cases[c][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_services_parsed),
        cmocka_unit_test(test_order_follows_dependencies),
        cmocka_unit_test(test_each_fault_named_once),
        cmocka_unit_test(test_only_the_faulty_are_disabled),
        cmocka_unit_test(test_uses),
        cmocka_unit_test(test_missing_tree_is_an_error),
        cmocka_unit_test(test_instances),
        cmocka_unit_test(test_no_instances_when_unset),
        cmocka_unit_test(test_image_tree),
        cmocka_unit_test(test_image_env_uses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
