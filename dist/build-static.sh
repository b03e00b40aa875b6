#!/usr/bin/env bash
# One command for a static Linux binary of ntlinkfs (x86_64-unknown-linux-musl),
# for CI jobs and releases that should not compile the workspace first:
#
#     dist/build-static.sh            # prints the binary's path
#
# No crate compiles C on Linux, so the Rust target is all it needs (no
# musl-tools). Release settings without debug info, stripped: the binary is
# for running, not for profiling.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
rustup target add "$target" >/dev/null 2>&1 ||
  { echo "build-static: rustup could not add $target" >&2; exit 1; }
CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=true \
  cargo build --locked --release --target "$target" -p ntlinkfs >&2
bin="target/$target/release/ntlinkfs"
# Static: no program interpreter and no shared libraries (checked where
# readelf exists), and it runs.
if command -v readelf >/dev/null && readelf -l -d "$bin" | grep -qE 'INTERP|NEEDED'; then
  echo "build-static: $bin is not static" >&2
  exit 1
fi
"$bin" --version >/dev/null
echo "$bin"
