#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""pty_run [--expect TEXT --send TEXT]... -- COMMAND...: runs COMMAND as the
session leader of a new pseudo-terminal, as `docker run -it` does, waits for
each TEXT in its output and then types the text that follows it (escapes
like \\n and \\x03 for ctrl-C are understood). Prints the transcript and
exits with COMMAND's exit code; 124 on a 20 s timeout."""
import os
import pty
import select
import sys
import time

args = sys.argv[1:]
steps = []
while args and args[0] != "--":
    flag, value = args[0], args[1].encode().decode("unicode_escape")
    args = args[2:]
    if flag == "--expect":
        steps.append(["expect", value, None])
    elif flag == "--send":
        steps[-1][2] = value
command = args[1:]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

seen = b""
deadline = time.time() + 20
while True:
    if steps and steps[0][1].encode() in seen:
        _, text, reply = steps.pop(0)
        seen = seen.split(text.encode(), 1)[1]
        if reply is not None:
            os.write(fd, reply.encode())
    timeout = deadline - time.time()
    if timeout <= 0:
        os.kill(pid, 9)
        sys.stdout.write("pty_run: timeout\n")
        sys.exit(124)
    r, _, _ = select.select([fd], [], [], min(timeout, 0.5))
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        sys.stdout.write(data.decode(errors="replace"))
        sys.stdout.flush()
        seen += data
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
