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

# The version checks, on the versions the distributions ship (Debian 12 and Ubuntu 24.04: Node 18,
# rustc 1.63; vite needs Node ^20.19 or >=22.12).
eval "$(sed -n '/^version_at_least()/p;/^node_fits()/,/^}/p;/^c_links()/,/^}/p' deploy/prerequisites.sh)"
for v in 18.19.1 18.20.4+dfsg-1~deb12u3 v20.18.3 21.7.3 22.11.0; do
  node_fits "$v" && { echo "FAIL: Node $v taken as able to build the UI"; exit 1; }
done
for v in v20.19.0 20.19.2+dfsg-1 22.12.0 v24.11.1; do
  node_fits "$v" || { echo "FAIL: Node $v taken as too old"; exit 1; }
done
version_at_least 1.63.0 1.89 && { echo "FAIL: rustc 1.63 taken as new enough"; exit 1; }
version_at_least 1.89.0 1.89 && version_at_least 1.95.0 1.89 || { echo "FAIL: rustc 1.89/1.95 taken as too old"; exit 1; }
echo "ok - the Node.js and Rust versions are checked as the README says"
# A C compiler that cannot link (gcc without libc6-dev) is told apart from one that can.
c_links || { echo "FAIL: this machine's C compiler taken as unable to link"; exit 1; }
fake_cc=$(mktemp -d)
printf '#!/bin/sh\necho "ld: cannot find -lc" >&2\nexit 1\n' > "$fake_cc/cc" && chmod +x "$fake_cc/cc"
PATH="$fake_cc:$PATH" c_links && { echo "FAIL: a C compiler that cannot link taken as working"; exit 1; }
rm -rf "$fake_cc"
echo "ok - a C compiler without the C library's development files is caught before the build"

# A .env copied from .env.example, as a new user makes one (skipped where a developer has one), and
# a cloud provider named in the environment without its key: the builtin model answers, the
# banner says why, and the state stays in the data folder whatever .env says.
made_env=0
if [ ! -e .env ]; then cp .env.example .env; made_env=1; fi
export LLM_PROVIDER=groq
source tests/scripts/run-product.sh
cleanup() { kill -TERM "$runner" 2>/dev/null || true; rm -rf "$tmp"; [ "$made_env" = 1 ] && rm -f .env; }
trap cleanup EXIT
start_product "$tmp/run.out"
unset LLM_PROVIDER
grep -q "LLM provider: builtin" "$tmp/run.out" || { cat "$tmp/run.out"; echo "FAIL: expected the builtin provider without keys"; exit 1; }
grep -q "WARNING: LLM_PROVIDER=groq but GROQ_API_KEY is not set" "$tmp/run.out" ||
  { cat "$tmp/run.out"; echo "FAIL: the banner does not say why the builtin model answers"; exit 1; }
if [ "$made_env" = 1 ]; then
  grep -q "in .env are the containers' paths; make run keeps its state in $HOMELAB_DATA_DIR" "$tmp/run.out" ||
    { cat "$tmp/run.out"; echo "FAIL: no note that .env's paths are not make run's"; exit 1; }
  grep -q "db=$HOMELAB_DATA_DIR/db.sqlite3" "$HOMELAB_DATA_DIR/logs/orchestrator.log" ||
    { cat "$HOMELAB_DATA_DIR/logs/orchestrator.log"; echo "FAIL: the database is not in the data folder"; exit 1; }
  echo "ok - a .env copied from .env.example runs, with the state in the data folder"
fi
echo "ok - a cloud provider without its key falls back to the builtin model, and the banner says so"

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
