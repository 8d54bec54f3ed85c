# The two commands of the README, and a few helpers around them.
.PHONY: run test lint bench

## Build and run the whole product on this machine (builtin offline LLM when no key is set).
run:
	bash deploy/run.sh

## Every test: Rust (unit, real-HTTP, podman Docker API, binaries), frontend, browser, run smoke test.
test:
	bash tests/run-all.sh

## Load benchmark of the whole stack (release binaries, fake LLM); prints figures.
bench:
	cargo build --release --locked --bins -q
	target/release/bench

## Formatting and lints as CI runs them.
lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
