#!/usr/bin/env bash
# The grid tree pages of the 长山花园 demo (10 grids, 11 buildings, 3,105
# dwellings) on SQLite, release build: the community page, a grid page
# and a building page with its first 50 dwellings, plus the validation
# report. 4 connections, so latency is the server's time, not queueing
# behind 64 clients on a 2-core machine that also runs wrk.
# Usage: bench/tree-page.sh [seconds]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=${LINLI_BIN:-${CARGO_TARGET_DIR:-target}/release/linli}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk (bench/load.sh does it as root)" >&2; exit 1; }
data=$(mktemp -d)
port=${LINLI_BENCH_PORT:-7392}
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
RUST_LOG=warn "$bin" demo --data "$data" --listen "127.0.0.1:$port" > "$data/demo.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$("$bin" token add --username shuji --name bench --data "$data" 2>/dev/null)
base="http://127.0.0.1:$port"
c=220103008003
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); wrk -t1 -c4 -d${secs}s"
for page in "/places?code=$c" "/places?code=$c&grid=10" "/places?code=$c&building=11" "/places/report?code=$c" "/api/v1/communities/$c"; do
  printf '%-40s ' "GET $page"
  wrk -t1 -c4 -d"${secs}s" -s bench/p95.lua -H "Authorization: Bearer $token" "$base$page" | tail -1
done
