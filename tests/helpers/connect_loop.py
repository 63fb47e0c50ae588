#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# connect_loop.py PATH SECONDS OUT: connects to the unix socket PATH again
# and again for SECONDS, sends "ping" and waits for the echo (up to 60 s);
# writes to OUT the number of connects made, refused (ECONNREFUSED, ENOENT)
# and echoed: "connects N refused R echoed E".
import socket
import sys
import time

path, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
end = time.time() + secs
n = refused = echoed = 0
while time.time() < end:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    n += 1
    try:
        s.connect(path)
    except (ConnectionRefusedError, FileNotFoundError):
        refused += 1
        s.close()
        time.sleep(0.01)
        continue
    try:
        s.sendall(b"ping")
        if s.recv(10) == b"ping":
            echoed += 1
    except OSError:
        pass
    s.close()
    time.sleep(0.01)
with open(out, "w") as f:
    f.write("connects %d refused %d echoed %d\n" % (n, refused, echoed))
