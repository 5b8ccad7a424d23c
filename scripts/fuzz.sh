#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset, clang) and runs each for a bounded time over its
# corpus in fuzz/corpus/ (the committed regression inputs first). New interesting inputs go to
# build/fuzz/corpus/, never into the repository. A crash fails the run; its input is written to
# build/fuzz/crashes/ and belongs in fuzz/corpus/<target>/ once fixed, so it is replayed for good.
# Usage: scripts/fuzz.sh [SECONDS per target, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
targets=(json_body_fuzz text_fuzz router_fuzz attachment_fuzz)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -- -j"$(nproc)"
rm -rf build/fuzz/crashes
mkdir -p build/fuzz/crashes
for target in "${targets[@]}"; do
  work="build/fuzz/corpus/$target"
  log="build/fuzz/$target.log"
  mkdir -p "$work"
  status=0
  build/fuzz/bin/"$target" "$work" "fuzz/corpus/$target" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/crashes/$target-" >"$log" 2>&1 || status=$?
  runs=$(grep -oE "stat::number_of_executed_units: [0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
  echo "fuzz: $target: $runs inputs in ${seconds}s"
  if ((status != 0)); then
    grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || tail -20 "$log" >&2
    echo "fuzz: $target failed; the input is in build/fuzz/crashes/" >&2
    exit 1
  fi
done
