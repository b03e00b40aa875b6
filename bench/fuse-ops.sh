#!/usr/bin/env bash
# Counts the FUSE requests one fsbench phase group sends to an ntlinkfs mount
# (issue 7: round trips are what bounds the metadata phases). Run as root:
#
#     bench/fuse-ops.sh meta --files 2000      # or data, deep, tree
#
# The daemon runs under strace (reads of /dev/fuse, first 8 bytes: the opcode),
# so the phase times it prints are slower than bench/mount.sh's; the counts are
# exact.
set -uo pipefail
cd "$(dirname "$0")/.."
group=${1:?usage: bench/fuse-ops.sh meta|data|deep|tree [fsbench options]}
shift
command -v strace >/dev/null || { echo "bench/fuse-ops.sh: needs strace" >&2; exit 2; }
cargo build -q --release -p ntlinkfs-bench -p ntlinkfs || exit 1
work=${BENCH_DIR:-/tmp/ntlinkfs-bench}
mp="$work/ops"
trace="$work/fuse-ops.strace"
mkdir -p "$mp"
target/release/ntlinkfs unmount "$mp" 2>/dev/null
strace -f -e trace=read -s 8 -x -o "$trace" target/release/ntlinkfs mount "$mp" >/dev/null 2>&1 &
for _ in $(seq 50); do [ -d "$mp/C" ] && break; sleep 0.1; done
target/release/fsbench "$mp/C" --label ntlinkfs --only "$group" "$@"
target/release/ntlinkfs unmount "$mp"
wait
python3 - "$trace" <<'PY'
import collections, re, sys
names = {1: 'LOOKUP', 2: 'FORGET', 3: 'GETATTR', 4: 'SETATTR', 5: 'READLINK', 6: 'SYMLINK',
         8: 'MKNOD', 9: 'MKDIR', 10: 'UNLINK', 11: 'RMDIR', 12: 'RENAME', 13: 'LINK', 14: 'OPEN',
         15: 'READ', 16: 'WRITE', 17: 'STATFS', 18: 'RELEASE', 20: 'FSYNC', 21: 'SETXATTR',
         22: 'GETXATTR', 23: 'LISTXATTR', 24: 'REMOVEXATTR', 25: 'FLUSH', 26: 'INIT', 27: 'OPENDIR',
         28: 'READDIR', 29: 'RELEASEDIR', 34: 'ACCESS', 35: 'CREATE', 42: 'BATCH_FORGET',
         44: 'READDIRPLUS', 45: 'RENAME2'}
count = collections.Counter()
for line in open(sys.argv[1]):
    m = re.search(r'read\(\d+, "((?:\\x[0-9a-f]{2}){8})', line)
    if m:
        b = bytes(int(x, 16) for x in m.group(1).split('\\x')[1:])
        op = int.from_bytes(b[4:8], 'little')
        if op in names:
            count[names[op]] += 1
for op, n in count.most_common():
    print(f"{op:<13}{n:>9}")
print(f"{'total':<13}{sum(count.values()):>9}")
PY
