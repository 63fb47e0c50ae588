#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# connect_poll.py: a client of a unix socket that only connects, for the
# benchmarks (tests/bench/libvirt). Each attempt is a new socket and one
# non-blocking connect(), closed at once: "accepted" means the kernel queued
# the connection on a listening socket (whoever accepts it later), "refused"
# ECONNREFUSED (a socket file nobody listens on) or ENOENT (no file), "busy"
# EAGAIN (the listener's backlog is full: a blocking client would wait).
# Attempts are INTERVAL ms apart, not a busy loop: on two cores a spinning
# client would take the CPU from the daemons it times.
#
#   connect_poll.py first PATH LIMIT INTERVAL
#       prints "armed", then the time of the first accepted connect in ns of
#       CLOCK_REALTIME (as `date +%s%N`); "-" when none within LIMIT seconds
#   connect_poll.py count PATH SECONDS INTERVAL
#       prints "armed", then after SECONDS:
#       "connects N accepted A refused R busy B refused_ms M other O"
#       (M: the time from each first refused connect of a run of them to the
#       next accepted one, summed; to the end when none came)
import errno
import socket
import sys
import time


def attempt(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
        return "accepted"
    except (ConnectionRefusedError, FileNotFoundError):
        return "refused"
    except BlockingIOError:
        return "busy"
    except OSError as e:
        return "busy" if e.errno == errno.EAGAIN else "other"
    finally:
        s.close()


def first(path, limit, interval):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if attempt(path) == "accepted":
            return str(time.time_ns())
        time.sleep(interval)
    return "-"


def count(path, secs, interval):
    n = {"accepted": 0, "refused": 0, "busy": 0, "other": 0}
    end = time.monotonic() + secs
    refused_ns = 0
    since = None  # when the current run of refused connects began
    while time.monotonic() < end:
        r = attempt(path)
        now = time.monotonic_ns()
        n[r] += 1
        if r == "refused" and since is None:
            since = now
        elif r == "accepted" and since is not None:
            refused_ns += now - since
            since = None
        time.sleep(interval)
    if since is not None:
        refused_ns += time.monotonic_ns() - since
    return "connects %d accepted %d refused %d busy %d refused_ms %d other %d" % (
        sum(n.values()), n["accepted"], n["refused"], n["busy"],
        refused_ns // 1000000, n["other"])


def main():
    mode, path, secs, interval = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) / 1000
    print("armed", flush=True)
    print(first(path, secs, interval) if mode == "first" else count(path, secs, interval), flush=True)


main()
