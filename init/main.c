/* SPDX-License-Identifier: ISC */
/* vinit: PID 1 for containers that host virtual machines.
 * main only strings the stages together: settings, PID 1 or subreaper setup,
 * the signal traps, then the loop, which owns the run and the stop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "config.h"
#include "ctl.h"
#include "env.h"
#include "helper.h"
#include "loop.h"
#include "machine.h"
#include "mkpath.h"
#include "mounts.h"
#include "netspec.h"
#include "notify.h"
#include "relay.h"
#include "settings.h"
#include "signals.h"
#include "sockets.h"
#include "spawn.h"
#include "supervise.h"
#include "svlive.h"
#include "svrun.h"
#include "version.h"

char const *PROG = "vinit";
extern char **environ;

static void usage(FILE *out)
{
    fputs(
        "usage: vinit [options] [--] [COMMAND ARGS...]\n"
        "Runs as PID 1 (or as a child subreaper): starts COMMAND, reaps every orphan,\n"
        "and on a stop signal stops every process within the stop deadline.\n"
        "\n"
        "  -t, --stop-timeout DURATION  SIGKILL deadline after a stop signal: 8 (s), 8s,\n"
        "                               1500ms, 2m  [$VINIT_STOP_TIMEOUT, default 8s]\n"
        "  -s, --services-dir DIR       the service source tree, one directory per\n"
        "                               service  [$VINIT_SERVICES_DIR, default " VINIT_SERVICES_DIR
        "]\n"
        "  -v, --verbose                more messages (repeat for more)  [$VINIT_VERBOSITY 0-3]\n"
        "  -q, --quiet                  only fatal errors\n"
        "  -h, --help                   this text\n"
        "  -V, --version                the version and the commit it was built from\n"
        "\n"
        "Exit code: COMMAND's (128+n if killed by signal n), 0 on a requested stop\n"
        "without COMMAND, 133 on reboot, 126/127 when COMMAND cannot run / is not\n"
        "found, 100 on a usage error, 111 when the system refuses a setup step.\n",
        out);
}

static void parse(struct settings *s, int argc, char const *const *argv)
{
    struct settings_error err;
    if (settings_parse(s, argc, argv, (char const *const *) environ, &err) < 0) {
        if (err.value)
            strerr_dief(100, err.what, err.object, ": ", err.value, " (see vinit --help)");
        strerr_dief(100, err.what, err.object, " (see vinit --help)");
    }
    if (s->mode == SETTINGS_HELP) {
        usage(stdout);
        exit(0);
    }
    if (s->mode == SETTINGS_VERSION) {
        puts("vinit " VINIT_VERSION " (commit " VINIT_COMMIT ")");
        exit(0);
    }
}

/* $NOTIFY_SOCKET belongs to vinit: the manager waits for *our* READY=1, and
 * a main command that spoke to it directly would lie about readiness. */
static void take_notify_socket(struct notify_target *t)
{
    char const *v = getenv("NOTIFY_SOCKET");
    if (v && notify_parse(t, v) < 0)
        strerr_warnw("ignoring $NOTIFY_SOCKET: not a socket path: ", v);
    unsetenv("NOTIFY_SOCKET");
}

/* As a user other than root (docker run --user 1000), /run/vinit is
 * usually not ours to write: /tmp/vinit-UID then, made mode 0700 and
 * refused when someone else made it first. */
static void user_rundir(struct settings *s)
{
    static char dir[64];
    struct stat st;
    if (s->rundir_given || geteuid() == 0 || access(s->rundir, W_OK) == 0 ||
        (errno == ENOENT && access("/run", W_OK) == 0))
        return;
    s->rundir = settings_user_rundir(dir, sizeof dir, (unsigned long) geteuid());
    if (mkpath_make(s->rundir, 0700) < 0 || lstat(s->rundir, &st) < 0)
        strerr_diefusys(111, "create ", s->rundir, " (vinit runs as a user and cannot write ",
                        VINIT_RUNDIR, "; set VINIT_RUNDIR to a directory it may write)");
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        strerr_dief(111, s->rundir,
                    " is not a directory of vinit's own user: remove it, or set "
                    "VINIT_RUNDIR to a directory vinit may write");
}

