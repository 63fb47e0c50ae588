/* SPDX-License-Identifier: ISC */
/* svsrc: reads a service source tree into fixed tables. Each file kind has
 * one handler in a table; unknown files are left alone (a service directory
 * may carry its own data, as in s6). Faults never stop the reading: each is
 * reported with the file's path, and marks its service faulty. */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "svsrc.h"

struct ctx {
    struct svsrc_service *sv;
    char path[PATH_MAX]; /* the file being read */
    svsrc_report_fn *report;
    void *arg;
};

/* dir/file into c->path; a path too long is a fault of its own. */
static int at(struct ctx *c, char const *dir, char const *file)
{
    int n = snprintf(c->path, sizeof c->path, "%s/%s", dir, file);
    if (n < 0 || (size_t) n >= sizeof c->path) {
        c->sv->faulty = 1;
        c->report(c->sv->name, dir, "path too long", file, c->arg);
        return -1;
    }
    return 0;
}

static void fault(struct ctx *c, char const *problem, char const *value)
{
    c->sv->faulty = 1;
    c->report(c->sv->name, c->path, problem, value, c->arg);
}

/* Reads a small regular file into buf (NUL-terminated, blanks stripped).
 * Returns 0, or -1 after reporting. */
static int read_small(struct ctx *c, char *buf, size_t size)
{
    char const *why;
    struct stat st;
    int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fault(c, strerror(errno), NULL), -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fault(c, "not a regular file", NULL), -1;
    }
    if (st.st_size >= (off_t) size) {
        close(fd);
        return fault(c, "file too large for its kind", NULL), -1;
    }
    ssize_t r = read(fd, buf, size - 1);
    close(fd);
    if (r < 0)
        return fault(c, strerror(errno), NULL), -1;
    if (svparse_text(buf, (size_t) r, &why) < 0)
        return fault(c, why, NULL), -1;
    return 0;
}

static int flag(struct ctx *c, char const *text, unsigned char *field)
{
    (void) text;
    *field = 1;
    return 0;
}

typedef int parse_fn(struct ctx *c, char *text);

static int h_type(struct ctx *c, char *t)
{
    char const *why;
    return svparse_type(t, &c->sv->type, &why) < 0 ? (fault(c, why, t), -1) : 0;
}

static int h_ms(struct ctx *c, char *t, unsigned int *ms)
{
    char const *why;
    return svparse_ms(t, ms, &why) < 0 ? (fault(c, why, t), -1) : 0;
}
static int h_timeout_up(struct ctx *c, char *t)
{
    return h_ms(c, t, &c->sv->timeout_up);
}
static int h_timeout_down(struct ctx *c, char *t)
{
    return h_ms(c, t, &c->sv->timeout_down);
}
static int h_timeout_kill(struct ctx *c, char *t)
{
    return h_ms(c, t, &c->sv->timeout_kill);
}

static int h_sig(struct ctx *c, char *t, int *sig)
{
    char const *why;
    return svparse_signal(t, sig, &why) < 0 ? (fault(c, why, t), -1) : 0;
}
static int h_down_signal(struct ctx *c, char *t)
{
    return h_sig(c, t, &c->sv->down_signal);
}
static int h_reload_signal(struct ctx *c, char *t)
{
    return h_sig(c, t, &c->sv->reload_signal);
}

static int h_restart(struct ctx *c, char *t)
{
    char const *why;
    return svparse_restart(t, &c->sv->restart, &why) < 0 ? (fault(c, why, t), -1) : 0;
}

static int h_notification_fd(struct ctx *c, char *t)
{
    char const *why;
    return svparse_fd(t, &c->sv->notification_fd, &why) < 0 ? (fault(c, why, t), -1) : 0;
}

static int h_notify(struct ctx *c, char *t)
{
    return flag(c, t, &c->sv->notify);
}
static int h_essential(struct ctx *c, char *t)
{
    return flag(c, t, &c->sv->essential);
}

