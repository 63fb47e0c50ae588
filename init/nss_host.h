/* SPDX-License-Identifier: ISC */
/* nss_host: the entry points of libnss_vinit.so.2, glibc's "vinit" source
 * of the passwd and group databases (nss_host.c). */
#ifndef VINIT_NSS_HOST_H
#define VINIT_NSS_HOST_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

enum nss_status _nss_vinit_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
                                      int *errnop);
enum nss_status _nss_vinit_getpwnam_r(char const *name, struct passwd *pw, char *buf, size_t len,
                                      int *errnop);
enum nss_status _nss_vinit_setpwent(int stayopen);
enum nss_status _nss_vinit_getpwent_r(struct passwd *pw, char *buf, size_t len, int *errnop);
enum nss_status _nss_vinit_endpwent(void);

enum nss_status _nss_vinit_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
                                      int *errnop);
enum nss_status _nss_vinit_getgrnam_r(char const *name, struct group *gr, char *buf, size_t len,
                                      int *errnop);
enum nss_status _nss_vinit_setgrent(int stayopen);
enum nss_status _nss_vinit_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop);
enum nss_status _nss_vinit_endgrent(void);

#endif