/* A read-only root (docker run --read-only) needs a writable runtime
 * directory: a tmpfs /run from the manager, or one vinit mounts itself on
 * an existing (empty) RUNDIR when it may (CAP_SYS_ADMIN). Else the message
 * says what to add. */
static void writable_rundir(char const *rundir)
{
    if (mkpath_make(rundir, 0755) == 0 && access(rundir, W_OK) == 0)
        return;
    if (errno != EROFS && errno != EACCES)
        strerr_diefusys(111, "create ", rundir);
    if (mount("vinit", rundir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") == 0)
        return;
    strerr_diefusys(111, "write to ", rundir,
                    " (read-only root?): give the container a tmpfs there or on /run (docker and "
                    "podman: --tmpfs /run; Kubernetes: an emptyDir with medium Memory), or "
                    "CAP_SYS_ADMIN so that vinit mounts one; mounting one failed");
}

/* The wait for the bridge: netlink answers in milliseconds; a helper that
 * takes longer is stuck, and the services must not wait for it forever. */
#define BRIDGE_WAIT_MS 5000

/* What became of vinit-doctor --bridge: it said itself why it failed (exit
 * 1); anything else it could not say, so we do. */
static void bridge_outcome(char const *name, pid_t pid)
{
    int st;
    int r = helper_wait(pid, BRIDGE_WAIT_MS, &st);
    if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st) <= 1)
        return;
    char what[64] = "";
    if (r == 0) {
        kill(pid, SIGKILL);
        /* reaped here if it dies now, else by the loop (a task stuck in
         * the kernel dies when it leaves it) */
        helper_wait(pid, 1000, &st);
        snprintf(what, sizeof what, "did not finish in %d s and was killed", BRIDGE_WAIT_MS / 1000);
    } else if (r < 0)
        snprintf(what, sizeof what, "could not be waited for");
    else if (WIFSIGNALED(st)) {
        char sig[32];
        snprintf(what, sizeof what, "was killed by %s",
                 signals_name(WTERMSIG(st), sig, sizeof sig));
    } else
        snprintf(what, sizeof what, "exited %d", WEXITSTATUS(st));
    strerr_warnw("VINIT_BRIDGE ", name, ": vinit-doctor --bridge ", what,
                 ": the services start without the bridge; check that netlink answers here (ip "
                 "link show), or make the bridge in a oneshot service instead of VINIT_BRIDGE");
}

/* VINIT_BRIDGE=name[,address/prefix][,mtu]: a bridge for guests in the
 * container's own network namespace, made before any service starts. A
 * value that cannot be read is a usage error. The bridge is made by a child,
 * vinit-doctor --bridge (libnl: PID 1 talks no netlink), waited for at most
 * BRIDGE_WAIT_MS on its pidfd; a bridge the kernel refuses, or a child that
 * fails or hangs, is only a warning, since the services that do not use
 * the bridge can still run. */
static void make_bridge(void)
{
    char const *v = getenv("VINIT_BRIDGE"), *why;
    char path[PATH_MAX], problem[PATH_MAX + 256];
    struct netspec_bridge b;
    if (!v || !*v)
        return;
    if (netspec_bridge_parse(v, &b, &why) < 0)
        strerr_dief(100, "invalid VINIT_BRIDGE: ", v, ": ", why);
    char const *argv[] = {HELPER_DOCTOR, "--bridge", v, NULL};
    if (helper_find(HELPER_DOCTOR, path, sizeof path) < 0) {
        helper_not_found(HELPER_DOCTOR, problem, sizeof problem);
        strerr_warnw("unable to make the bridge VINIT_BRIDGE ", b.name, ": ", problem);
        return;
    }
    pid_t pid = helper_spawn(path, argv);
    if (pid < 0)
        strerr_warnwu("make the bridge VINIT_BRIDGE ", b.name, ": unable to run ", path, ": ",
                      strerror(errno));
    else
        bridge_outcome(b.name, pid);
}