static int h_oom(struct ctx *c, char *t)
{
    char const *why;
    c->sv->has_oom_score_adj = 1;
    return svparse_int_range(t, -1000, 1000, &c->sv->oom_score_adj, &why) < 0
               ? (fault(c, why, t), -1)
               : 0;
}

/* Copies a validated value into a fixed field. */
static int keep(struct ctx *c, char *t, char *field, size_t size,
                int (*check)(char const *, char const **))
{
    char const *why;
    if (check && check(t, &why) < 0)
        return fault(c, why, t), -1;
    if (strlen(t) >= size)
        return fault(c, "value too long", NULL), -1;
    strcpy(field, t);
    return 0;
}
static int h_ready_socket(struct ctx *c, char *t)
{
    return keep(c, t, c->sv->ready_socket, sizeof c->sv->ready_socket, svparse_socket_path);
}
/* The name must exist in this image's user database: a typo found at
 * start beats a service that fails to drop privileges at every restart. */
static int h_user(struct ctx *c, char *t)
{
    if (keep(c, t, c->sv->user, sizeof c->sv->user, svparse_user) < 0)
        return -1;
    uid_t uid;
    gid_t gid;
    char const *missing;
    if (caps_ids(t, &uid, &gid, &missing) < 0) {
        char *colon = strchr(t, ':');
        if (*missing == 'g')
            return fault(c, "unknown group", colon + 1), -1;
        if (colon)
            *colon = 0; /* name the user alone */
        return fault(c, "unknown user", t), -1;
    }
    return 0;
}
static int h_log_file(struct ctx *c, char *t)
{
    return keep(c, t, c->sv->log_file, sizeof c->sv->log_file, svparse_abs_path);
}
static int h_enabled_if(struct ctx *c, char *t)
{
    return keep(c, t, c->sv->enabled_if, sizeof c->sv->enabled_if, svparse_condition);
}
static int check_env_name(char const *t, char const **why)
{
    return svparse_env_name(t, strlen(t)) ? 0 : (*why = "not a variable name", -1);
}
static int h_instances(struct ctx *c, char *t)
{
    return keep(c, t, c->sv->instances, sizeof c->sv->instances, check_env_name);
}
static int h_clean(struct ctx *c, char *t)
{
    return keep(c, t, c->sv->clean, sizeof c->sv->clean, NULL);
}

static int directory_line(char *line, void *arg)
{
    struct ctx *c = arg;
    struct svparse_directory d;
    char const *why;
    if (svparse_directory(line, &d, &why) < 0)
        return fault(c, why, line), -1;
    return 0;
}
static int h_directories(struct ctx *c, char *t)
{
    if (keep(c, t, c->sv->directories, sizeof c->sv->directories, NULL) < 0)
        return -1;
    char copy[SVSRC_TEXT_MAX];
    strcpy(copy, t);
    return svparse_lines(copy, directory_line, c);
}

static int env_policy_line(char *line, void *arg)
{
    struct ctx *c = arg;
    if (!strcmp(line, "inherit") || !strcmp(line, "clean") || svparse_env_name(line, strlen(line)))
        return 0;
    fault(c, "not inherit, clean or a list of variable names", line);
    return -1;
}
static int secret_line(char *line, void *arg)
{
    struct ctx *c = arg;
    if (svparse_env_name(line, strlen(line)))
        return 0;
    fault(c, "not a variable name", line);
    return -1;
}
static int h_env_secrets(struct ctx *c, char *t)
{
    if (keep(c, t, c->sv->env_secrets, sizeof c->sv->env_secrets, NULL) < 0)
        return -1;
    char copy[SVSRC_TEXT_MAX];
    strcpy(copy, t);
    return svparse_lines(copy, secret_line, c);
}

static int h_env_policy(struct ctx *c, char *t)
{
    if (keep(c, t, c->sv->env_policy, sizeof c->sv->env_policy, NULL) < 0)
        return -1;
    char copy[SVSRC_TEXT_MAX];
    strcpy(copy, t);
    return svparse_lines(copy, env_policy_line, c);
}

