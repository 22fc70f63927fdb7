#!/usr/bin/env bash
# Category suggestion benchmark: accuracy of the jieba + naive-Bayes model
# on a held-out split of hand-written reports (bench/suggest-cases.tsv,
# every 4th report of each category held out), and the time to retrain on
# the services' 20,000-case window and to classify one report.
# Usage: bench/suggest.sh [TSV]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"
cargo run --release --locked -q -p linli-app --example suggest_bench -- ${1:+"$1"}
