/* SPDX-License-Identifier: ISC */
/* graph: the dependency graph of a service tree. Pure: start levels, stop
 * order, and cycles (named). */
#ifndef VINIT_GRAPH_H
#define VINIT_GRAPH_H

#define GRAPH_MAX      256 /* services in one tree */
#define GRAPH_DEPS_MAX 32  /* dependencies of one service */

struct graph {
    unsigned int n;
    unsigned int ndeps[GRAPH_MAX];
    unsigned short deps[GRAPH_MAX][GRAPH_DEPS_MAX]; /* indexes into the same table */
};

/* Finds one dependency cycle among the services not yet disabled. Returns
 * its length and writes it to cycle[] (cycle[0] depends on cycle[1], ...,
 * the last on cycle[0]), or 0 when there is none. */
unsigned int graph_find_cycle(struct graph const *g, unsigned char const *disabled,
                              unsigned short *cycle);

/* Start levels for the enabled services: 0 for those without dependencies,
 * else one more than their highest enabled dependency (a disabled one holds
 * nothing back). Services of one level start
 * in parallel. Returns the number of levels, or -1 when a cycle is left
 * (call graph_find_cycle and disable it first). level[i] is -1 for a
 * disabled service. */
int graph_levels(struct graph const *g, unsigned char const *disabled, int *level);

/* Order of start: enabled services sorted by level (stable by index).
 * The stop order is the same list read backwards. Returns its length. */
unsigned int graph_order(struct graph const *g, int const *level, unsigned short *order);

#endif