static int dep_line(char *line, void *arg)
{
    struct ctx *c = arg;
    char const *why;
    if (svparse_name(line, &why) < 0)
        return fault(c, why, line), -1;
    if (c->sv->ndeps >= GRAPH_DEPS_MAX)
        return fault(c, "more than 32 dependencies", NULL), -1;
    for (unsigned int i = 0; i < c->sv->ndeps; i++)
        if (!strcmp(c->sv->deps[i], line))
            return 0; /* named twice: once is enough */
    strcpy(c->sv->deps[c->sv->ndeps++], line);
    return 0;
}
static int h_dependencies(struct ctx *c, char *t)
{
    return svparse_lines(t, dep_line, c);
}

static int rlimit_line(char *line, void *arg)
{
    struct ctx *c = arg;
    char const *why;
    if (c->sv->nrlimits >= SVSRC_RLIMITS)
        return fault(c, "too many limits", NULL), -1;
    if (svparse_rlimit(line, &c->sv->rlimits[c->sv->nrlimits], &why) < 0)
        return fault(c, why, line), -1;
    c->sv->nrlimits++;
    return 0;
}
static int h_rlimits(struct ctx *c, char *t)
{
    return svparse_lines(t, rlimit_line, c);
}

static int cap_word(char *line, void *arg)
{
    struct ctx *c = arg;
    char const *why;
    /* one per line, or several on a line separated by blanks */
    for (char *w = strtok(line, " \t"); w; w = strtok(NULL, " \t")) {
        if (c->sv->ncaps >= SVSRC_CAPS)
            return fault(c, "too many capabilities", NULL), -1;
        if (svparse_capability(w, &c->sv->caps[c->sv->ncaps], &why) < 0)
            return fault(c, why, w), -1;
        c->sv->ncaps++;
    }
    return 0;
}
static int h_capabilities(struct ctx *c, char *t)
{
    c->sv->has_caps = 1;
    return svparse_lines(t, cap_word, c);
}

static struct {
    char const *file;
    parse_fn *parse;
} const handlers[] = {
    {"type", h_type},
    {"dependencies", h_dependencies},
    {"notification-fd", h_notification_fd},
    {"notify", h_notify},
    {"ready-socket", h_ready_socket},
    {"timeout-up", h_timeout_up},
    {"timeout-down", h_timeout_down},
    {"timeout-kill", h_timeout_kill},
    {"down-signal", h_down_signal},
    {"reload-signal", h_reload_signal},
    {"essential", h_essential},
    {"restart", h_restart},
    {"enabled-if", h_enabled_if},
    {"env-policy", h_env_policy},
    {"env-secrets", h_env_secrets},
    {"user", h_user},
    {"capabilities", h_capabilities},
    {"rlimits", h_rlimits},
    {"oom-score-adj", h_oom},
    {"clean", h_clean},
    {"directories", h_directories},
    {"instances", h_instances},
    {"log-file", h_log_file},
};

static void read_value_files(struct ctx *c, char const *svdir)
{
    static char text[SVSRC_FILE_MAX];
    for (size_t i = 0; i < sizeof handlers / sizeof *handlers; i++) {
        if (at(c, svdir, handlers[i].file) < 0)
            continue;
        if (access(c->path, F_OK) < 0 && errno == ENOENT)
            continue;
        if (read_small(c, text, sizeof text) == 0)
            handlers[i].parse(c, text);
    }
}

