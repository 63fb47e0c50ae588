/* SPDX-License-Identifier: ISC */
/* modalias: the decisions of loading the modules of a machine's devices,
 * as udevd does with modprobe: the aliases of sysfs's "modalias" files
 * (the coldplug at start) gathered once each, cut into modprobe commands
 * of bounded size, the alias of a kernel uevent that asks for a module,
 * and the modprobe the kernel names. Pure functions on fixed buffers: no
 * allocation, no system call (vinit-udevd walks sysfs and runs modprobe;
 * vinit only names the path in its warning). */
#ifndef VINIT_MODALIAS_H
#define VINIT_MODALIAS_H

#include <stddef.h>

/* one alias, its NUL included: longer ones are not any kernel's */
#define MODALIAS_MAX 256
/* the aliases of one set, NUL-separated: about 1000 of 60 bytes */
#define MODALIAS_POOL 65536
/* one modprobe command: at most this many aliases and alias bytes (far
 * below the kernel's argument limit) */
#define MODALIAS_BATCH_ARGS  128
#define MODALIAS_BATCH_BYTES 16384
/* the kernel's own default for /proc/sys/kernel/modprobe */
#define MODALIAS_MODPROBE "/sbin/modprobe"

/* Distinct aliases, in the order first added. */
struct modalias_set {
    size_t n;   /* how many */
    size_t len; /* bytes of pool used */
    char pool[MODALIAS_POOL];
};

/* Whether s is an alias to give modprobe: 1 to MODALIAS_MAX - 1 bytes of
 * printable ASCII without blanks, not starting with '-' (an option). */
int modalias_valid(char const *s);

/* The text of a modalias file (or uevent value) as an alias: trailing
 * newlines dropped. 0, or -1 when it is no valid alias (out is then ""). */
int modalias_from_text(char const *text, size_t len, char *out, size_t size);

void modalias_clear(struct modalias_set *set);
/* Adds alias once: 1 added, 0 there already, -1 not valid (EINVAL), -2
 * the set is full (ENOSPC: run what it holds, clear it, add again). */
int modalias_add(struct modalias_set *set, char const *alias);

/* The next modprobe command of the set: from *pos (0 at first; the offset
 * in pool), at most max (<= MODALIAS_BATCH_ARGS) aliases whose lengths add
 * up to at most MODALIAS_BATCH_BYTES go to args; *pos moves past them. The
 * number given, 0 when the set is done. */
size_t modalias_batch(struct modalias_set const *set, size_t *pos, char const **args, size_t max);

/* Pure: the alias a kernel uevent asks to load, or NULL: its MODALIAS on
 * ACTION=add (udev loads modules on add only: a change, bind or remove
 * loads nothing), when valid. */
char const *modalias_of_uevent(char const *action, char const *modalias);

/* Pure: the modprobe to run, from the text of /proc/sys/kernel/modprobe
 * (NULL: unreadable): the text without its trailing newline, or
 * MODALIAS_MODPROBE when it is empty, unreadable, relative or too long.
 * Written to out (size >= sizeof MODALIAS_MODPROBE). */
void modalias_modprobe_path(char const *proc, char *out, size_t size);

#endif
