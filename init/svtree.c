/* SPDX-License-Identifier: ISC */
/* svtree: compiles a source tree into one blob, and takes one back. The
 * blob's layout is a header, the entries, the dependency indexes, the
 * start order and the strings, each part aligned; a blob is checked whole
 * before anything in it is used, as anything read from a pipe should be. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "svrun.h"
#include "svtree.h"

#define SVTREE_MAGIC 0x76747265u /* "vtre" */

struct head {
    uint32_t magic, n, ndeps, norder, nlistens, nstrings;
};

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t) 7;
}

/* Where each part starts in a blob of these counts; the total size. */
struct layout {
    size_t sv, deps, order, listens, strings, size;
};

static int layout_of(struct layout *l, uint64_t n, uint64_t ndeps, uint64_t norder,
                     uint64_t nlistens, uint64_t nstrings)
{
    /* counts come from a pipe: bound them before any multiplication */
    if (n > UINT32_MAX / 4 || ndeps > UINT32_MAX / 4 || norder > n || nlistens > UINT32_MAX / 64 ||
        nstrings > UINT32_MAX)
        return -1;
    l->sv = align8(sizeof(struct head));
    l->deps = align8(l->sv + n * sizeof(struct svtree_service));
    l->order = l->deps + ndeps * sizeof(uint32_t);
    l->listens = align8(l->order + norder * sizeof(uint32_t));
    l->strings = l->listens + nlistens * sizeof(struct svtree_listen);
    l->size = l->strings + nstrings;
    return 0;
}

static void point(struct svtree *t, struct layout const *l, void *blob, size_t size)
{
    char *b = blob;
    t->blob = blob;
    t->size = size;
    t->sv = (struct svtree_service *) (b + l->sv);
    t->deps = (uint32_t *) (b + l->deps);
    t->order = (uint32_t *) (b + l->order);
    t->listens = (struct svtree_listen *) (b + l->listens);
    t->strings = b + l->strings;
}

/* The string table while building: "" at offset 0, then each string. */
struct arena {
    char *p;
    size_t len;
};

static uint32_t put_str(struct arena *a, char const *s)
{
    size_t k = strlen(s);
    if (!k)
        return 0;
    uint32_t off = (uint32_t) a->len;
    memcpy(a->p + a->len, s, k + 1);
    a->len += k + 1;
    return off;
}

static size_t strings_needed(struct svsrc_tree const *src, char const *const *reason)
{
    size_t total = 1;
    for (unsigned int i = 0; i < src->n; i++) {
        struct svsrc_service const *sv = &src->sv[i];
        total += strlen(sv->name) + strlen(sv->dir) + strlen(sv->log_file) + 3;
        total += reason && reason[i] ? strlen(reason[i]) + 1 : 0;
        for (unsigned int k = 0; k < sv->nlisten; k++)
            total += strlen(sv->listen[k].where) + strlen(sv->listen[k].name) +
                     strlen(sv->listen[k].from) + 3;
    }
    return total;
}

/* Does the service need vinit as its runner (environment policy, envdir,
 * user, capabilities, limits, OOM score, readiness bridge, instance, a
 * restart policy other than always)? Without, its live run is the source's
 * run itself, one exec fewer at each start. */
static int needs_runner(struct svsrc_service const *sv)
{
    int policy = sv->env_policy[0] && strcmp(sv->env_policy, "inherit");
    return policy || sv->has_env_dir || sv->user[0] || sv->has_caps || sv->nrlimits ||
           sv->has_oom_score_adj || sv->notify || sv->ready_socket[0] || sv->instances[0] ||
           sv->clean[0] || sv->directories[0] || sv->env_secrets[0] ||
           sv->restart != SVPARSE_RESTART_ALWAYS;
}

/* The notification-fd its live directory gets: its own, or for notify and
 * ready-socket the one the runner's bridge writes the newline on. */
static int notification_fd(struct svsrc_service const *sv)
{
    if (sv->notification_fd >= 0)
        return sv->notification_fd;
    return sv->notify || sv->ready_socket[0] ? SVRUN_NOTIFICATION_FD : -1;
}

