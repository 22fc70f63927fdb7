#!/usr/bin/env bash
# Photo benchmark: the time intake spends re-encoding one 12-megapixel
# phone photo (sniff, decode with limits, scale to 2048 px, JPEG without EXIF).
# Usage: bench/photo.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"
cargo run --release --locked -q -p linli-app --example photo_bench -- ${1:+"$1"}
