# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# The container engines as the system suites use them (tests/system/run,
# tests/system/image-modes): podman with runc and cgroupfs on its own storage,
# Docker's engine as a dockerd of our own, the local Debian bases imported
# under their usual names, and the bookkeeping that proves nothing is left:
# every container's PID 1 tracked, processes and mounts naming the suite's
# directories. Source it after tests/lib.sh with WORK set (the suite's own
# temporary directory), then call engines_init; engines_cleanup belongs in
# the suite's EXIT trap.
#
# STATE (/var/lib/vinit-tests: the engines' image storage) is a cache and
# stays; RUNS (/run/vinit-tests: their runtime state) is removed. One suite
# at a time holds STATE/lock: the storage and runtime paths are shared.
STATE=/var/lib/vinit-tests
RUNS=/run/vinit-tests
LISTENER="" DOCKERD="" TRACKED=""
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf
export DOCKER_HOST=unix://$RUNS/docker.sock
# Debian's docker.io client speaks the engine's own API version (a newer
# docker elsewhere in PATH only nags about the classic builder)
DOCKER_CLI=/usr/bin/docker
[ -x "$DOCKER_CLI" ] || DOCKER_CLI=$(command -v docker)
docker() { "$DOCKER_CLI" "$@"; }
since() { echo $(($(now_ms) - $1)); }

# engines_init NAME: podman's configuration as MACHINE-NOTES.md says (runc:
# crun refuses hybrid cgroups; the hard nofile limit cannot be raised here)
# with its own storage, written first: even cleanup must never touch the
# system's default storage. Then the lock (15 min at most) and RUNS.
engines_init() {
  cat > "$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat > "$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
graphroot = "$STATE/podman"
runroot = "$RUNS/podman"
CONF
  mkdir -p "$STATE"
  exec 9>>"$STATE/lock"
  flock -w 900 9 || { echo "$1: another run holds $STATE/lock"; return 1; }
  mkdir -p "$RUNS"
}

# suite_procs: processes whose command line names a directory of this suite
# (engines, shims, conmon, nspawn, the listener). One grep over every
# cmdline (its patterns come through a pipe, or it would find itself).
suite_procs() {
  grep -lsF -f <(printf '%s\n' "$WORK" "$RUNS" "$STATE") /proc/[0-9]*/cmdline |
    awk -F/ -v a=$$ '$3 != a {print $3}'
}
# track PID: remembers a container's PID 1 (pid and start time: pids are
# reused). When a pid namespace's PID 1 dies the kernel kills everything
# else in it, so "no tracked PID 1 alive" is "no container process left".
track() {
  local t; t=$(starttime "$1") || { note "no process $1 to track"; return; }
  TRACKED="$TRACKED $1:$t"
}
# tracked_procs: the tracked PID 1s still alive
tracked_procs() {
  local e
  for e in $TRACKED; do
    [ "$(starttime "${e%:*}")" = "${e#*:}" ] && alive "${e%:*}" && echo "${e%:*}"
  done
}
# alive PID: PID runs (a zombie is dead)
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)" != Z ]; }
suite_mounts() {
  awk -v a="$STATE" -v b="$RUNS" -v c="$WORK" \
    'index($5, a) == 1 || index($5, b) == 1 || index($5, c) == 1 {print $5}' /proc/self/mountinfo
}

