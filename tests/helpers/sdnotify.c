/* SPDX-License-Identifier: ISC */
/* sdnotify MESSAGE: sends MESSAGE ("READY=1") to $NOTIFY_SOCKET, as
 * systemd-notify does, without systemd. For the benchmarks. */
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
        return fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sdnotify MESSAGE\n"), 100;
    strcpy(a.sun_path, path);
    if (a.sun_path[0] == '@')
        a.sun_path[0] = 0;
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    ssize_t r = sendto(s, argv[1], strlen(argv[1]), 0, (struct sockaddr *) &a,
                       (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path)));
    return r < 0 ? (perror("sdnotify"), 111) : 0;
}
