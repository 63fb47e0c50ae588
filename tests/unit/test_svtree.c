/* SPDX-License-Identifier: ISC */
/* Unit tests for svtree: a tree compiled into one blob and taken back
 * whole; every blob that does not hold together refused before use; the
 * size of a tree, against the full source it came from. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svresolve.h"
#include "svtree.h"

static struct svsrc_tree src;

static void quiet(char const *service, char const *path, char const *problem, char const *value,
                  void *arg)
{
    (void) service, (void) path, (void) problem, (void) value, (void) arg;
}

static struct svsrc_service *add(char const *name, char const *dep)
{
    struct svsrc_service *sv = &src.sv[src.n++];
    memset(sv, 0, sizeof *sv);
    strcpy(sv->name, name);
    strcpy(sv->dir, name);
    sv->notification_fd = -1;
    if (dep)
        strcpy(sv->deps[sv->ndeps++], dep);
    return sv;
}

/* virtlogd <- libvirtd (notify, a log file, broken with a reason) */
static void compile(struct svtree *t)
{
    static char const *const why[] = {NULL, "/x/libvirtd/run: missing"};
    unsigned char load[] = {SVTREE_WANTED, SVTREE_BROKEN};
    memset(&src, 0, sizeof src);
    add("virtlogd", NULL)->notify = 1;
    struct svsrc_service *l = add("libvirtd", "virtlogd");
    strcpy(l->log_file, "/var/log/libvirtd.log");
    l->timeout_up = 30000;
    l->signature = 42;
    svresolve_order(&src, "/x", quiet, NULL);
    assert_int_equal(svtree_build(t, &src, load, why, NULL), 0);
}

static void test_round_trip(void **state)
{
    struct svtree t, back;
    compile(&t);
    void *copy = malloc(t.size);
    memcpy(copy, t.blob, t.size);
    assert_int_equal(svtree_adopt(&back, copy, t.size), 0);
    assert_int_equal(back.n, 2);
    int l = svtree_find(&back, "libvirtd"), v = svtree_find(&back, "virtlogd");
    assert_true(l >= 0 && v >= 0);
    assert_string_equal(svtree_str(&back, back.sv[l].log_file), "/var/log/libvirtd.log");
    assert_string_equal(svtree_str(&back, back.sv[l].reason), "/x/libvirtd/run: missing");
    assert_string_equal(svtree_str(&back, back.sv[v].reason), "");
    assert_int_equal(back.sv[l].load, SVTREE_BROKEN);
    assert_int_equal(back.sv[l].timeout_up, 30000);
    assert_int_equal(back.sv[l].signature, 42);
    assert_int_equal(back.sv[l].ndeps, 1);
    assert_int_equal(back.deps[back.sv[l].dep0], (uint32_t) v);
    assert_true(back.sv[v].readiness);
    assert_true(back.sv[v].needs_runner); /* notify: the runner's bridge */
    assert_int_equal(back.sv[v].notification_fd, 3);
    assert_int_equal(back.norder, 2);
    assert_int_equal(back.order[0], (uint32_t) v);
    assert_true(svtree_same_deps(&t, (unsigned int) l, &back, (unsigned int) l));
    assert_false(svtree_same_deps(&t, (unsigned int) l, &back, (unsigned int) v));
    svtree_free(&back);
    svtree_free(&t);
}

/* Corrupts one copy of the blob at off with value, expects a refusal. */
static void refused(struct svtree const *t, size_t off, void const *value, size_t len, size_t size)
{
    struct svtree back;
    char *copy = malloc(t->size);
    memcpy(copy, t->blob, t->size);
    memcpy(copy + off, value, len);
    errno = 0;
    assert_int_equal(svtree_adopt(&back, copy, size), -1);
    assert_int_equal(errno, EPROTO);
    free(copy);
}

static void test_bad_blobs_refused(void **state)
{
    struct svtree t;
    compile(&t);
    size_t sv0 = (size_t) ((char *) t.sv - (char *) t.blob);
    size_t deps = (size_t) ((char *) t.deps - (char *) t.blob);
    size_t strings = (size_t) (t.strings - (char *) t.blob);
    uint32_t big = 0xffffff00u, two = 2, one = 1;
    char nonzero = 'x';
    refused(&t, 0, &big, 4, t.size);                                               /* magic */
    refused(&t, 0, &one, 0, t.size - 1);                                           /* size */
    refused(&t, 0, &one, 0, 3);                                                    /* tiny */
    refused(&t, 4, &big, 4, t.size);                                               /* n */
    refused(&t, sv0 + offsetof(struct svtree_service, name), &big, 4, t.size);     /* name */
    refused(&t, sv0 + offsetof(struct svtree_service, reason), &big, 4, t.size);   /* reason */
    refused(&t, sv0 + offsetof(struct svtree_service, ndeps), &big, 4, t.size);    /* ndeps */
    refused(&t, deps, &two, 4, t.size);                                            /* dep index */
    refused(&t, sv0 + offsetof(struct svtree_service, load), &nonzero, 1, t.size); /* enum */
    refused(&t, t.size - 1, &nonzero, 1, t.size);                                  /* unended */
    refused(&t, strings, &nonzero, 1, t.size);                                     /* "" at 0 */
    svtree_free(&t);
}

static void test_compact(void **state)
{
    struct svtree t;
    compile(&t);
    /* the whole tree is smaller than one service of the full source */
    assert_true(t.size < sizeof(struct svsrc_service));
    svtree_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_blobs_refused),
        cmocka_unit_test(test_compact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
