/* SPDX-License-Identifier: ISC */
/* Unit tests for graph: levels, order, cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "graph.h"

static struct graph g;
static unsigned char disabled[GRAPH_MAX];
static int level[GRAPH_MAX];

static void reset(unsigned int n)
{
    memset(&g, 0, sizeof g);
    memset(disabled, 0, sizeof disabled);
    g.n = n;
}

static void dep(unsigned int a, unsigned int b) /* a needs b */
{
    g.deps[a][g.ndeps[a]++] = (unsigned short) b;
}

static void test_chain_levels(void **state)
{
    /* virtlogd(0) <- libvirtd(1) <- guests(2); sshd(3) alone */
    reset(4);
    dep(1, 0);
    dep(2, 1);
    assert_int_equal(graph_levels(&g, disabled, level), 3);
    assert_int_equal(level[0], 0);
    assert_int_equal(level[1], 1);
    assert_int_equal(level[2], 2);
    assert_int_equal(level[3], 0); /* independent: starts with the first */
    unsigned short order[GRAPH_MAX];
    assert_int_equal(graph_order(&g, level, order), 4);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 3);
    assert_int_equal(order[2], 1);
    assert_int_equal(order[3], 2);
}

static void test_diamond_takes_the_longest_path(void **state)
{
    /* 3 needs 1 and 2; 2 needs 1; 1 needs 0 */
    reset(4);
    dep(3, 1);
    dep(3, 2);
    dep(2, 1);
    dep(1, 0);
    assert_int_equal(graph_levels(&g, disabled, level), 4);
    assert_int_equal(level[3], 3);
}

static void test_fan_out_is_one_level(void **state)
{
    reset(101);
    for (unsigned int i = 1; i <= 100; i++)
        dep(i, 0);
    assert_int_equal(graph_levels(&g, disabled, level), 2);
    for (unsigned int i = 1; i <= 100; i++)
        assert_int_equal(level[i], 1);
}

static void test_cycle_is_found_and_named(void **state)
{
    unsigned short cycle[GRAPH_MAX];
    /* 0 -> 1 -> 2 -> 0, and 3 -> 0 hangs off it */
    reset(5);
    dep(0, 1);
    dep(1, 2);
    dep(2, 0);
    dep(3, 0);
    assert_int_equal(graph_levels(&g, disabled, level), -1);
    unsigned int len = graph_find_cycle(&g, disabled, cycle);
    assert_int_equal(len, 3);
    assert_int_equal(cycle[0], 0);
    assert_int_equal(cycle[1], 1);
    assert_int_equal(cycle[2], 2);
    /* the cycle left out: 3, which depends on it, and 4 still get levels
     * (3's fate is decided when the tree runs, not here) */
    for (unsigned int i = 0; i < len; i++)
        disabled[cycle[i]] = 1;
    assert_int_equal(graph_levels(&g, disabled, level), 1);
    assert_int_equal(level[4], 0);
    assert_int_equal(level[3], 0);
    assert_int_equal(level[0], -1);
}

static void test_self_dependency_is_a_cycle(void **state)
{
    unsigned short cycle[GRAPH_MAX];
    reset(2);
    dep(1, 1);
    assert_int_equal(graph_find_cycle(&g, disabled, cycle), 1);
    assert_int_equal(cycle[0], 1);
}

static void test_no_cycle_in_a_dag(void **state)
{
    unsigned short cycle[GRAPH_MAX];
    reset(4);
    dep(3, 1);
    dep(3, 2);
    dep(2, 1);
    dep(1, 0);
    assert_int_equal(graph_find_cycle(&g, disabled, cycle), 0);
}

static void test_disabled_dependency_holds_nothing_back(void **state)
{
    /* 0 left out; 1 needs 0; 2 needs 1; 3 needs nothing: 1 and 3 start
     * first (1's fate is the planner's business), 2 after 1 */
    reset(4);
    dep(1, 0);
    dep(2, 1);
    disabled[0] = 1;
    assert_int_equal(graph_levels(&g, disabled, level), 2);
    assert_int_equal(level[0], -1);
    assert_int_equal(level[1], 0);
    assert_int_equal(level[2], 1);
    assert_int_equal(level[3], 0);
}

static void test_largest_tree(void **state)
{
    /* a chain of GRAPH_MAX services: GRAPH_MAX levels, no stack overflow */
    reset(GRAPH_MAX);
    for (unsigned int i = 1; i < GRAPH_MAX; i++)
        dep(i, i - 1);
    assert_int_equal(graph_levels(&g, disabled, level), GRAPH_MAX);
    unsigned short cycle[GRAPH_MAX];
    assert_int_equal(graph_find_cycle(&g, disabled, cycle), 0);
    dep(0, GRAPH_MAX - 1);
    assert_int_equal(graph_find_cycle(&g, disabled, cycle), GRAPH_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_levels),
        cmocka_unit_test(test_diamond_takes_the_longest_path),
        cmocka_unit_test(test_fan_out_is_one_level),
        cmocka_unit_test(test_cycle_is_found_and_named),
        cmocka_unit_test(test_self_dependency_is_a_cycle),
        cmocka_unit_test(test_no_cycle_in_a_dag),
        cmocka_unit_test(test_disabled_dependency_holds_nothing_back),
        cmocka_unit_test(test_largest_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
