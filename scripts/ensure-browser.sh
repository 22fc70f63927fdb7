#!/usr/bin/env bash
# Debian's Chromium for the browser tests, and a CJK font so screenshots
# show Chinese text. playwright's own browser download cannot work here.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then need+=(fonts-wqy-microhei); fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "ensure-browser: missing ${need[*]}: run 'sudo apt-get install ${need[*]}' and try again" >&2; exit 1
fi
echo "ensure-browser: installing ${need[*]} from Debian's packages" >&2
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
