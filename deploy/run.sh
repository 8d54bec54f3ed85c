#!/usr/bin/env bash
# Runs the whole product on this machine, no Docker needed: builds the four services, starts
# the four services on loopback (the web UI too, once built), and stops everything on Ctrl-C.
#
#   make run                      # or: bash deploy/run.sh
#
# With no GROQ_API_KEY / OPENAI_API_KEY (environment or .env) the builtin offline model answers.
# Data (database, audit log, logs, generated API key) lives in ./data, or $HOMELAB_DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# What this needs, with versions, checked before the long build and said in one message.
# shellcheck source=deploy/prerequisites.sh
source deploy/prerequisites.sh
check_build_tools

# Settings from .env, read by the services' own parser (dotenvy, through crates/homelab-env, a
# few seconds to build the first time) so that quotes, comments and ${VAR} mean the same here as
# to the binaries. The environment wins over .env, and a later line of .env over an earlier one.
# Where the state lives is not taken from .env: its DB_PATH, AUDIT_LOG_PATH, AUDIT_KEY_PATH and
# HISTORY_PATH are paths inside the containers (Docker Compose sets its own), and make run keeps
# its state in ./data (HOMELAB_DATA_DIR moves it), so that two checkouts never share a database.
HOMELAB_ENV_IGNORED=""
if [ -f .env ]; then
  [ -e "${CARGO_TARGET_DIR:-$ROOT/target}/debug/homelab-env" ] || echo "Reading .env (building its reader first, a few seconds)..."
  env_exports=$(cargo run -q --locked -p homelab-env -- --keep-out DB_PATH --keep-out AUDIT_LOG_PATH \
    --keep-out AUDIT_KEY_PATH --keep-out HISTORY_PATH .env) || exit 1
  eval "$env_exports"
fi

UI_WANTED=1
[ "${HOMELAB_NO_UI:-0}" = 1 ] && UI_WANTED=0
check_ui_and_docker

DATA="${HOMELAB_DATA_DIR:-$ROOT/data}"
mkdir -p "$DATA/logs"
chmod 700 "$DATA"

export GATEWAY_PORT="${GATEWAY_PORT:-8000}" ORCHESTRATOR_PORT="${ORCHESTRATOR_PORT:-8001}"
export LLM_ADAPTER_PORT="${LLM_ADAPTER_PORT:-8002}" MONITORING_PORT="${MONITORING_PORT:-8003}"
export ORCHESTRATOR_URL="http://127.0.0.1:$ORCHESTRATOR_PORT"
export LLM_ADAPTER_URL="http://127.0.0.1:$LLM_ADAPTER_PORT"
export MONITORING_URL="http://127.0.0.1:$MONITORING_PORT"
export DB_PATH="${DB_PATH:-$DATA/db.sqlite3}" AUDIT_LOG_PATH="${AUDIT_LOG_PATH:-$DATA/audit.jsonl}"
export HISTORY_PATH="${HISTORY_PATH:-$DATA/history.json}" AUDIT_KEY_PATH="${AUDIT_KEY_PATH:-$DATA/audit.key}"
# Several hosts: each agent's pinned certificate, deploy/agents/<name>.pem, as in Compose.
export MONITORING_AGENTS_DIR="${MONITORING_AGENTS_DIR:-$ROOT/deploy/agents}"
if [ -n "$HOMELAB_ENV_IGNORED" ]; then
  echo "Note: $HOMELAB_ENV_IGNORED in .env are the containers' paths; make run keeps its state in $DATA."
fi
GATEWAY_BIND="${GATEWAY_BIND_HOST:-127.0.0.1}"

# A port already taken (Grafana and many others use 3000; or make run is already running) is said
# before anything is built or started, with the variable that moves it.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
busy=()
for pair in "GATEWAY_PORT=$GATEWAY_PORT" "ORCHESTRATOR_PORT=$ORCHESTRATOR_PORT" \
    "LLM_ADAPTER_PORT=$LLM_ADAPTER_PORT" "MONITORING_PORT=$MONITORING_PORT" \
    "DOCKER_PROXY_PORT=${DOCKER_PROXY_PORT:-8004}"; do
  port_busy "${pair#*=}" && busy+=("${pair#*=} ($pair)")
