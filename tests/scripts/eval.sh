#!/usr/bin/env bash
# make eval: how well the assistant understands its owner, in two parts.
#   1. The classifier alone (crates/homelab-understanding): retrained from its corpus with the
#      seed it was trained with, k-fold cross-validation and the held-out part of the corpus
#      printed, and a check that the checked-in model is exactly what training makes.
#   2. The whole product on the builtin model, asked tests/eval/questions.jsonl about a real
#      Docker Engine fixture (tests/scripts/eval-fixture.sh) and a fake TrueNAS, each answer
#      checked against the facts: right/total by split (tune, held out), kind and language.
# EVAL_MIN_TUNE / EVAL_MIN_HELDOUT (0-1) make it fail below those shares (CI sets them).
# EVAL_PROFILE picks the build (default `quick`, the run command's shorter build; CI passes
# `release`, which it has built already for the soak).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
profile="${EVAL_PROFILE:-quick}"
echo "== the classifier (cross-validation and held-out corpus lines)"
cargo run --profile "$profile" --locked -q -p homelab-understanding --bin train -- --check
# The services, the harness and the fake TrueNAS, optimised.
cargo build --profile "$profile" --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin eval --bin fake-truenas
# From here on, what happens on the fixture is Docker's to replay to tool-monitoring; before it,
# the event record eval seeds holds last night (tests/src/bin/eval.rs, last_night).
EVAL_FIXTURE_SINCE=$(date +%s)
export EVAL_FIXTURE_SINCE
fixture=$(bash tests/scripts/eval-fixture.sh start)
trap 'bash tests/scripts/eval-fixture.sh stop' EXIT
export "${fixture?}"
echo "== the product, asked the owner questions ($(wc -l < tests/eval/questions.jsonl))"
target/"$profile"/eval --min-tune "${EVAL_MIN_TUNE:-0}" --min-heldout "${EVAL_MIN_HELDOUT:-0}"
