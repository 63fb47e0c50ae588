/* SPDX-License-Identifier: ISC */
/* caps: per-service privileges. Ambient capabilities are what lets a daemon
 * run as a plain user and still, say, bind port 22 or manage a bridge:
 * without them every capability is lost at exec. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cap-ng.h>

#include "caps.h"

static int fail(char const **what, char const *step)
{
    *what = step;
    return -1;
}

int caps_ids(char const *user, uid_t *uid, gid_t *gid, char const **missing)
{
    char name[72];
    snprintf(name, sizeof name, "%s", user);
    char *colon = strchr(name, ':');
    if (colon)
        *colon = 0;
    struct passwd *pw = getpwnam(name);
    if (!pw)
        return *missing = "user", errno = ENOENT, -1;
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    if (colon) {
        struct group *gr = getgrnam(colon + 1);
        if (!gr)
            return *missing = "group", errno = ENOENT, -1;
        *gid = gr->gr_gid;
    }
    return 0;
}

static int resolve(char const *user, uid_t *uid, gid_t *gid, char const **what)
{
    char const *missing;
    if (caps_ids(user, uid, gid, &missing) < 0)
        return fail(what, *missing == 'u' ? "find the user" : "find the group");
    /* supplementary groups from /etc/group, as a login would have them:
     * libvirt-qemu needs kvm's */
    struct passwd *pw = getpwuid(*uid);
    if (!pw || initgroups(pw->pw_name, *gid) < 0)
        return fail(what, "set supplementary groups");
    return 0;
}

int caps_apply(char const *user, int const *caps, int ncaps, char const **what)
{
    uid_t uid = 0;
    gid_t gid = 0;
    if (user[0] && resolve(user, &uid, &gid, what) < 0)
        return -1;
    if (ncaps < 0 && !user[0])
        return 0;
    capng_get_caps_process();
    if (ncaps < 0)
        capng_clear(CAPNG_SELECT_CAPS); /* a user without a list gets none, as su gives */
    else {
        capng_clear(CAPNG_SELECT_ALL);
        for (int i = 0; i < ncaps; i++)
            if (capng_update(CAPNG_ADD,
                             CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
                                 CAPNG_BOUNDING_SET | CAPNG_AMBIENT,
                             (unsigned int) caps[i]) < 0)
                return errno = EINVAL, fail(what, "select the capabilities");
    }
    if (user[0]) {
        /* keeps the selected sets across the uid change; the groups set
         * above stay (no CAPNG_DROP_SUPP_GRP) */
        if (capng_change_id((int) uid, (int) gid, ncaps >= 0 ? CAPNG_CLEAR_BOUNDING : 0) < 0)
            return errno = EPERM, fail(what, "change to the user");
        /* ambient ones can only be raised once the uid is the user's */
        if (ncaps > 0 && capng_apply(CAPNG_SELECT_AMBIENT) < 0)
            return errno = EPERM, fail(what, "raise the ambient capabilities");
        return 0;
    }
    if (capng_apply(CAPNG_SELECT_ALL) < 0)
        return errno = EPERM, fail(what, "apply the capabilities");
    return 0;
}