static int is_dir(char const *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dependencies.d/NAME: one empty file per dependency, as in s6-rc */
static void read_dependencies_d(struct ctx *c, char const *svdir)
{
    if (at(c, svdir, "dependencies.d") < 0)
        return;
    DIR *d = opendir(c->path);
    if (!d) {
        if (errno != ENOENT)
            fault(c, strerror(errno), NULL);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && dep_line(e->d_name, c) < 0)
            break;
    closedir(d);
}

/* A program file: present, regular, executable. required: its absence is a
 * fault. Returns 1 when present and usable. */
static int program(struct ctx *c, char const *svdir, char const *file, int required)
{
    struct stat st;
    if (at(c, svdir, file) < 0)
        return 0;
    if (stat(c->path, &st) < 0) {
        if (errno != ENOENT || required)
            fault(c, errno == ENOENT ? "missing: a program is required here" : strerror(errno),
                  NULL);
        return 0;
    }
    if (!S_ISREG(st.st_mode))
        return fault(c, "not a regular file", NULL), 0;
    if (access(c->path, X_OK) < 0)
        return fault(c, "not executable (chmod +x it)", NULL), 0;
    return 1;
}

static void read_programs(struct ctx *c, char const *svdir)
{
    struct svsrc_service *sv = c->sv;
    if (sv->type == SVPARSE_LONGRUN) {
        program(c, svdir, "run", 1);
        sv->has_finish = (unsigned char) program(c, svdir, "finish", 0);
    } else {
        program(c, svdir, "up", 1);
        sv->has_down = (unsigned char) program(c, svdir, "down", 0);
    }
}

static void read_dirs(struct ctx *c, char const *svdir)
{
    if (at(c, svdir, "env") == 0)
        c->sv->has_env_dir = (unsigned char) is_dir(c->path);
    if (at(c, svdir, "log") == 0)
        c->sv->has_log_dir = (unsigned char) is_dir(c->path);
    if (c->sv->has_log_dir && at(c, svdir, "log") == 0) {
        char logdir[PATH_MAX];
        strcpy(logdir, c->path);
        program(c, logdir, "run", 1); /* the logger's run, as in s6 */
    }
    if (c->sv->has_log_dir && c->sv->log_file[0])
        fault(c, "both log/ and log-file: choose one", NULL);
}

/* FNV-1a over each entry's name, size and modification time, for the
 * directory and its env/: cheap, and any edit, addition or removal shows. */
static uint64_t fnv(uint64_t h, void const *data, size_t len)
{
    unsigned char const *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static uint64_t sign_dir(uint64_t h, char const *dir)
{
    char path[PATH_MAX];
    struct stat st;
    DIR *d = opendir(dir);
    if (!d)
        return h;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "supervise") || !strcmp(e->d_name, "event"))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int) sizeof path ||
            stat(path, &st) < 0)
            continue;
        /* readdir's order is the directory's own: xor keeps it out */
        uint64_t eh = fnv(14695981039346656037ULL, e->d_name, strlen(e->d_name));
        eh = fnv(eh, &st.st_size, sizeof st.st_size);
        eh = fnv(eh, &st.st_mtim, sizeof st.st_mtim);
        eh = fnv(eh, &st.st_mode, sizeof st.st_mode);
        h ^= eh;
    }
    closedir(d);
    return h;
}

static uint64_t signature(char const *svdir)
{
    char env[PATH_MAX];
    uint64_t h = sign_dir(0, svdir);
    if (snprintf(env, sizeof env, "%s/env", svdir) < (int) sizeof env)
        h = fnv(h, "env", 3) ^ sign_dir(0x9e3779b97f4a7c15ULL, env);
    return h;
}

static void read_service(struct svsrc_service *sv, char const *svdir, svsrc_report_fn *report,
                         void *arg)
{
    struct ctx c = {.sv = sv, .report = report, .arg = arg};
    read_value_files(&c, svdir);
    read_dependencies_d(&c, svdir);
    read_programs(&c, svdir);
    read_dirs(&c, svdir);
    sv->signature = signature(svdir);
    if (sv->notify + (sv->notification_fd >= 0) + !!sv->ready_socket[0] > 1) {
        strcpy(c.path, svdir);
        fault(&c, "more than one readiness method (notify, notification-fd, ready-socket)", NULL);
    }
}

static void init_service(struct svsrc_service *sv, char const *name)
{
    memset(sv, 0, sizeof *sv);
    strcpy(sv->name, name);
    strcpy(sv->dir, name);
    sv->notification_fd = -1;
    sv->level = -1;
}

static int by_name(void const *a, void const *b)
{
    return strcmp(((struct svsrc_service const *) a)->name,
                  ((struct svsrc_service const *) b)->name);
}

