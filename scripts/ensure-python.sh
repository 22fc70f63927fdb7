#!/usr/bin/env bash
# A virtualenv in web/.venv with the third-party Open311 client the tests
# read our GeoReport v2 endpoint with (PyPI `georeport`, pinned). Prints
# the venv's python.
set -euo pipefail
cd "$(dirname "$0")/../web"
venv=.venv
want="georeport==0.3.1"
if [ ! -x "$venv/bin/python" ]; then
  command -v python3 >/dev/null || { echo "ensure-python: python3 is missing: apt-get install python3-venv" >&2; exit 1; }
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c 'import georeport' 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$want" >&2
fi
echo "$(pwd)/$venv/bin/python"
