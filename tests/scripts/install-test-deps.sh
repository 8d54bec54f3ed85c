#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, from Debian's packages only:
# podman (a real Docker-compatible API), busybox-static (the tiny image its fixtures use),
# nginx and chromium (the web UI's end-to-end test), curl, prometheus with
# prometheus-node-exporter (the history tests against a real Prometheus), and haproxy (the Docker
# API proxy's own config, run in front of the engine fixture). Safe to run again: skips what is there.
set -euo pipefail

declare -A wanted=(
  [podman]=podman
  [/bin/busybox]=busybox-static
  [nginx]=nginx
  [chromium]=chromium
  [curl]=curl
  [prometheus]=prometheus
  [prometheus-node-exporter]=prometheus-node-exporter
  [haproxy]=haproxy
)
missing=()
for probe in "${!wanted[@]}"; do
  if [[ "$probe" == /* ]]; then
    [ -x "$probe" ] && file -b "$probe" 2>/dev/null | grep -q static && continue
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" && continue
  else
    command -v "$probe" >/dev/null 2>&1 && continue
    [ -x "/usr/sbin/$probe" ] && continue
  fi
  missing+=("${wanted[$probe]}")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "test dependencies: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "test dependencies: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
