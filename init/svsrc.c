/* SPDX-License-Identifier: ISC */
/* svsrc: reads a service source tree into fixed tables. Each file kind has
 * one handler in a table; unknown files are left alone (a service directory
 * may carry its own data, as in s6). Faults never stop the reading: each is
 * reported with the file's path, and marks its service faulty. */
#include <dirent.h>
#include <stddef.h>
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

#include <skalibs/types.h>

#include "caps.h"
#include "env.h"
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

/* ---- the file kinds: one table, one parser per kind ---- */

enum kind {
    K_TYPE,    /* enum svparse_type */
    K_MS,      /* unsigned int, milliseconds */
    K_COUNT,   /* unsigned int, 1 or more */
    K_ACTION,  /* unsigned char: check-action report (1) or restart (0) */
    K_SIGNAL,  /* int */
    K_RESTART, /* enum svparse_restart */
    K_ACCESS,  /* unsigned char: notify-access, 1 for all */
    K_FD,      /* int */
    K_FLAG,    /* unsigned char: present means yes */
    K_OOM,     /* int, -1000..1000, with has_oom_score_adj */
    K_TEXT,    /* a string field: the value checked whole (check), or line by line (line) */
    K_USER,    /* K_TEXT, then looked up in the image's user database */
    K_LINES,   /* each line added to a list (line) */
};

typedef int line_fn(char *line, void *ctx);

struct file_kind {
    char const *file;
    enum kind kind;
    size_t off, size; /* the field in struct svsrc_service */
    int (*check)(char const *, char const **);
    line_fn *line;
};

static int check_env_name(char const *t, char const **why)
{
    return svparse_env_name(t, strlen(t)) ? 0 : (*why = "not a variable name", -1);
}

static int directory_line(char *line, void *arg)
{
    struct ctx *c = arg;
    struct svparse_directory d;
    char const *why;
    return svparse_directory(line, &d, &why) < 0 ? (fault(c, why, line), -1) : 0;
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
    return svparse_env_name(line, strlen(line)) ? 0 : (fault(c, "not a variable name", line), -1);
}

/* env-uses: patterns, one per line or several separated by blanks */
static int env_uses_line(char *line, void *arg)
{
    struct ctx *c = arg;
    char const *why;
    size_t k;
    for (char const *p = line; (k = svparse_word(&p)); p += k)
        if (svparse_env_pattern(p, k, &why) < 0) {
            char word[256];
            snprintf(word, sizeof word, "%.*s", (int) k, p);
            return fault(c, why, word), -1;
        }
    return 0;
}

