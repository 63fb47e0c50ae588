/* SPDX-License-Identifier: ISC */
/* svload: the loader child and PID 1's side of its pipe. The message is a
 * head of 16 bytes (magic, the loader's errno or 0, the blob's size) and
 * the blob (svtree's layout). PID 1 reads it without blocking, as it
 * comes, and trusts nothing in it until svtree_adopt has checked it. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "env.h"
#include "svload.h"
#include "svresolve.h"

#define SVLOAD_MAGIC 0x766c6f64u /* "vlod" */

/* ---- the loader: reads in its own process ---- */

/* The first fault told of each service: its reason to be broken. The
 * tables are the loader's (or a vinit doctor's), never PID 1's. */
static struct {
    char name[SVPARSE_NAME_MAX + 1];
    char text[256];
} reasons[SVSRC_MAX];
static unsigned int nreasons;
static int starved; /* a fault that was the system's, not the tree's: errno */

/* Out of file descriptors or memory: a fault of the moment, not of the
 * tree. A load that met one is not to be trusted: services it would call
 * broken are fine (a reload under fd pressure must not stop them). */
static int resource_fault(char const *problem)
{
    static int const errs[] = {EMFILE, ENFILE, ENOMEM, ENOBUFS, EAGAIN};
    for (size_t k = 0; k < sizeof errs / sizeof *errs; k++)
        if (!strcmp(problem, strerror(errs[k])))
            return errs[k];
    return 0;
}

struct relay {
    svsrc_report_fn *report;
    void *arg;
};

static void keep_reason(char const *service, char const *path, char const *problem,
                        char const *value, void *arg)
{
    struct relay const *r = arg;
    if (!starved)
        starved = resource_fault(problem);
    if (service) {
        unsigned int k = 0;
        while (k < nreasons && strcmp(reasons[k].name, service))
            k++;
        if (k == nreasons && nreasons < SVSRC_MAX && strlen(service) < sizeof reasons[k].name) {
            strcpy(reasons[k].name, service);
            char *t = reasons[k].text;
            size_t len = sizeof reasons[k].text, off = 0;
            off += (size_t) snprintf(t, len, "%s%s%s", path ? path : "", path ? ": " : "", problem);
            if (value && off < len)
                snprintf(t + off, len - off, ": %s", value);
            nreasons++;
        }
    }
    if (r->report)
        r->report(service, path, problem, value, r->arg);
}

static char const *reason_of(struct svsrc_service const *sv)
{
    for (unsigned int k = 0; k < nreasons; k++)
        if (!strcmp(reasons[k].name, sv->name) || !strcmp(reasons[k].name, sv->dir))
            return reasons[k].text; /* an instance: its template's fault */
    return "refused";
}

/* Why a service that is not broken does not run here, for vinit status:
 * NULL when it is wanted. The text goes into the tree (svtree_build copies
 * it), so one buffer a service will do. */
static char const *why_off(struct svload_request const *r, struct svsrc_service const *sv,
                           char *buf, size_t size)
{
    if (sv->is_template)
        snprintf(buf, size, "a template: it runs as its instances %s@ITEM, one an item of $%s",
                 sv->name, sv->instances);
    else if (r->only && !env_list_has(r->only, sv->name) && !env_list_has(r->only, sv->dir))
        snprintf(buf, size, "not named in VINIT_SERVICES");
    else if (!env_condition_holds(sv->enabled_if, r->envp))
        snprintf(buf, size, "enabled-if %s does not hold", sv->enabled_if);
    else
        return NULL;
    return buf;
}

static int wanted(struct svload_request const *r, struct svsrc_service const *sv)
{
    if (sv->is_template)
        return 0;
    if (r->only && !env_list_has(r->only, sv->name) && !env_list_has(r->only, sv->dir))
        return 0; /* an instance is wanted with its template */
    return env_condition_holds(sv->enabled_if, r->envp);
}

/* Does the service use one of the names (vinit env)? */
static int uses(char const *srcdir, struct svsrc_service const *sv, char const *names)
{
    char name[256];
    size_t k;
    for (char const *p = names; (k = svparse_word(&p)); p += k) {
        if (k >= sizeof name)
            continue;
        memcpy(name, p, k);
        name[k] = 0;
        if (svsrc_uses(srcdir, sv, name))
            return 1;
    }
    return 0;
}