/* The preflight checks, quiet unless something the tree runs would break
 * (VINIT_DOCTOR=0: not at all). They run in vinit-doctor, which reads the
 * tree itself (a KVM VM, netlink, group lookups, libvirt's XML: none of it
 * in PID 1). Not waited for: its warnings may come while the services
 * start; the loop reaps it like any child. */
static void preflight(struct loop const *l, struct settings const *s)
{
    char path[PATH_MAX], problem[PATH_MAX + 256];
    char const *argv[] = {HELPER_DOCTOR, "--at-start", "-s", s->services_dir, NULL};
    if (!l->services || !s->doctor)
        return;
    if (helper_find(HELPER_DOCTOR, path, sizeof path) < 0) {
        helper_not_found(HELPER_DOCTOR, problem, sizeof problem);
        strerr_warnw("the checks at start are not run: ", problem, "; or set VINIT_DOCTOR=0");
    } else if (helper_spawn(path, argv) < 0)
        strerr_warnwu("run ", path, " for the checks at start: ", strerror(errno));
}

/* vinit doctor: the checks live in vinit-doctor, which PID 1 never links. */
static int doctor_command(char const *const *argv)
{
    char path[PATH_MAX], problem[PATH_MAX + 256];
    if (helper_find(HELPER_DOCTOR, path, sizeof path) < 0) {
        helper_not_found(HELPER_DOCTOR, problem, sizeof problem);
        strerr_dief(127, "doctor: ", problem);
    }
    /* "vinit doctor ARGS..." runs "vinit-doctor ARGS...": argv's array is
     * ours to change (C gives main a writable one) */
    char const **args = (char const **) argv + 1;
    args[0] = HELPER_DOCTOR;
    execv(path, (char *const *) args);
    strerr_diefusys(errno == ENOENT ? 127 : 126, "run ", path);
}

/* The service tree, when there is one: the default location may be absent
 * (vinit then only runs a main command), a location set explicitly may not. */
static void load_services(struct loop *l, struct settings const *s, char const *const *envp)
{
    static char exe[PATH_MAX], live[PATH_MAX];
    if (!s->services_dir_given && access(s->services_dir, F_OK) < 0 && errno == ENOENT)
        return;
    if (svlive_root(live, sizeof live, s->rundir) < 0)
        strerr_dief(100, "runtime directory path too long: ", s->rundir);
    writable_rundir(s->rundir);
    if (mkpath_make(live, 0755) < 0)
        strerr_diefusys(111, "create ", live);
    if (!realpath("/proc/self/exe", exe))
        strerr_diefusys(111, "find vinit's own path in /proc/self/exe");
    struct supervise_config c = {.srcdir = s->services_dir,
                                 .rundir = s->rundir,
                                 .exe = exe,
                                 .only = s->only,
                                 .envp = (char const *const *) environ,
                                 .verbosity = s->verbosity};
    if (supervise_load(&c) < 0) {
        if (errno == E2BIG) /* the loader said how many, and the limit */
            strerr_dief(100, "the service tree ", s->services_dir,
                        " has more services than vinit runs: split it into several containers");
        strerr_diefusys(100, "read the service tree ", s->services_dir);
    }
    l->services = 1;
}

/* syncfs can take seconds on a host with much unwritten data, and the
 * manager's SIGKILL would then take the exit code with it: the flush runs in
 * a child, waited for only while the stop deadline lasts (at most 1 s).
 * Past that we exit and the kernel finishes the writeback on its own (the
 * namespace's end still waits for the child, but the exit code is ours). The
 * wait is a poll on the child's pidfd, so a quick flush costs no sleep;
 * without pidfd_open (Linux before 5.3, or a seccomp filter) 1 ms naps. */
