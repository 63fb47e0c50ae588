/* SPDX-License-Identifier: ISC */
/* sdnotify MESSAGE [PROGRAM ARG...]: sends MESSAGE ("READY=1") to
 * $NOTIFY_SOCKET, as systemd-notify does, without systemd; then, when a
 * PROGRAM is given, execs it, so that a run script's `exec sdnotify
 * READY=1 daemon` says it from the service's main process (vinit takes
 * READY=1 from that one only, unless notify-access says all). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char const *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (argc < 2 || !path || strlen(path) >= sizeof a.sun_path)
        return fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sdnotify MESSAGE [PROGRAM ARG...]\n"),
               100;
    strcpy(a.sun_path, path);
    if (a.sun_path[0] == '@')
        a.sun_path[0] = 0;
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ssize_t r = sendto(s, argv[1], strlen(argv[1]), 0, (struct sockaddr *) &a,
                       (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path)));
    if (r < 0)
        return perror("sdnotify"), 111;
    if (argc > 2) {
        execvp(argv[2], argv + 2);
        return perror("sdnotify: exec"), 127;
    }
    return 0;
}
