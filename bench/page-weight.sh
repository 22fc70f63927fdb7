#!/usr/bin/env bash
# Page weight: what a phone downloads, cache empty, to show each role's
# main pages (web/bench/page-weight.mjs, Chromium's own byte count) against
# a fresh `linli demo`. Needs `make build` and Chromium (scripts/ensure-browser.sh).
# Usage: bench/page-weight.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LINLI_BIN:-target/release/linli}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
data=$(mktemp -d)
log="$data/demo.log"
"$bin" demo --data "$data/demo" --listen 127.0.0.1:0 >"$log" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do grep -q "用户名 jumin" "$log" 2>/dev/null && break; sleep 1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1)
pw() { grep -o "用户名 $1  密码 [^ ]*" "$log" | awk '{print $4}'; }
echo "machine: $(nproc) cores; $(date -u +%F); $(git rev-parse --short HEAD)"
node web/bench/page-weight.mjs "$base" jumin "$(pw jumin)" /home /cases/new /cases /notices /inbox
node web/bench/page-weight.mjs "$base" wangge1 "$(pw wangge1)" /home /residents
node web/bench/page-weight.mjs "$base" shuji "$(pw shuji)" /home /dashboard "/places?code=220103008003&building=5"
node web/bench/page-weight.mjs "$base" tuanshan "$(pw tuanshan)" /dashboard /screen
