#!/usr/bin/env bash
# Builds the browser UI (ui/) into build/web, the folder clinicd serves at "/" by default.
# Installs the npm packages from the committed lockfile first, only when the lockfile changed since
# the last install. Needs Node.js 18 or newer (scripts/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/../ui"

major=$(node -p 'process.versions.node.split(".")[0]')
if ((major < 18)); then
  echo "the UI needs Node.js 18 or newer; this is $(node --version)" >&2
  exit 1
fi
if [[ ! -f node_modules/.clinic-installed || package-lock.json -nt node_modules/.clinic-installed ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.clinic-installed
fi
npm run --silent build
