/* SPDX-License-Identifier: ISC */
/* svresolve: from a tree as read (svsrc) to a tree that can run: instances,
 * dependency indexes, cycles, start order. Pure. */
#ifndef VINIT_SVRESOLVE_H
#define VINIT_SVRESOLVE_H

#include <stddef.h>

#include "svsrc.h"

/* A template (a service with an instances file naming VAR) becomes one
 * service NAME@ITEM per item of VAR in envp ("a:/x,b:/y": items split on
 * commas and blanks, an item's name is its text up to the first ':'). A
 * dependency on the template stands for all of its instances. Instances
 * beyond SVSRC_MAX services are counted in t->overflow. */
void svresolve_instances(struct svsrc_tree *t, char const *const *envp, svsrc_report_fn *report,
                         void *arg);

/* The name part of an instance item ("share:/srv/x" -> "share"). */
size_t svresolve_item_name_len(char const *item, size_t len);

/* Resolves dependency names, finds cycles (their members become faulty,
 * each reported), and computes the start order of every service but
 * templates and cycles' members. Dependents of a faulty service are left to
 * the planner, which gives them its fate when the tree runs. */
void svresolve_order(struct svsrc_tree *t, char const *dir, svsrc_report_fn *report, void *arg);

#endif