static void flush_root(int64_t budget_ms)
{
    if (budget_ms > 1000)
        budget_ms = 1000;
    if (budget_ms < 0)
        budget_ms = 0;
    pid_t pid = fork();
    if (!pid) {
        int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _exit(fd >= 0 && syncfs(fd) == 0 ? 0 : 1);
    }
    if (pid < 0)
        return;
#ifdef SYS_pidfd_open
    int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
#else
    int pfd = -1;
#endif
    if (pfd >= 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};
        while (poll(&p, 1, (int) budget_ms) < 0 && errno == EINTR)
            ;
        close(pfd);
        return;
    }
    for (int64_t waited = 0; waited <= budget_ms; waited++) {
        if (waitpid(pid, NULL, WNOHANG) != 0)
            return;
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* The container's environment as it came: enabled-if and instances read it
 * at every reload, after withhold() has narrowed what children get. */
static char const *const *snapshot_environ(void)
{
    char const **copy = env_snapshot();
    if (!copy)
        strerr_diefusys(111, "copy the environment");
    return copy;
}

/* A withheld variable whose name vinit does not write as a file: said
 * once, its name shown (control bytes as '?', a long one cut). */
static void odd_name(char const *name, size_t len)
{
    char shown[128];
    size_t n = len < sizeof shown - 4 ? len : sizeof shown - 4;
    for (size_t k = 0; k < n; k++)
        shown[k] = (unsigned char) name[k] < 0x20 || name[k] == 0x7f ? '?' : name[k];
    strcpy(shown + n, n < len ? "..." : "");
    strerr_warnw("the variable ", shown,
                 " matches VINIT_ENV_WITHHOLD but is not a name vinit can keep (letters, digits "
                 "and _, at most 255 bytes): no service gets it, and it is not written anywhere");
}

/* What VINIT_ENV_WITHHOLD names leaves the environment before any child
 * starts (none inherits it) and PID 1's memory: it waits in RUNDIR/env
 * (only CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH reads it) for the services
 * whose env-secrets ask for it. */
static void withhold(struct settings const *s)
{
    char dir[PATH_MAX];
    if (svlive_withheld(dir, sizeof dir, s->rundir) < 0)
        strerr_dief(100, "runtime directory path too long: ", s->rundir);
    if (s->withhold)
        writable_rundir(s->rundir);
    if (env_withhold(s->withhold, dir, odd_name) < 0)
        strerr_diefusys(111, "keep the withheld variables in ", dir);
}

/* The control socket, where the runtime directory is ours: with a service
 * tree, or when it exists already (a tmpfs /run/vinit in the image). */
static void open_control(struct loop *l, struct settings const *s)
{
    l->ctlfd = -1;
    if (!l->services && access(s->rundir, W_OK) < 0)
        return;
    l->ctlfd = ctl_listen(s->rundir);
    if (l->ctlfd < 0)
        strerr_warnwusys("create the control socket in ", s->rundir,
                         ": vinit status and friends will not work");
}

/* 1: our pid namespace is the machine's first (its fixed inode,
 * PROC_PID_INIT_INO), as a kernel's init is and a container never is; 0
 * not; -1 unknown (no /proc) */
static int init_pidns(void)
{
    struct stat st;
    if (stat("/proc/self/ns/pid", &st) < 0)
        return -1;
    return st.st_ino == 0xEFFFFFFCu;
}

static void no_word(char const *w, char const *why, void *arg)
{
    (void) w, (void) why, (void) arg;
}
static void no_env(char const *k, size_t n, char const *v, void *arg)
{
    (void) k, (void) n, (void) v, (void) arg;
}

/* VINIT_MACHINE=0|1, or vinit.machine=0|1 on a kernel command line that
 * can be read already; -1: neither */
static int forced_machine(void)
{
    char const *v = getenv("VINIT_MACHINE");
    if (v && (!strcmp(v, "0") || !strcmp(v, "1")))
        return v[0] - '0';
    char cmdline[4096];
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, cmdline, sizeof cmdline - 1);
    close(fd);
    cmdline[r > 0 ? r : 0] = 0;
    struct machine_opts o;
    machine_cmdline(cmdline, &o, no_word, no_env, NULL);
    return o.machine;
}

/* VINIT_MACHINE=1 stays for the children (env_drop_internals took it out,
 * so environ has a free slot): put back there, not by setenv,
 * which may move environ away from under the tree's pointer to it
 * (supervise reads enabled-if against that array at every reload). */
static void keep_machine_flag(void)
{
    static char flag[] = "VINIT_MACHINE=1";
    size_t n = 0;
    while (environ[n])
        n++;
    environ[n] = flag;
    environ[n + 1] = NULL;
}