# engines_cleanup: every container, dockerd, the listener, what is tracked,
# the mounts, RUNS and WORK. Safe to call twice.
engines_cleanup() {
  podman ps -aq 2>/dev/null | xargs -r podman rm -f -v -t 0 >/dev/null 2>&1
  podman pod ps -q 2>/dev/null | xargs -r podman pod rm -f -t 0 >/dev/null 2>&1
  if [ -n "$DOCKERD" ]; then
    docker ps -aq | xargs -r "$DOCKER_CLI" rm -f -v >/dev/null 2>&1
    kill "$DOCKERD" 2>/dev/null; bounded_wait "$DOCKERD" 20
    DOCKERD=""
  fi
  [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
  local p
  for p in $(tracked_procs) $(suite_procs); do kill -9 "$p" 2>/dev/null; done
  # whatever an engine left mounted under its state or runtime directories
  suite_mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$WORK" "$RUNS"
}

# bounded_wait PID SECONDS: waits for the background job PID, SIGKILLs it
# after SECONDS (a hang is a failure, not a stuck suite); sets WAIT_CODE.
bounded_wait() {
  local end=$(($(now_ms) + $2 * 1000))
  while alive "$1"; do
    [ "$(now_ms)" -lt "$end" ] || { note "pid $1 still there after $2 s: SIGKILL"; kill -9 "$1"; break; }
    sleep 0.02
  done
  wait "$1"; WAIT_CODE=$?
}


# timed_stop CMD...: runs the stop command, sets STOP_MS
timed_stop() { local t0; t0=$(now_ms); "$@" >/dev/null 2>&1; STOP_MS=$(($(now_ms) - t0)); }
# container_pid1 PID: nspawn's child in another pid namespace: the
# container's PID 1 as seen from here (vinit, or whatever /init is)
container_pid1() {
  local c self; self=$(readlink /proc/self/ns/pid)
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    [ "$(readlink /proc/"$c"/ns/pid 2>/dev/null)" != "$self" ] && { echo "$c"; return; }
  done
  return 1
}
# pid1_ready ENGINE NAME [SIG]: the container's PID 1 takes SIG (SIGTERM)
# and has started a child (its main command or supervisor): a stop sent now
# is one it acts on
pid1_ready() {
  local p; p=$("$1" inspect -f '{{.State.Pid}}' "$2" 2>/dev/null)
  [ "${p:-0}" -gt 0 ] && takes "$p" "${3:-TERM}" && [ -n "$(cat /proc/"$p"/task/*/children 2>/dev/null)" ]
}

# base_libvirt: the libvirt variant of the cached base (LBASE, its cache key
# LBASE_KEY). It is debian:bookworm-slim in both engines, so that
# rootfs/Dockerfile builds unchanged (the smoke image is happy on it too).
base_libvirt() {
  LBASE=$("$TOP/tests/system/base-rootfs" libvirt) || return 1
  LBASE_KEY=$(basename "$LBASE" .tar)
}

# podman_base: podman's debian:bookworm-slim is LBASE (imported when it is
# not, or another base is); containers, pods and volumes an interrupted run
# left are removed.
podman_base() {
  podman ps -aq | xargs -r podman rm -f -v -t 0 >/dev/null 2>&1
  podman pod ps -q | xargs -r podman pod rm -f -t 0 >/dev/null 2>&1
  podman volume prune -f >/dev/null 2>&1
  local t0; t0=$(now_ms)
  if [ "$(podman image inspect -f '{{index .Labels "vinit.base"}}' \
          docker.io/library/debian:bookworm-slim 2>/dev/null)" != "$LBASE_KEY" ]; then
    podman import -q -c "LABEL vinit.base=$LBASE_KEY" "$LBASE" \
      docker.io/library/debian:bookworm-slim >/dev/null || return 1
    note "podman: imported $LBASE_KEY as debian:bookworm-slim in $(since "$t0") ms"
  fi
}

# prun NAME ARGS...: podman run -d --name NAME ARGS..., tracking its PID 1.
# podman's complaint that no systemd runs its health check timers goes to
# WORK/podman.err (the tests run the health checks themselves).
prun() {
  local name=$1; shift
  podman run -d --name "$name" --network none "$@" >/dev/null 2>"$WORK/podman.err" ||
    { cat "$WORK/podman.err"; return 1; }
  track "$(podman inspect -f '{{.State.Pid}}' "$name")"
}
pcode() { podman inspect -f '{{.State.ExitCode}}' "$1"; }

# dockerd_start: our own dockerd (no iptables, no bridge) on RUNS/docker.sock,
# its data root in STATE; docker's debian:bookworm-slim is LBASE.
dockerd_start() {
  local t0; t0=$(now_ms)
  dockerd --iptables=false --ip-masq=false --bridge=none --data-root "$STATE/docker" \
    --exec-root "$RUNS/docker-exec" --pidfile "$RUNS/docker.pid" --host "$DOCKER_HOST" \
    > "$WORK/dockerd.log" 2>&1 9>&- &
  DOCKERD=$!
  wait_for 30 docker info >/dev/null 2>&1 || { tail -5 "$WORK/dockerd.log"; return 1; }
  note "docker: dockerd up in $(since "$t0") ms"
  # containers a killed earlier run left in the (cached) data root
  docker ps -aq | xargs -r "$DOCKER_CLI" rm -f -v >/dev/null 2>&1
  t0=$(now_ms)
  if [ "$(docker image inspect -f '{{index .Config.Labels "vinit.base"}}' \
          debian:bookworm-slim 2>/dev/null)" != "$LBASE_KEY" ]; then
    docker import -c "LABEL vinit.base=$LBASE_KEY" "$LBASE" debian:bookworm-slim >/dev/null || return 1
    docker image prune -f >/dev/null 2>&1 # the images built on the old base
    note "docker: imported $LBASE_KEY as debian:bookworm-slim in $(since "$t0") ms"
  fi
}
# dockerd_stop: stops our dockerd (20 s at most); sets STOP_MS
dockerd_stop() {
  local t0; t0=$(now_ms)
  kill "$DOCKERD"; bounded_wait "$DOCKERD" 20; DOCKERD=""
  STOP_MS=$(since "$t0")
  # a build with --network host leaves dockerd's bind mount of the host's
  # network namespace behind (netns/default): not a container's, ours to undo
  local n
  for n in "$RUNS/docker-exec/netns/"*; do
    mountpoint -q "$n" 2>/dev/null && umount "$n"
  done
  note "docker: dockerd stopped in $STOP_MS ms"
}

# drun NAME ARGS...: docker run -d --name NAME ARGS..., tracking its PID 1
drun() {
  local name=$1; shift
  docker run -d --name "$name" --network none "$@" >/dev/null || return 1
  track "$(docker inspect -f '{{.State.Pid}}' "$name")"
}
dcode() { docker inspect -f '{{.State.ExitCode}}' "$1"; }

# libvirt_context DIR: the build context of rootfs/Dockerfile as a clean
# clone has it: the files git tracks, as they are in the work tree, nothing
# a build left (the image compiles vinit in its first stage)
libvirt_context() {
  rm -rf "$1" && mkdir -p "$1" || return 1
  if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$TOP" && git ls-files -z | tar --null -cf - -T -) | tar -xf - -C "$1"
  else
    (cd "$TOP" && tar -cf - configure Makefile.in init services hooks rootfs .dockerignore \
      --exclude='*.o' --exclude='*.d' --exclude=init/config.h) | tar -xf - -C "$1"
  fi
}
