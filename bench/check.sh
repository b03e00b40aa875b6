#!/usr/bin/env bash
# `ntlinkfs check` speed (issue 15): generated cases per second through the
# FUSE mount with a trivial command (`true`), and the time to find and shrink
# the `cp -r` hard-link failure to its minimal tree. Prints the figures; no
# pass/fail on them (targets: >= 20 cases/s; the cp -r shrink within 60 s on
# 2 cores). Run as root:
#
#     bench/check.sh
#
# Settings (environment): NTLINKFS the binary (default: build and use
# target/release/ntlinkfs), CHECK_CASES the cases of the trivial run
# (default 500).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    echo "bench/check.sh: run as root (it mounts FUSE)" >&2
    exit 2
fi
if [ -n "${NTLINKFS:-}" ]; then
    ntlinkfs=$NTLINKFS
else
    ntlinkfs=target/release/ntlinkfs
    cargo build -q --release -p ntlinkfs
fi
cases=${CHECK_CASES:-500}
work=$(mktemp -d /tmp/check-bench-XXXXXX)
chmod 755 "$work" # the command runs as nobody, in the mount made here
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work

start=$(date +%s.%N)
"$ntlinkfs" check --expect exit-ok --cases "$cases" --seed 1 --user nobody -- true >/dev/null
end=$(date +%s.%N)
awk -v n="$cases" -v s="$start" -v e="$end" \
    'BEGIN { printf "trivial command: %d cases in %.2f s = %.0f cases/s\n", n, e - s, n / (e - s) }'

for seed in 1 2 3; do
    start=$(date +%s.%N)
    status=0
    "$ntlinkfs" check --expect hardlinks=preserved --seed "$seed" --user nobody \
        --out "$work/out" -- cp -r {src} {dst} >"$work/summary" || status=$?
    end=$(date +%s.%N)
    [ "$status" -eq 1 ] || { echo "bench/check.sh: cp -r did not fail (status $status)" >&2; exit 1; }
    shrinks=$(sed -n 's/.* in \([0-9]*\) shrinks.*/\1/p' "$work/summary")
    entries=$(sed -n 's/.*shrunk to \([0-9]*\) entries.*/\1/p' "$work/summary")
    awk -v s="$start" -v e="$end" -v seed="$seed" -v k="$shrinks" -v n="$entries" \
        'BEGIN { printf "cp -r, seed %d: found and shrunk to %d entries in %d shrinks, %.2f s\n", seed, n, k, e - s }'
done
