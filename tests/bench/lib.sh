# SPDX-License-Identifier: ISC
# What the container benchmarks (tests/bench/services, tests/bench/libvirt)
# share: the READY=1 listener, the wait for a container to be gone, and the
# arithmetic of their tables. Sourced after tests/lib.sh, with $WORK set.

# listen: a notify socket at $WORK/notify.sock that logs each message with
# its time to $WORK/notify.log (the manager's side of sd_notify)
listen() {
  rm -f "$WORK/notify.log"
  NOTIFY_STAMP=1 python3 "$SCRIPTS/notify_listen.py" "$WORK/notify.sock" "$WORK/notify.log" > "$WORK/listen.out" &
  LISTENER=$!
  wait_for 5 grep -q listening "$WORK/listen.out"
}

# gone_after T0 LIMIT PID...: ms from T0 (date +%s%N) until none of the
# PIDs lives (zombies count as gone); "-", and SIGKILL for them, when some
# still live LIMIT seconds after T0
gone_after() {
  local t0=$1 limit=$2 p alive; shift 2
  local end=$((t0 + limit * 1000000000))
  while :; do
    alive=""
    for p; do kill -0 "$p" 2>/dev/null && [ "$(awk '{print $3}' /proc/"$p"/stat 2>/dev/null)" != Z ] && alive="$alive $p"; done
    [ -z "$alive" ] && { echo $((($(date +%s%N) - t0) / 1000000)); return; }
    [ "$(date +%s%N)" -lt "$end" ] || { kill -9 $alive 2>/dev/null; echo "-"; return; }
    sleep 0.005
  done
}

# descendants PID: every process under PID, depth first
descendants() {
  local c
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done
}

# median: of the numbers on stdin (spaces or lines); "-" entries are runs
# that gave no number; "-" when none did
median() { tr ' ' '\n' | grep -v '^-$' | grep . | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }

# ratio A B: A/B with two decimals, or "-" when either is missing or B is 0
ratio() { case "$1$2" in *-*|"") echo "-" ;; *) awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}' ;; esac; }
