# SPDX-License-Identifier: ISC
# What tests/system/vm and tests/bench/vm share: QEMU under TCG booting
# Debian's cloud kernel (tests/system/guest-image, cached) with the libvirt
# image's tree as its root. Source it after tests/lib.sh and
# tests/system/rootfs.sh, in a mount namespace of the caller's own.
#   image_tree [VARIANT]       the image's tree in $M (overlay), with a probe
#   image_initrd MOUNT [INIT]  $WORK/vinitrd: runs MOUNT (root on /newroot),
#                              then switch_root to INIT (/init: vinit);
#                              SKIP_MODULES: modules it does not load
#   image_modules KERNEL       the kernel's modules and kmod in $M
#   image_debs PACKAGE...      Debian packages unpacked into $M
#   image_disk FILE SIZE       $M as an ext4 disk image; DISK_ROOT mounts
#                              /dev/vda on /newroot in image_initrd
#   generic_guest              KERNEL_G, INITRD_G: the generic kernel's pair
#   qemu_start KERNEL INITRD APPEND [QEMU-ARGS...]
#                              QEMU under TCG, its console and monitor in $WORK
#   monitor CMD, console, said PATTERN, qemu_exits SECONDS, probe_or_failure

WORK=$(mktemp -d /tmp/vinit-vm.XXXXXX)
QEMU="" VFS=""
trap '[ -n "$QEMU" ] && kill -9 "$QEMU" 2>/dev/null; [ -n "$VFS" ] && kill -9 "$VFS" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
GUEST=$("$TOP/tests/system/guest-image") || { echo "vm: tests/system/guest-image made no kernel"; exit 1; }
KERNEL=$(echo "$GUEST" | sed -n 1p)
BASE_INITRD=$(echo "$GUEST" | sed -n 2p)

# busybox from the .deb guest-image kept, to unpack its initramfs
deb=$(ls "${VINIT_CACHE:-/var/cache/vinit}"/guest-debs/busybox-static_*.deb 2>/dev/null | tail -n 1)
[ -n "$deb" ] && dpkg-deb -x "$deb" "$WORK/bb" || { echo "vm: no busybox-static .deb in the guest image's cache"; exit 1; }

# qemu_start KERNEL INITRD APPEND [QEMU-ARGS...]: a machine under TCG
# (256 MB unless QEMU-ARGS say -m), no devices but those QEMU-ARGS add,
# never rebooting (a reboot ends QEMU), its serial console in
# $WORK/console (emptied first) and its monitor on $WORK/mon; sets QEMU
qemu_start() {
  local kernel=$1 initrd=$2 append=$3; shift 3
  : > "$WORK/console"
  qemu-system-x86_64 -M pc -m 256 -nodefaults -no-user-config -display none -no-reboot "$@" \
    -serial "file:$WORK/console" -monitor "unix:$WORK/mon,server,nowait" \
    -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet $append" > "$WORK/qemu.out" 2>&1 &
  QEMU=$!
}

# monitor CMD: one command on QEMU's human monitor
monitor() {
  python3 - "$WORK/mon" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.2)
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.5)
s.close()
PY
}
console() { cat "$WORK/console" 2>/dev/null; }
since() { echo $(($(now_ms) - $1)); }
# qemu_exits SECONDS: QEMU ends by itself within SECONDS (else SIGKILL and
# false); QEMU_CODE is its exit code
qemu_exits() {
  local end=$(($(now_ms) + $1 * 1000))
  while kill -0 "$QEMU" 2>/dev/null; do
    [ "$(now_ms)" -lt "$end" ] || { kill -9 "$QEMU"; wait "$QEMU"; QEMU_CODE=killed; QEMU=""; return 1; }
    sleep 0.05
  done
  wait "$QEMU"; QEMU_CODE=$?; QEMU=""
}
said() { console | tr -d '\r' | grep -aq -- "$1"; }

# probe_or_failure: the probe answered, or the boot failed for good (then
# the check fails at once rather than at the timeout)
probe_or_failure() {
  said '^probe: PROBE-OK' && return 0
  said 'initramfs: cannot mount\|Kernel panic' && { TIMEOUT_CUT=1; return 0; }
  return 1
}

