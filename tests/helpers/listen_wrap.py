#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# listen_wrap.py PATH NAME COMMAND...: what a socket-activating manager
# (systemd's .socket, podman's --preserve-fds) does: binds a unix socket at
# PATH as fd 3, sets LISTEN_FDS=1, LISTEN_PID (the pid COMMAND will have:
# ours, since we exec it) and LISTEN_FDNAMES=NAME, then execs COMMAND.
import os
import socket
import sys

path, name, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES=name)
os.execvp(argv[0], argv)
