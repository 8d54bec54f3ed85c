#!/usr/bin/env bash
# Browser end-to-end test: builds the UI, starts the whole product with the run command (nginx in
# front of the four services, builtin model) on spare ports, and drives Debian's Chromium with
# playwright-core. Screenshots land in test-output/browser/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || { echo "chromium missing: tests/scripts/install-test-deps.sh"; exit 1; }
[ -d frontend/node_modules ] || (cd frontend && npm ci --no-audit --no-fund)
(cd frontend && npm run build >/dev/null)

tmp=$(mktemp -d)
export HOMELAB_DATA_DIR="$tmp/data" GATEWAY_PORT=18200 ORCHESTRATOR_PORT=18201 LLM_ADAPTER_PORT=18202
export MONITORING_PORT=18203 UI_PORT=18280 UI_BIND_HOST=127.0.0.1
unset API_KEY GROQ_API_KEY OPENAI_API_KEY LLM_PROVIDER
[ -n "${TEST_DOCKER_HOST:-}" ] && export DOCKER_HOST="$TEST_DOCKER_HOST"

setsid bash deploy/run.sh >"$tmp/run.out" 2>&1 &
runner=$!
cleanup() { kill -TERM "$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 1 1200); do
  grep -q "Homelab Assistant is running" "$tmp/run.out" && break
  kill -0 "$runner" 2>/dev/null || { cat "$tmp/run.out"; echo "FAIL: the run command exited"; exit 1; }
  sleep 0.5
done
grep -q "Web UI: " "$tmp/run.out" || { cat "$tmp/run.out"; echo "FAIL: the web UI was not started"; exit 1; }

(cd frontend && node e2e/chat.e2e.mjs "http://127.0.0.1:$UI_PORT" "$(cat "$HOMELAB_DATA_DIR/api-key")" "$ROOT/test-output/browser")
