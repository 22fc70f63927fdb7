#!/usr/bin/env bash
# Prints a PostgreSQL URL that the tests can use (the server must allow
# CREATE DATABASE). Order: $LINLI_TEST_POSTGRES_URL if it answers; the
# machine's server on 127.0.0.1:5432 (started if installed but stopped);
# else a throwaway cluster with trust auth in /tmp (PostgreSQL installed
# from Debian's packages when missing and we are root).
set -euo pipefail
log() { echo "ensure-postgres: $*" >&2; }
answers() { command -v psql >/dev/null && psql "$1" -qtAc 'select 1' >/dev/null 2>&1; }

if ! command -v psql >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    log "installing PostgreSQL from Debian's packages"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    log "PostgreSQL is missing: run 'sudo apt-get install postgresql' and try again"; exit 1
  fi
fi

if [ -n "${LINLI_TEST_POSTGRES_URL:-}" ] && answers "$LINLI_TEST_POSTGRES_URL"; then
  echo "$LINLI_TEST_POSTGRES_URL"; exit 0
fi

local_url="postgres://postgres@127.0.0.1:5432/postgres"
if answers "$local_url"; then echo "$local_url"; exit 0; fi
if [ "$(id -u)" = 0 ] && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  for v in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start >&2 2>&1 || true
  done
  for _ in $(seq 1 20); do answers "$local_url" && { echo "$local_url"; exit 0; }; sleep 0.5; done
fi

# a throwaway cluster of our own, trust auth, on port 54329
port=54329
dir=/tmp/linli-test-pg
url="postgres://postgres@127.0.0.1:${port}/postgres"
if answers "$url"; then echo "$url"; exit 0; fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if [ ! -f "$dir/PG_VERSION" ]; then
  log "creating a throwaway cluster in $dir"
  rm -rf "$dir"; mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  run_as_pg "$bindir/initdb -D $dir -U postgres -A trust -E UTF8 --locale=C.UTF-8" >&2
fi
run_as_pg "$bindir/pg_ctl -D $dir -l $dir/server.log -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' -w start" >&2
answers "$url" || { log "the throwaway cluster does not answer; see $dir/server.log"; exit 1; }
echo "$url"
