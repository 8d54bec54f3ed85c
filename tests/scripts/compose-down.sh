#!/usr/bin/env bash
# make compose-down: stops what `COMPOSE_KEEP=1 make compose-test` left running.
set -euo pipefail
cd "$(dirname "$0")/../.."
ENGINE_DIR="${ENGINE_DIR:-/tmp/homelab-compose-engine}"
export DOCKER_HOST="unix://$ENGINE_DIR/docker.sock" DOCKER_CONFIG="$ENGINE_DIR/config"
if /usr/bin/docker version >/dev/null 2>&1; then
  for project in homelab-assistant ix-homelab-assistant homelab-agent; do
    /usr/bin/docker compose -p "$project" down -v --remove-orphans 2>/dev/null || true
  done
  /usr/bin/docker rm -f homelab-fixture-web homelab-fixture-stopped >/dev/null 2>&1 || true
fi
bash tests/scripts/docker-engine.sh stop
