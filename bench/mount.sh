#!/usr/bin/env bash
# Mount benchmark (issue 7): the same fsbench phases on an ntlinkfs FUSE mount,
# tmpfs and ntfs-3g on a loop image, then the ratios. Run as root:
#
#     bench/mount.sh [fsbench options, e.g. --files 10000 --mib 256]
#
# A peer that cannot be set up (no ntfs-3g package, no loop device) is skipped
# with a message; the ntlinkfs mount itself is required.
# The machine's load is printed first: on a shared 2-core box every FUSE round
# trip waits for the scheduler, so compare ratios from one run, not runs.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    echo "bench/mount.sh: run as root (it mounts tmpfs, a loop image and FUSE)" >&2
    exit 2
fi
work=${BENCH_DIR:-/tmp/ntlinkfs-bench}
mkdir -p "$work"
cargo build -q --release -p ntlinkfs-bench -p ntlinkfs || exit 1
fsbench=target/release/fsbench
ntlinkfs=target/release/ntlinkfs
results="$work/results.tsv"
: > "$results"

cleanup() {
    "$ntlinkfs" unmount "$work/ntlinkfs" 2>/dev/null
    umount "$work/tmpfs" 2>/dev/null
    umount "$work/ntfs3g" 2>/dev/null
    rm -f "$work/ntfs.img"
}
trap cleanup EXIT
# A previous run that was killed may have left its mounts behind.
cleanup

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# fsbench options: ${*:-(defaults: --files 10000 --mib 256 --stats 100000 --tree 100000)}"

# tmpfs
mkdir -p "$work/tmpfs"
if mount -t tmpfs -o size=2g tmpfs "$work/tmpfs"; then
    "$fsbench" "$work/tmpfs" --label tmpfs "$@" | tee -a "$results"
else
    echo "skip: could not mount tmpfs" >&2
fi

# ntfs-3g on a loop image
if ! command -v mkntfs >/dev/null; then
    (apt-get install -y -qq ntfs-3g >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq ntfs-3g; }) >/dev/null 2>&1
fi
if command -v mkntfs >/dev/null; then
    mkdir -p "$work/ntfs3g"
    rm -f "$work/ntfs.img"
    truncate -s 2G "$work/ntfs.img"
    if mkntfs -q -F -Q "$work/ntfs.img" >/dev/null 2>&1 && ntfs-3g -o permissions "$work/ntfs.img" "$work/ntfs3g"; then
        "$fsbench" "$work/ntfs3g" --label ntfs-3g "$@" | tee -a "$results"
    else
        echo "skip: could not set up ntfs-3g on a loop image" >&2
    fi
else
    echo "skip: ntfs-3g is not installable here" >&2
fi

# ntlinkfs
mkdir -p "$work/ntlinkfs"
if ! "$ntlinkfs" mount "$work/ntlinkfs" --background >/dev/null; then
    echo "bench/mount.sh: could not mount ntlinkfs (needs /dev/fuse)" >&2
    exit 1
fi
"$fsbench" "$work/ntlinkfs/C" --label ntlinkfs "$@" | tee -a "$results"

echo
echo "phase              ntlinkfs(s)  tmpfs(s)  ntfs-3g(s)  vs tmpfs  ntfs-3g/ntlinkfs"
awk -F'\t' '
    # Sums the five 10,000-file metadata phases, the issue-7 target.
    $3 ~ /^[0-9.]+$/ && $2 ~ /^(create|link|stat|rename-half|unlink)$/ { meta[$1] += $3 }
    $3 ~ /^[0-9.]+$/ { t[$1, $2] = $3; phases[$2] = 1 }
    END {
        n = split("create link stat rename-half unlink write read read-cached deep-stat tree-build find tree-remove", order, " ")
        for (i = 1; i <= n; i++) {
            p = order[i]
            if (!((("ntlinkfs", p) in t))) continue
            a = t["ntlinkfs", p]; b = t["tmpfs", p]; c = t["ntfs-3g", p]
            r1 = (b > 0) ? sprintf("%.2fx", a / b) : "-"
            r2 = (c > 0 && a > 0) ? sprintf("%.1fx", c / a) : "-"
            printf "%-18s %11s %9s %11s %9s %17s\n", p, a, (b == "" ? "-" : b), (c == "" ? "-" : c), r1, r2
        }
        a = meta["ntlinkfs"]; b = meta["tmpfs"]; c = meta["ntfs-3g"]
        if (a > 0)
            printf "%-18s %11.4f %9s %11s %9s %17s\n", "metadata (sum)", a,
                (b > 0 ? sprintf("%.4f", b) : "-"), (c > 0 ? sprintf("%.4f", c) : "-"),
                (b > 0 ? sprintf("%.2fx", a / b) : "-"), (c > 0 ? sprintf("%.1fx", c / a) : "-")
    }' "$results"
grep -E 'rate' "$results" | sort
