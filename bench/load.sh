#!/usr/bin/env bash
# Load benchmark of the release binary on SQLite: GET /healthz and an
# authenticated GET /api/v1/me (personal access token), 64 connections,
# with wrk from Debian's packages. wrk runs on the same 2-core machine as
# the server, so the figures include its share of the CPU.
# Usage: bench/load.sh [seconds]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
bin=${LINLI_BIN:-${CARGO_TARGET_DIR:-target}/release/linli}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk;
  else echo "install wrk: sudo apt-get install wrk" >&2; exit 1; fi
fi
data=$(mktemp -d)
port=${LINLI_BENCH_PORT:-7391}
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
echo 'Load-Test-2026x' | "$bin" user add --username bench --role grid_worker --scope 220103008003 --data "$data" >/dev/null 2>&1
token=$("$bin" token add --username bench --name bench --data "$data" 2>/dev/null)
RUST_LOG=warn "$bin" serve --data "$data" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

mkdir -p bench/out
run() {
  local name=$1 label=$2; shift 2
  wrk -t2 -c64 -d"${secs}s" --latency "$@" > "bench/out/$name.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "bench/out/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "bench/out/$name.txt")
  printf '%-28s %10s req/s   p99 %s\n' "$label" "$rps" "$p99"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"
run healthz "GET /healthz" "http://127.0.0.1:$port/healthz"
run me "GET /api/v1/me (token)" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me"
