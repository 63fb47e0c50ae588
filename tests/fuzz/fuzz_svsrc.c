/* SPDX-License-Identifier: ISC */
/* fuzz_svsrc: one service directory read whole, as a service's runner
 * reads its own before it execs (svsrc_read_one). The input's sections
 * ("== NAME [MODE]", then the file's text; see fuzz.h) are the files of a
 * scratch directory, made again for each input: type, run, dependencies,
 * rlimits, env/VAR, dependencies.d/NAME, log/run... Whatever the files
 * say, every fault is reported with its file, and a service read without
 * a fault holds only values its files may give. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "svsrc.h"

static void report(char const *service, char const *path, char const *problem, char const *value,
                   void *arg)
{
    unsigned int *faults = arg;
    /* each part of the message is a whole string (ASan reads it) */
    fuzz_assert(problem && strlen(problem));
    fuzz_assert(!service || strlen(service) <= SVPARSE_NAME_MAX);
    fuzz_assert(!path || strlen(path) < PATH_MAX);
    fuzz_assert(!value || strlen(value) < SVSRC_FILE_MAX);
    ++*faults;
}

static void check(struct svsrc_service const *sv)
{
    char const *why;
    fuzz_assert(sv->type == SVPARSE_LONGRUN || sv->type == SVPARSE_ONESHOT);
    fuzz_assert(sv->ndeps <= GRAPH_DEPS_MAX);
    for (unsigned int i = 0; i < sv->ndeps; i++)
        fuzz_assert(svparse_name(sv->deps[i], &why) == 0);
    fuzz_assert(sv->notification_fd == -1 ||
                (sv->notification_fd >= 3 && sv->notification_fd <= 255));
    fuzz_assert(sv->notify + (sv->notification_fd >= 0) + !!sv->ready_socket[0] <= 1);
    fuzz_assert(sv->timeout_up <= 86400000u && sv->timeout_down <= 86400000u &&
                sv->timeout_kill <= 86400000u);
    fuzz_assert(!sv->has_oom_score_adj ||
                (sv->oom_score_adj >= -1000 && sv->oom_score_adj <= 1000));
    fuzz_assert(sv->nrlimits <= SVSRC_RLIMITS && sv->ncaps <= SVSRC_CAPS);
    for (unsigned int i = 0; i < sv->nrlimits; i++)
        fuzz_assert(!sv->rlimits[i].has_hard || sv->rlimits[i].soft <= sv->rlimits[i].hard);
    fuzz_assert(!sv->ready_socket[0] || svparse_socket_path(sv->ready_socket, &why) == 0);
    fuzz_assert(!sv->log_file[0] || svparse_abs_path(sv->log_file, &why) == 0);
    fuzz_assert(!sv->enabled_if[0] || svparse_condition(sv->enabled_if, &why) == 0);
    fuzz_assert(!sv->user[0] || svparse_user(sv->user, &why) == 0);
    fuzz_assert(!sv->instances[0] || svparse_env_name(sv->instances, strlen(sv->instances)));
    fuzz_assert(!(sv->has_log_dir && sv->log_file[0]));
    fuzz_assert(strlen(sv->env_policy) < sizeof sv->env_policy &&
                strlen(sv->clean) < sizeof sv->clean &&
                strlen(sv->directories) < sizeof sv->directories &&
                strlen(sv->env_secrets) < sizeof sv->env_secrets &&
                strlen(sv->env_uses) < sizeof sv->env_uses);
    size_t k;
    for (char const *p = sv->env_uses; (k = svparse_word(&p)); p += k)
        fuzz_assert(svparse_env_pattern(p, k, &why) == 0);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    static char dir[PATH_MAX];
    static struct svsrc_service sv;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/svc", fuzz_tmpdir());
        mkdir(dir, 0755);
    }
    fuzz_write_tree(dir, (char const *) data, size);
    unsigned int faults = 0;
    int r = svsrc_read_one(&sv, "svc", dir, report, &faults);
    fuzz_assert(r == 0 || r == -1);
    /* refused exactly when a fault was told */
    fuzz_assert((r < 0) == (faults > 0) && (r < 0) == !!sv.faulty);
    if (r == 0)
        check(&sv);
    return 0;
}
