#!/usr/bin/env bash
# Volunteering benchmark: the example `volunteer_bench` writes 10,000
# volunteers and a year of ENTRIES ledger entries by SQL, then reads
# members' balances, the street's figures for the year, and checks 500
# volunteers in and out of one activity by its rotating code from 8
# clients, and runs the ledger check.
# Usage: bench/volunteering.sh [ENTRIES] [postgres://… (a fresh database)]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-10000000}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); $([ -n "${2:-}" ] && echo PostgreSQL || echo SQLite)"
cargo run --release --locked -q -p linli-app --example volunteer_bench -- "$entries" ${2:+"$2"}
