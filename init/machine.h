/* SPDX-License-Identifier: ISC */
/* machine: vinit as the init of a (virtual) machine, started by the kernel
 * with no container manager around it. It then does what a machine's init
 * must: the API file systems where missing, the kernel command line's
 * vinit.* options and KEY=value environment, the hostname, lo, the power
 * button, and at the end of the stop sync and reboot(2) (PID 1 of a
 * machine may not exit: the kernel would panic). The decisions are pure
 * functions here; machine_setup and machine_end are the adapters. */
#ifndef VINIT_MACHINE_H
#define VINIT_MACHINE_H

#include <stddef.h>

/* Pure: whether this PID 1 runs a machine. container is the container=
 * variable (NULL: unset), proc_mounted whether /proc is mounted already,
 * init_pidns whether our pid namespace is the machine's first one
 * (/proc/self/ns/pid's inode; -1: unknown), forced the vinit.machine=
 * option or VINIT_MACHINE (-1: unset, 0 or 1). A container always has
 * /proc and a pid namespace of its own; a kernel's init has neither. */
int machine_detect(int pid1, char const *container, int proc_mounted, int init_pidns, int forced);

/* The options of the kernel command line that vinit reads. */
struct machine_opts {
    int machine;        /* vinit.machine=0|1; -1 unset */
    int verbosity;      /* vinit.verbose=0..3; -1 unset */
    long stop_ms;       /* vinit.stop-timeout=DURATION; -1 unset */
    int rw;             /* "rw": the root remounted read-write */
    char hostname[65];  /* vinit.hostname=NAME; "" unset */
    char services[256]; /* vinit.services=DIR; "" unset */
};

/* Pure: reads the kernel command line into o. Each vinit.* option it does
 * not know, or whose value is bad, is passed to ignored(word, why, arg),
 * and the machine still boots. KEY=value words whose KEY is a shell name
 * in capitals (as the kernel passes unknown words to init's environment;
 * console=, root= and quiet are the kernel's) go to env(key, keylen,
 * value, arg). Quoted values ("a b") are one word, without the quotes. */
void machine_cmdline(char const *cmdline, struct machine_opts *o,
                     void (*ignored)(char const *word, char const *why, void *arg),
                     void (*env)(char const *key, size_t keylen, char const *value, void *arg),
                     void *arg);

/* The API file systems, in mount order. */
struct machine_mount {
    char const *where, *type, *options;
    unsigned long flags;
    unsigned int mode; /* of the directory made when missing */
};
extern struct machine_mount const machine_mounts[];
extern size_t const machine_nmounts;

/* Pure: whether mount i is to be made, given the mount points of
 * /proc/self/mountinfo (mounted(where, arg) says if one is there). */
int machine_wants_mount(size_t i, int (*mounted)(char const *where, void *arg), void *arg);

/* Pure: what stops the loading of modules on this machine, as the text of
 * one warning in out ("" when nothing does). kernel_modules: whether the
 * kernel loads modules at all (/proc/sys/kernel/modprobe is there; a
 * kernel without has its drivers built in, and nothing is said); modprobe
 * the kernel's helper (modalias_modprobe_path), has_modprobe whether it is
 * there; release the kernel's (uname -r), has_tree whether
 * /lib/modules/RELEASE is there. */
void machine_modules_warning(int kernel_modules, char const *modprobe, int has_modprobe,
                             char const *release, int has_tree, char *out, size_t size);

/* Adapter, before anything else as a machine's PID 1: mounts what is
 * missing, reads /proc/cmdline into o (setting its KEY=value variables),
 * remounts / read-write with "rw", sets the hostname, brings lo up, lets
 * ctrl-alt-del come as SIGINT, says what stops module loading (a stat of
 * modprobe and of /lib/modules/RELEASE), and starts the power button's
 * watcher (a child: it reads input devices, which PID 1 must not). Each
 * step that fails is said, with what it costs, and the boot goes on. */
void machine_setup(struct machine_opts *o);

/* Adapter, at the very end: every process is gone; syncs, remounts the
 * root read-only, and powers off (or reboots). Does not return. */
void machine_end(int reboot) __attribute__((noreturn));

#endif
