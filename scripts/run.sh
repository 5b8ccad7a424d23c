#!/usr/bin/env bash
# The run command: install what is missing, build the release binaries and the browser UI, migrate
# and load demo data into an embedded SQLite database (.run/clinic.db), then serve the UI and the
# API on http://127.0.0.1:8080 until Ctrl-C.
# Environment: CLINIC_LISTEN (default 127.0.0.1:8080), CLINIC_DB (default sqlite://.run/clinic.db).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
bash scripts/build-ui.sh

mkdir -p .run
export CLINIC_DB="${CLINIC_DB:-sqlite://$PWD/.run/clinic.db}"
export CLINIC_LISTEN="${CLINIC_LISTEN:-127.0.0.1:8080}"
export CLINIC_FILES="${CLINIC_FILES:-$PWD/.run/files}"
# libmongoc keeps driver counters in /dev/shm/mongoc-<pid>, left behind by a killed process; a
# later process with the same pid then warns on stderr. Nothing here reads those counters.
export MONGOC_DISABLE_SHM=1
build/release/bin/clinicctl seed-demo
echo "open http://${CLINIC_LISTEN} (API: http://${CLINIC_LISTEN}/api/openapi.json); Ctrl-C stops"
exec build/release/bin/clinicd
