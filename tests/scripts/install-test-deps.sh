#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, from Debian's packages only:
# podman (a real Docker-compatible API), busybox-static (the tiny image its fixtures use),
# nginx and chromium (the web UI's end-to-end test). Safe to run again; skips what is there.
set -euo pipefail

packages=(podman busybox-static nginx-light chromium curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
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