done
[ "$UI_WANTED" = 1 ] && port_busy "${UI_PORT:-3000}" && busy+=("${UI_PORT:-3000} (the web UI, UI_PORT=${UI_PORT:-3000})")
if [ "${#busy[@]}" -gt 0 ]; then
  echo "ERROR: already in use on this machine: port ${busy[*]}." >&2
  echo "Is Homelab Assistant already running? Otherwise stop what uses it, or choose other ports, e.g." \
    "UI_PORT=3080 GATEWAY_PORT=8080 make run" >&2
  exit 1
fi

# The model: LLM_PROVIDER when set, else a cloud provider whose key is set, else the builtin one.
# A cloud provider named without its key (as in a .env copied from .env.example and not yet
# filled in) falls back to the builtin model, with a warning in the banner that names the key.
PROVIDER_WARNING=""
if [ -z "${LLM_PROVIDER:-}" ]; then
  if [ -n "${GROQ_API_KEY:-}${GROQ_API_KEY_FILE:-}" ]; then LLM_PROVIDER=groq
  elif [ -n "${OPENAI_API_KEY:-}${OPENAI_API_KEY_FILE:-}" ]; then LLM_PROVIDER=openai
  else LLM_PROVIDER=builtin
  fi
fi
case "$LLM_PROVIDER" in
  groq|openai)
    key_variable=$(echo "$LLM_PROVIDER" | tr '[:lower:]' '[:upper:]')_API_KEY
    file_variable="${key_variable}_FILE"
    if [ -z "${!key_variable:-}" ] && [ -z "${!file_variable:-}" ]; then
      PROVIDER_WARNING="WARNING: LLM_PROVIDER=$LLM_PROVIDER but $key_variable is not set: the builtin offline model answers instead. Set $key_variable (in .env or the environment) to use $LLM_PROVIDER."
      LLM_PROVIDER=builtin
    fi
    ;;
esac
export LLM_PROVIDER