static int dep_line(char *line, void *arg)
{
    struct ctx *c = arg;
    char const *why;
    char max[UINT_FMT];
    if (svparse_name(line, &why) < 0)
        return fault(c, why, line), -1;
    if (c->sv->ndeps >= GRAPH_DEPS_MAX) {
        max[uint_fmt(max, GRAPH_DEPS_MAX)] = 0;
        return fault(c, "more dependencies than a service may have", max), -1;
    }
    for (unsigned int i = 0; i < c->sv->ndeps; i++)
        if (!strcmp(c->sv->deps[i], line))
            return 0; /* named twice: once is enough */
    strcpy(c->sv->deps[c->sv->ndeps++], line);
    return 0;
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

static int cap_line(char *line, void *arg)
{
    struct ctx *c = arg;
    char const *why;
    c->sv->has_caps = 1;
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

#define FIELD(f) offsetof(struct svsrc_service, f), sizeof(((struct svsrc_service *) 0)->f)

static struct file_kind const kinds[] = {
    {"type", K_TYPE, FIELD(type), NULL, NULL},
    {"dependencies", K_LINES, 0, 0, NULL, dep_line},
    {"notification-fd", K_FD, FIELD(notification_fd), NULL, NULL},
    {"notify", K_FLAG, FIELD(notify), NULL, NULL},
    {"notify-access", K_ACCESS, FIELD(notify_all), NULL, NULL},
    {"ready-socket", K_TEXT, FIELD(ready_socket), svparse_socket_path, NULL},
    {"timeout-up", K_MS, FIELD(timeout_up), NULL, NULL},
    {"timeout-down", K_MS, FIELD(timeout_down), NULL, NULL},
    {"timeout-kill", K_MS, FIELD(timeout_kill), NULL, NULL},
    {"check-interval", K_MS, FIELD(check_interval), NULL, NULL},
    {"watchdog", K_MS, FIELD(watchdog), NULL, NULL},
    {"check-timeout", K_MS, FIELD(check_timeout), NULL, NULL},
    {"check-retries", K_COUNT, FIELD(check_retries), NULL, NULL},
    {"check-action", K_ACTION, FIELD(check_report), NULL, NULL},
    {"down-signal", K_SIGNAL, FIELD(down_signal), NULL, NULL},
    {"reload-signal", K_SIGNAL, FIELD(reload_signal), NULL, NULL},
    {"essential", K_FLAG, FIELD(essential), NULL, NULL},
    {"restart", K_RESTART, FIELD(restart), NULL, NULL},
    {"enabled-if", K_TEXT, FIELD(enabled_if), svparse_condition, NULL},
    {"env-policy", K_TEXT, FIELD(env_policy), NULL, env_policy_line},
    {"env-secrets", K_TEXT, FIELD(env_secrets), NULL, secret_line},
    {"env-uses", K_TEXT, FIELD(env_uses), NULL, env_uses_line},
    {"user", K_USER, FIELD(user), svparse_user, NULL},
    {"capabilities", K_LINES, 0, 0, NULL, cap_line},
    {"rlimits", K_LINES, 0, 0, NULL, rlimit_line},
    {"oom-score-adj", K_OOM, FIELD(oom_score_adj), NULL, NULL},
    {"clean", K_TEXT, FIELD(clean), NULL, NULL},
    {"directories", K_TEXT, FIELD(directories), NULL, directory_line},
    {"instances", K_TEXT, FIELD(instances), check_env_name, NULL},
    {"log-file", K_TEXT, FIELD(log_file), svparse_abs_path, NULL},
    {"listen", K_TEXT, FIELD(listen_text), NULL, NULL}, /* parsed by the loader (svload) */
    {"dependents-wait", K_FLAG, FIELD(dependents_wait), NULL, NULL},
};

/* The name must exist in this image's user database: a typo found at
 * start beats a service that fails to drop privileges at every restart.
 * (The tree is read by a loader child, never by PID 1: NSS may hang.) */
static int known_user(struct ctx *c, char *t)
{
    uid_t uid;
    gid_t gid;
    char const *missing;
    if (caps_ids(t, &uid, &gid, &missing) == 0)
        return 0;
    char *colon = strchr(t, ':');
    if (*missing == 'g')
        return fault(c, "unknown group", colon + 1), -1;
    if (colon)
        *colon = 0; /* name the user alone */
    return fault(c, "unknown user", t), -1;
}

/* A string value: checked whole, or line by line (on a copy: the field
 * keeps the text as written). */
static int text(struct ctx *c, struct file_kind const *k, char *t)
{
    static char copy[SVSRC_FILE_MAX];
    char *field = (char *) c->sv + k->off;
    char const *why;
    if (k->check && k->check(t, &why) < 0)
        return fault(c, why, t), -1;
    if (!k->check) /* a list: the limit is for its lines, not its comments */
        svparse_drop_comments(t);
    if (strlen(t) >= k->size) {
        char why_long[96];
        snprintf(why_long, sizeof why_long, "too long: at most %zu bytes%s", k->size - 1,
                 k->check ? "" : " of lines, comments aside");
        return fault(c, why_long, NULL), -1;
    }
    strcpy(field, t);
    if (k->kind == K_USER)
        return known_user(c, t);
    if (!k->line)
        return 0;
    strcpy(copy, t);
    return svparse_lines(copy, k->line, c);
}

static int parse(struct ctx *c, struct file_kind const *k, char *t)
{
    void *field = (char *) c->sv + k->off;
    char const *why = NULL;
    int r = 0;
    switch (k->kind) {
    case K_TYPE:
        r = svparse_type(t, field, &why);
        break;
    case K_MS:
        r = svparse_ms(t, field, &why);
        break;
    case K_COUNT:
        r = svparse_count(t, field, &why);
        break;
    case K_ACTION:
        r = svparse_check_action(t, field, &why);
        break;
    case K_SIGNAL:
        r = svparse_signal(t, field, &why);
        break;
    case K_RESTART:
        r = svparse_restart(t, field, &why);
        break;
    case K_ACCESS:
        r = svparse_notify_access(t, field, &why);
        break;
    case K_FD:
        r = svparse_fd(t, field, &why);
        break;
    case K_FLAG:
        *(unsigned char *) field = 1;
        break;
    case K_OOM:
        c->sv->has_oom_score_adj = 1;
        r = svparse_int_range(t, -1000, 1000, field, &why);
        break;
    case K_TEXT:
    case K_USER:
        return text(c, k, t);
    case K_LINES:
        return svparse_lines(t, k->line, c);
    }
    return r < 0 ? (fault(c, why, t), -1) : 0;
}

static void read_value_files(struct ctx *c, char const *svdir)
{
    static char value[SVSRC_FILE_MAX];
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        if (at(c, svdir, kinds[i].file) < 0)
            continue;
        if (access(c->path, F_OK) < 0 && errno == ENOENT)
            continue;
        if (read_small(c, value, sizeof value) == 0)
            parse(c, &kinds[i], value);
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

/* The check: a fault in it is said, and the service runs without checks
 * (a broken check must not take a working daemon down). A oneshot has
 * none: its up is checked by its exit. */
static int check_program(struct ctx *c, char const *svdir)
{
    struct stat st;
    char const *why = NULL;
    if (at(c, svdir, "check") < 0 || (stat(c->path, &st) < 0 && errno == ENOENT))
        return 0;
    if (stat(c->path, &st) < 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file: the service runs without checks";
    else if (access(c->path, X_OK) < 0)
        why = "not executable (chmod +x it): the service runs without checks";
    if (why)
        c->report(c->sv->name, c->path, why, NULL, c->arg);
    return !why;
}

static void read_programs(struct ctx *c, char const *svdir)
{
    struct svsrc_service *sv = c->sv;
    if (sv->type == SVPARSE_LONGRUN) {
        program(c, svdir, "run", 1);
        sv->has_finish = (unsigned char) program(c, svdir, "finish", 0);
        sv->has_check = (unsigned char) check_program(c, svdir);
    } else {
        program(c, svdir, "up", 1);
        sv->has_down = (unsigned char) program(c, svdir, "down", 0);
    }
}

/* env/: every entry a regular file (a FIFO there would hang whoever reads
 * it, the runner at each start): refused at load, the file named. */
static void check_envdir(struct ctx *c)
{
    char dir[PATH_MAX];
    struct stat st;
    strcpy(dir, c->path);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && at(c, dir, e->d_name) == 0 &&
            (stat(c->path, &st) < 0 || !S_ISREG(st.st_mode))) {
            fault(c, "not a regular file (env/ holds one value a file)", NULL);
            break;
        }
    closedir(d);
}

static void read_dirs(struct ctx *c, char const *svdir)
{
    if (at(c, svdir, "env") == 0)
        c->sv->has_env_dir = (unsigned char) is_dir(c->path);
    if (c->sv->has_env_dir && at(c, svdir, "env") == 0)
        check_envdir(c);
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
    if (sv->listen_text[0] && sv->type == SVPARSE_ONESHOT) {
        strcpy(c.path, svdir);
        fault(&c, "listen is for longruns: a oneshot's up has no supervisor to hold it", NULL);
    }
    if (sv->watchdog && !sv->notify && at(&c, svdir, "watchdog") == 0)
        fault(&c, "needs notify: the watchdog hears the daemon's sd_notify WATCHDOG=1", NULL);
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
    if (t->n >= SVSRC_MAX) {
        t->overflow++; /* never a subset: the tree is refused below */
        return 0;
    }
    return 1;
}

/* More services than the tables hold: one message for the tree. */
static int refuse_overflow(struct svsrc_tree const *t, char const *dir, svsrc_report_fn *report,
                           void *arg)
{
    char max[UINT_FMT], all[UINT_FMT + 32];
    max[uint_fmt(max, SVSRC_MAX)] = 0;
    all[uint_fmt(all, t->n + t->overflow)] = 0;
    strcat(all, " services");
    report(NULL, dir, "the tree is refused: vinit runs at most this many services", max, arg);
    report(NULL, dir, "the tree has", all, arg);
    return (errno = E2BIG, -1);
}

int svsrc_read(struct svsrc_tree *t, char const *dir, svsrc_report_fn *report, void *arg)
{
    char svdir[PATH_MAX];
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    t->n = t->overflow = 0;
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
    if (t->overflow)
        return refuse_overflow(t, dir, report, arg);
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

/* skip: a file not to read (env-uses: its patterns match whole names) */
static int dir_mentions(char const *dir, char const *name, char const *skip)
{
    char path[PATH_MAX];
    DIR *d = opendir(dir);
    int found = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.' || (skip && !strcmp(e->d_name, skip)))
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
    return dir_mentions(dir, name, "env-uses") || dir_mentions(env, name, NULL);
}

int svsrc_uses(char const *srcdir, struct svsrc_service const *sv, char const *name)
{
    return env_matches(sv->env_uses, name, strlen(name)) || svsrc_mentions(srcdir, sv, name);
}
