#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# gone.py LIMIT PID...: the benchmarks' stop clock. Opens a pidfd for each
# PID, prints "armed", then waits until every one has exited (a zombie
# counts as gone) and prints the time of the last exit seen, in ns of
# CLOCK_REALTIME (as `date +%s%N`); "-" when some still live LIMIT seconds
# after arming, and those get SIGKILL. A PID already gone at arming counts
# as gone then. pidfds wake the waiter at each exit, so the time is within a
# scheduling delay of the exit, not a polling period.
import os
import select
import signal
import sys
import time

limit = float(sys.argv[1])
fds = {}
for arg in sys.argv[2:]:
    try:
        fds[os.pidfd_open(int(arg))] = int(arg)
    except ProcessLookupError:
        pass
print("armed", flush=True)
end = time.monotonic() + limit
last = time.time_ns()
poller = select.poll()
for fd in fds:
    poller.register(fd, select.POLLIN)
while fds:
    left = end - time.monotonic()
    if left <= 0:
        for fd, pid in fds.items():
            try:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            except ProcessLookupError:
                pass
        print("-", flush=True)
        sys.exit(0)
    for fd, _ in poller.poll(left * 1000):
        last = time.time_ns()
        poller.unregister(fd)
        os.close(fd)
        del fds[fd]
print(last, flush=True)
