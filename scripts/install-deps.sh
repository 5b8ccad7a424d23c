#!/usr/bin/env bash
# Installs the Debian 12 packages Clinic needs, and only those missing (so a second run is quick):
# compilers and libraries, Node.js for the browser UI, and for tests the database servers (MariaDB,
# Galera) and Chromium.
# Usage: scripts/install-deps.sh build|test   (test = build + the test servers and tools)
# Runs as root (no sudo on a fresh machine); apt-get update runs only when something is missing.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libmariadb-dev libmongoc-dev libbson-dev libhowardhinnant-date-dev
  libsodium-dev libexpected-dev libcmark-dev libspdlog-dev libfmt-dev libcli11-dev
  libyaml-cpp-dev
)
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev mariadb-server mariadb-client galera-4 rsync
  sqlite3 curl chromium fonts-dejavu-core clang libclang-rt-14-dev clang-format clang-tidy
)

wanted=("${build_packages[@]}")
if [[ "${1:-build}" == "test" ]]; then
  wanted+=("${test_packages[@]}")
fi
# The browser UI is built (and the Mongo peer runs) on Node.js 18 or newer. A machine that already
# has node and npm keeps its own: Debian's npm package conflicts with other Node.js installs.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  wanted+=(nodejs npm)
fi

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
