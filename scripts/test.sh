#!/usr/bin/env bash
# The whole test suite: Rust tests on SQLite and PostgreSQL, then the
# browser tests in headless Chromium. Fails when the PostgreSQL or the
# browser suite did not run, and ends with one summary line.
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
echo "PostgreSQL for tests: $LINLI_TEST_POSTGRES_URL"

# style and lints first: cheap, and they fail loudly
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# the Rust suites (CI=true makes a missing PostgreSQL a failure, never a skip)
CI=${CI:-true} cargo test --workspace --locked 2>&1 | tee "$out/cargo.log"
if [ ! -x target/debug/linli ]; then
  echo "FAIL: cargo test did not build target/debug/linli for the browser suite"; exit 1
fi

# the browser suite against the real binary
(cd web && node --test --test-concurrency=1 tests/) 2>&1 | tee "$out/browser.log"

pg_ran=$(grep -cE '::postgres \.\.\. ok$' "$out/cargo.log" || true)
sqlite_ran=$(grep -cE '::sqlite \.\.\. ok$' "$out/cargo.log" || true)
rust_passed=$(grep -oE 'test result: ok\. [0-9]+ passed' "$out/cargo.log" | awk '{s+=$4} END {print s+0}')
rust_failed=$(grep -oE '[0-9]+ failed' "$out/cargo.log" | awk '{s+=$1} END {print s+0}')
browser_passed=$(grep -oE '^# pass [0-9]+' "$out/browser.log" | awk '{print $3}')
browser_failed=$(grep -oE '^# fail [0-9]+' "$out/browser.log" | awk '{print $3}')
echo "suites: ${sqlite_ran} SQLite and ${pg_ran} PostgreSQL storage tests, ${browser_passed:-0} browser tests"
if [ "$pg_ran" -eq 0 ] || [ "$pg_ran" -ne "$sqlite_ran" ]; then
  echo "FAIL: the PostgreSQL suite did not run in full ($pg_ran of $sqlite_ran)"; exit 1
fi
if [ "${browser_passed:-0}" -eq 0 ] || [ "${browser_failed:-1}" -ne 0 ]; then
  echo "FAIL: the browser suite did not pass"; exit 1
fi
echo "$((rust_passed + browser_passed)) passed, $((rust_failed + browser_failed)) failed"
