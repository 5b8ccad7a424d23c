#!/usr/bin/env bash
# The code's own checks, run by the test command: clang-format (the repository's .clang-format) on
# every C++ file, then clang-tidy (the repository's .clang-tidy, warnings as errors) on every
# translation unit under src/ and apps/, one per core. `--deep` adds the path-sensitive
# clang-analyzer-* checks (about four times slower; see docs/decisions.md, "Code checks").
# Usage: scripts/lint.sh [--deep] [build-dir]   (build-dir holds compile_commands.json; build/dev)
set -euo pipefail
cd "$(dirname "$0")/.."
extra_checks=()
if [[ "${1:-}" == "--deep" ]]; then
  extra_checks=(--checks=clang-analyzer-*)
  shift
fi
build_dir="${1:-build/dev}"

mapfile -t cxx_files < <(git ls-files '*.cpp' '*.hpp')
if ! clang-format --dry-run -Werror "${cxx_files[@]}"; then
  echo "clang-format: the files above are not formatted (run clang-format -i on them)"
  exit 1
fi
echo "clang-format: ${#cxx_files[@]} files formatted"

[[ -f "$build_dir/compile_commands.json" ]] || { echo "no $build_dir/compile_commands.json"; exit 1; }
mapfile -t units < <(git ls-files 'src/*.cpp' 'apps/*.cpp')
# The build is GCC's: clang does not know some of its warning flags, and the checks need none.
if ! printf '%s\n' "${units[@]}" |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet "${extra_checks[@]}" \
    --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-unused-command-line-argument \
    2> >(grep -v -e 'warnings generated' -e 'Suppressed [0-9]* warnings' \
      -e 'Use -header-filter' >&2); then
  echo "clang-tidy: the findings above are errors (.clang-tidy)"
  exit 1
fi
echo "clang-tidy: ${#units[@]} translation units clean"
