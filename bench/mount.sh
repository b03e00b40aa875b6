#!/usr/bin/env bash
# Mount benchmark (issues 7 and 17): the fsbench phases on an ntlinkfs FUSE
# mount beside tmpfs under the same load, on an idle machine and with 1 and 2
# busy processes (bench/busy.sh), ntfs-3g on a loop image when idle, then the
# ratios and the FUSE requests each phase sends. Run as root:
#
#     bench/mount.sh [fsbench options, e.g. --files 10000 --mib 256]
#
# Environment:
#   BENCH_LOADS   busy processes per situation (default "0 1 2")
#   BENCH_MOUNTS  ntlinkfs mount argument sets, separated by ';', one mount each
#                 (default: one mount with no extra arguments), e.g.
#                 BENCH_MOUNTS='--io-uring off;--io-uring on'
#   BENCH_NTFS3G  0 skips ntfs-3g (default 1: measured in the idle situation)
#   BENCH_DIR     scratch directory (default /tmp/ntlinkfs-bench)
#   NTLINKFS_BIN  the ntlinkfs binary (default: target/release/ntlinkfs, built)
#
# The load average is printed per situation: on a shared 2-core box every FUSE
# round trip waits for the scheduler, so compare ratios from one run, not runs.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    echo "bench/mount.sh: run as root (it mounts tmpfs, a loop image and FUSE)" >&2
    exit 2
fi
work=${BENCH_DIR:-/tmp/ntlinkfs-bench}
loads=${BENCH_LOADS:-0 1 2}
mounts=${BENCH_MOUNTS:-}
mkdir -p "$work"
cargo build -q --release -p ntlinkfs-bench -p ntlinkfs || exit 1
fsbench=target/release/fsbench
ntlinkfs=${NTLINKFS_BIN:-target/release/ntlinkfs}
results="$work/results.tsv"
: > "$results"
# shellcheck source=bench/fuse-trace.sh
. bench/fuse-trace.sh

busy_pid=""
stop_busy() {
    if [ -n "$busy_pid" ]; then
        kill "$busy_pid" 2>/dev/null
        wait "$busy_pid" 2>/dev/null
        busy_pid=""
    fi
}
cleanup() {
    stop_busy
    "$ntlinkfs" unmount "$work/ntlinkfs" 2>/dev/null
    umount "$work/tmpfs" 2>/dev/null
    umount "$work/ntfs3g" 2>/dev/null
    rm -f "$work/ntfs.img"
    [ -n "${trace_dir:-}" ] && { echo 0 > "$trace_dir/tracing_on"; rmdir "$trace_dir"; } 2>/dev/null
}
trap cleanup EXIT
# A previous run that was killed may have left its mounts behind.
cleanup

