#!/usr/bin/env bash
# A real Docker Engine for the tool-monitoring tests that need running containers (processes in a
# container, restart loops, an out-of-memory kill, container traffic), which podman cannot run here:
#   tests/scripts/engine-fixture.sh start   # starts tests/scripts/docker-engine.sh's engine, imports a
#                                           # tiny busybox image, prints DOCKER_HOST=unix://…
#   tests/scripts/engine-fixture.sh stop
# The tests create their own containers (named homelab-engine-test-*) and remove them.
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGE="homelab-fixture-busybox:latest"
DIR="${ENGINE_DIR:-/tmp/homelab-compose-engine}/busybox"

start() {
  local engine
  engine=$(bash tests/scripts/docker-engine.sh start | grep '^DOCKER_HOST=')
  export DOCKER_HOST="${engine#DOCKER_HOST=}"
  if ! /usr/bin/docker image inspect "$IMAGE" >/dev/null 2>&1; then
    command -v busybox >/dev/null || { echo "busybox is not installed (tests/scripts/install-test-deps.sh)" >&2; exit 1; }
    rm -rf "$DIR" && mkdir -p "$DIR/root/bin"
    cp "$(command -v busybox)" "$DIR/root/bin/busybox"
    for applet in sh sleep cat tail echo; do ln -sf busybox "$DIR/root/bin/$applet"; done
    tar -C "$DIR/root" -cf "$DIR/busybox.tar" .
    /usr/bin/docker import "$DIR/busybox.tar" "$IMAGE" >/dev/null
  fi
  echo "DOCKER_HOST=$DOCKER_HOST"
}

case "${1:-start}" in
  start) start ;;
  stop) bash tests/scripts/docker-engine.sh stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