/* An owner or group: a name (looked up: the loader may ask NSS, PID 1 never
 * does) or a number. -1 when it names nobody. */
static int id_of(char const *name, int group)
{
    char *end;
    unsigned long n = strtoul(name, &end, 10);
    if (!*end && end != name)
        return n < INT_MAX ? (int) n : -1;
    if (group) {
        struct group const *g = getgrnam(name);
        return g ? (int) g->gr_gid : -1;
    }
    struct passwd const *p = getpwnam(name);
    return p ? (int) p->pw_uid : -1;
}

struct listen_ctx {
    struct svsrc_service *sv;
    char const *const *envp;
    char path[PATH_MAX];
    svsrc_report_fn *report;
    void *arg;
};

static int bad_listen(struct listen_ctx *c, char const *why, char const *line)
{
    c->sv->faulty = 1;
    keep_reason(c->sv->name, c->path, why, line, c->arg);
    return -1;
}

/* One line of a listen file: its variables expanded, its if= weighed, then
 * parsed, its owner and group looked up. */
static int listen_line(char *line, void *arg)
{
    struct listen_ctx *c = arg;
    struct svsrc_service *sv = c->sv;
    char text[512], max[UINT_FMT];
    char const *why;
    struct svparse_listen l;
    /* if= first: a line that does not count here may name variables that
     * are not set here (SOCK_GID on the line for when it is) */
    for (char const *w = line; (w = strstr(w, "if=")); w += 3)
        if (w == line || w[-1] == ' ' || w[-1] == '\t') {
            char cond[sizeof l.cond];
            size_t n = strcspn(w + 3, " \t");
            if (n < sizeof cond) {
                memcpy(cond, w + 3, n);
                cond[n] = 0;
                if (svparse_condition(cond, &why) == 0 && !env_condition_holds(cond, c->envp))
                    return 0; /* not here */
            }
            break;
        }
    if (env_expand(line, text, sizeof text, c->envp, &why) < 0 ||
        svparse_listen(text, &l, &why) < 0)
        return bad_listen(c, why, line);
    if (!env_condition_holds(l.cond, c->envp))
        return 0; /* not here */
    if (sv->nlisten >= SVSRC_LISTEN) {
        max[uint_fmt(max, SVSRC_LISTEN)] = 0;
        return bad_listen(c, "more sockets than a service may have", max);
    }
    if ((l.owner[0] && (l.uid = id_of(l.owner, 0)) < 0) ||
        (l.group[0] && (l.gid = id_of(l.group, 1)) < 0))
        return bad_listen(c, l.gid < 0 && l.group[0] ? "unknown group" : "unknown user", text);
    sv->listen[sv->nlisten++] = l;
    return 0;
}

/* The sockets of each service (an instance's $INSTANCE is its item). */
static void read_listens(struct svsrc_tree *src, struct svload_request const *r, struct relay *rl)
{
    static char copy[SVSRC_TEXT_MAX];
    char const *env[512], *const *envp = r->envp;
    char instance[SVPARSE_NAME_MAX + 16];
    for (unsigned int i = 0; i < src->n; i++) {
        struct svsrc_service *sv = &src->sv[i];
        struct listen_ctx c = {.sv = sv, .envp = envp, .report = rl->report, .arg = rl};
        char const *at = strchr(sv->name, '@');
        sv->nlisten = 0;
        if (!sv->listen_text[0] || sv->is_template)
            continue;
        if (at) { /* $INSTANCE first, then the container's environment */
            size_t n = 0;
            snprintf(instance, sizeof instance, "INSTANCE=%s", at + 1);
            env[n++] = instance;
            for (char const *const *e = r->envp; e && *e && n < sizeof env / sizeof *env - 1; e++)
                env[n++] = *e;
            env[n] = NULL;
            c.envp = env;
        }
        snprintf(c.path, sizeof c.path, "%s/%s/listen", r->srcdir, sv->dir);
        strcpy(copy, sv->listen_text);
        svparse_lines(copy, listen_line, &c);
        /* the sockets are fds 3 and up, as sd_listen_fds(3) says */
        if (sv->nlisten && sv->notification_fd >= 3 &&
            (unsigned int) sv->notification_fd < 3 + sv->nlisten)
            bad_listen(&c,
                       "notification-fd is one of the fds the sockets take (3 and up): "
                       "choose a higher one",
                       NULL);
    }
}

