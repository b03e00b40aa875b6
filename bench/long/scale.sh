#!/usr/bin/env bash
# Scale benchmark (issue 17 item 4, long: minutes, not for CI): a volume of
# 1,000,000 files (directories of 1,000) mounted from an image and walked with
# find and du, beside the same tree on tmpfs; prints the daemon's memory per
# file. Run as root:
#
#     bench/long/scale.sh [FILES [PER_DIR]]      # defaults 1000000 1000
#
# Memory per file = (the daemon's VmRSS with the tree, after the walks, minus
# its VmRSS with an empty volume) / FILES. NTLINKFS_MOUNT_ARGS adds mount
# arguments (e.g. a transport option). The CI-sized check is the 100,000-entry
# directory test (mount-unix/tests/scale.rs).
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "bench/long/scale.sh: run as root" >&2; exit 2; }
files=${1:-1000000}
per_dir=${2:-1000}
work=${BENCH_DIR:-/tmp/ntlinkfs-bench}/scale
mkdir -p "$work"
cargo build -q --release -p ntlinkfs-bench -p ntlinkfs || exit 1
ntlinkfs=target/release/ntlinkfs
mp="$work/mnt"
daemon=""

cleanup() {
    "$ntlinkfs" unmount "$mp" 2>/dev/null
    [ -n "$daemon" ] && wait "$daemon" 2>/dev/null
    umount "$work/tmpfs" 2>/dev/null
    rm -f "$work"/*.img "$work"/*.img.journal
}
trap cleanup EXIT
cleanup

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# Seconds a command takes (its output discarded).
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
# Mounts an image in the foreground daemon (its pid in $daemon).
mount_image() {
    mkdir -p "$mp"
    # shellcheck disable=SC2086 # a list of arguments
    "$ntlinkfs" mount "$mp" --image "$1" ${NTLINKFS_MOUNT_ARGS:-} >/dev/null 2>&1 &
    daemon=$!
    for _ in $(seq 600); do [ -d "$mp/C" ] && return 0; sleep 0.1; done
    echo "bench/long/scale.sh: the mount did not come up" >&2
    exit 1
}
unmount_image() {
    "$ntlinkfs" unmount "$mp"
    wait "$daemon" 2>/dev/null
    daemon=""
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $files files in directories of $per_dir"
# mkvolume prints its own VmRSS with the machine built in place (no image load).
built_rss() { sed -n 's/^mkvolume: VmRSS with the machine built: \([0-9]*\) KiB$/\1/p'; }
built0=$(target/release/mkvolume 0 "$per_dir" --image "$work/empty.img" 2>&1 | built_rss)
built1=$(target/release/mkvolume "$files" "$per_dir" --image "$work/big.img" 2>&1 | built_rss)
echo "image: $(stat -c %s "$work/big.img") bytes ($(( $(stat -c %s "$work/big.img") / (files > 0 ? files : 1) )) per file)"

mount_image "$work/empty.img"
empty=$(rss_kib "$daemon")
unmount_image

t0=$(date +%s.%N)
mount_image "$work/big.img"
echo "mount (image load): $(echo "$(date +%s.%N) - $t0" | bc) s"
loaded=$(rss_kib "$daemon")
find_s=$(timed find "$mp/C/tree")
du_s=$(timed du -s "$mp/C/tree")
walked=$(rss_kib "$daemon")
entries=$(find "$mp/C/tree" | wc -l)
unmount_image

mkdir -p "$work/tmpfs"
mount -t tmpfs -o size=4g,nr_inodes=0 tmpfs "$work/tmpfs"
target/release/mkvolume "$files" "$per_dir" --dir "$work/tmpfs"
tfind_s=$(timed find "$work/tmpfs/tree")
tdu_s=$(timed du -s "$work/tmpfs/tree")
umount "$work/tmpfs"

echo "walk            ntlinkfs(s)  tmpfs(s)  ratio"
printf "find %-10s %11.3f %9.3f %6.2fx\n" "($entries)" "$find_s" "$tfind_s" "$(echo "$find_s / $tfind_s" | bc -l)"
printf "du -s %-9s %11.3f %9.3f %6.2fx\n" "" "$du_s" "$tdu_s" "$(echo "$du_s / $tdu_s" | bc -l)"
echo "daemon VmRSS: empty volume $empty KiB, loaded $loaded KiB, after the walks $walked KiB"
echo "daemon memory per file: $(( (walked - empty) * 1024 / (files > 0 ? files : 1) )) bytes (loaded: $(( (loaded - empty) * 1024 / (files > 0 ? files : 1) )))"
echo "the core's memory per file, built in place (mkvolume, no image load): $(( (built1 - built0) * 1024 / (files > 0 ? files : 1) )) bytes"