int main(int argc, char const *const *argv)
{
    struct settings settings;
    struct loop l = {.settings = &settings};
    char const *container = getenv("container");

    /* s6-supervise runs a live service's ./run and ./finish: both are us */
    if (argc > 0 && svrun_is_runner(argv[0]))
        return svrun_main(argc, argv);
    /* vinit status, vinit stop sshd...: the CLI, unless we are PID 1 (then
     * a main command of that name is meant: CMD ["status"]) */
    if (argc > 1 && !strcmp(argv[1], "doctor") && getpid() != 1)
        return doctor_command(argv);
    if (argc > 1 && ctl_is_verb(argv[1]) && getpid() != 1) {
        return ctl_client(argc, argv, ctl_find_rundir());
    }
    l.pid1 = getpid() == 1;
    /* the init of a machine: the API file systems and the kernel command
     * line first, since the settings come from the environment */
    l.machine = machine_detect(l.pid1, container, access("/proc/self/stat", F_OK) == 0,
                               init_pidns(), forced_machine());
    if (l.machine) {
        struct machine_opts mopts;
        machine_setup(&mopts);
        /* for the services too, whatever forced or detected it: vinit-udevd
         * loads the devices' modules then (services/udevd) */
        setenv("VINIT_MACHINE", "1", 1);
    }
    parse(&settings, argc, argv);
    user_rundir(&settings);
    /* Not PID 1 (docker run --init=false under another init, a shell, a
     * test): orphans of our tree must come back to us, not to the real init. */
    if (!l.pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        strerr_diefusys(111, "become a child subreaper");
    l.under_nspawn = container && !strcmp(container, "systemd-nspawn");
    take_notify_socket(&l.manager);
    /* the manager's sockets (LISTEN_FDS): kept for the listen lines that
     * name them, close-on-exec so that no child gets them by accident */
    sockets_take_inherited();
    /* never waiting for the reader of stdout or stderr (relay.h) */
    relay_setup();
    relay_quiet(settings.verbosity == 0);
    if (!tain_now_set_stopwatch_g())
        strerr_diefusys(111, "read the monotonic clock");
    l.sigfd = signals_setup();
    if (l.sigfd < 0)
        strerr_diefusys(111, "trap signals");
    l.take_tty = settings.command && spawn_should_take_tty();
    /* what is mounted now is the manager's: only later mounts are ours to
     * undo at stop; as PID 1 only, where the mount namespace is the
     * container's (a subreaper would unmount what the host mounts) */
    int unmount = l.pid1 && settings.unmount;
    if (unmount && mounts_snapshot() < 0)
        strerr_warnwusys("read /proc/self/mountinfo: nothing will be unmounted at stop");
    withhold(&settings);
    char const *const *envp = snapshot_environ();
    make_bridge();
    load_services(&l, &settings, envp);
    preflight(&l, &settings);
    open_control(&l, &settings);
    /* children get neither the manager's internals nor vinit's settings
     * (the helpers above read them) */
    int machine_flag = l.machine && getenv("VINIT_MACHINE");
    env_drop_internals();
    if (machine_flag)
        keep_machine_flag();

    /* From here on PID 1 must not die: the loop warns and retries. */
    int code = loop_run(&l);

    if (l.pid1) {
        /* flush what the container wrote before its namespace goes away;
         * syncfs keeps it to our root filesystem, not the whole host */
        if (unmount)
            mounts_unmount_new(settings.verbosity >= 2);
        flush_root(loop_remaining_ms(&l));
        /* A reboot, said the way systemd-nspawn understands: reboot() from
         * a pid namespace's init ends it with SIGHUP, which nspawn reports
         * as 133 so that its unit starts it again (a plain exit 133 is
         * only "failed" to nspawn). Other managers see a SIGHUP death as
         * 129, so for them the exit code 133 says it. */
        if (l.reboot && l.under_nspawn)
            reboot(RB_AUTOBOOT);
        if (l.machine)
            machine_end(l.reboot);
    }
    return code;
}
