/* SPDX-License-Identifier: ISC */
/* mkpath: mkdir -p. */
#ifndef VINIT_MKPATH_H
#define VINIT_MKPATH_H

/* Makes path and its missing parents: parents 0755, path itself mode
 * (existing ones are left as they are). Symbolic links on the way are
 * followed. 0, or -1 with errno. */
int mkpath_make(char const *path, unsigned int mode);

#endif
