#!/usr/bin/env bash
# The host `make eval` asks its questions about: a real Docker Engine of its own
# (tests/scripts/docker-engine.sh, under $EVAL_ENGINE_DIR) holding the situations an owner asks
# about, and two filesystems of known fullness.
#   eval-fixture.sh start   prints DOCKER_HOST=unix://… once the situations are in place
#   eval-fixture.sh stop    removes the containers and filesystems, stops the engine
# Containers (a tiny image imported from Debian's busybox-static; no registry is needed):
#   plex         running, healthy, publishes 32400/tcp
#   pihole       running, unhealthy (its healthcheck fails), logs an upstream DNS failure
#   sonarr       exited with code 1; its log ends with the cause
#   immich       OOM-killed (64 MiB limit, exit 137)
#   radarr       restart policy always, exits 2 every second: a restart loop
#   nextcloud    created, never started
#   jellyfin     running, holds ~250 MiB: the memory hog
#   handbrake    running, a busy loop limited to half a CPU: the CPU hog
#   nginx-proxy  running, healthy, publishes 8080->80/tcp
# Filesystems (sparse ext4 images on loop devices, root only; skipped with a notice otherwise):
#   /mnt/media about 92 % full, /mnt/backup about 40 % full.
set -euo pipefail
cd "$(dirname "$0")/../.."
export ENGINE_DIR="${EVAL_ENGINE_DIR:-/tmp/homelab-eval-engine}"
IMAGE=homelab-eval-busybox:latest
FS_DIR="$ENGINE_DIR/fs"

log() { echo "eval-fixture: $*" >&2; }

image() {
  docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  local root="$ENGINE_DIR/busybox-root"
  rm -rf "$root" && mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh sleep head tail tr echo true false cat; do ln -sf busybox "$root/bin/$applet"; done
  tar -C "$root" -cf "$ENGINE_DIR/busybox.tar" .
  docker import "$ENGINE_DIR/busybox.tar" "$IMAGE" >/dev/null
}

forever='while true; do sleep 3600; done'

containers() {
  docker rm -f plex pihole sonarr immich radarr nextcloud jellyfin handbrake nginx-proxy >/dev/null 2>&1 || true
  docker run -d --name plex -p 32400:32400 --health-cmd true --health-interval 2s "$IMAGE" \
    sh -c "echo 'Starting Plex Media Server'; echo 'Listening on 0.0.0.0:32400'; $forever" >/dev/null
  docker run -d --name pihole --health-cmd 'echo upstream 1.1.1.1 unreachable; false' --health-interval 2s \
    --health-retries 1 "$IMAGE" \
    sh -c "echo 'pihole-FTL started'; while true; do echo 'DNS resolution failed for upstream 1.1.1.1'; sleep 20; done" >/dev/null
  docker run -d --name sonarr "$IMAGE" \
    sh -c "echo 'Starting Sonarr 4.0'; echo 'Opening database /config/sonarr.db'; echo 'FATAL: database disk image is malformed (/config/sonarr.db)'; exit 1" >/dev/null
  # A second before its memory runs out, as a real service's would: Docker can miss an
  # out-of-memory kill in a container's first milliseconds (docs/events.md).
  docker run -d --name immich --memory 64m --memory-swap 64m "$IMAGE" \
    sh -c "echo 'immich-server starting'; echo 'loading machine learning models'; sleep 1; x=\$(head -c 200000000 /dev/zero | tr '\\0' a); echo done" >/dev/null
  docker run -d --name radarr --restart always "$IMAGE" \
    sh -c "echo 'Starting Radarr'; echo 'Error: cannot bind 0.0.0.0:7878: address already in use'; sleep 1; exit 2" >/dev/null
  docker create --name nextcloud "$IMAGE" sh -c "echo never started" >/dev/null
  docker run -d --name jellyfin "$IMAGE" \
    sh -c "echo 'Jellyfin starting'; x=\$(head -c 250000000 /dev/zero | tr '\\0' a); echo 'library loaded'; $forever" >/dev/null
  docker run -d --name handbrake --cpus 0.5 "$IMAGE" sh -c "echo 'encoding queue started'; while true; do :; done" >/dev/null
  docker run -d --name nginx-proxy -p 8080:80 --health-cmd true --health-interval 2s "$IMAGE" \
    sh -c "echo 'nginx proxy ready'; $forever" >/dev/null
}

# A filesystem of `size` MiB at `mount`, filled to `percent` % as df counts it.
filesystem() {
  local name="$1" mount="$2" size="$3" percent="$4"
  local img="$FS_DIR/$name.img"
  mkdir -p "$FS_DIR" "$mount"
  mountpoint -q "$mount" && umount "$mount"
  rm -f "$img" && truncate -s "${size}M" "$img"
  mkfs.ext4 -q -F "$img"
  mount -o loop "$img" "$mount"
  local used avail
  read -r used avail < <(df -B1M --output=used,avail "$mount" | tail -n 1)
  # df's percent is used / (used + avail); allocate what reaches the target.
  local want=$(( (used + avail) * percent / 100 - used ))
  [ "$want" -gt 0 ] && fallocate -l "${want}M" "$mount/fill"
  log "$mount: $(df -h --output=pcent "$mount" | tail -n 1 | tr -d ' ') used"
}

start() {
  engine=$(bash tests/scripts/docker-engine.sh start --no-base-image)
  eval "export $(echo "$engine" | tr '\n' ' ')"
  image
  containers
  if [ "$(id -u)" -eq 0 ] && command -v mkfs.ext4 >/dev/null && losetup -f >/dev/null 2>&1; then
    filesystem media /mnt/media 4096 92
    filesystem backup /mnt/backup 4096 40
  else
    log "NOTICE: not root or no loop device: /mnt/media and /mnt/backup are not made (their questions will fail)"
  fi
  # Let the health checks, the OOM kill and a few restarts happen.
  for _ in $(seq 1 30); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' pihole)" = unhealthy ] \
      && [ "$(docker inspect -f '{{.State.OOMKilled}}' immich)" = true ] \
      && [ "$(docker inspect -f '{{.RestartCount}}' radarr)" -ge 2 ] && break
    sleep 1
  done
  echo "DOCKER_HOST=$DOCKER_HOST"
}

stop() {
  export DOCKER_HOST="unix://$ENGINE_DIR/docker.sock"
  for mount in /mnt/media /mnt/backup; do
    mountpoint -q "$mount" 2>/dev/null && umount "$mount"
  done
  rm -rf "$FS_DIR"
  bash tests/scripts/docker-engine.sh stop
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
