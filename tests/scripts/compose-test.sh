#!/usr/bin/env bash
# make compose-test: the Docker Compose deployment built and run for real (tests/deploy/compose_test.py)
# on a Docker Engine of its own (tests/scripts/docker-engine.sh), from the release binaries and
# the built UI (built here when missing). Ends with `docker compose down -v` and stops the engine;
# COMPOSE_KEEP=1 leaves both running and says how to reach and stop them.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The four services, and the fake TrueNAS the TrueNAS YAML's phase asks.
[ -x target/release/gateway ] && [ -x target/release/tool-monitoring ] && [ -x target/release/fake-truenas ] \
  || cargo build --release --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin bench --bin eval --bin fake-truenas
if [ ! -f frontend/dist/index.html ]; then
  (cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
fi
engine=$(bash tests/scripts/docker-engine.sh start)
eval "export $(echo "$engine" | tr '\n' ' ')"
export COMPOSE_TEST_DIR="${COMPOSE_TEST_DIR:-$PWD/target/compose-test}"
status=0
python3 tests/deploy/compose_test.py || status=$?
if [ "${COMPOSE_KEEP:-0}" = 1 ]; then
  echo
  echo "COMPOSE_KEEP=1: the stack and its engine are still running. To reach them:"
  echo "  export DOCKER_HOST=$DOCKER_HOST DOCKER_CONFIG=$DOCKER_CONFIG"
  echo "  docker compose -p homelab-assistant ps"
  echo "Stop them with: make compose-down"
else
  bash tests/scripts/docker-engine.sh stop
fi
exit "$status"
