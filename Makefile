# The two commands a newcomer needs (see README.md):
#   make demo   build and start the demo on the embedded database
#   make test   run every test: Rust on SQLite and PostgreSQL, then the browser
.PHONY: demo test build bench check

demo:
	scripts/ensure-npm.sh
	cargo run --release --locked -p linli -- demo

test:
	scripts/test.sh

build:
	scripts/ensure-npm.sh
	cargo build --release --locked -p linli

bench: build
	bench/load.sh
	bench/import-regions.sh
	bench/tree-page.sh
	bench/registry.sh
	bench/intake.sh
	bench/dashboard.sh
	bench/photo.sh
	bench/suggest.sh
	bench/page-weight.sh
	bench/backup.sh
	cargo bench --locked -p linli-domain --bench grid_index

check:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
