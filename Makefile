# The two commands of the README, and a few helpers around them.
.PHONY: run test lint bench llm-cost soak compose-test compose-down train eval

## Build and run the whole product on this machine (builtin offline LLM when no key is set).
run:
	bash deploy/run.sh

## Every test: Rust (unit, real-HTTP, podman Docker API, binaries), frontend, browser, run smoke test,
## the deployment lints, the compose stack for real (compose-test) and the soak.
test:
	bash tests/run-all.sh

## The Docker Compose deployment built and run for real on a Docker Engine of its own
## (COMPOSE_KEEP=1 leaves it running; make compose-down stops it).
compose-test:
	bash tests/scripts/compose-test.sh

compose-down:
	bash tests/scripts/compose-down.sh

## Load benchmark of the whole stack (release binaries, fake LLM); prints figures.
bench:
	cargo build --release --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin bench --bin eval --bin fake-truenas
	target/release/bench

## LLM calls, prompt characters and tokens per question, with and without prefetch.
llm-cost:
	cargo build --release --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin bench --bin eval --bin fake-truenas
	target/release/bench --llm-cost

## 60 s at c=256 through the gateway: zero errors, audit and sessions = answered chats.
soak:
	cargo build --release --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin bench --bin eval --bin fake-truenas
	target/release/bench --soak

## Formatting and lints as CI runs them.
lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p gateway -- -D warnings

## Train the question classifier from crates/homelab-understanding/corpus/ (writes model/model.bin;
## prints k-fold and held-out figures).
train:
	cargo run --release --locked -p homelab-understanding --bin train

## How well questions are understood: the classifier's figures, then the product asked the owner
## questions of tests/eval/ about a real Docker Engine fixture; prints right/total by kind.
eval:
	bash tests/scripts/eval.sh
