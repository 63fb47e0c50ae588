#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""notify_listen SOCKET OUT: plays the container manager's side of sd_notify.
Binds a datagram socket at SOCKET and appends each message received to OUT,
one per line, until killed. Prints "listening" on stdout once bound. With
NOTIFY_STAMP=1 in the environment each line starts with the wall-clock time
of its arrival in nanoseconds (as date +%s%N), for the benchmarks."""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("listening", flush=True)
while True:
    msg = s.recv(4096).decode(errors="replace")
    stamp = "%d " % time.time_ns() if os.environ.get("NOTIFY_STAMP") else ""
    with open(out, "a") as f:
        f.write(stamp + msg.strip().replace("\n", " ") + "\n")
