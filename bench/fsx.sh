#!/usr/bin/env bash
# fsx (the File System eXerciser, `cargo install fsx --locked`) on a file inside
# a mounted ntlinkfs NTFS volume, and on tmpfs for reference (issue 11). Run as root:
#
#     bench/fsx.sh            # short: 10,000 operations, seed 1 (CI, under a minute)
#     bench/fsx.sh long       # long: 100,000 operations x seeds 1 2 3
#
# Both modes use pread/pwrite, mmap reads and writes (with msync and
# MS_INVALIDATE), ftruncate, fsync/fdatasync, close/reopen, hole punching,
# sendfile and copy_file_range. The short mode also runs posix_fallocate; the
# long one leaves it out, because fsx itself asks for a zero-length
# posix_fallocate in seed 3 (operation 95,610 with this configuration), which
# every file system refuses with EINVAL (tmpfs included).
#
# Settings (environment): FSX_OPS and FSX_SEEDS override the mode's counts,
# FSX_FALLOCATE=0/1 its posix_fallocate, NTLINKFS the binary (default: build
# and use target/debug/ntlinkfs), FSX_KEEP=1 keeps the work directory
# (fsx's .fsxgood/.fsxlog artifacts). Prints one line per run; exits non-zero
# when any run fails, on the mount or on tmpfs.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
case $mode in
short) ops=${FSX_OPS:-10000} seeds=${FSX_SEEDS:-1} fallocate=${FSX_FALLOCATE:-1} ;;
long) ops=${FSX_OPS:-100000} seeds=${FSX_SEEDS:-1 2 3} fallocate=${FSX_FALLOCATE:-0} ;;
*) echo "usage: bench/fsx.sh [short|long]" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "bench/fsx.sh: run as root (it mounts FUSE and tmpfs)" >&2
    exit 2
fi
command -v fsx >/dev/null || { echo "bench/fsx.sh: needs fsx on PATH (cargo install fsx --locked)" >&2; exit 2; }
if [ -n "${NTLINKFS:-}" ]; then
    ntlinkfs=$NTLINKFS
else
    ntlinkfs=target/debug/ntlinkfs
    cargo build -q -p ntlinkfs || exit 1
fi

work=$(mktemp -d /tmp/fsx-XXXXXX)
cleanup() {
    "$ntlinkfs" unmount "$work/ntlinkfs" >/dev/null 2>&1
    umount "$work/tmpfs" 2>/dev/null
    if [ "${FSX_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/ntlinkfs" "$work/tmpfs"

# fsx's defaults with every operation that means something on Linux switched on.
cat >"$work/fsx.toml" <<EOF
flen = 262144
[opsize]
max = 65536
[weights]
close_open = 1
read = 10
write = 10
mapread = 10
mapwrite = 10
invalidate = 1
truncate = 10
fsync = 1
fdatasync = 1
posix_fallocate = $fallocate
punch_hole = 1
sendfile = 1
copy_file_range = 1
EOF

echo "# fsx $(fsx --version | awk '{print $2}'), $mode: $ops operations, seeds: $seeds, posix_fallocate: $fallocate"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, Linux $(uname -r), ntlinkfs: $ntlinkfs"

failed=0
# run LABEL DIR: fsx once per seed on DIR/fsx.file.
run() {
    local label=$1 dir=$2 seed out rc t0 t1
    for seed in $seeds; do
        out="$work/$label.$seed.out"
        t0=$(date +%s)
        fsx -N "$ops" -S "$seed" -f "$work/fsx.toml" -P "$work" "$dir/fsx.file" >"$out" 2>&1
        rc=$?
        t1=$(date +%s)
        if [ "$rc" -eq 0 ]; then
            printf '%-9s seed %s  %7d ops  ok      %4ds\n' "$label" "$seed" "$ops" $((t1 - t0))
        else
            printf '%-9s seed %s  %7d ops  FAILED  %4ds (exit %d)\n' "$label" "$seed" "$ops" $((t1 - t0)) "$rc"
            tail -n 40 "$out" | sed 's/^/    /'
            failed=1
        fi
        rm -f "$dir/fsx.file"
    done
}

if mount -t tmpfs -o size=64m tmpfs "$work/tmpfs"; then
    run tmpfs "$work/tmpfs"
else
    echo "tmpfs: could not mount (reference run skipped)"
fi

"$ntlinkfs" mount "$work/ntlinkfs" --background >"$work/mount.out" 2>"$work/daemon.log" ||
    { cat "$work/daemon.log"; exit 1; }
run ntlinkfs "$work/ntlinkfs/C"
if [ "$failed" -ne 0 ] && [ -s "$work/daemon.log" ]; then
    echo "ntlinkfs daemon log (last lines):"
    tail -n 20 "$work/daemon.log" | sed 's/^/    /'
fi

exit "$failed"
