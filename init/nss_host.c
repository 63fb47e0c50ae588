/* SPDX-License-Identifier: ISC */
/* nss_host: libnss_vinit.so.2, glibc's "vinit" source of the passwd and
 * group databases, for the host's users who reach libvirtd through its
 * socket in a volume. libvirtd takes its client's uid and gid (SO_PEERCRED)
 * and looks both up in the container's own user database; a host user the
 * image has no account for was refused ("Failed to find user record for
 * uid"). Placed after "files" in /etc/nsswitch.conf, this source answers a
 * lookup by id that nothing before it answered with a synthetic entry:
 * user host-UID (gid the same number, no password, home "/", shell
 * nologin), group host-GID without members; host-N by name gives the same
 * entry back. Never for 0, nor for nobody (65534) and the two ids that mean
 * "no id" ((uid_t) -1, and 65535, its 16-bit form). It lists nothing:
 * enumeration (getent passwd) shows the real users only.
 *
 * It answers in libvirt's daemons only (libvirtd, virtqemud, virtproxyd...:
 * "libvirtd" and virt*d by program name), or in a process whose environment
 * says VINIT_NSS_HOST=1 (VINIT_NSS_HOST=0 silences it in the daemons too);
 * everywhere else it finds nothing. An answer for every id would tell the
 * tools that choose a free id (useradd, groupadd, adduser, a package's
 * postinst) that every id is taken: useradd without -u then fails with
 * "Can't get unique UID", as would the image's samba-config, and
 * libvirt-config would see /dev/kvm's unknown group as host-GID, which
 * usermod cannot join.
 *
 * Loaded by glibc into any process of the image that looks up a user: no
 * allocation, no I/O, no state, every string in the caller's buffer; a
 * buffer too small is ERANGE with NSS_STATUS_TRYAGAIN, as glibc's callers
 * expect (they grow it and ask again). */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nss_host.h"

/* the entry points: the only names the shared object exports */
#define EXPORT __attribute__((visibility("default")))

#define PREFIX   "host-"
#define GECOS    "host user "
#define PASSWORD "*"
#define HOME     "/"
#define SHELL    "/usr/sbin/nologin"
#define DIGITS   10 /* of the largest uid_t */

_Static_assert(sizeof(uid_t) == 4 && sizeof(gid_t) == 4, "uid_t and gid_t are 32 bits");

/* libvirt's daemons: libvirtd, or virt...d (virtqemud, virtproxyd, the
 * other modular daemons; also virtlogd and virtiofsd, which are harmless) */
static int libvirt_daemon(char const *prog)
{
    size_t n = prog ? strlen(prog) : 0;
    if (n && !strcmp(prog, "libvirtd"))
        return 1;
    return n > 5 && !strncmp(prog, "virt", 4) && prog[n - 1] == 'd';
}

/* whether this process sees the made-up entries: the environment first
 * (secure_getenv: never a set-user-id program's caller's word), then the
 * program's name as glibc took it from argv[0] */
static int answering(void)
{
    char const *e = secure_getenv("VINIT_NSS_HOST");
    if (e && !strcmp(e, "1"))
        return 1;
    if (e && !strcmp(e, "0"))
        return 0;
    return libvirt_daemon(program_invocation_short_name);
}

/* whether the id may get a made-up entry */
static int synthetic(uid_t id)
{
    return id != 0 && id != 65534 && id != 65535 && id != (uid_t) -1 && answering();
}

/* host-N (N decimal, no sign, no leading zero, within uid_t) and a
 * synthetic id: *id = N */
static int parse(char const *name, uid_t *id)
{
    if (strncmp(name, PREFIX, sizeof PREFIX - 1))
        return 0;
    char const *p = name + sizeof PREFIX - 1;
    if (*p < '1' || *p > '9')
        return 0;
    uid_t n = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        unsigned int d = (unsigned int) (*p - '0');
        if (n > ((uid_t) -1 - d) / 10)
            return 0;
        n = n * 10 + d;
    }
    if (!synthetic(n))
        return 0;
    *id = n;
    return 1;
}

/* id in decimal into d (DIGITS + 1 bytes); its length */
static size_t decimal(char *d, uid_t id)
{
    char rev[DIGITS];
    size_t n = 0;
    do
        rev[n++] = (char) ('0' + id % 10);
    while (id /= 10);
    for (size_t i = 0; i < n; i++)
        d[i] = rev[n - 1 - i];
    d[n] = 0;
    return n;
}