if [ -z "${API_KEY:-}" ]; then
  if [ ! -s "$DATA/api-key" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DATA/api-key")
  fi
  API_KEY=$(cat "$DATA/api-key")
  KEY_NOTE="generated, kept in $DATA/api-key"
else
  KEY_NOTE="from API_KEY"
fi
export API_KEY

# The services behind the gateway accept only requests carrying this shared token.
if [ -z "${INTERNAL_TOKEN:-}" ]; then
  [ -s "$DATA/internal-token" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DATA/internal-token")
  INTERNAL_TOKEN=$(cat "$DATA/internal-token")
fi
export INTERNAL_TOKEN

UI_LINE="(web UI: needs Node.js/npm to build it once: cd frontend && npm ci --omit=dev && npm run build)"
# The UI is (re)built when it is missing or older than its sources (after a git pull), and its
# packages are installed again when the lock file is newer than the installed set.
ui_stale() {
  [ ! -f frontend/dist/index.html ] || [ -n "$(find frontend/src frontend/public frontend/scripts \
    frontend/index.html frontend/package-lock.json -newer frontend/dist/index.html -print -quit 2>/dev/null)" ]
}
# It is built beside the services (npm waits on the network most of the time, so a first run is
# ready sooner), in a session of its own so that a failed or interrupted build stops it whole;
# its output goes to a file, shown if it fails.
UI_BUILD_PID=""
if [ "$UI_WANTED" = 1 ] && ui_stale && command -v npm >/dev/null 2>&1; then
  echo "Building the web UI..."
  # Only what the build needs (vite and the page's own packages: 125 packages, not 399); the test
  # tools are devDependencies, left out (make test installs them).
  setsid bash -c 'cd frontend && { [ package-lock.json -ot node_modules/.package-lock.json ] ||
      npm ci --omit=dev --no-audit --no-fund --loglevel=error; } && npm run build >/dev/null' >"$DATA/ui-build.log" 2>&1 &
  UI_BUILD_PID=$!
  trap '[ -z "$UI_BUILD_PID" ] || kill -TERM -- "-$UI_BUILD_PID" 2>/dev/null || true' EXIT
fi

# The four services only (not the test tools), with the `quick` profile: release's whole-program
# optimisation with the services' own crates at a lower level, which builds in about 4 minutes
# on 2 cores (3 min 40 s to 4 min 30 s, as fast as the VM was) against release's 5 min 30 s, for
# 5-10 % fewer chats/s (docs/build-profiles.md).
# HOMELAB_PROFILE=release builds and runs what the images ship instead (make test does).
PROFILE="${HOMELAB_PROFILE:-quick}"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE"
SERVICES=(tool-monitoring llm-adapter orchestrator gateway)
LINK_TIME="a few minutes"
[ "$PROFILE" = quick ] && LINK_TIME="up to a minute"
build() {
  local packages=() name
  for name in "${SERVICES[@]}"; do packages+=(-p "$name"); done
  # cargo's JSON messages tell when the services' own code is compiled and only the link is
  # left, which is quiet for a while: that is said, so that it does not look like a hang.
  cargo build --profile "$PROFILE" --locked "${packages[@]}" --bins "$@" --message-format=json-render-diagnostics |
    while IFS= read -r line; do
      if [[ "$line" == *'"reason":"compiler-artifact"'* && "$line" == *'"kind":["lib"]'* && "$line" == *'"fresh":false'* &&
          "$line" =~ apps/(gateway|orchestrator|llm-adapter|tool-monitoring)[#\"] ]]; then
        echo "   Linking ${BASH_REMATCH[1]}: optimising the program as a whole, $LINK_TIME without output on a small machine..." >&2
      fi
    done
}
if [ "${HOMELAB_SKIP_BUILD:-0}" != 1 ]; then
  # Said only when there is something to build; cargo shows its progress as it goes.
  stale=0
  for name in "${SERVICES[@]}"; do
    if [ ! -x "$BIN/$name" ] || [ -n "$(find apps crates Cargo.toml Cargo.lock -newer "$BIN/$name" -print -quit 2>/dev/null)" ]; then
      stale=1
    fi
  done
  if [ "$stale" = 1 ]; then
    if [ -x "$BIN/gateway" ]; then
      echo "Building the changed code..."
    else
      echo "Building the four services ($PROFILE profile): about 4 minutes the first time on a 2-core machine, seconds after that."
    fi
    build
  else
    build -q
  fi
fi

# The page's build, started before the services'.
if [ -n "$UI_BUILD_PID" ]; then
  kill -0 "$UI_BUILD_PID" 2>/dev/null && echo "Finishing the web UI's build..."
  if ! wait "$UI_BUILD_PID"; then
    UI_BUILD_PID=""
    cat "$DATA/ui-build.log" >&2
    echo "ERROR: the web UI could not be built (npm's message is above). Fix that and run again," \
      "or run the API alone: HOMELAB_NO_UI=1 make run" >&2
    exit 1
  fi
  UI_BUILD_PID=""
fi

# The Docker API: DOCKER_HOST, else the first usual socket that answers.
if [ -z "${DOCKER_HOST:-}" ]; then
  DOCKER_NOTE="none found at /var/run/docker.sock, \$XDG_RUNTIME_DIR/docker.sock or podman's sockets; container questions will say so. Set DOCKER_HOST (e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock make run)"
  for sock in /var/run/docker.sock "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/docker.sock" /run/podman/podman.sock \
      "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/podman/podman.sock"; do
    if [ -S "$sock" ] && curl -sf --max-time 2 --unix-socket "$sock" http://docker/_ping >/dev/null 2>&1; then
      export DOCKER_HOST="unix://$sock"
      DOCKER_NOTE="$DOCKER_HOST"
      break
    fi
  done
else
  DOCKER_NOTE="$DOCKER_HOST (from DOCKER_HOST)"
fi

PIDS=()
NAMES=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${UI_PID:-}" ] && { kill -TERM "$UI_PID" 2>/dev/null || true; wait "$UI_PID" 2>/dev/null || true; }
  [ -n "${DOCKER_PROXY_PID:-}" ] && { kill -TERM "$DOCKER_PROXY_PID" 2>/dev/null || true; wait "$DOCKER_PROXY_PID" 2>/dev/null || true; }
  echo "Stopped."
}
trap stop_all EXIT
# Ctrl-C is how a person stops it: a clean stop, this script exits 0, so make prints no "Error"
# line (make itself, which gets the Ctrl-C too, then ends as interrupted: the shell says 130).
trap 'exit 0' INT TERM

# With a certificate (TLS_CERT_PATH and TLS_KEY_PATH) the gateway and the web UI serve HTTPS.
SCHEME=http
[ -n "${TLS_CERT_PATH:-}" ] && [ -n "${TLS_KEY_PATH:-}" ] && SCHEME=https

start() {  # name port bind
  local name=$1 port=$2 bind=$3 scheme=http
  # Only the gateway serves the certificate; the others talk plain HTTP on loopback (blank paths
  # override .env's, so tool-monitoring does not turn into an HTTPS agent).
  local tls=(TLS_CERT_PATH= TLS_KEY_PATH=)
  [ "$name" = gateway ] && tls=() && scheme=$SCHEME
  # In a session of its own: Ctrl-C reaches this script, which stops the services in order.
  env "${tls[@]}" BIND_HOST="$bind" setsid "$BIN/$name" >>"$DATA/logs/$name.log" 2>&1 &
  PIDS+=($!); NAMES+=("$name")
  for _ in $(seq 1 100); do
    if curl -sfk "$scheme://127.0.0.1:$port/health" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
      echo "ERROR: $name failed to start. Its last log lines ($DATA/logs/$name.log):" >&2
      tail -n 5 "$DATA/logs/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "ERROR: $name did not become healthy on port $port within 10 s (see $DATA/logs/$name.log)" >&2
  exit 1
}

# tool-monitoring reads Docker through the read-only proxy, never the raw socket.
# shellcheck source=/dev/null
source deploy/run-docker-proxy.sh
start tool-monitoring "$MONITORING_PORT" 127.0.0.1
start llm-adapter "$LLM_ADAPTER_PORT" 127.0.0.1
start orchestrator "$ORCHESTRATOR_PORT" 127.0.0.1
start gateway "$GATEWAY_PORT" "$GATEWAY_BIND"

if [ "$UI_WANTED" = 1 ] && [ -f frontend/dist/index.html ]; then
  # shellcheck source=/dev/null
  source deploy/run-ui.sh
elif [ "$UI_WANTED" = 0 ]; then
  UI_LINE="(web UI: off; the note at the start says what it needs)"
fi
LAN_IP=$(hostname -I 2>/dev/null | awk '{print $1}')
if [ "$GATEWAY_BIND" = 127.0.0.1 ] || [ "$GATEWAY_BIND" = localhost ]; then
  API_LINE="API: $SCHEME://127.0.0.1:$GATEWAY_PORT (this machine only; GATEWAY_BIND_HOST=0.0.0.0 opens it to the LAN)"
else
  API_LINE="API: $SCHEME://${LAN_IP:-<this machine>}:$GATEWAY_PORT (bound to $GATEWAY_BIND)"
fi
if [ -n "${UI_PID:-}" ] && [ "$UI_BIND" != 127.0.0.1 ]; then
  API_LINE="$API_LINE
  From another machine on the LAN, the API is also at $SCHEME://${LAN_IP:-<this machine>}:${UI_PORT}/api/ (through the web UI)"
fi

cat <<MSG

Homelab Assistant is running (LLM provider: $LLM_PROVIDER).${PROVIDER_WARNING:+
  $PROVIDER_WARNING}
  API key ($KEY_NOTE): $API_KEY
  Try it:
    curl -s -X POST $SCHEME://127.0.0.1:$GATEWAY_PORT/chat \\
      -H "X-API-Key: $API_KEY" -H "Content-Type: application/json" \\
      -d '{"message": "What is the current CPU usage?"}'
  $UI_LINE
  $API_LINE
  Docker API: $DOCKER_NOTE
  Logs: $DATA/logs/   Audit log: $AUDIT_LOG_PATH
Press Ctrl-C to stop.
MSG

# Stop everything as soon as any service exits on its own.
set +e
wait -n "${PIDS[@]}"
code=$?
for i in "${!PIDS[@]}"; do
  if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
    echo "ERROR: ${NAMES[$i]} stopped (exit $code); stopping the others. See $DATA/logs/${NAMES[$i]}.log" >&2
  fi
done
exit "$code"
