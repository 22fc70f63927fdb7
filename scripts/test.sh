#!/usr/bin/env bash
# The whole test suite: style and lints, the Rust tests on SQLite and
# PostgreSQL, then the browser tests in headless Chromium. Every suite runs
# to the end; the closing "N passed, N failed" line comes from the counts
# the runners print, and the script fails on any failed, ignored or skipped
# test, on a suite that failed without a failed test (a build error), and
# when the PostgreSQL or the browser suite did not run in full.
#
# Build cost: clippy checks the tree once (metadata only); `cargo test`
# builds it once more and, because crates/linli has an integration test,
# also builds target/debug/linli with the same features — the binary the
# browser tests start. No third build.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)

scripts/ensure-npm.sh
scripts/ensure-browser.sh
LINLI_TEST_PYTHON=$(scripts/ensure-python.sh)
export LINLI_TEST_PYTHON
LINLI_TEST_POSTGRES_URL=$(scripts/ensure-postgres.sh)
export LINLI_TEST_POSTGRES_URL
unset LINLI_TEST_SKIP_POSTGRES
echo "PostgreSQL for tests: $LINLI_TEST_POSTGRES_URL"

problems=()
set +e
# style and lints first: cheap, and they fail loudly (but the tests still run)
cargo fmt --all -- --check || problems+=("rustfmt found unformatted code")
cargo clippy --workspace --all-targets --locked -- -D warnings || problems+=("clippy found warnings")

# the Rust suites, every binary to the end
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$out/cargo.log"
cargo_rc=${PIPESTATUS[0]}
[ -x target/debug/linli ] || problems+=("cargo test did not build target/debug/linli for the browser suite")

# the browser suite against the real binary; TAP whatever Node's default
(cd web && node --test --test-reporter=tap --test-concurrency=1 tests/) 2>&1 | tee "$out/browser.log"
node_rc=${PIPESTATUS[0]}
set -e

sum() { { grep -oE "$1" "$2" || true; } | { grep -oE '[0-9]+' || true; } | awk '{s+=$1} END {print s+0}'; }
rust_passed=$(sum 'test result: [a-zA-Z]+\. [0-9]+ passed' "$out/cargo.log")
rust_failed=$(sum '; [0-9]+ failed' "$out/cargo.log")
rust_ignored=$(sum '; [0-9]+ ignored' "$out/cargo.log")
pg_ran=$(grep -cE '::postgres \.\.\. ok$' "$out/cargo.log" || true)
sqlite_ran=$(grep -cE '::sqlite \.\.\. ok$' "$out/cargo.log" || true)
browser_passed=$(sum '^# pass [0-9]+' "$out/browser.log")
browser_failed=$(( $(sum '^# fail [0-9]+' "$out/browser.log") + $(sum '^# cancelled [0-9]+' "$out/browser.log") ))
browser_skipped=$(( $(sum '^# skipped [0-9]+' "$out/browser.log") + $(sum '^# todo [0-9]+' "$out/browser.log") ))

echo "suites: ${sqlite_ran} SQLite and ${pg_ran} PostgreSQL storage tests, ${browser_passed} browser tests"
[ "$cargo_rc" -ne 0 ] && [ "$rust_failed" -eq 0 ] && { problems+=("cargo test exited $cargo_rc without a failed test (a build error?)"); rust_failed=1; }
[ "$node_rc" -ne 0 ] && [ "$browser_failed" -eq 0 ] && { problems+=("the browser suite exited $node_rc without a failed test"); browser_failed=1; }
[ "$pg_ran" -eq 0 ] || [ "$pg_ran" -ne "$sqlite_ran" ] && problems+=("the PostgreSQL suite did not run in full ($pg_ran of $sqlite_ran)")
[ "$rust_ignored" -ne 0 ] && problems+=("$rust_ignored Rust tests ignored")
[ "$browser_passed" -eq 0 ] && problems+=("the browser suite ran no test")
[ "$browser_skipped" -ne 0 ] && problems+=("$browser_skipped browser tests skipped or todo")
for p in "${problems[@]}"; do echo "FAIL: $p"; done
skipped=$((rust_ignored + browser_skipped))
echo "$((rust_passed + browser_passed)) passed, $((rust_failed + browser_failed)) failed, ${skipped} skipped"
[ ${#problems[@]} -eq 0 ] && [ "$((rust_failed + browser_failed))" -eq 0 ]
