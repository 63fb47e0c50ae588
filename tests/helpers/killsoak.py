#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# killsoak.py PID SEED KILLS MAX_GAP_MS [MAX_S]: sends SIGKILL, KILLS times
# (or for MAX_S seconds, whichever ends first), to a process picked at
# random among those of PID's pid namespace other than PID itself
# (supervisors, daemons, loggers, oneshots, vinit's runners: whatever runs
# at that moment), waiting a random 0 to MAX_GAP_MS ms between two. While
# nothing runs but PID (everything held in a restart back-off) it waits.
# The same SEED makes the same choices from the same process lists, so a
# failing run can be replayed. Prints one line per kill (its command line)
# and a count by kind at the end.
import os
import random
import signal
import sys
import time


def ns_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def kind(pid, cmd):
    """what the victim was, for the count: vinit's runner is the live
    directory's run, a link to vinit"""
    try:
        exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        exe = ""
    for k in ("s6-supervise", "s6-log", "vinit"):
        if exe == k or cmd.split(" ")[0].endswith(k):
            return k
    return "other"


def main():
    pid1, seed, kills, gap = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    end = time.monotonic() + (float(sys.argv[5]) if len(sys.argv) > 5 else float("inf"))
    rng = random.Random(seed)
    ns = ns_of(pid1)
    counts = {}
    done = 0
    while done < kills and time.monotonic() < end and ns and ns_of(pid1) == ns:
        # the namespace's processes in pid order: the list a replay sees
        procs = []
        for d in os.listdir("/proc"):
            if d.isdigit() and int(d) != pid1 and ns_of(d) == ns:
                procs.append(int(d))
        if procs:
            victim = rng.choice(sorted(procs))
            cmd, k = cmdline(victim), kind(victim, cmdline(victim))
            try:
                os.kill(victim, signal.SIGKILL)
                done += 1
                counts[k] = counts.get(k, 0) + 1
                print(f"kill {victim} {cmd}", flush=True)
            except ProcessLookupError:
                pass
        time.sleep(rng.uniform(0, gap) / 1000)
    print("killed " + " ".join(f"{k}={v}" for k, v in sorted(counts.items())) + f" total={done}",
          flush=True)


main()
