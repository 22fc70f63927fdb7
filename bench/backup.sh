#!/usr/bin/env bash
# Backup and restore benchmark: seeds the demo community (linli demo, all
# capabilities), then times `linli backup` on SQLite, `linli restore` of
# that file onto a fresh SQLite and a fresh PostgreSQL database, and
# `linli backup` from PostgreSQL — wall time and peak RSS of each, and the
# file's size. Release build.
# Usage: bench/backup.sh [postgres://…/postgres (server; a database linli_backup_bench is made)]
set -euo pipefail
cd "$(dirname "$0")/.."
pg=${1:-postgres://postgres@127.0.0.1:5432/postgres}
cargo build --release --locked -q -p linli
bin=target/release/linli
work=$(mktemp -d)
trap 'pkill -f "linli demo --data $work/demo" || true; rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F); $(git rev-parse --short HEAD)"
"$bin" demo --data "$work/demo" --listen 127.0.0.1:0 > "$work/demo.log" 2>&1 &
for _ in $(seq 1 120); do grep -q "用户名 gongjian" "$work/demo.log" && break; sleep 1; done
pkill -f "linli demo --data $work/demo"; sleep 1
timed() { /usr/bin/time -f "  %e s wall, %M KiB peak RSS" "$@"; }
echo "backup, SQLite:"; timed "$bin" backup "$work/a.zip" --data "$work/demo" | head -1
echo "  file: $(du -k "$work/a.zip" | cut -f1) KiB"
echo "restore onto SQLite:"; timed "$bin" restore "$work/a.zip" --data "$work/r1" | head -1
base=${pg%/*}
psql "$pg" -qc "DROP DATABASE IF EXISTS linli_backup_bench" -c "CREATE DATABASE linli_backup_bench" 2>/dev/null
echo "restore onto PostgreSQL:"; timed "$bin" restore "$work/a.zip" --data "$work/r2" --database-url "$base/linli_backup_bench" | head -1
echo "backup, PostgreSQL:"; timed "$bin" backup "$work/b.zip" --data "$work/r2" --database-url "$base/linli_backup_bench" | head -1
psql "$pg" -qc "DROP DATABASE linli_backup_bench" 2>/dev/null
