/* SPDX-License-Identifier: ISC */
/* svparse: the value of each file of a service source directory, parsed.
 * Pure: text in, value out; on error, -1 and *why says what is wrong in
 * words for the message that names the file. */
#ifndef VINIT_SVPARSE_H
#define VINIT_SVPARSE_H

#include <stddef.h>

#define SVPARSE_NAME_MAX 63 /* a service name, as s6-rc allows */

enum svparse_type { SVPARSE_LONGRUN, SVPARSE_ONESHOT };
enum svparse_restart { SVPARSE_RESTART_ALWAYS, SVPARSE_RESTART_ON_FAILURE, SVPARSE_RESTART_NEVER };

struct svparse_rlimit {
    int resource;                  /* RLIMIT_* */
    unsigned long long soft, hard; /* RLIM_INFINITY for "unlimited" */
    int has_hard;
};

/* Letters, digits and "_.@-", not starting with '.' or '-', at most
 * SVPARSE_NAME_MAX bytes: safe as a directory name and in messages. */
int svparse_name(char const *name, char const **why);

/* Text from a file: rejects NUL and control bytes other than tab and
 * newline, and strips surrounding blanks. Works in place. */
int svparse_text(char *text, size_t len, char const **why);

int svparse_type(char const *text, enum svparse_type *type, char const **why);
int svparse_ms(char const *text, unsigned int *ms, char const **why);
/* a count, 1 to 1000 (check-retries) */
int svparse_count(char const *text, unsigned int *n, char const **why);
/* check-action: "restart" (0) or "report" (1) */
int svparse_check_action(char const *text, unsigned char *report, char const **why);
int svparse_signal(char const *text, int *sig, char const **why);
int svparse_restart(char const *text, enum svparse_restart *r, char const **why);
int svparse_fd(char const *text, int *fd, char const **why);
int svparse_int_range(char const *text, int min, int max, int *v, char const **why);
/* "VAR", "!VAR", "VAR=value" or "VAR!=value" */
int svparse_condition(char const *text, char const **why);
int svparse_env_name(char const *name, size_t len);
/* One word of an env-uses file: a variable name, or a shell pattern of
 * names (fnmatch: *, ?, [A-Z_], [!0-9]) as "LIBVIRT_*". */
int svparse_env_pattern(char const *word, size_t len, char const **why);
/* "user" or "user:group", each a valid POSIX name */
int svparse_user(char const *text, char const **why);
/* one absolute path, shorter than a socket address can hold */
int svparse_socket_path(char const *text, char const **why);
int svparse_abs_path(char const *text, char const **why);
/* "nofile=1024:4096" or "core=unlimited" */
int svparse_rlimit(char const *line, struct svparse_rlimit *r, char const **why);
struct svparse_directory {
    char path[4096];
    unsigned int mode; /* 0755 unless given */
    char owner[72];    /* user[:group], or "" for the service's user */
};

/* "PATH [MODE] [USER[:GROUP]]": a directory to create before the service
 * starts ("/var/log/libvirt/qemu 0700 root:root"). */
int svparse_directory(char const *line, struct svparse_directory *d, char const **why);

/* One line of a listen file: a socket vinit binds and hands the service. */
enum svparse_listen_kind {
    SVPARSE_LISTEN_UNIX, /* an absolute path */
    SVPARSE_LISTEN_TCP4, /* tcp:PORT (every IPv4 address) or tcp:A.B.C.D:PORT */
    SVPARSE_LISTEN_TCP6, /* tcp:[ADDRESS]:PORT, [::] for every address */
    SVPARSE_LISTEN_FD,   /* fd:NAME or fd:N: a socket the manager passed to vinit */
};

#define SVPARSE_LISTEN_NAME_MAX 64 /* a LISTEN_FDNAMES name, as systemd's */

struct svparse_listen {
    enum svparse_listen_kind kind;
    char where[108]; /* the path; the address ("" for every one); the fd's name */
    int fd;          /* fd:N: N, else -1 */
    unsigned int port;
    unsigned int mode;                  /* unix: the socket file's mode (0666 unless given) */
    char owner[33], group[33];          /* unix: "" when not given */
    int uid, gid;                       /* of owner and group, once looked up (svload); -1 */
    char cond[128];                     /* if=: the line counts only where it holds; "" */
    char name[SVPARSE_LISTEN_NAME_MAX]; /* for LISTEN_FDNAMES; "" when not given */
    char from[SVPARSE_LISTEN_NAME_MAX]; /* fd=: the manager's socket of that name, if it passed one
                                         */
};

/* "/run/x.sock mode=0660 group=kvm name=x.socket", "tcp:16509",
 * "tcp:127.0.0.1:8080", "tcp:[::]:443", "fd:web" or "fd:3", each with an
 * optional if=COND (enabled-if's syntax); a path or tcp: line may say
 * fd=NAME: the manager's socket NAME when it passed one, else bind. The line as it stands:
 * variables are the loader's to expand first. owner and group may be names or ids. */
int svparse_listen(char const *line, struct svparse_listen *l, char const **why);

/* "nofile" for RLIMIT_NOFILE: for messages. */
char const *svparse_rlimit_name(int resource);

/* "CAP_NET_ADMIN" or "net_admin" -> the capability number */
int svparse_capability(char const *word, int *cap, char const **why);

/* Walks a list of words separated by commas or blanks (VINIT_SERVICES,
 * instances, VINIT_ENV_WITHHOLD...): skips the separators at *p, leaves
 * *p at the next word and returns its length, 0 at the end:
 *   for (char const *p = list; (len = svparse_word(&p)); p += len) */
size_t svparse_word(char const **p);

/* Calls each(line, arg) for every non-empty line that is not a # comment.
 * Stops at the first call that returns -1, and returns -1 then. Modifies
 * text (newlines become NULs). */
int svparse_lines(char *text, int (*each)(char *line, void *arg), void *arg);
/* Drops, in place, the comment lines ('#' first after blanks) and blank
 * lines of a list, keeping each other line as written, one per '\n' (none
 * after the last): a list's size limit is for its items, never its
 * comments. */
void svparse_drop_comments(char *text);

#endif
