#!/usr/bin/env bash
# The resident registry at a million people (release build): writes an
# xlsx of N made-up residents in the 长山花园 demo's dwellings, imports it
# into a fresh SQLite database through the same service `linli import
# residents` uses, then times exact ID search and list pages. With a
# PostgreSQL URL as the second argument the import and searches run there.
# Usage: bench/registry.sh [N=1000000] [DATABASE_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
url=${2:-}
scripts/ensure-npm.sh >/dev/null
cargo build --release --locked -p linli-app --example registry_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples/registry_bench
mkdir -p bench/out
file=bench/out/residents-$n.xlsx
[ -f "$file" ] || "$bin" gen "$n" "$file"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); ${url:-SQLite}"
"$bin" run "$file" ${url:+"$url"} | tee "bench/out/registry-$n.txt"
