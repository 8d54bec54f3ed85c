#!/usr/bin/env bash
# Browser end-to-end test: builds the UI, starts the whole product with the run command (nginx in
# front of the four services, builtin model) on spare ports, and drives Debian's Chromium with
# playwright-core (the tests are TypeScript, compiled by tsc into frontend/e2e/build/). Screenshots
# land in test-output/browser/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || { echo "chromium missing: tests/scripts/install-test-deps.sh"; exit 1; }
# (make run installs only what the page's build needs; the browser tests also need the test tools.)
{ [ frontend/package-lock.json -ot frontend/node_modules/.package-lock.json ] && [ -d frontend/node_modules/playwright-core ]; } ||
  (cd frontend && npm ci --no-audit --no-fund)
(cd frontend && npm run build >/dev/null && rm -rf e2e/build && npx tsc -p e2e)

tmp=$(mktemp -d)
export HOMELAB_DATA_DIR="$tmp/data" GATEWAY_PORT=18200 ORCHESTRATOR_PORT=18201 LLM_ADAPTER_PORT=18202
export MONITORING_PORT=18203 UI_PORT=18280 UI_BIND_HOST=127.0.0.1
unset API_KEY GROQ_API_KEY OPENAI_API_KEY LLM_PROVIDER
[ -n "${TEST_DOCKER_HOST:-}" ] && export DOCKER_HOST="$TEST_DOCKER_HOST"

source tests/scripts/run-product.sh
cleanup() { stop_product; rm -rf "$tmp"; }
trap cleanup EXIT
# The four services the run command builds, built first with its own command line: on a cold
# target the optimised build takes minutes on 2 cores, and the run command's start is timed.
cargo build --profile "${HOMELAB_PROFILE:-release}" --locked -q -p tool-monitoring -p llm-adapter -p orchestrator -p gateway --bins
start_product "$tmp/run.out"
grep -q "Web UI: " "$tmp/run.out" || { cat "$tmp/run.out"; echo "FAIL: the web UI was not started"; exit 1; }
if [ "$(id -u)" -eq 0 ]; then
  # Started as root, the run command still never runs nginx as root.
  pgrep -u root -f "homelab-nginx-0-$UI_PORT/nginx.conf" >/dev/null && { echo "FAIL: nginx runs as root"; exit 1; }
  pgrep -u nobody -f "homelab-nginx-0-$UI_PORT/nginx.conf" >/dev/null || { echo "FAIL: nginx is not running as nobody"; exit 1; }
  echo "ok - started as root, nginx serves the UI as nobody"
fi

(cd frontend && node e2e/build/chat.e2e.js "http://127.0.0.1:$UI_PORT" "$(cat "$HOMELAB_DATA_DIR/api-key")" "$ROOT/test-output/browser")
(cd frontend && node e2e/build/firsthour.e2e.js "http://127.0.0.1:$UI_PORT" "$(cat "$HOMELAB_DATA_DIR/api-key")" "$ROOT/test-output/browser")

# Several hosts: the local one, `pi` (a second tool-monitoring on loopback, no Docker) and `attic`
# (named, nothing listens there), each with a token of its own (docs/deployment.md, "Several hosts").
stop_product
export INTERNAL_TOKEN=browser-fleet-token-0123456789abcdef
INTERNAL_TOKEN=browser-fleet-pi-token-0123456789abcdef BIND_HOST=127.0.0.1 MONITORING_PORT=18290 HISTORY_PATH="" \
  DOCKER_HOST=unix:///nonexistent.sock LOG_LEVEL=warning \
  setsid "${CARGO_TARGET_DIR:-$ROOT/target}/${HOMELAB_PROFILE:-release}/tool-monitoring" >"$tmp/pi.log" 2>&1 &
pi=$!
cleanup() { stop_product; kill -TERM "$pi" 2>/dev/null || true; rm -rf "$tmp"; }
export MONITORING_TARGETS="pi=http://127.0.0.1:18290,attic=http://127.0.0.1:18299" HOMELAB_DATA_DIR="$tmp/data-fleet"
export MONITORING_AGENT_TOKENS="pi=browser-fleet-pi-token-0123456789abcdef,attic=browser-fleet-attic-token-0123456789"
start_product "$tmp/run-fleet.out"
(cd frontend && node e2e/build/fleet.e2e.js "http://127.0.0.1:$UI_PORT" "$(cat "$HOMELAB_DATA_DIR/api-key")" "$ROOT/test-output/browser")
stop_product
kill -TERM "$pi" 2>/dev/null || true
unset MONITORING_TARGETS MONITORING_AGENT_TOKENS INTERNAL_TOKEN

# Stop: the same UI in front of a provider that takes 6 s per answer.
python3 tests/scripts/slow_llm.py 18390 "$tmp/slow.log" &
slow=$!
export HOMELAB_DATA_DIR="$tmp/data-slow" GATEWAY_PORT=18300 ORCHESTRATOR_PORT=18301 LLM_ADAPTER_PORT=18302
export MONITORING_PORT=18303 UI_PORT=18380 LLM_PROVIDER=openai OPENAI_API_KEY=slow-test LLM_BASE_URL=http://127.0.0.1:18390/v1
cleanup() { stop_product; kill -TERM "$slow" 2>/dev/null || true; rm -rf "$tmp"; }
start_product "$tmp/run-slow.out"
(cd frontend && node e2e/build/stop.e2e.js "http://127.0.0.1:$UI_PORT" "$(cat "$HOMELAB_DATA_DIR/api-key")" "$ROOT/test-output/browser")
sleep 1
grep -q '"outcome":"cancelled"' "$HOMELAB_DATA_DIR/audit.jsonl" || { echo "FAIL: no cancelled audit line"; cat "$HOMELAB_DATA_DIR/audit.jsonl"; exit 1; }
for _ in $(seq 1 80); do grep -q abandoned "$tmp/slow.log" && break; sleep 0.1; done
grep -q abandoned "$tmp/slow.log" || { echo "FAIL: the provider's request was not abandoned"; cat "$tmp/slow.log"; exit 1; }
echo "ok - the audit line says cancelled and the provider saw its request abandoned"
