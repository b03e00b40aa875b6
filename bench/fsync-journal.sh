#!/usr/bin/env bash
# The cost of an fsync on an --image mount (issue 11: each fsync appends a
# journal frame of the records changed since the last one and fdatasyncs it).
# Run as root:
#
#     bench/fsync-journal.sh [FILES]      # FILES on the large volume, default 20000
#
# Prints the mean time of "write 4 KiB to a new file + fsync" on a small volume
# (a few files), on a large one (FILES files of 1 KiB and a 64 MiB file), of the
# same without --image (no journal: fsync does nothing), and of "overwrite 4 KiB
# of the 64 MiB file + fsync" (a changed file is journalled whole).
set -uo pipefail
cd "$(dirname "$0")/.."
files=${1:-20000}
cargo build -q --release -p ntlinkfs || exit 1
work=${BENCH_DIR:-/tmp/ntlinkfs-bench}/fsync
mp="$work/mnt"
mkdir -p "$mp"
target/release/ntlinkfs unmount "$mp" 2>/dev/null
rm -f "$work"/*.img "$work"/*.img.journal

measure() { # LABEL SETUP-FILES BIG(0/1) [mount options]
    local label=$1 n=$2 big=$3
    shift 3
    target/release/ntlinkfs mount "$mp" "$@" --background >/dev/null || exit 1
    python3 - "$mp/C" "$label" "$n" "$big" <<'PY'
import os, sys, time
root, label, n, big = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
os.makedirs(f"{root}/fill", exist_ok=True)
for i in range(n):
    with open(f"{root}/fill/f{i}", "wb") as f:
        f.write(b"x" * 1024)
if big:
    with open(f"{root}/big", "wb") as f:
        f.write(os.urandom(1 << 20) * 64)
os.sync()
block = os.urandom(4096)
def timed(rounds, step):
    t = time.perf_counter()
    for i in range(rounds):
        step(i)
    return (time.perf_counter() - t) / rounds * 1e3
def new_file(i):
    fd = os.open(f"{root}/new{i}", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, block)
    os.fsync(fd)
    os.close(fd)
new_file(-1)  # the first commit carries the whole fill: not measured
print(f"{label:<34} new 4 KiB file + fsync: {timed(200, new_file):7.3f} ms")
if big:
    fd = os.open(f"{root}/big", os.O_WRONLY)
    def overwrite(i):
        os.pwrite(fd, block, (i * 7919 * 4096) % (64 << 20))
        os.fsync(fd)
    print(f"{label:<34} 4 KiB into 64 MiB + fsync: {timed(20, overwrite):7.3f} ms")
    os.close(fd)
PY
    target/release/ntlinkfs unmount "$mp"
}

measure "small volume, no image" 10 0
measure "small volume, --image" 10 0 --image "$work/small.img"
measure "large volume ($files files), no image" "$files" 1
measure "large volume ($files files), --image" "$files" 1 --image "$work/large.img"
ls -l "$work"/*.img
