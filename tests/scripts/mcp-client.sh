#!/usr/bin/env bash
# The MCP endpoint with the official client SDK (PyPI `mcp`, pinned with hashes in
# tests/mcp/requirements.txt, installed here into a venv): first against the four real binaries
# (tests/tests/it/mcp.rs: every tool, two protocol revisions, the refusals, the audit lines, several
# hosts), then through the web UI's nginx as `make run` serves it (/api/mcp).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/mcp-venv
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s tests/mcp/requirements.txt "$stamp"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r tests/mcp/requirements.txt
  cp tests/mcp/requirements.txt "$stamp"
fi
export MCP_PYTHON="$PWD/$venv/bin/python"

echo "== the official MCP client against the gateway, orchestrator and tool-monitoring"
cargo test -q -p e2e-tests --test it mcp:: -- --nocapture --test-threads 1

echo "== the same client through the web UI's nginx (make run): /api/mcp"
# Built first, so the run command's start is not spent building (no-ops when up to date).
cargo build --release --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin bench --bin eval --bin fake-truenas
[ frontend/package-lock.json -ot frontend/node_modules/.package-lock.json ] || (cd frontend && npm ci --no-audit --no-fund)
(cd frontend && npm run build >/dev/null)
tmp=$(mktemp -d)
export HOMELAB_DATA_DIR="$tmp/data" GATEWAY_PORT=18600 ORCHESTRATOR_PORT=18601 LLM_ADAPTER_PORT=18602
export MONITORING_PORT=18603 UI_PORT=18680 UI_BIND_HOST=127.0.0.1
unset API_KEY GROQ_API_KEY OPENAI_API_KEY LLM_PROVIDER
[ -n "${TEST_DOCKER_HOST:-}" ] && export DOCKER_HOST="$TEST_DOCKER_HOST"
source tests/scripts/run-product.sh
cleanup() { stop_product; rm -rf "$tmp"; }
trap cleanup EXIT
start_product "$tmp/run.out"
grep -q "Web UI: " "$tmp/run.out" || { cat "$tmp/run.out"; echo "FAIL: the web UI was not started"; exit 1; }
"$MCP_PYTHON" tests/mcp/client_test.py "http://127.0.0.1:$UI_PORT/api/mcp" "$(cat "$HOMELAB_DATA_DIR/api-key")" --quick
grep -q '"source":"mcp"' "$HOMELAB_DATA_DIR/audit.jsonl" || { echo "FAIL: no MCP audit line"; exit 1; }
echo "ok - /api/mcp through nginx, audited"
