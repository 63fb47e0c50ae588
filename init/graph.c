/* SPDX-License-Identifier: ISC */
/* graph: dependency order for starting and stopping services. Everything
 * works on fixed tables indexed by service: a tree is at most GRAPH_MAX
 * services, and a reload builds a new graph rather than editing one. */
#include <string.h>

#include "graph.h"

enum { WHITE, GREY, BLACK };

/* Iterative depth-first search: a recursion as deep as the tree would be
 * fine for 256 services, but an explicit stack also gives us the path. */
unsigned int graph_find_cycle(struct graph const *g, unsigned char const *disabled,
                              unsigned short *cycle)
{
    unsigned char color[GRAPH_MAX];
    unsigned short stack[GRAPH_MAX], next[GRAPH_MAX];
    memset(color, WHITE, sizeof color);
    for (unsigned int root = 0; root < g->n; root++) {
        if (disabled[root] || color[root] != WHITE)
            continue;
        unsigned int top = 0;
        stack[0] = (unsigned short) root;
        next[0] = 0;
        color[root] = GREY;
        while (top != (unsigned int) -1) {
            unsigned int v = stack[top];
            if (next[top] >= g->ndeps[v]) {
                color[v] = BLACK;
                top--;
                continue;
            }
            unsigned int w = g->deps[v][next[top]++];
            if (disabled[w] || color[w] == BLACK)
                continue;
            if (color[w] == GREY) {
                unsigned int start = 0, len = 0;
                while (stack[start] != w)
                    start++;
                for (unsigned int i = start; i <= top; i++)
                    cycle[len++] = stack[i];
                return len;
            }
            color[w] = GREY;
            stack[++top] = (unsigned short) w;
            next[top] = 0;
        }
    }
    return 0;
}

int graph_levels(struct graph const *g, unsigned char const *disabled, int *level)
{
    unsigned int done = 0, enabled = 0;
    int nlevels = 0;
    for (unsigned int i = 0; i < g->n; i++) {
        level[i] = -1;
        enabled += !disabled[i];
    }
    /* Kahn's algorithm by rounds: a service gets its level once every
     * dependency has one. A round that places nothing means a cycle. */
    while (done < enabled) {
        unsigned int placed = 0;
        for (unsigned int i = 0; i < g->n; i++) {
            if (disabled[i] || level[i] >= 0)
                continue;
            int ready = 1;
            /* a dependency placed in this very round is not ready yet; one
             * left out (a template, a cycle) never will be: it holds
             * nothing back, and its dependents learn its fate at run time */
            for (unsigned int d = 0; d < g->ndeps[i] && ready; d++) {
                unsigned int dep = g->deps[i][d];
                int dl = level[dep];
                ready = disabled[dep] || (dl >= 0 && dl < nlevels);
            }
            if (!ready)
                continue;
            level[i] = nlevels;
            placed++;
        }
        if (!placed)
            return -1;
        done += placed;
        nlevels++;
    }
    return nlevels;
}

unsigned int graph_order(struct graph const *g, int const *level, unsigned short *order)
{
    unsigned int len = 0;
    for (int lv = 0;; lv++) {
        unsigned int found = 0;
        for (unsigned int i = 0; i < g->n; i++) {
            if (level[i] < lv)
                continue;
            found = 1;
            if (level[i] == lv)
                order[len++] = (unsigned short) i;
        }
        if (!found)
            return len;
    }
}