/* env-secrets: each name a variable withheld at this start, whose value
 * waits in the store; else the service is broken, each such name said
 * (its runner would die at every start). An instance of a withheld list is
 * broken too: its runner cannot read the list, and its item would reach
 * its environment (INSTANCE). */
static void check_secrets(struct svsrc_tree *src, char const *srcdir, char const *store,
                          struct relay *rl)
{
    char path[PATH_MAX], why[256 + 160];
    struct stat st;
    for (unsigned int i = 0; i < src->n; i++) {
        struct svsrc_service *sv = &src->sv[i];
        size_t k;
        if (sv->is_template)
            continue;
        if (sv->instances[0] && env_is_withheld(sv->instances, strlen(sv->instances))) {
            snprintf(path, sizeof path, "%s/%s/instances", srcdir, sv->dir);
            snprintf(why, sizeof why,
                     "%s is withheld (VINIT_ENV_WITHHOLD): instances cannot come from it",
                     sv->instances);
            sv->faulty = 1;
            keep_reason(sv->name, path, why, NULL, rl);
        }
        for (char const *p = sv->env_secrets; (k = svparse_word(&p)); p += k) {
            int n = k < 256 ? (int) k : 256;
            if (!env_is_withheld(p, k))
                snprintf(why, sizeof why,
                         "%.*s is not withheld: no pattern of VINIT_ENV_WITHHOLD matches it (add "
                         "one, or drop the name: the service then inherits it)",
                         n, p);
            else if (!env_storable_name(p, k) ||
                     snprintf(path, sizeof path, "%s/%.*s", store, n, p) >= (int) sizeof path ||
                     stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                snprintf(why, sizeof why,
                         "%.*s is withheld, but the container was started without it (give it "
                         "the variable, or drop the name)",
                         n, p);
            else
                continue;
            snprintf(path, sizeof path, "%s/%s/env-secrets", srcdir, sv->dir);
            sv->faulty = 1;
            keep_reason(sv->name, path, why, NULL, rl);
        }
    }
}

int svload_read(struct svload_request const *r, struct svtree *t, svsrc_report_fn *report,
                void *arg)
{
    static struct svsrc_tree src;
    static unsigned char load[SVSRC_MAX], used[SVSRC_MAX];
    static char const *why[SVSRC_MAX];
    static char offwhy[SVSRC_MAX][160];
    struct relay relay = {report, arg};
    nreasons = 0;
    starved = 0;
    if (svsrc_read(&src, r->srcdir, keep_reason, &relay) < 0)
        return -1;
    svresolve_instances(&src, r->envp, keep_reason, &relay);
    if (src.overflow) {
        char max[UINT_FMT];
        max[uint_fmt(max, SVSRC_MAX)] = 0;
        keep_reason(NULL, r->srcdir,
                    "the tree is refused: with its instances, it has more services than vinit "
                    "runs",
                    max, &relay);
        return (errno = E2BIG, -1);
    }
    if (env_withheld_dir()) /* PID 1's loader, not vinit doctor */
        check_secrets(&src, r->srcdir, env_withheld_dir(), &relay);
    read_listens(&src, r, &relay);
    svresolve_order(&src, r->srcdir, keep_reason, &relay);
    if (starved)
        return (errno = starved, -1);
    for (unsigned int i = 0; i < src.n; i++) {
        struct svsrc_service const *sv = &src.sv[i];
        why[i] = NULL;
        if (sv->faulty && !sv->is_template) {
            load[i] = SVTREE_BROKEN;
            why[i] = reason_of(sv);
        } else if (wanted(r, sv))
            load[i] = SVTREE_WANTED;
        else {
            load[i] = SVTREE_OFF;
            why[i] = why_off(r, sv, offwhy[i], sizeof offwhy[i]);
        }
        used[i] =
            load[i] == SVTREE_WANTED && (r->all || (r->names && uses(r->srcdir, sv, r->names)));
    }
    return svtree_build(t, &src, load, why, used);
}

/* The loader tells each fault on vinit's stderr, naming the file. */
static void tell(char const *service, char const *path, char const *problem, char const *value,
                 void *arg)
{
    (void) arg;
    strerr_warnw(service ? "service " : "", service ? service : "", service ? ": " : "",
                 path ? path : "", path ? ": " : "", problem, value ? ": " : "",
                 value ? value : "");
}

static int write_all(int fd, void const *data, size_t len)
{
    char const *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t) w;
    }
    return 0;
}

