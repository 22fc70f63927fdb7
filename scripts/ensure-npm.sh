#!/usr/bin/env bash
# Front-end libraries and browser-test packages from npm (web/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "ensure-npm: npm is missing: apt-get install npm" >&2; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error
fi
# The bundles the binary embeds (web/dist: slim ECharts, the icon sprite,
# brotli copies); rewritten only when they change.
node build.mjs