/* A directory entry that should be a service: its name checked, a
 * directory (a symlink to one is fine), and room in the table. */
static int admit(struct svsrc_tree *t, char const *dir, char const *name, char *svdir, size_t size,
                 svsrc_report_fn *report, void *arg)
{
    char const *why;
    struct stat st;
    snprintf(svdir, size, "%s/%s", dir, name);
    if (svparse_name(name, &why) < 0)
        return report(NULL, svdir, why, name, arg), 0;
    if (stat(svdir, &st) < 0)
        return report(name, svdir, strerror(errno), NULL, arg), 0;
    if (!S_ISDIR(st.st_mode))
        return report(NULL, svdir, "not a directory: ignored", NULL, arg), 0;
    if (t->n >= SVSRC_MAX)
        return report(name, svdir, "more than 256 services: ignored", NULL, arg), 0;
    return 1;
}

int svsrc_read(struct svsrc_tree *t, char const *dir, svsrc_report_fn *report, void *arg)
{
    char svdir[PATH_MAX];
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    t->n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (!admit(t, dir, e->d_name, svdir, sizeof svdir, report, arg))
            continue;
        init_service(&t->sv[t->n], e->d_name);
        read_service(&t->sv[t->n], svdir, report, arg);
        t->n++;
    }
    closedir(d);
    qsort(t->sv, t->n, sizeof *t->sv, by_name);
    return 0;
}

int svsrc_read_one(struct svsrc_service *sv, char const *name, char const *svdir,
                   svsrc_report_fn *report, void *arg)
{
    init_service(sv, name);
    read_service(sv, svdir, report, arg);
    return sv->faulty ? -1 : 0;
}

int svsrc_find(struct svsrc_tree const *t, char const *name)
{
    for (unsigned int i = 0; i < t->n; i++)
        if (!strcmp(t->sv[i].name, name))
            return (int) i;
    return -1;
}

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

void svsrc_resolve(struct svsrc_tree *t, char const *dir, svsrc_report_fn *report, void *arg)
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

size_t svsrc_item_name_len(char const *item, size_t len)
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
        size_t nlen = svsrc_item_name_len(p, len);
        snprintf(name, sizeof name, "%s@%.*s", t->sv[tpl].name, (int) nlen, p);
        if (svparse_name(name, &why) < 0) {
            report(t->sv[tpl].name, NULL, "bad instance name", name, arg);
            continue;
        }
        if (svsrc_find(t, name) >= 0)
            continue; /* named twice */
        if (t->n >= SVSRC_MAX) {
            report(t->sv[tpl].name, NULL, "more than 256 services: instance ignored", name, arg);
            return;
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
                report(sv->name, NULL, "more than 32 dependencies with instances", tpl, arg);
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

void svsrc_expand(struct svsrc_tree *t, char const *const *envp, svsrc_report_fn *report, void *arg)
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

static int file_mentions(char const *path, char const *name)
{
    static char text[SVSRC_FILE_MAX];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 0;
    }
    ssize_t r = read(fd, text, sizeof text - 1);
    close(fd);
    if (r <= 0)
        return 0;
    text[r] = 0;
    return memmem(text, (size_t) r, name, strlen(name)) != NULL;
}

static int dir_mentions(char const *dir, char const *name)
{
    char path[PATH_MAX];
    DIR *d = opendir(dir);
    int found = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (!strcmp(e->d_name, name)) /* env/NAME */
            found = 1;
        else if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int) sizeof path)
            found = file_mentions(path, name);
    }
    closedir(d);
    return found;
}

int svsrc_mentions(char const *srcdir, struct svsrc_service const *sv, char const *name)
{
    char dir[PATH_MAX], env[PATH_MAX + 8];
    if (snprintf(dir, sizeof dir, "%s/%s", srcdir, sv->dir) >= (int) sizeof dir)
        return 0;
    snprintf(env, sizeof env, "%s/env", dir);
    return dir_mentions(dir, name) || dir_mentions(env, name);
}
