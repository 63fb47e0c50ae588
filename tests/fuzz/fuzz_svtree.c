/* SPDX-License-Identifier: ISC */
/* fuzz_svtree: the blob a loader child sends PID 1 through a pipe
 * (svtree_adopt), then the planner run on whatever was taken. The promise:
 * a blob that does not hold together is refused (EPROTO) before anything
 * in it is used; one that is taken has every string ending inside the
 * arena, every dependency and order index inside the tree, and the planner
 * can start it, take events and stop it without reading outside its
 * tables. The seeds are real trees (the repository's services/ and the
 * demo's), as svload compiles them. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "planner.h"
#include "svtree.h"

static void walk(struct svtree const *t)
{
    for (unsigned int i = 0; i < t->n; i++) {
        struct svtree_service const *e = &t->sv[i];
        fuzz_assert(strlen(svtree_name(t, i)) < t->nstrings);
        fuzz_assert(strlen(svtree_str(t, e->reason)) < t->nstrings);
        fuzz_assert(strlen(svtree_str(t, e->log_file)) < t->nstrings);
        for (uint32_t d = 0; d < e->ndeps; d++)
            fuzz_assert(t->deps[e->dep0 + d] < t->n);
        int k = svtree_find(t, svtree_name(t, i));
        fuzz_assert(k >= 0 && (unsigned int) k <= i);
        fuzz_assert(svtree_same_deps(t, i, t, i));
    }
    for (unsigned int k = 0; k < t->norder; k++)
        fuzz_assert(t->order[k] < t->n);
}

/* The planner on the tree: start, every supervisor listening, a run up and
 * down for each, a stop. Nothing here may read past a table. */
static void plan(struct svtree const *t)
{
    struct planner p;
    struct planner_act const *a;
    if (planner_init(&p, t) < 0)
        return;
    planner_start(&p, 1);
    for (unsigned int i = 0; i < t->n; i++) {
        struct planner_status up = {.up = 1, .pid = 100 + (pid_t) i, .new_stamp = 1};
        struct planner_status down = {.code = 1, .new_stamp = 1};
        planner_launched(&p, i, PLANNER_SUP, 50 + (pid_t) i, 2);
        planner_status(&p, i, &down, 3);
        planner_status(&p, i, &up, 4);
        planner_status(&p, i, &down, 5);
        planner_tick(&p, 5000);
    }
    planner_shutdown(&p, 6000, 14000);
    fuzz_assert(planner_settled(&p) || !planner_settled(&p));
    while ((a = planner_next_act(&p)))
        fuzz_assert(a->svc < t->n);
    fuzz_assert(!p.lost);
    planner_free(&p);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    struct svtree t;
    char *blob = fuzz_copy(data, size);
    errno = 0;
    if (svtree_adopt(&t, blob, size) < 0) {
        fuzz_assert(errno == EPROTO);
        free(blob);
        return 0;
    }
    walk(&t);
    plan(&t);
    svtree_free(&t);
    return 0;
}
