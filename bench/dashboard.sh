#!/usr/bin/env bash
# Dashboard benchmark: the example `dashboard_bench` fills one street's
# roll-ups as the services would after CASES_PER_DAY cases a day (36,000 ≈
# 12,000,000 a year; 200 grids, 336 days) and times the dashboard service
# over the street, a community and a grid, for a year and for one month.
# Usage: bench/dashboard.sh [CASES_PER_DAY] [postgres://… (a fresh database)]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-36000}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); $([ -n "${2:-}" ] && echo PostgreSQL || echo SQLite)"
cargo run --release --locked -q -p linli-app --example dashboard_bench -- "$rows" ${2:+"$2"}