static void entry(struct svtree_service *e, struct svsrc_service const *sv, struct arena *a)
{
    memset(e, 0, sizeof *e);
    e->name = put_str(a, sv->name);
    e->dir = put_str(a, sv->dir);
    e->log_file = put_str(a, sv->log_file);
    e->timeout_up = sv->timeout_up;
    e->timeout_down = sv->timeout_down;
    e->timeout_kill = sv->timeout_kill;
    e->signature = sv->signature;
    e->down_signal = (int16_t) sv->down_signal;
    e->reload_signal = (int16_t) sv->reload_signal;
    e->type = (uint8_t) sv->type;
    e->restart = (uint8_t) sv->restart;
    e->essential = sv->essential;
    e->has_finish = sv->has_finish;
    e->has_down = sv->has_down;
    e->has_log_dir = sv->has_log_dir;
    e->needs_runner = (uint8_t) needs_runner(sv);
    e->readiness = sv->notify || sv->notification_fd >= 0 || sv->ready_socket[0];
    e->notification_fd = (int16_t) notification_fd(sv);
    e->dependents_wait = sv->dependents_wait;
    e->has_check = sv->has_check;
    e->check_report = sv->check_report;
    e->check_interval = sv->check_interval ? sv->check_interval : HEALTH_INTERVAL_MS;
    e->check_timeout = sv->check_timeout ? sv->check_timeout : HEALTH_TIMEOUT_MS;
    e->check_retries = sv->check_retries ? sv->check_retries : HEALTH_RETRIES;
    e->needs_runner |= sv->nlisten > 0; /* the runner hands the sockets on */
}

static void listens(struct svtree *t, struct svtree_service *e, struct svsrc_service const *sv,
                    uint32_t *at, struct arena *a)
{
    e->listen0 = *at;
    e->nlisten = sv->nlisten;
    for (unsigned int k = 0; k < sv->nlisten; k++) {
        struct svparse_listen const *l = &sv->listen[k];
        t->listens[(*at)++] = (struct svtree_listen){
            .where = put_str(a, l->where),
            .name = put_str(a, l->name),
            .from = put_str(a, l->from),
            .uid = l->uid,
            .gid = l->gid,
            .fd = l->fd,
            .port = l->port,
            .mode = (uint16_t) l->mode,
            .kind = (uint8_t) l->kind,
        };
    }
}

int svtree_build(struct svtree *t, struct svsrc_tree const *src, unsigned char const *load,
                 char const *const *reason, unsigned char const *uses)
{
    struct layout l;
    uint32_t ndeps = 0, nlistens = 0;
    for (unsigned int i = 0; i < src->n; i++) {
        ndeps += src->graph.ndeps[i];
        nlistens += src->sv[i].nlisten;
    }
    size_t nstrings = strings_needed(src, reason);
    if (layout_of(&l, src->n, ndeps, src->norder, nlistens, nstrings) < 0)
        return (errno = E2BIG, -1);
    void *blob = calloc(1, l.size);
    if (!blob)
        return -1;
    point(t, &l, blob, l.size);
    *(struct head *) blob =
        (struct head){SVTREE_MAGIC, src->n, ndeps, src->norder, nlistens, (uint32_t) nstrings};
    struct arena a = {t->strings, 1};
    t->n = src->n;
    t->ndeps = ndeps;
    t->norder = src->norder;
    t->nlistens = nlistens;
    t->nstrings = (uint32_t) nstrings;
    ndeps = nlistens = 0;
    for (unsigned int i = 0; i < src->n; i++) {
        struct svtree_service *e = &t->sv[i];
        entry(e, &src->sv[i], &a);
        e->load = load[i];
        e->uses = uses ? uses[i] : 0;
        e->reason = reason && reason[i] ? put_str(&a, reason[i]) : 0;
        e->dep0 = ndeps;
        e->ndeps = src->graph.ndeps[i];
        for (unsigned int d = 0; d < e->ndeps; d++)
            t->deps[ndeps++] = src->graph.deps[i][d];
        listens(t, e, &src->sv[i], &nlistens, &a);
    }
    for (unsigned int k = 0; k < src->norder; k++)
        t->order[k] = src->order[k];
    return 0;
}

static int strings_ok(struct svtree const *t, uint32_t off)
{
    return off < t->nstrings;
}