/* a and then b, terminated, at *p, which moves past them; where they went */
static char *put(char **p, char const *a, char const *b)
{
    char *at = *p;
    size_t na = strlen(a), nb = strlen(b);
    memcpy(at, a, na);
    memcpy(at + na, b, nb + 1);
    *p = at + na + nb + 1;
    return at;
}

static enum nss_status notfound(int *errnop)
{
    *errnop = ENOENT;
    return NSS_STATUS_NOTFOUND;
}

/* the caller grows its buffer and calls again */
static enum nss_status erange(int *errnop)
{
    *errnop = ERANGE;
    return NSS_STATUS_TRYAGAIN;
}

static enum nss_status fill_pw(uid_t id, struct passwd *pw, char *buf, size_t len, int *errnop)
{
    char num[DIGITS + 1];
    size_t n = decimal(num, id);
    /* each sizeof counts the string's terminator */
    size_t need =
        sizeof PREFIX + n + sizeof PASSWORD + sizeof GECOS + n + sizeof HOME + sizeof SHELL;
    if (len < need)
        return erange(errnop);
    char *p = buf;
    pw->pw_name = put(&p, PREFIX, num);
    pw->pw_passwd = put(&p, PASSWORD, "");
    pw->pw_uid = id;
    pw->pw_gid = (gid_t) id;
    pw->pw_gecos = put(&p, GECOS, num);
    pw->pw_dir = put(&p, HOME, "");
    pw->pw_shell = put(&p, SHELL, "");
    return NSS_STATUS_SUCCESS;
}

static enum nss_status fill_gr(gid_t id, struct group *gr, char *buf, size_t len, int *errnop)
{
    char num[DIGITS + 1];
    size_t n = decimal(num, (uid_t) id);
    /* the member list, one NULL, goes first, at a pointer's alignment */
    size_t pad = (alignof(char *) - (uintptr_t) buf % alignof(char *)) % alignof(char *);
    size_t need = pad + sizeof(char *) + sizeof PREFIX + n + sizeof PASSWORD;
    if (len < need)
        return erange(errnop);
    char **mem = (char **) (void *) (buf + pad);
    mem[0] = NULL;
    char *p = buf + pad + sizeof(char *);
    gr->gr_name = put(&p, PREFIX, num);
    gr->gr_passwd = put(&p, PASSWORD, "");
    gr->gr_gid = id;
    gr->gr_mem = mem;
    return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status _nss_vinit_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
                                             int *errnop)
{
    if (!synthetic(uid))
        return notfound(errnop);
    return fill_pw(uid, pw, buf, len, errnop);
}

EXPORT enum nss_status _nss_vinit_getpwnam_r(char const *name, struct passwd *pw, char *buf,
                                             size_t len, int *errnop)
{
    uid_t id;
    if (!parse(name, &id))
        return notfound(errnop);
    return fill_pw(id, pw, buf, len, errnop);
}

EXPORT enum nss_status _nss_vinit_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
                                             int *errnop)
{
    if (!synthetic((uid_t) gid))
        return notfound(errnop);
    return fill_gr(gid, gr, buf, len, errnop);
}

EXPORT enum nss_status _nss_vinit_getgrnam_r(char const *name, struct group *gr, char *buf,
                                             size_t len, int *errnop)
{
    uid_t id;
    if (!parse(name, &id))
        return notfound(errnop);
    return fill_gr((gid_t) id, gr, buf, len, errnop);
}

/* Enumeration lists nothing: the made-up entries are not users of the
 * image, and there are four billion of them. */
EXPORT enum nss_status _nss_vinit_setpwent(int stayopen)
{
    return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status _nss_vinit_getpwent_r(struct passwd *pw, char *buf, size_t len, int *errnop)
{
    return notfound(errnop);
}

EXPORT enum nss_status _nss_vinit_endpwent(void)
{
    return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status _nss_vinit_setgrent(int stayopen)
{
    return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status _nss_vinit_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop)
{
    return notfound(errnop);
}

EXPORT enum nss_status _nss_vinit_endgrent(void)
{
    return NSS_STATUS_SUCCESS;
}
