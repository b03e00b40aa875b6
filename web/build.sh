#!/usr/bin/env bash
# Builds the browser playground into web/dist/: index.html, style.css,
# app.js, the wasm-bindgen glue (ntlinkfs_web.js) and the wasm
# (ntlinkfs_web_bg.wasm), all at its top level; any static server shows it:
#   python3 -m http.server -d web/dist
# Installs what it needs: the wasm32 target (rustup) and wasm-bindgen-cli at
# the version Cargo.lock pins for the wasm-bindgen crate (crates.io). Prints
# the size budget and fails when the gzip'd wasm is over 1.5 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
web=web
dist=$web/dist

step() { printf '== %s\n' "$*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# The CLI must be the exact version of the crate, or the glue does not match.
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || { echo "error: Cargo.lock pins no wasm-bindgen" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
    step "cargo install wasm-bindgen-cli $version"
    t=$(now)
    # No default features: they only add TLS (ring) for downloading browser
    # drivers, which the playground's build never does. --locked first (the
    # CLI's own tested dependencies); a registry missing one of those
    # versions falls back to the newest compatible ones.
    cargo install --locked --no-default-features --version "$version" wasm-bindgen-cli ||
        cargo install --no-default-features --version "$version" wasm-bindgen-cli
    echo "installed wasm-bindgen-cli $version in $(secs "$t") s"
fi

step "cargo build -p ntlinkfs-web --target wasm32-unknown-unknown --release"
t=$(now)
# Size over speed for the page, and no debug info (the workspace's release
# profile keeps line tables for perf): set here, for this build only.
CARGO_PROFILE_RELEASE_DEBUG=false \
CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
CARGO_PROFILE_RELEASE_LTO=true \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_PANIC=abort \
    cargo build -p ntlinkfs-web --target wasm32-unknown-unknown --release
echo "built in $(secs "$t") s"

step "wasm-bindgen --target web"
rm -rf "$dist"
mkdir -p "$dist"
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
wasm-bindgen --target web --no-typescript --out-dir "$dist" \
    "$target_dir/wasm32-unknown-unknown/release/ntlinkfs_web.wasm"
cp "$web"/www/* "$dist"/

wasm=$dist/ntlinkfs_web_bg.wasm
raw=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
budget=$((3 * 1024 * 1024 / 2))
printf 'budget: wasm %d bytes, %d bytes gzip'"'"'d (%.2f MiB; budget 1.50 MiB)\n' \
    "$raw" "$gz" "$(awk -v g="$gz" 'BEGIN { print g / 1048576 }')"
if [ "$gz" -gt "$budget" ]; then
    echo "error: the gzip'd wasm is over its budget of $budget bytes" >&2
    exit 1
fi
ls -l "$dist"