# The mount argument sets, one per line, and a label for each.
IFS=';' read -r -a mount_sets <<< "${mounts:-}"
[ ${#mount_sets[@]} -eq 0 ] && mount_sets=("")
# "--io-uring on" -> ntlinkfs:--io-uring_on (no spaces, no regex brackets).
label_of() {
    local a="${1# }"
    a="${a% }"
    if [ -z "$a" ]; then echo ntlinkfs; else echo "ntlinkfs:${a// /_}"; fi
}

mount_ntlinkfs() {
    mkdir -p "$work/ntlinkfs"
    # shellcheck disable=SC2086 # the set is a list of arguments
    if ! "$ntlinkfs" mount "$work/ntlinkfs" --background $1 >/dev/null; then
        echo "bench/mount.sh: could not mount ntlinkfs ${1:+with $1 }(needs /dev/fuse)" >&2
        exit 1
    fi
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, Linux $(uname -r), load average $(loadavg)"
echo "# fsbench options: ${*:-(defaults: --files 10000 --mib 256 --stats 100000 --tree 100000)}"
echo "# situations: ${loads// /, } busy processes; mounts: $(for s in "${mount_sets[@]}"; do printf '%s ' "$(label_of "$s")"; done)"

if [ "${BENCH_NTFS3G:-1}" = 1 ] && ! command -v mkntfs >/dev/null; then
    (apt-get install -y -qq ntfs-3g >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq ntfs-3g; }) >/dev/null 2>&1
fi

for load in $loads; do
    stop_busy
    if [ "$load" -gt 0 ]; then
        bench/busy.sh "$load" &
        busy_pid=$!
        sleep 2
    fi
    echo
    echo "## $load busy processes (load average $(loadavg))"
    # tmpfs
    mkdir -p "$work/tmpfs"
    if mount -t tmpfs -o size=2g tmpfs "$work/tmpfs"; then
        "$fsbench" "$work/tmpfs" --label "tmpfs@$load" "$@" | tee -a "$results"
        umount "$work/tmpfs"
    else
        echo "skip: could not mount tmpfs" >&2
    fi
    # ntfs-3g on a loop image, idle only (the issue's 10x target is idle)
    if [ "$load" -eq 0 ] && [ "${BENCH_NTFS3G:-1}" = 1 ]; then
        if command -v mkntfs >/dev/null; then
            mkdir -p "$work/ntfs3g"
            rm -f "$work/ntfs.img"
            truncate -s 2G "$work/ntfs.img"
            if mkntfs -q -F -Q "$work/ntfs.img" >/dev/null 2>&1 && ntfs-3g -o permissions "$work/ntfs.img" "$work/ntfs3g"; then
                "$fsbench" "$work/ntfs3g" --label "ntfs-3g@$load" "$@" | tee -a "$results"
                umount "$work/ntfs3g"
            else
                echo "skip: could not set up ntfs-3g on a loop image" >&2
            fi
            rm -f "$work/ntfs.img"
        else
            echo "skip: ntfs-3g is not installable here" >&2
        fi
    fi
    for set in "${mount_sets[@]}"; do
        mount_ntlinkfs "$set"
        "$fsbench" "$work/ntlinkfs/C" --label "$(label_of "$set")@$load" "$@" | tee -a "$results"
        "$ntlinkfs" unmount "$work/ntlinkfs"
    done
    echo "# load average after: $(loadavg)"
done
stop_busy

# One table per mount and situation: phase, the mount's seconds, tmpfs's, the
# ratio; ntfs-3g (idle) beside the idle rows.
labels=$(for s in "${mount_sets[@]}"; do label_of "$s"; done)
for label in $labels; do
    for load in $loads; do
        echo
        echo "$label, $load busy processes"
        echo "phase              ntlinkfs(s)  tmpfs(s)  ntfs-3g(s)  vs tmpfs  ntfs-3g/ntlinkfs"
        awk -F'\t' -v me="$label@$load" -v tm="tmpfs@$load" -v nt="ntfs-3g@$load" '
            # Sums the five metadata phases, the issue-7 and issue-17 target.
            $3 ~ /^[0-9.]+$/ && $2 ~ /^(create|link|stat|rename-half|unlink)$/ { meta[$1] += $3 }
            $3 ~ /^[0-9.]+$/ { t[$1, $2] = $3 }
            END {
                n = split("create link stat stat-missing rename-half unlink write read read-cached deep-stat tree-build find find-again tree-remove", order, " ")
                for (i = 1; i <= n; i++) {
                    p = order[i]
                    if (!(((me, p) in t))) continue
                    a = t[me, p]; b = t[tm, p]; c = t[nt, p]
                    r1 = (b > 0) ? sprintf("%.2fx", a / b) : "-"
                    r2 = (c > 0 && a > 0) ? sprintf("%.1fx", c / a) : "-"
                    printf "%-18s %11s %9s %11s %9s %17s\n", p, a, (b == "" ? "-" : b), (c == "" ? "-" : c), r1, r2
                }
                a = meta[me]; b = meta[tm]; c = meta[nt]
                if (a > 0)
                    printf "%-18s %11.4f %9s %11s %9s %17s\n", "metadata (sum)", a,
                        (b > 0 ? sprintf("%.4f", b) : "-"), (c > 0 ? sprintf("%.4f", c) : "-"),
                        (b > 0 ? sprintf("%.2fx", a / b) : "-"), (c > 0 ? sprintf("%.1fx", c / a) : "-")
            }' "$results"
        grep -E "^($label|tmpfs)@$load	.*rate" "$results" | sort
    done
done

# FUSE requests per phase: a separate, untimed pass of the same phases (the
# tracing costs time), with the busy processes stopped, per mount.
files=10000
prev=""
for a in "$@"; do [ "$prev" = --files ] && files=$a; prev=$a; done
for set in "${mount_sets[@]}"; do
    echo
    echo "FUSE requests per phase, $(label_of "$set"), --files $files (phase, requests, per file, by opcode)"
    mount_ntlinkfs "$set"
    if trace_start "$work/ntlinkfs"; then
        "$fsbench" "$work/ntlinkfs/C" --label count "$@" --marker "$trace_marker" >/dev/null
    fi
    trace_report "$files"
    "$ntlinkfs" unmount "$work/ntlinkfs"
done
