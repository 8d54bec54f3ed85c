#!/usr/bin/env bash
# Smoke test of the README's run command: start it on spare ports, wait for it, ask one question
# with curl, stop it, and check that nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
ports=(18100 18101 18102 18103)
export HOMELAB_DATA_DIR="$tmp/data" GATEWAY_PORT=${ports[0]} ORCHESTRATOR_PORT=${ports[1]}
export LLM_ADAPTER_PORT=${ports[2]} MONITORING_PORT=${ports[3]} DOCKER_PROXY_PORT=18104
unset API_KEY GROQ_API_KEY OPENAI_API_KEY LLM_PROVIDER
[ -n "${TEST_DOCKER_HOST:-}" ] && export DOCKER_HOST="$TEST_DOCKER_HOST"

# A port already taken is said before anything starts, naming the variable that moves it.
python3 -m http.server 18109 --bind 127.0.0.1 >/dev/null 2>&1 &
squatter=$!
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/18109) 2>/dev/null && break; sleep 0.1; done
set +e
busy=$(GATEWAY_PORT=18109 HOMELAB_SKIP_BUILD=1 bash deploy/run.sh 2>&1 </dev/null)
code=$?
set -e
kill "$squatter"
if [ "$code" -ne 1 ] || ! grep -q "port 18109 (GATEWAY_PORT=18109)" <<<"$busy" || grep -q "Homelab Assistant is running" <<<"$busy"; then
  echo "$busy"; echo "FAIL: a taken port was not reported before starting (exit $code)"; exit 1
fi
for port in "${ports[@]}"; do
  if curl -s "http://127.0.0.1:$port/health" >/dev/null 2>&1; then echo "FAIL: port $port answers after a refused start"; exit 1; fi
done
echo "ok - a port in use is named, with its variable, and nothing is started"

source tests/scripts/run-product.sh
cleanup() { kill -TERM "$runner" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
start_product "$tmp/run.out"
grep -q "LLM provider: builtin" "$tmp/run.out" || { echo "FAIL: expected the builtin provider without keys"; exit 1; }

key=$(cat "$HOMELAB_DATA_DIR/api-key")
answer=$(curl -sf -X POST "http://127.0.0.1:${ports[0]}/chat" -H "X-API-Key: $key" \
  -H "Content-Type: application/json" -d '{"message": "What is the current CPU usage?"}')
echo "answer: $answer"
echo "$answer" | grep -q '"tool_calls_made":\["get_system_resources"\]' || { echo "FAIL: no tool call"; exit 1; }
echo "$answer" | grep -Eq 'CPU usage is [0-9.]+%' || { echo "FAIL: no CPU figure"; exit 1; }
[ "$(wc -l < "$HOMELAB_DATA_DIR/audit.jsonl")" -eq 1 ] || { echo "FAIL: expected one audit line"; exit 1; }

kill -TERM "$runner"
for _ in $(seq 1 100); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$runner" 2>/dev/null; then echo "FAIL: the run command did not stop"; exit 1; fi
for port in "${ports[@]}"; do
  if curl -s "http://127.0.0.1:$port/health" >/dev/null 2>&1; then echo "FAIL: port $port still answers"; exit 1; fi
done
grep -q "Stopped." "$tmp/run.out" || { cat "$tmp/run.out"; echo "FAIL: no clean stop"; exit 1; }
echo "1 passed, 0 failed"
# Ctrl-C as in a terminal, and Docker found without DOCKER_HOST.
sock="${TEST_DOCKER_HOST:-}"
sock="${sock#unix://}"
python3 tests/scripts/run_ctrl_c.py "${sock:--}"
