# SPDX-License-Identifier: ISC
# Shared by the shell test suites: counting, assertions, and booting vinit as
# PID 1 in fresh namespaces. Source it; set TOP to the repository root first.
: "${TOP:?TOP must be set}"
VINIT=${VINIT:-$TOP/vinit}
HELPERS=$TOP/build/helpers          # compiled helpers
SCRIPTS=$TOP/tests/helpers          # script helpers
T_PASS=0 T_FAIL=0 T_NAME=""

now_ms() { echo $(($(date +%s%N) / 1000000)); }

pass() { T_PASS=$((T_PASS + 1)); echo "ok - ${T_NAME:+$T_NAME: }$*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - ${T_NAME:+$T_NAME: }$*"; }

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
# not COMMAND...: succeeds when COMMAND fails (check "..." not grep ...)
not() { ! "$@"; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}
# check_le DESCRIPTION VALUE MAX / check_ge DESCRIPTION VALUE MIN
check_le() { if [ "$2" -le "$3" ]; then pass "$1 ($2 <= $3)"; else fail "$1 ($2 > $3)"; fi; }
check_ge() { if [ "$2" -ge "$3" ]; then pass "$1 ($2 >= $3)"; else fail "$1 ($2 < $3)"; fi; }

summary() {
  echo "${1:-tests}: $T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" = 0 ]
}

# wait_for SECONDS COMMAND...: polls COMMAND every 20 ms until it succeeds.
wait_for() {
  local end=$(($(now_ms) + $1 * 1000)); shift
  until "$@"; do
    [ "$(now_ms)" -lt "$end" ] || return 1
    sleep 0.02
  done
}

note() { echo "# $*"; }

# listen [stamp]: the manager's side of sd_notify, a listener at
# $WORK/notify.sock writing each message to $WORK/notify.log (after its time
# in ns with "stamp"); unlisten stops it. fd 9 (the engines' lock) is not
# passed on.
listen() {
  : > "$WORK/notify.log"; : > "$WORK/listen.out"
  NOTIFY_STAMP=${1:+1} python3 "$SCRIPTS/notify_listen.py" "$WORK/notify.sock" "$WORK/notify.log" \
    > "$WORK/listen.out" 9>&- &
  LISTENER=$!
  wait_for 5 grep -q listening "$WORK/listen.out"
}
unlisten() { kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=""; }
# starttime PID: when PID started (field 22 of its stat, after the comm), in
# clock ticks since boot
starttime() { local s; s=$(cat /proc/"$1"/stat 2>/dev/null) && set -- ${s##*) } && echo "${20}"; }

# tree: a fresh source tree $SRC and runtime directory $WORK/run for a test
tree() { rm -rf "$SRC" "$WORK/run" "$WORK"/mark*; mkdir -p "$SRC" "$WORK/run"; }
# sboot [VINIT ARGS...]: boot with that tree (EXTRA_ENV: more variables)
sboot() { BOOT_ENV="VINIT_SERVICES_DIR=$SRC VINIT_RUNDIR=$WORK/run ${EXTRA_ENV:-}" boot "$OUT" "$@"; }

# svc NAME 'shell body' [file=value...]: a longrun in the source tree $SRC
# whose run is the body, with the files given.
svc() {
  local name=$1 body=$2; shift 2
  mkdir -p "$SRC/$name"
  printf '#!/bin/sh\n%s\n' "$body" > "$SRC/$name/run"
  chmod +x "$SRC/$name/run"
  local kv
  for kv; do printf '%s\n' "${kv#*=}" > "$SRC/$name/${kv%%=*}"; done
}

# boot OUT [VINIT ARGS...]: starts vinit as PID 1 of fresh pid, mount, uts,
# ipc and net namespaces, output in OUT, with the variables in BOOT_ENV
# ("NAME=value ..." for env(1)) added to its environment, and BOOT_WRAP
# (e.g. "setpriv --reuid=65534 ...") run in front of it. Sets BOOT_UNSHARE (unshare's pid),
# BOOT_PID (vinit's pid as seen from here: signal this one, since unshare
# ignores SIGTERM) and BOOT_T0.
boot() {
  local out=$1; shift
  BOOT_T0=$(now_ms)
  unshare --pid --fork --mount-proc --mount --uts --ipc --net --kill-child \
    env ${BOOT_ENV:-} ${BOOT_WRAP:-} "$VINIT" "$@" >"$out" 2>&1 </dev/null &
  BOOT_UNSHARE=$!
  BOOT_PID=""
  # one that never started is killed now: the next boot overwrites its pid
  wait_for 5 boot_found || { fail "vinit did not start"; kill -9 "$BOOT_UNSHARE" 2>/dev/null; wait "$BOOT_UNSHARE" 2>/dev/null; return 1; }
}
boot_found() {
  BOOT_PID=$(cat /proc/"$BOOT_UNSHARE"/task/"$BOOT_UNSHARE"/children 2>/dev/null | awk '{print $1}')
  # found, or already gone (a usage error exits at once): boot_wait tells
  [ -n "$BOOT_PID" ] || ! kill -0 "$BOOT_UNSHARE" 2>/dev/null || \
    [ "$(awk '{print $3}' /proc/"$BOOT_UNSHARE"/stat 2>/dev/null)" = Z ]
}

# boot_wait: waits for the booted vinit to exit; sets BOOT_CODE and BOOT_MS
# (from the call of boot_signal, or of boot when none was sent).
boot_wait() {
  local t0=${BOOT_SIG_T0:-$BOOT_T0}
  wait "$BOOT_UNSHARE"; BOOT_CODE=$?
  BOOT_MS=$(($(now_ms) - t0))
  BOOT_SIG_T0=""
}
# boot_signal SIG: sends SIG to the booted vinit, once it takes SIG: the
# init of a pid namespace gets from outside only the signals it catches or
# blocks (for its signalfd); one sent earlier would be lost
boot_signal() {
  wait_for 5 takes "$BOOT_PID" "$1"
  BOOT_SIG_T0=$(now_ms); kill -s "$1" "$BOOT_PID"
}
# takes PID SIG: process PID catches SIG or blocks it (to read it from a
# signalfd), so SIG sent now reaches it
takes() {
  local n blk cgt
  n=$(kill -l "$2" 2>/dev/null) || return 1
  blk=$(awk '$1 == "SigBlk:" {print $2}' /proc/"$1"/status 2>/dev/null)
  cgt=$(awk '$1 == "SigCgt:" {print $2}' /proc/"$1"/status 2>/dev/null)
  [ -n "$blk" ] && [ -n "$cgt" ] && [ $(((0x$blk | 0x$cgt) >> (n - 1) & 1)) = 1 ]
}

# in_boot COMMAND...: runs COMMAND inside the booted namespaces.
in_boot() { nsenter -t "$BOOT_PID" -p -m -n -u -i -- "$@"; }

# Kills what a failed test may have left: call from an EXIT trap.
boot_cleanup() {
  [ -n "${BOOT_UNSHARE:-}" ] && kill -9 "$BOOT_UNSHARE" 2>/dev/null
  [ -n "${BOOT_PID:-}" ] && kill -9 "$BOOT_PID" 2>/dev/null
  return 0
}
