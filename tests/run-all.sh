#!/usr/bin/env bash
# Runs every test of the project; `make test` and CI call this.
# Installs what the tests need from Debian's packages first (podman, busybox-static, nginx,
# chromium, prometheus), starts podman's Docker-compatible API with a few fixture containers, a
# Docker Engine of its own (for running containers) and a real Prometheus scraping a node exporter,
# then runs the Rust tests, the frontend tests, the browser test, the official MCP client against the
# MCP endpoint (also through the web UI's nginx), the smoke test of the run command, schemathesis
# against the gateway's OpenAPI document, the deployment lints, the compose stack built and run
# for real on a Docker Engine of its own (make compose-test), the soak and make eval.
set -euo pipefail
cd "$(dirname "$0")/.."

# The repository stands alone: a user's clone has nothing beside it.
if git grep -nE '\.\./shared\b' -- ':!*.md' ':!tests/run-all.sh'; then
  echo "ERROR: the lines above read outside the repository" >&2
  exit 1
fi
echo "ok - nothing reads outside the repository"

bash tests/scripts/install-test-deps.sh

# The scripts that start the product with the run command use the release binaries, which the
# benchmark, the MCP client and the images need anyway: one optimised build, not two.
export HOMELAB_PROFILE=release

if fixture=$(bash tests/scripts/podman-fixture.sh start); then
  export TEST_DOCKER_HOST="${fixture#DOCKER_HOST=}"
  echo "Docker API for tests: $TEST_DOCKER_HOST"
else
  echo "NOTICE: podman's Docker API could not be started; Docker tests will skip (or fail with REQUIRE_DOCKER_TESTS=1)"
fi

# A real Docker Engine for the tests that need running containers (podman here only creates them).
engine_started=false
if fixture=$(bash tests/scripts/engine-fixture.sh start); then
  export TEST_DOCKER_ENGINE="${fixture#DOCKER_HOST=}"
  engine_started=true
  echo "Docker Engine for tests: $TEST_DOCKER_ENGINE"
else
  echo "NOTICE: the Docker Engine could not be started; its tests will skip (or fail with REQUIRE_DOCKER_TESTS=1)"
fi

if fixture=$(bash tests/scripts/prometheus-fixture.sh start); then
  export TEST_PROMETHEUS_URL="${fixture#PROMETHEUS_URL=}"
  echo "Prometheus for tests: $TEST_PROMETHEUS_URL"
  trap 'bash tests/scripts/prometheus-fixture.sh stop' EXIT
else
  echo "NOTICE: Prometheus could not be started; its tests will skip (or fail with REQUIRE_PROMETHEUS_TESTS=1)"
fi

echo "== Rust tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
# Only the Rust tests use them; the soak later should not share the machine with them (the
# compose test starts the engine again, on the same data).
bash tests/scripts/prometheus-fixture.sh stop
if $engine_started; then bash tests/scripts/engine-fixture.sh stop; fi

if [ -f frontend/package.json ]; then
  echo "== Frontend tests"
  (cd frontend && npm ci --no-audit --no-fund && npm test)
fi

for extra in tests/scripts/browser-e2e.sh tests/scripts/mcp-client.sh tests/scripts/smoke-run.sh tests/scripts/run-ui-tls.sh tests/scripts/schemathesis.sh tests/scripts/check-deploy.sh tests/scripts/compose-test.sh; do
  if [ -f "$extra" ]; then
    echo "== $(basename "$extra")"
    bash "$extra"
  fi
done

echo "== soak (60 s at c=256 through the gateway)"
[ -x target/release/bench ] || cargo build --release --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin bench --bin eval --bin fake-truenas
target/release/bench --soak

# How well it understands: the classifier's cross-validation and held-out lines, then the whole
# product on the builtin model asked 200 owner questions about a real Docker Engine fixture (tune
# and held-out parts reported apart). It fails below these shares; the measured figures are in
# the README.
echo "== make eval (on the release build)"
EVAL_PROFILE=release EVAL_MIN_TUNE="${EVAL_MIN_TUNE:-0.85}" EVAL_MIN_HELDOUT="${EVAL_MIN_HELDOUT:-0.80}" \
  bash tests/scripts/eval.sh
