/* SPDX-License-Identifier: ISC */
/* mkpath: the one mkdir -p of vinit, for the runtime directory (PID 1) and
 * for a service's directories (its runner). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "mkpath.h"

int mkpath_make(char const *path, unsigned int mode)
{
    char buf[PATH_MAX];
    if (strlen(path) >= sizeof buf)
        return (errno = ENAMETOOLONG, -1);
    strcpy(buf, path);
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/')
            continue;
        char c = *p;
        *p = 0;
        if (mkdir(buf, c ? 0755 : (mode_t) mode) < 0 && errno != EEXIST)
            return -1;
        if (!(*p = c))
            return 0;
    }
}
