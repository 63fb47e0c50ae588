# SPDX-License-Identifier: ISC
# Boots the libvirt host image's tree (the cached mmdebstrap rootfs with
# rootfs/install applied) with vinit as PID 1 of fresh namespaces, the way
# MACHINE-NOTES.md describes: an overlay on a tmpfs (the cache stays
# pristine), proc, sysfs, a small /dev, tmpfs /run and /tmp, loopback and a
# veth pair (an IPv4 interface for nmbd). Source it after tests/lib.sh.
#
#   rootfs_tree [VARIANT]          the extracted cache (made once) of
#                                  tests/system/base-rootfs VARIANT (libvirt):
#                                  prints its path
#   rootfs_boot DIR OUT [VAR=value...]
#                                  boots; DIR holds this boot's overlay and
#                                  volumes; the variables are the container's
#                                  environment. ROOTFS_VOLUMES="host:guest ..."
#                                  are bind-mounted. Sets RB_UNSHARE, RB_PID.
#   rootfs_in CMD...               runs CMD inside the booted container
#   rootfs_stop [SIGNAL]           signals PID 1, waits; sets RB_CODE, RB_MS
#   rootfs_cleanup                 kills what is left (EXIT trap)

rootfs_tree() {
  local tar dir
  tar=$("$TOP/tests/system/base-rootfs" "${1:-libvirt}") || return 1
  dir=${tar%.tar}.tree
  if [ ! -d "$dir/usr" ]; then
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" &&
      tar -C "$dir.tmp" -xf "$tar" --exclude='./dev/*' && mv "$dir.tmp" "$dir" || return 1
  fi
  echo "$dir"
}

# The inside of the namespaces, before exec chroot: argv is DIR LOWER.
rootfs_setup() {
  local d=$1 lower=$2 m=$1/merged
  mount --make-rprivate / &&
    mount -t tmpfs -o mode=755 rootfs "$d/ovl" && mkdir -p "$d/ovl/upper" "$d/ovl/work" &&
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$d/ovl/upper,workdir=$d/ovl/work" "$m" &&
    "$TOP/rootfs/install" "$m" &&
    mount -t proc proc "$m/proc" && mount -t sysfs sysfs "$m/sys" &&
    mount -t tmpfs -o mode=755,nosuid dev "$m/dev" || return 1
  local n
  for n in null zero full random urandom tty net/tun fuse; do
    [ -e "/dev/$n" ] || continue
    mkdir -p "$(dirname "$m/dev/$n")" && touch "$m/dev/$n" && mount --bind "/dev/$n" "$m/dev/$n"
  done
  mkdir -p "$m/dev/pts" "$m/dev/shm" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$m/dev/pts" &&
    ln -s pts/ptmx "$m/dev/ptmx" && mount -t tmpfs shm "$m/dev/shm" &&
    mount -t tmpfs -o mode=755 run "$m/run" && mount -t tmpfs -o mode=1777 tmp "$m/tmp" || return 1
  local v
  for v in ${ROOTFS_VOLUMES:-}; do
    mkdir -p "$m/${v#*:}" && mount --bind "${v%%:*}" "$m/${v#*:}" || return 1
  done
  ip link set lo up && ip link add veth-c type veth peer name veth-h &&
    ip addr add 10.99.0.2/24 dev veth-c && ip link set veth-c up && ip link set veth-h up
}

rootfs_boot() {
  local d=$1 out=$2 lower; shift 2
  lower=$(rootfs_tree) || { fail "no rootfs"; return 1; }
  mkdir -p "$d/ovl" "$d/merged"
  RB_T0=$(now_ms)
  # its own session, as under a container manager: a Ctrl-C at the
  # terminal reaches the caller (the demo), not every process inside
  setsid unshare --pid --fork --mount --uts --ipc --net --kill-child bash -c "
    TOP=$TOP ROOTFS_VOLUMES='${ROOTFS_VOLUMES:-}'; $(declare -f rootfs_setup)
    rootfs_setup '$d' '$lower' || { echo 'rootfs: setup failed' >&2; exit 111; }
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root $* \
      chroot '$d/merged' /init" > "$out" 2>&1 < /dev/null &
  RB_UNSHARE=$!
  RB_PID=""
  wait_for 20 rootfs_found || { fail "the container did not start"; return 1; }
}
rootfs_found() {
  RB_PID=$(cat /proc/"$RB_UNSHARE"/task/"$RB_UNSHARE"/children 2>/dev/null | awk '{print $1}')
  [ -n "$RB_PID" ] && [ "$(readlink /proc/"$RB_PID"/exe 2>/dev/null)" != "$(readlink -f /usr/bin/bash)" ] &&
    grep -qs vinit /proc/"$RB_PID"/cmdline || grep -qs 'init' /proc/"$RB_PID"/comm
}

rootfs_in() { nsenter -t "$RB_PID" -p -m -n -u -i -r -w -- "$@"; }

rootfs_stop() {
  local t0; t0=$(now_ms)
  kill -s "${1:-TERM}" "$RB_PID"
  wait "$RB_UNSHARE"; RB_CODE=$?
  RB_MS=$(($(now_ms) - t0))
}

rootfs_cleanup() {
  [ -n "${RB_UNSHARE:-}" ] && kill -9 "$RB_UNSHARE" 2>/dev/null
  [ -n "${RB_PID:-}" ] && kill -9 "$RB_PID" 2>/dev/null
  return 0
}