/* The loader needs few descriptors, but inherits every one PID 1 holds
 * (no exec here): all but stdio and its pipe are closed, and its soft
 * limit raised to the hard one, so that PID 1 at its own limit can still
 * read its tree. Returns the pipe's fd. */
static int shed_fds(int fd)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (fd != 3 && dup2(fd, 3) == 3)
        fd = 3;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, fd + 1, ~0U, 0) == 0)
        return fd;
#endif
    long max =
        getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1 << 20 ? (long) rl.rlim_cur : 1 << 16;
    for (long k = fd + 1; k < max; k++)
        close((int) k);
    return fd;
}

static void loader(int fd, struct svload_request const *r)
{
    struct svtree t;
    struct svload_request full = *r;
    char const *store = env_withheld_dir();
    fd = shed_fds(fd);
    uint32_t head[4] = {SVLOAD_MAGIC, 0, 0, 0};
    /* PID 1 keeps no withheld value: enabled-if, instances and listen read
     * them from the store, and see the environment as it came */
    if ((store && !(full.envp = env_merge_withheld(r->envp, store))) ||
        svload_read(&full, &t, tell, NULL) < 0) {
        head[1] = (uint32_t) errno;
        _exit(write_all(fd, head, sizeof head) < 0 ? 111 : 0);
    }
    uint64_t size = t.size;
    memcpy(head + 2, &size, sizeof size);
    _exit(write_all(fd, head, sizeof head) < 0 || write_all(fd, t.blob, t.size) < 0 ? 111 : 0);
}

/* ---- PID 1's side ---- */

int svload_start(struct svload_job *j, struct svload_request const *r)
{
    int p[2];
    memset(j, 0, sizeof *j);
    j->fd = -1;
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return (errno = e, -1);
    }
    if (!pid) {
        close(p[0]);
        /* PID 1's signals stay blocked here: it only reads and writes, and
         * a SIGTERM for the container must not cut the blob short */
        loader(p[1], r);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    j->pid = pid;
    j->fd = p[0];
    return 0;
}

static void finish(struct svload_job *j)
{
    if (j->fd >= 0)
        close(j->fd);
    free(j->blob);
    j->fd = -1;
    j->pid = 0;
    j->blob = NULL;
    j->got = j->size = 0;
}

static int fail(struct svload_job *j, int e)
{
    finish(j);
    errno = e;
    return -1;
}

/* The head is in: check it, make room for the blob. */
static int take_head(struct svload_job *j)
{
    uint32_t magic, err;
    uint64_t size;
    memcpy(&magic, j->head, 4);
    memcpy(&err, j->head + 4, 4);
    memcpy(&size, j->head + 8, 8);
    if (magic != SVLOAD_MAGIC)
        return fail(j, EPROTO);
    if (err)
        return fail(j, (int) err);
    if (!size || size > SVLOAD_BLOB_MAX)
        return fail(j, EPROTO);
    j->size = (size_t) size;
    j->blob = malloc(j->size);
    return j->blob ? 0 : fail(j, ENOMEM);
}

int svload_collect(struct svload_job *j, struct svtree *t)
{
    size_t hl = sizeof j->head;
    for (;;) {
        int in_head = j->got < hl;
        char *to = in_head ? (char *) j->head + j->got : (char *) j->blob + (j->got - hl);
        size_t want = in_head ? hl - j->got : j->size - (j->got - hl);
        ssize_t r = read(j->fd, to, want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return 0;
        if (r <= 0)
            return fail(j, r < 0 ? errno : EPIPE);
        j->got += (size_t) r;
        if (j->got == hl && take_head(j) < 0)
            return -1;
        if (j->got > hl && j->got == hl + j->size) {
            void *blob = j->blob;
            j->blob = NULL;
            if (svtree_adopt(t, blob, j->size) < 0) {
                free(blob);
                return fail(j, EPROTO);
            }
            finish(j);
            return 1;
        }
    }
}

int svload_wait(struct svload_job *j, struct svtree *t)
{
    for (;;) {
        struct pollfd p = {.fd = j->fd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            return fail(j, errno);
        int r = svload_collect(j, t);
        if (r)
            return r < 0 ? -1 : 0;
    }
}

void svload_cancel(struct svload_job *j)
{
    if (j->pid > 0)
        kill(j->pid, SIGKILL);
    finish(j);
}
