#!/usr/bin/env bash
# The mount's FUSE transports side by side (issue 17), in one run beside tmpfs:
#
#   uring        FUSE over io_uring (--io-uring on): a queue per CPU, each
#                request answered on the CPU that made it
#   devfuse      /dev/fuse read/write, one thread (--io-uring off)
#   devfuse-pin  /dev/fuse, one worker per CPU pinned to it (--threads N,
#                then taskset per thread): the "cheaper way" tried
#   same-cpu     /dev/fuse with the daemon and the benchmark both on CPU 0:
#                the ceiling, no CPU-to-CPU wake-up at all
#
# Run as root: bench/transports.sh [fsbench options, default --only meta]
# The load average is printed before each run: on a shared machine the
# ratios of one run are what to compare. Mounts under $BENCH_DIR.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    echo "bench/transports.sh: run as root (it mounts tmpfs and FUSE)" >&2
    exit 2
fi
work=${BENCH_DIR:-/tmp/ntlinkfs-transports}
mkdir -p "$work/tmpfs" "$work/mnt"
cargo build -q --release -p ntlinkfs-bench -p ntlinkfs || exit 1
fsbench=target/release/fsbench
ntlinkfs=target/release/ntlinkfs
results="$work/results.tsv"
: >"$results"
[ $# -eq 0 ] && set -- --only meta
# fsbench options go to fsbench only; mount options are fixed per variant.
fsopts=("$@")
cpus=$(nproc)

cleanup() {
    "$ntlinkfs" unmount "$work/mnt" 2>/dev/null
    umount "$work/tmpfs" 2>/dev/null
}
trap cleanup EXIT
cleanup

load() { echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) before $1"; }
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $cpus cores, Linux $(uname -r), fsbench $*"

load tmpfs
mount -t tmpfs -o size=2g tmpfs "$work/tmpfs" || exit 1
"$fsbench" "$work/tmpfs" --label tmpfs "$@" | tee -a "$results"
umount "$work/tmpfs"

# run LABEL [taskset prefix...] -- mount options...
run() {
    local label=$1 pin=$2
    shift 2
    load "$label"
    $pin "$ntlinkfs" mount "$work/mnt" --background "$@" >"$work/mount.txt" || {
        echo "skip $label: $(cat "$work/mount.txt")" >&2
        return
    }
    if [ "$label" = devfuse-pin ]; then
        local pid i=0
        pid=$(awk '{print $NF}' "$work/mount.txt" | tr -d ')')
        for t in /proc/"$pid"/task/*; do
            if grep -q '^ntlinkfs-fuse-' "$t/comm"; then
                taskset -p -c $((i % cpus)) "${t##*/}" >/dev/null
                i=$((i + 1))
            fi
        done
    fi
    $pin "$fsbench" "$work/mnt/C" --label "$label" "${fsopts[@]}" | tee -a "$results"
    "$ntlinkfs" unmount "$work/mnt"
    sleep 1
}
run uring "" --io-uring on
run devfuse "" --io-uring off
run devfuse-pin "" --io-uring off --threads "$cpus"
run same-cpu "taskset -c 0" --io-uring off

echo
awk -F'\t' '
    $3 ~ /^[0-9.]+$/ && $2 ~ /^(create|link|stat|rename-half|unlink)$/ { meta[$1] += $3 }
    $3 ~ /^[0-9.]+$/ { t[$1, $2] = $3; phases[$2] = 1; labels[$1] = 1 }
    END {
        n = split("tmpfs uring devfuse devfuse-pin same-cpu", order, " ")
        printf "%-14s", "phase"
        for (i = 1; i <= n; i++) printf " %12s", order[i]
        printf "\n"
        m = split("create link stat rename-half unlink write read read-cached", ph, " ")
        for (j = 1; j <= m; j++) {
            if (!(("tmpfs", ph[j]) in t)) continue
            printf "%-14s", ph[j]
            for (i = 1; i <= n; i++) printf " %12s", (((order[i], ph[j]) in t) ? t[order[i], ph[j]] : "-")
            printf "\n"
        }
        printf "%-14s", "meta (sum)"
        for (i = 1; i <= n; i++) printf " %12s", (order[i] in meta ? sprintf("%.3f", meta[order[i]]) : "-")
        printf "\n%-14s", "vs tmpfs"
        for (i = 1; i <= n; i++) printf " %12s", ((order[i] in meta && meta["tmpfs"] > 0) ? sprintf("%.1fx", meta[order[i]] / meta["tmpfs"]) : "-")
        printf "\n"
    }' "$results"
