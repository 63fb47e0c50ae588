/* SPDX-License-Identifier: ISC */
/* svresolve: a tree as read becomes a tree that can run. Pure: templates
 * become their instances (from the environment), dependency names become
 * indexes, cycles are found and named (their members become faulty), and
 * the start order is computed. Faults are told through the report
 * function, as svsrc's. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <skalibs/types.h>

#include "svresolve.h"

static void build_graph(struct svsrc_tree *t, char const *dir, svsrc_report_fn *report, void *arg)
{
    char path[PATH_MAX];
    memset(&t->graph, 0, sizeof t->graph);
    t->graph.n = t->n;
    for (unsigned int i = 0; i < t->n; i++) {
        struct svsrc_service *sv = &t->sv[i];
        for (unsigned int d = 0; d < sv->ndeps; d++) {
            int j = svsrc_find(t, sv->deps[d]);
            if (j < 0) {
                snprintf(path, sizeof path, "%s/%s/dependencies", dir, sv->name);
                report(sv->name, path, "unknown service", sv->deps[d], arg);
                sv->faulty = 1;
                continue;
            }
            t->graph.deps[i][t->graph.ndeps[i]++] = (unsigned short) j;
        }
    }
}

/* "a -> b -> c -> a", for the message */
static void describe_cycle(struct svsrc_tree const *t, unsigned short const *cycle,
                           unsigned int len, char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = 0;
    for (unsigned int i = 0; i <= len && off < size; i++)
        off += (size_t) snprintf(buf + off, size - off, "%s%s", i ? " -> " : "",
                                 t->sv[cycle[i % len]].name);
}

static void break_cycles(struct svsrc_tree *t, unsigned char *disabled, char const *dir,
                         svsrc_report_fn *report, void *arg)
{
    unsigned short cycle[SVSRC_MAX];
    char path[PATH_MAX], text[1024];
    unsigned int len;
    while ((len = graph_find_cycle(&t->graph, disabled, cycle))) {
        describe_cycle(t, cycle, len, text, sizeof text);
        for (unsigned int i = 0; i < len; i++) {
            struct svsrc_service *sv = &t->sv[cycle[i]];
            snprintf(path, sizeof path, "%s/%s/dependencies", dir, sv->name);
            report(sv->name, path, "dependency cycle", text, arg);
            sv->faulty = 1;
            disabled[cycle[i]] = 1;
        }
    }
}

void svresolve_order(struct svsrc_tree *t, char const *dir, svsrc_report_fn *report, void *arg)
{
    unsigned char cut[SVSRC_MAX];
    int level[SVSRC_MAX];
    build_graph(t, dir, report, arg);
    /* the order leaves out only what cannot be ordered (a cycle) and what
     * never runs itself (a template); a faulty service keeps its place, and
     * what depends on it learns its fate when the tree runs (the planner) */
    for (unsigned int i = 0; i < t->n; i++)
        cut[i] = t->sv[i].is_template;
    break_cycles(t, cut, dir, report, arg);
    for (unsigned int i = 0; i < t->n; i++)
        t->sv[i].disabled = t->sv[i].faulty || t->sv[i].is_template;
    graph_levels(&t->graph, cut, level);
    for (unsigned int i = 0; i < t->n; i++)
        t->sv[i].level = level[i];
    t->norder = graph_order(&t->graph, level, t->order);
}

size_t svresolve_item_name_len(char const *item, size_t len)
{
    char const *colon = memchr(item, ':', len);
    return colon ? (size_t) (colon - item) : len;
}

/* Adds template@item for each item of the template's variable. */
static void instantiate(struct svsrc_tree *t, unsigned int tpl, char const *list,
                        svsrc_report_fn *report, void *arg)
{
    char name[SVPARSE_NAME_MAX * 2 + 2];
    char const *why;
    size_t len;
    for (char const *p = list; (len = svparse_word(&p)); p += len) {
        size_t nlen = svresolve_item_name_len(p, len);
        snprintf(name, sizeof name, "%s@%.*s", t->sv[tpl].name, (int) nlen, p);
        if (svparse_name(name, &why) < 0) {
            report(t->sv[tpl].name, NULL, "bad instance name", name, arg);
            continue;
        }
        if (svsrc_find(t, name) >= 0)
            continue; /* named twice */
        if (t->n >= SVSRC_MAX) {
            t->overflow++; /* the loader refuses the tree */
            continue;
        }
        t->sv[t->n] = t->sv[tpl];
        strcpy(t->sv[t->n].name, name);
        t->sv[t->n].is_template = 0;
        t->n++;
    }
}

/* A dependency on a template becomes one on each of its instances. */
static void expand_deps(struct svsrc_tree *t, struct svsrc_service *sv, char const *tpl,
                        svsrc_report_fn *report, void *arg)
{
    size_t tlen = strlen(tpl);
    for (unsigned int d = 0; d < sv->ndeps; d++) {
        if (strcmp(sv->deps[d], tpl))
            continue;
        sv->deps[d][0] = 0; /* dropped below */
        for (unsigned int k = 0; k < t->n; k++) {
            if (strncmp(t->sv[k].name, tpl, tlen) || t->sv[k].name[tlen] != '@')
                continue;
            if (sv->ndeps >= GRAPH_DEPS_MAX) {
                char max[UINT_FMT];
                max[uint_fmt(max, GRAPH_DEPS_MAX)] = 0;
                report(sv->name, NULL,
                       "more dependencies than a service may have, with the instances of", tpl,
                       arg);
                report(sv->name, NULL, "a service may have at most this many dependencies", max,
                       arg);
                sv->faulty = 1;
                break;
            }
            strcpy(sv->deps[sv->ndeps++], t->sv[k].name);
        }
    }
    unsigned int kept = 0;
    for (unsigned int d = 0; d < sv->ndeps; d++)
        if (sv->deps[d][0])
            memmove(sv->deps[kept++], sv->deps[d], sizeof sv->deps[d]);
    sv->ndeps = kept;
}

void svresolve_instances(struct svsrc_tree *t, char const *const *envp, svsrc_report_fn *report,
                         void *arg)
{
    unsigned int n = t->n;
    for (unsigned int i = 0; i < n; i++) {
        if (!t->sv[i].instances[0])
            continue;
        t->sv[i].is_template = 1;
        char const *list = "";
        size_t vlen = strlen(t->sv[i].instances);
        for (char const *const *e = envp; e && *e; e++)
            if (!strncmp(*e, t->sv[i].instances, vlen) && (*e)[vlen] == '=')
                list = *e + vlen + 1;
        instantiate(t, i, list, report, arg);
    }
    for (unsigned int i = 0; i < n; i++)
        if (t->sv[i].is_template)
            for (unsigned int j = 0; j < t->n; j++)
                expand_deps(t, &t->sv[j], t->sv[i].name, report, arg);
}
