#!/usr/bin/env bash
# Owners' votes benchmark: the example `vote_bench` builds an estate of
# OWNERS owners by SQL, opens an election, enters every owner's paper ballot
# from 8 clients (one durable transaction each), closes it and times the
# result's tally.
# Usage: bench/votes.sh [OWNERS] [postgres://… (a fresh database)]
set -euo pipefail
cd "$(dirname "$0")/.."
owners=${1:-5000}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); $([ -n "${2:-}" ] && echo PostgreSQL || echo SQLite)"
cargo run --release --locked -q -p linli-app --example vote_bench -- "$owners" ${2:+"$2"}