static int entry_ok(struct svtree const *t, struct svtree_service const *e)
{
    if (!strings_ok(t, e->name) || !strings_ok(t, e->dir) || !strings_ok(t, e->log_file) ||
        !strings_ok(t, e->reason) || !t->strings[e->name])
        return 0;
    if (e->dep0 > t->ndeps || e->ndeps > t->ndeps - e->dep0)
        return 0;
    for (uint32_t d = 0; d < e->ndeps; d++)
        if (t->deps[e->dep0 + d] >= t->n)
            return 0;
    if (e->listen0 > t->nlistens || e->nlisten > t->nlistens - e->listen0)
        return 0;
    for (uint32_t k = 0; k < e->nlisten; k++) {
        struct svtree_listen const *l = &t->listens[e->listen0 + k];
        if (!strings_ok(t, l->where) || !strings_ok(t, l->name) || !strings_ok(t, l->from) ||
            l->kind > SVPARSE_LISTEN_FD || l->port > 65535 || l->mode > 0777)
            return 0;
    }
    return e->type <= SVPARSE_ONESHOT && e->restart <= SVPARSE_RESTART_NEVER &&
           e->load <= SVTREE_BROKEN && e->notification_fd >= -1;
}

int svtree_adopt(struct svtree *t, void *blob, size_t size)
{
    struct layout l;
    struct head h;
    if (size < sizeof h)
        return (errno = EPROTO, -1);
    memcpy(&h, blob, sizeof h);
    if (h.magic != SVTREE_MAGIC ||
        layout_of(&l, h.n, h.ndeps, h.norder, h.nlistens, h.nstrings) < 0 || l.size != size ||
        !h.nstrings)
        return (errno = EPROTO, -1);
    struct svtree c;
    point(&c, &l, blob, size);
    c.n = h.n;
    c.ndeps = h.ndeps;
    c.norder = h.norder;
    c.nlistens = h.nlistens;
    c.nstrings = h.nstrings;
    if (c.strings[0] || c.strings[c.nstrings - 1])
        return (errno = EPROTO, -1); /* every string ends inside the arena */
    for (uint32_t i = 0; i < c.n; i++)
        if (!entry_ok(&c, &c.sv[i]))
            return (errno = EPROTO, -1);
    for (uint32_t k = 0; k < c.norder; k++)
        if (c.order[k] >= c.n)
            return (errno = EPROTO, -1);
    *t = c;
    return 0;
}

void svtree_free(struct svtree *t)
{
    free(t->blob);
    memset(t, 0, sizeof *t);
}

int svtree_find(struct svtree const *t, char const *name)
{
    for (unsigned int i = 0; i < t->n; i++)
        if (!strcmp(svtree_name(t, i), name))
            return (int) i;
    return -1;
}

int svtree_same_address(struct svtree const *a, uint32_t k, struct svtree const *b, uint32_t m)
{
    struct svtree_listen const *x = &a->listens[k], *y = &b->listens[m];
    return x->kind == y->kind && x->port == y->port && x->fd == y->fd &&
           !strcmp(svtree_str(a, x->where), svtree_str(b, y->where)) &&
           !strcmp(svtree_str(a, x->from), svtree_str(b, y->from));
}

int svtree_same_listens(struct svtree const *a, unsigned int i, struct svtree const *b,
                        unsigned int j)
{
    struct svtree_service const *x = &a->sv[i], *y = &b->sv[j];
    if (x->nlisten != y->nlisten)
        return 0;
    for (uint32_t k = 0; k < x->nlisten; k++) {
        struct svtree_listen const *p = &a->listens[x->listen0 + k],
                                   *q = &b->listens[y->listen0 + k];
        if (!svtree_same_address(a, x->listen0 + k, b, y->listen0 + k) || p->uid != q->uid ||
            p->gid != q->gid || p->mode != q->mode ||
            strcmp(svtree_str(a, p->name), svtree_str(b, q->name)))
            return 0;
    }
    return 1;
}

int svtree_same_deps(struct svtree const *a, unsigned int i, struct svtree const *b, unsigned int j)
{
    struct svtree_service const *x = &a->sv[i], *y = &b->sv[j];
    if (x->ndeps != y->ndeps)
        return 0;
    for (uint32_t d = 0; d < x->ndeps; d++)
        if (strcmp(svtree_name(a, a->deps[x->dep0 + d]), svtree_name(b, b->deps[y->dep0 + d])))
            return 0;
    return 1;
}
