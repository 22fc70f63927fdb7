#!/usr/bin/env bash
# Intake load benchmark: POST /api/v1/cases (JSON, location → grid,
# category, contact sealed, timeline event, roll-up update, audit record,
# durable commit) on the release binary, 64 connections with wrk on the
# same 2-core machine, after `linli demo` seeded 长山花园 and its year of
# cases. Beside it, the same disk's raw durable SQLite insert rate (one
# row per commit), so the ratio shows how close intake is to the storage.
# Usage: bench/intake.sh [seconds] [postgres://… (fresh database)]
# LINLI_BENCH_SUGGEST=1: reports without a category (the server suggests one).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
pg=${2:-}
bin=${LINLI_BIN:-${CARGO_TARGET_DIR:-target}/release/linli}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
data=$(mktemp -d -p "${LINLI_BENCH_DIR:-/tmp}")
port=${LINLI_BENCH_PORT:-7392}
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
args=(demo --data "$data" --listen "127.0.0.1:$port")
[ -n "$pg" ] && args+=(--database-url "$pg")
RUST_LOG=warn "$bin" "${args[@]}" > "$data/demo.out" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
db_args=(--data "$data")
[ -n "$pg" ] && db_args=(--database-url "$pg" --data "$data")
LINLI_BENCH_TOKEN=$("$bin" token add --username jumin --name bench "${db_args[@]}" 2>/dev/null)
export LINLI_BENCH_TOKEN
mkdir -p bench/out
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); $([ -n "$pg" ] && echo PostgreSQL || echo SQLite)"
wrk -t2 -c64 -d"${secs}s" --latency -s bench/post-case.lua "http://127.0.0.1:$port/api/v1/cases" > bench/out/intake.txt
rps=$(awk '/Requests\/sec/ {print $2}' bench/out/intake.txt)
echo "POST /api/v1/cases$([ "${LINLI_BENCH_SUGGEST:-}" = 1 ] && echo ' (category suggested)'), 64 connections: $rps cases/s; $(tail -1 bench/out/intake.txt)"
if [ -z "$pg" ]; then
  echo "raw durable SQLite insert, same disk: $(python3 bench/sqlite-raw.py "$data" "$secs")"
fi
