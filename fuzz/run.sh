#!/usr/bin/env bash
# Runs fuzz targets from their committed seed corpora, FUZZ_SECONDS each
# (default 30). New inputs go to a scratch corpus, never into fuzz/corpus.
# Usage: fuzz/run.sh [TARGET...]     e.g. FUZZ_SECONDS=3600 fuzz/run.sh op_sequence
# Stable toolchain, no sanitizer (-s none); set FUZZ_ASAN=1 for AddressSanitizer
# (uses RUSTC_BOOTSTRAP=1). A crash exits non-zero and leaves fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
secs="${FUZZ_SECONDS:-30}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(reparse_decode path_parse shell_parse image_load op_sequence)
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
sanitizer=(-s none)
if [ "${FUZZ_ASAN:-}" = 1 ]; then
  export RUSTC_BOOTSTRAP=1
  sanitizer=()
fi
cargo fuzz build "${sanitizer[@]}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  echo "fuzz: $t for ${secs}s from corpus/$t ($(ls "corpus/$t" | wc -l) seeds)"
  log="$scratch/$t.log"
  if ! cargo fuzz run "${sanitizer[@]}" "$t" "$scratch/$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz: $t FAILED (the input is in fuzz/artifacts/$t/)"
    exit 1
  fi
  grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || tail -3 "$log"
done
echo "fuzz: ${#targets[@]} targets ran clean"
