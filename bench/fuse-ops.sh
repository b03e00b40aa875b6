#!/usr/bin/env bash
# Counts the FUSE requests each fsbench phase sends to an ntlinkfs mount
# (issues 7 and 17: round trips are what bounds the metadata phases), on any
# transport: the kernel's fuse_request_send tracepoint (bench/fuse-trace.sh).
# Run as root:
#
#     bench/fuse-ops.sh meta --files 2000      # or data, deep, tree
#
# NTLINKFS_MOUNT_ARGS adds mount arguments (e.g. a transport option). The
# phase times it prints include the tracing; the counts are exact.
set -uo pipefail
cd "$(dirname "$0")/.."
group=${1:?usage: bench/fuse-ops.sh meta|data|deep|tree [fsbench options]}
shift
cargo build -q --release -p ntlinkfs-bench -p ntlinkfs || exit 1
work=${BENCH_DIR:-/tmp/ntlinkfs-bench}
mp="$work/ops"
mkdir -p "$mp"
# shellcheck source=bench/fuse-trace.sh
. bench/fuse-trace.sh
target/release/ntlinkfs unmount "$mp" 2>/dev/null
# shellcheck disable=SC2086 # a list of arguments
target/release/ntlinkfs mount "$mp" --background ${NTLINKFS_MOUNT_ARGS:-} >/dev/null || exit 1
files=10000
prev=""
for a in "$@"; do [ "$prev" = --files ] && files=$a; prev=$a; done
if trace_start "$mp"; then
    target/release/fsbench "$mp/C" --label ntlinkfs --only "$group" "$@" --marker "$trace_marker"
fi
trace_report "$files"
target/release/ntlinkfs unmount "$mp"
