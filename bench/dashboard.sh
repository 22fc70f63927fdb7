#!/usr/bin/env bash
# Dashboard benchmark: the example `dashboard_bench` fills one street's
# roll-ups (200 grids × 336 days × ROWS rows a grid-day, 3 cases a row:
# ROWS=60 is ≈ 12,000,000 cases) and times the dashboard service over the
# street, a community and a grid, for a year and for one month.
# Usage: bench/dashboard.sh [ROWS] [postgres://… (a fresh database)]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-60}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); $([ -n "${2:-}" ] && echo PostgreSQL || echo SQLite)"
cargo run --release --locked -q -p linli-app --example dashboard_bench -- "$rows" ${2:+"$2"}
