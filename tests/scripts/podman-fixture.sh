#!/usr/bin/env bash
# Serves podman's Docker-compatible API on a unix socket and creates a few containers for the
# tests: podman here can create containers but not run them, which is enough to list and inspect.
#   tests/scripts/podman-fixture.sh start   # prints DOCKER_HOST=unix://…
#   tests/scripts/podman-fixture.sh stop
set -euo pipefail

DIR="${HOMELAB_PODMAN_DIR:-/tmp/homelab-podman}"
SOCK="$DIR/podman.sock"
IMAGE="localhost/homelab-fixture-busybox:latest"

start() {
  command -v podman >/dev/null || { echo "podman is not installed (tests/scripts/install-test-deps.sh)" >&2; exit 1; }
  mkdir -p "$DIR"
  if ! podman image exists "$IMAGE"; then
    local root="$DIR/rootfs"
    rm -rf "$root" && mkdir -p "$root/bin"
    cp /bin/busybox "$root/bin/busybox"
    ln -sf busybox "$root/bin/sh"
    tar -C "$root" -cf "$DIR/busybox.tar" .
    podman import -q "$DIR/busybox.tar" "$IMAGE" >/dev/null
  fi
  create homelab-fixture-web -p 18080:80 --label app=web --label tier=front
  create homelab-fixture-db --label app=db
  create homelab-fixture-cache -p 127.0.0.1:16379:6379 --expose 9121
  if [ ! -S "$SOCK" ] || ! curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
    rm -f "$SOCK"
    nohup podman system service --time=0 "unix://$SOCK" >"$DIR/service.log" 2>&1 &
    echo $! >"$DIR/service.pid"
    for _ in $(seq 1 50); do
      curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
  curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null || { echo "podman API did not come up; see $DIR/service.log" >&2; exit 1; }
  echo "DOCKER_HOST=unix://$SOCK"
}

create() {
  local name="$1"; shift
  podman container exists "$name" || podman create -q --name "$name" "$@" "$IMAGE" sh >/dev/null
}

stop() {
  if [ -f "$DIR/service.pid" ]; then
    kill "$(cat "$DIR/service.pid")" 2>/dev/null || true
    rm -f "$DIR/service.pid"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
