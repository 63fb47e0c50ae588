#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# A socket-activated echo daemon for the tests: takes LISTEN_FDS sockets
# (sd_listen_fds(3)), writes "LISTEN_PID=... pid=... names=..." to stdout,
# waits ECHO_DELAY seconds (default 1) before it accepts, then echoes one
# read back on each connection; when it accepts, it sends READY=1 to
# $NOTIFY_SOCKET if there is one, and appends "NAME-accepting NS" to
# $ECHO_MARK if set (NAME: $ECHO_NAME, "echo"). Without LISTEN_FDS for its
# pid it exits 3.
import os
import socket
import sys
import threading
import time

if os.environ.get("LISTEN_PID") != str(os.getpid()):
    print("echo: not socket-activated: LISTEN_PID=%s pid=%d"
          % (os.environ.get("LISTEN_PID"), os.getpid()), flush=True)
    sys.exit(3)
n = int(os.environ.get("LISTEN_FDS", "0"))
print("echo: LISTEN_PID=%s pid=%d n=%d names=%s"
      % (os.environ["LISTEN_PID"], os.getpid(), n, os.environ.get("LISTEN_FDNAMES")), flush=True)
time.sleep(float(os.environ.get("ECHO_DELAY", "1")))


def serve(fd):
    s = socket.socket(fileno=fd)
    s.setblocking(True)
    while True:
        c, _ = s.accept()
        try:
            c.sendall(c.recv(100))
        finally:
            c.close()


for k in range(n):
    threading.Thread(target=serve, args=(3 + k,), daemon=True).start()
print("echo: accepting", flush=True)
if os.environ.get("ECHO_MARK"):
    with open(os.environ["ECHO_MARK"], "a") as f:
        f.write("%s-accepting %d\n" % (os.environ.get("ECHO_NAME", "echo"), time.time_ns()))
if os.environ.get("NOTIFY_SOCKET"):
    socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
while True:
    time.sleep(100)