# image_tree [VARIANT]: the image's tree in $M (the cached rootfs of
# tests/system/base-rootfs VARIANT, libvirt by default, rootfs/install, and
# the test's probe service on an overlay)
image_tree() {
  local lower
  M=$WORK/merged
  lower=$(rootfs_tree "${1:-libvirt}") || return 1
  mkdir -p "$WORK/ovl" "$M" && mount -t tmpfs -o mode=755 ovl "$WORK/ovl" &&
    mkdir -p "$WORK/ovl/u" "$WORK/ovl/w" &&
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$WORK/ovl/u,workdir=$WORK/ovl/w" "$M" &&
    "$TOP/rootfs/install" "$M" && mkdir -p "$M/etc/vinit/services/probe" || return 1
  cat > "$M/etc/vinit/services/probe/run" <<'SH'
#!/bin/sh
# the test's probe: says on the console when libvirt answers in the VM
until virsh -q -c qemu:///system version > /tmp/probe 2>&1; do sleep 0.5; done
echo "PROBE-OK after $(cut -d' ' -f1 /proc/uptime) s of uptime: $(grep -i hypervisor /tmp/probe)"
echo "pid1=$(cat /proc/1/comm)"
cut -d' ' -f2,3,4 /proc/mounts | sed 's/^/mount: /'
exec sleep 1000000
SH
  chmod 755 "$M/etc/vinit/services/probe/run"
}

# image_initrd MOUNT [INIT]: the guest image's initramfs (its modules:
# virtiofs, virtio_blk, the power button's) with an /init that runs MOUNT
# (the root on /newroot) and hands over to INIT (/init, vinit). Modules
# whose file names match the extended regular expression $SKIP_MODULES are
# left out (the image's own modprobe loads them)
image_initrd() {
  local r=$WORK/vroot-$$
  rm -rf "$r" && mkdir -p "$r" && (cd "$r" && gzip -dc "$BASE_INITRD" | "$WORK/bb/bin/busybox" cpio -id 2>/dev/null) &&
    { [ -z "${SKIP_MODULES:-}" ] || { grep -Ev "$SKIP_MODULES" "$r/lib/modules/order" > "$r/order" && mv "$r/order" "$r/lib/modules/order"; }; } &&
    mkdir -p "$r/newroot" && rm -f "$r/init" && cat > "$r/init" <<SH && chmod 755 "$r/init" &&
#!/bin/sh
for m in \$(/bin/busybox cat /lib/modules/order); do /bin/busybox insmod "/lib/modules/\$m"; done
$1 || { echo "initramfs: cannot mount the root"; exec /bin/busybox sh; }
exec /bin/busybox switch_root /newroot ${2:-/init}
SH
    (cd "$r" && mknod -m 600 dev/console c 5 1 2>/dev/null; find . | "$WORK/bb/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$WORK/vinitrd"
}

# unpack_deb DEB [MEMBER...]: the package's files (or those MEMBERs) into
# $M as apt-get install would leave them, without its maintainer scripts
# (the image's /bin, /lib are links into /usr: kept)
unpack_deb() {
  local deb=$1; shift
  dpkg-deb --fsys-tarfile "$deb" | tar -C "$M" --keep-directory-symlink -xf - "$@"
}

# image_debs PACKAGE...: the packages (tests/system/debs, cached) in $M
image_debs() {
  local debs d
  debs=$("$TOP/tests/system/debs" "$@") || return 1
  for d in $debs; do unpack_deb "$d" || return 1; done
}

# image_modules KERNEL: the modules of KERNEL (tests/system/guest-image
# generic: kernel.deb and kmod.deb beside it) and kmod in $M, as apt-get
# install linux-image-amd64 leaves them, depmod run in the image's tree
image_modules() {
  local g=${1%/*} release
  unpack_deb "$g/kernel.deb" ./lib/modules && unpack_deb "$g/kmod.deb" &&
    release=$(ls "$M/lib/modules") && chroot "$M" /sbin/depmod -a "$release"
}

# image_disk FILE SIZE: $M as an ext4 disk image of SIZE (mkfs.ext4 -d,
# its messages in $WORK/mkfs.out); an image_initrd given DISK_ROOT mounts
# it (the first virtio disk) as the root
image_disk() {
  truncate -s "$2" "$1" && mkfs.ext4 -q -F -d "$M" "$1" > "$WORK/mkfs.out" 2>&1
}
DISK_ROOT="/bin/busybox mount -t devtmpfs dev /dev && /bin/busybox mount -t ext4 /dev/vda /newroot && /bin/busybox umount /dev"

# generic_guest: KERNEL_G and INITRD_G, Debian's generic kernel (USB) and
# its initramfs (tests/system/guest-image generic, cached)
generic_guest() {
  local g
  g=$("$TOP/tests/system/guest-image" generic) || return 1
  KERNEL_G=$(echo "$g" | sed -n 1p) INITRD_G=$(echo "$g" | sed -n 2p)
}
