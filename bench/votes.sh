#!/usr/bin/env bash
# Owners' votes benchmark: the example `vote_bench` builds an estate of
# OWNERS owners by SQL, opens an election, enters every owner's paper ballot
# from 8 clients (one durable transaction each), closes it and times the
# result's tally, then reads the public board of a community with three
# years of deliberation (the example `board_bench`).
# Usage: bench/votes.sh [OWNERS] [postgres://… (a fresh database) postgres://… (another)]
set -euo pipefail
cd "$(dirname "$0")/.."
owners=${1:-5000}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); $([ -n "${2:-}" ] && echo PostgreSQL || echo SQLite)"
cargo run --release --locked -q -p linli-app --example vote_bench -- "$owners" ${2:+"$2"}
# the public board of a community with three years of deliberation
cargo run --release --locked -q -p linli-app --example board_bench -- ${3:+"$3"}
