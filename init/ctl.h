/* SPDX-License-Identifier: ISC */
/* ctl: the control socket in the runtime directory, served from PID 1's
 * loop without ever blocking it, and the CLI that talks to it (vinit
 * status|start|stop|restart|reload|health|shutdown|env). */
#ifndef VINIT_CTL_H
#define VINIT_CTL_H

#include <stddef.h>
#include <stdint.h>

#include <skalibs/iopause.h>

#include "supervise.h"

#define CTL_SOCKET      "control"
#define CTL_REQUEST_MAX 1024 /* bytes of a request line, its newline included */
#define CTL_WORDS_MAX   64   /* the verb and its arguments */
#define CTL_REPLY_MAX   (256 * 1024)
#define CTL_CONN_MAX    32   /* connections served at once; more are told busy */
#define CTL_READ_MS     200  /* from accept to the whole request */
#define CTL_WRITE_MS    2000 /* for the client to take the answer */
#define CTL_PAUSE_MS    1000 /* the listener rests after an accept error */
#define CTL_POLLFDS_MAX (1 + CTL_CONN_MAX)
#define CTL_TIMEOUT_MS  5000 /* the CLI's wait, unless VINIT_CTL_TIMEOUT */

/* What a request asks of PID 1 beyond its answer (the strongest wins). */
enum ctl_action { CTL_NONE, CTL_SHUTDOWN, CTL_REBOOT };

/* 1 when argv[1] is a CLI verb (and we are not PID 1). */
int ctl_is_verb(char const *word);

/* Binds rundir/control (mode 0600, root only) and keeps it (with a spare
 * fd for the day PID 1 has none left). Returns the fd, or -1. */
int ctl_listen(char const *rundir);

/* For PID 1's loop: the listener and each connection's fd, appended at x;
 * returns how many (at most CTL_POLLFDS_MAX). */
unsigned int ctl_pollfds(iopause_fd *x, unsigned int max, uint64_t now);
/* After iopause (also when it timed out: deadlines): accepts, reads,
 * answers, drops what is past its deadline. Never blocks. services: a
 * service tree is loaded. */
enum ctl_action ctl_io(iopause_fd const *x, unsigned int n, uint64_t now, int services);
/* ms until ctl_io has a deadline to enforce; -1 for none. */
int64_t ctl_wait_ms(uint64_t now);

/* A request: one line "verb word...", words separated by blanks. */
enum ctl_verb {
    CTL_VERB_STATUS,
    CTL_VERB_START,
    CTL_VERB_STOP,
    CTL_VERB_RESTART,
    CTL_VERB_RELOAD,
    CTL_VERB_HEALTH,
    CTL_VERB_SHUTDOWN,
    CTL_VERB_ENV,
};
enum ctl_parse {
    CTL_PARSE_OK,
    CTL_PARSE_MORE,     /* no newline yet: wait for more bytes */
    CTL_PARSE_NOTHING,  /* the client closed without a byte */
    CTL_PARSE_EMPTY,    /* a line without a word */
    CTL_PARSE_TOO_LONG, /* no newline within CTL_REQUEST_MAX bytes */
    CTL_PARSE_TOO_MANY, /* more than CTL_WORDS_MAX words */
    CTL_PARSE_BAD_BYTE, /* a NUL or a control byte other than tab */
    CTL_PARSE_UNKNOWN,  /* the first word is not a verb */
};
struct ctl_request {
    enum ctl_verb verb;
    unsigned int argc;          /* words after the verb */
    char *argv[CTL_WORDS_MAX];  /* into text; argv[argc] is NULL */
    char text[CTL_REQUEST_MAX]; /* the line, NUL after each word */
};
/* Pure: the request in the len bytes at in (all the client sent so far;
 * eof: it will send no more, so a line without its newline is whole).
 * Bytes after the first newline are ignored. */
enum ctl_parse ctl_request_parse(char const *in, size_t len, int eof, struct ctl_request *req);
/* Pure: what a parse result means, for the answer ("" for OK and MORE). */
char const *ctl_parse_error(enum ctl_parse p);

/* The connection table's decisions, pure. */
enum ctl_phase { CTL_FREE, CTL_READING, CTL_WRITING };
enum ctl_step { CTL_STEP_WAIT, CTL_STEP_READ, CTL_STEP_WRITE, CTL_STEP_DROP };
/* What to poll for in phase (0: nothing). */
short ctl_events(enum ctl_phase phase);
/* What to do with a connection in phase, after iopause gave revents;
 * expired: its deadline has passed. */
enum ctl_step ctl_step(enum ctl_phase phase, short revents, int expired);
/* ms from now until the soonest of the n deadlines (0 ignored; 0 when
 * past), or -1 when there is none. */
int64_t ctl_soonest(uint64_t const *deadlines, unsigned int n, uint64_t now);

/* An answer being built, bounded: overflow says it did not fit. */
struct ctl_out {
    char *buf;
    size_t size, len;
    int overflow;
};
void ctl_put(struct ctl_out *o, char const *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pure: s as a JSON string, quoted (quotes, backslashes and control bytes
 * escaped; a byte that is not UTF-8 as U+FFFD), or null for NULL. */
void ctl_put_json(struct ctl_out *o, char const *s);
/* Pure: s for a terminal, control and non-UTF-8 bytes as '?', padded with
 * blanks to width. */
void ctl_put_text(struct ctl_out *o, char const *s, unsigned int width);
/* Pure: a service's row in vinit status (with its reason after it), its
 * object in vinit status --json (first: no comma before it), its entry in
 * vinit health's list of services at fault (returns 0 when it is not). */
void ctl_status_row(struct ctl_out *o, struct supervise_info const *s, uint64_t now);
void ctl_status_json(struct ctl_out *o, struct supervise_info const *s, uint64_t now, int first);
int ctl_health_fault(struct ctl_out *o, struct supervise_info const *s, int first);

/* Where the CLI looks for PID 1's socket: $VINIT_RUNDIR, else /run/vinit,
 * else the directory of a PID 1 that runs as a user (/tmp/vinit-UID). */
char const *ctl_find_rundir(void);

/* The CLI: sends argv[1..] to the running vinit (again after a pause
 * while it answers busy), prints the answer, all within $VINIT_CTL_TIMEOUT
 * (CTL_TIMEOUT_MS by default; 0: no limit). Returns the exit code to use. */
int ctl_client(int argc, char const *const *argv, char const *rundir);

/* Pure: "1h02m", "5m02s", "12s", "850ms" for an uptime. */
void ctl_format_duration(char *buf, unsigned int len, uint64_t ms);

#endif
