#!/usr/bin/env bash
# Random differential runs per second (issue 15: at least 100 operation
# sequences per second against the FUSE target). Run as root (it mounts):
#
#     bench/differential.sh            # 2000 sequences, seed 1, on fuse
#     bench/differential.sh 5000 7     # N sequences, seed S
#
# Each sequence gets a fresh FUSE mount of a fresh machine, runs up to 24
# generated operations there and on the core, and walks both trees at the
# end; the summary line gives sequences/s. The core against itself is run
# too, for what the mount costs.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
seed=${2:-1}
cargo build -q --release -p ntlinkfs-tests --bin ntlinkfs-conformance || exit 1
for target in core fuse; do
    target/release/ntlinkfs-conformance --random "$n" --seed "$seed" --target "$target" 2>/dev/null |
        grep -E 'sequences/s'
done
