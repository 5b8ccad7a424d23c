#!/usr/bin/env bash
# The test command: install what is missing, build the `dev` preset (ASan + UBSan), check the
# code (scripts/lint.sh: clang-format, clang-tidy), build the
# integration tests under ThreadSanitizer (`tsan`) and the browser UI, start a private MariaDB and
# (when ../shared/mongo-peer exists) the MongoDB wire-protocol peer and a three-node Galera cluster
# (scripts/galera.sh), run the concurrency tests under TSan, then every C++ suite (among them the
# database outage tests, which start a mariadbd and a Galera cluster of their own to kill), the
# cluster suites on Galera, the fuzzers for a bounded time (scripts/fuzz.sh), then the
# browser journeys in Chromium, and stop what it started, also on failure. Exits non-zero on any
# failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
state="$root/.test-run"

bash scripts/install-deps.sh test
cmake --preset dev >/dev/null
cmake --build --preset dev -- -j"$(nproc)"
bash scripts/lint.sh build/dev
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target clinic_integration_tests -- -j"$(nproc)"
bash scripts/build-ui.sh
if [[ ! -f tests/ui/node_modules/.clinic-installed || tests/ui/package-lock.json -nt tests/ui/node_modules/.clinic-installed ]]; then
  (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.clinic-installed)
fi

rm -rf "$state"
mkdir -p "$state"
mariadb_dir="$state/mariadb"
mongo_dir="$root/.mongo-peer"
mongo_pid=""

# The Galera nodes live under /tmp: a joining node receives its state through an rsync daemon
# running as nobody, which must be able to reach the datadir (a checkout under /root is not).
galera_dir=$(mktemp -d /tmp/clinic-galera.XXXXXX)
chmod 755 "$galera_dir"

cleanup() {
  bash scripts/galera.sh stop "$galera_dir" 2>/dev/null || true
  rm -rf "$galera_dir"
  if [[ -S "$mariadb_dir/mysqld.sock" ]]; then
    mariadb-admin --no-defaults --socket="$mariadb_dir/mysqld.sock" -uroot shutdown 2>/dev/null || true
  fi
  if [[ -n "$mongo_pid" ]]; then kill "$mongo_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# A free TCP port on 127.0.0.1, from $1 upwards.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Private MariaDB: its own datadir, socket and port; no systemd, nothing of /etc/mysql.
mysql_port=$(free_port 33306)
mariadb-install-db --no-defaults --user=root --datadir="$mariadb_dir/data" \
  --auth-root-authentication-method=normal --skip-test-db >"$state/mariadb-install.log" 2>&1
mariadbd --no-defaults --user=root --datadir="$mariadb_dir/data" --bind-address=127.0.0.1 \
  --port="$mysql_port" --socket="$mariadb_dir/mysqld.sock" --pid-file="$mariadb_dir/mysqld.pid" \
  --log-error="$mariadb_dir/error.log" --skip-name-resolve --character-set-server=utf8mb4 \
  --collation-server=utf8mb4_unicode_520_ci --default-time-zone=+00:00 --max-connections=500 \
  >"$state/mariadbd.out" 2>&1 &
for _ in $(seq 1 100); do
  mariadb-admin --no-defaults --socket="$mariadb_dir/mysqld.sock" -uroot ping >/dev/null 2>&1 && break
  sleep 0.1
done
mariadb-admin --no-defaults --socket="$mariadb_dir/mysqld.sock" -uroot ping >/dev/null
export CLINIC_TEST_MYSQL_URI="mysql://root@127.0.0.1:$mysql_port/"
echo "MariaDB $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$mysql_port"

# A three-node Galera cluster for the suites that must hold on a cluster too, on ports below the
# kernel's ephemeral range (see scripts/galera.sh).
mapfile -t galera_uris < <(bash scripts/galera.sh start "$galera_dir" 25306)
((${#galera_uris[@]} == 3)) || { echo "the Galera cluster did not start"; exit 1; }
echo "Galera cluster: ${galera_uris[*]}"

# The MongoDB wire-protocol peer for the document-store suites.
if [[ -d ../shared/mongo-peer ]]; then
  [[ -f "$mongo_dir/server.mjs" ]] || bash ../shared/mongo-peer/install.sh "$mongo_dir"
  mongo_port=$(free_port 27117)
  # The peer's server with the shim its README says to keep on, started and stopped by this script,
  # and with strings kept byte for byte as MongoDB keeps them (tests/mongo-peer/raw_strings.mjs,
  # copied beside the server so that it patches the server's own BSON module).
  cp tests/mongo-peer/raw_strings.mjs "$mongo_dir/"
  CONGO_SHIM=1 PORT="$mongo_port" node --import "$mongo_dir/raw_strings.mjs" "$mongo_dir/server.mjs" \
    >"$state/mongo-peer.log" 2>&1 &
  mongo_pid=$!
  for _ in $(seq 1 100); do
    grep -q READY "$state/mongo-peer.log" && break
    sleep 0.1
  done
  grep -q READY "$state/mongo-peer.log" || { cat "$state/mongo-peer.log"; exit 1; }
  export CLINIC_TEST_MONGO_URI="mongodb://127.0.0.1:$mongo_port/?directConnection=true"
else
  echo "../shared/mongo-peer not found: document-store tests against MongoDB will be skipped"
fi

echo "concurrency tests under ThreadSanitizer:"
TSAN_OPTIONS="halt_on_error=1 suppressions=$root/tests/tsan.supp" build/tsan/bin/clinic_integration_tests --gtest_color=no \
  --gtest_brief=1 --gtest_filter='*Concurrent*:*Pool*:*Race*'

ctest --preset dev --timeout 1800 -j2

echo "on the Galera cluster: every MariaDB integration suite and the booking races (one clinicd"
echo "per node):"
CLINIC_TEST_MYSQL_URI="${galera_uris[0]}" build/dev/bin/clinic_integration_tests --gtest_color=no \
  --gtest_brief=1 --gtest_filter='*Mysql*:MigrationLock*'
CLINIC_TEST_MYSQL_URI="${galera_uris[0]}" CLINIC_TEST_MYSQL_PEER_URIS="${galera_uris[1]},${galera_uris[2]}" \
  build/dev/bin/clinic_e2e_tests --gtest_color=no --gtest_brief=1 --gtest_filter='*BookingRace*/Mysql'
echo "clinic-bench on the cluster, a moment of the race across one clinicd per node:"
MONGOC_DISABLE_SHM=1 build/dev/bin/clinic-bench --smoke --backend galera --workloads race \
  --mysql "$(IFS=,; echo "${galera_uris[*]}")" ${CLINIC_TEST_MONGO_URI:+--docs "$CLINIC_TEST_MONGO_URI"}

echo "fuzzing the parsers of client input (libFuzzer, 20 s per target):"
bash scripts/fuzz.sh 20

echo "browser journeys (Chromium, screenshots in build/ui-screenshots):"
CLINIC_BIN_DIR="$root/build/dev/bin" node --test tests/ui/journeys/*.test.mjs
