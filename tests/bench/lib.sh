# SPDX-License-Identifier: ISC
# What the container benchmarks (tests/bench/services, tests/bench/libvirt)
# share: the stop clock and the arithmetic of their tables. Sourced after
# tests/lib.sh (whose `listen stamp` is their READY=1 listener), with $WORK
# set.

# gone_arm LIMIT PID...: starts the stop clock on PIDs (tests/helpers/gone.py),
# before the stop signal is sent. gone_wait T0: sets GONE_MS to the ms from
# T0 (date +%s%N) until none of them lived (zombies count as gone); "-",
# and SIGKILL for them, when some still lived LIMIT seconds after arming
gone_arm() {
  local limit=$1; shift
  python3 "$SCRIPTS/gone.py" "$limit" "$@" > "$WORK/gone.out" &
  GONE=$!
  wait_for 10 grep -q armed "$WORK/gone.out"
}
gone_wait() {
  wait "$GONE"; GONE=""
  local t; t=$(sed -n 2p "$WORK/gone.out")
  case $t in ''|-) GONE_MS="-" ;; *) GONE_MS=$(((t - $1) / 1000000)) ;; esac
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
