"""The Docker Compose deployment, built and run for real (make compose-test).

Run by tests/scripts/compose-test.sh, which starts a Docker Engine of its own and sets DOCKER_HOST,
DOCKER_CONFIG and COMPOSE_TEST_DIR. This script:

1. checks that compose refuses to start without INTERNAL_TOKEN;
2. builds the six images from the repository's Dockerfiles (BUILD_FROM=prebuilt: the release
   binaries and the built UI this run already made) and starts two fixture containers;
3. starts deploy/docker-compose.yml with the documented command (`--env-file .env`, published
   ports from that file) plus deploy/compose.ci.yml and the opt-in deploy/api-port.yml, waits for
   health and checks, from outside, through the published UI port over HTTPS (the default): the page, /docs/, /api/health, chats on the builtin model that
   see the fixtures through the proxy, the event stream, a refused write; that every container is
   healthy and none restarted; that the Docker API proxy answers its allowlist and refuses the
   rest; that each service got only its own variables; that nginx finds a recreated gateway and
   its healthcheck sees the gateway go away;
4. deploy/agent.compose.yml (another host's monitoring agent) on the same engine: HTTPS only,
   its own token required (the assistant's INTERNAL_TOKEN refused), its certificate printed by the
   README's command and pinned as deploy/agents/nas.pem; the main stack with MONITORING_TARGETS
   and MONITORING_AGENT_TOKENS asks it over HTTPS as `nas` (answers and the status strip name both
   hosts);
5. the same stack as the README starts it (no api-port.yml, HTTPS left to its default): HTTPS on
   the UI port only, no plain HTTP, the gateway's port not published, healthy, a chat over HTTPS,
   the self-signed certificate naming TLS_HOSTNAMES; then HTTPS=off: plain HTTP on the UI port,
   which still reaches the gateway (over HTTPS inside);
6. deploy/truenas.yaml the way TrueNAS runs it (parsed and written back, then `-p
   ix-homelab-assistant up -d --force-recreate` from built images), timed against TrueNAS's 1,200 s
   limit, with only the dataset made beforehand: the init step's folders, owners and key, HTTPS on
   the UI port alone, tool-monitoring's own user, no secret in any environment; then the README's
   TrueNAS steps against the fake TrueNAS (target/release/fake-truenas) and Delete keeping the data;
7. prints the figures (image sizes, idle memory of the whole stack, time from `up` to healthy) and
   writes them to $COMPOSE_TEST_DIR/figures.txt.

Ends with `compose-test: N passed, M failed`; exits non-zero on any failure. COMPOSE_KEEP=1 leaves
the last stack running.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.client import HTTPException
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("COMPOSE_TEST_DIR", ROOT / "target" / "compose-test"))
DOCKER = os.environ.get("DOCKER_BIN", "/usr/bin/docker")
KEEP = os.environ.get("COMPOSE_KEEP") == "1"
PROJECT = "homelab-assistant"
TRUENAS_PROJECT = "ix-homelab-assistant"
SOCKET = os.environ["DOCKER_HOST"].removeprefix("unix://")
FIXTURE_SECRET = "fixture-secret-" + secrets.token_hex(8)
PREFIX = "ghcr.io/homelab-assistant/homelab-assistant"
VERSION = "0.1.0"
IMAGES = ["docker-proxy", "tool-monitoring", "llm-adapter", "orchestrator", "gateway", "frontend"]

passed = 0
failures: list[str] = []
figures: dict[str, str] = {}


def check(name: str, ok: bool, detail: object = "") -> bool:
    global passed
    if ok:
        passed += 1
        print(f"ok - {name}", flush=True)
    else:
        failures.append(name)
        print(f"FAILED - {name} {str(detail)[:800]}", flush=True)
    return ok


def run(*args: str, check_rc: bool = False, timeout: float = 900, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        list(args), capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )
    if check_rc and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {result.returncode}: {result.stderr[-2000:]}")
    return result


def docker(*args: str, **kw) -> subprocess.CompletedProcess:
    return run(DOCKER, *args, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_env(path: Path, **values: str) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))


class Stack:
    """One compose project, started with the README's command plus the CI override."""

    def __init__(self, env_file: Path, files: list[Path], project: str = PROJECT):
        self.env_file = env_file
        self.files = files
        self.project = project

    def compose(self, *args: str, **kw) -> subprocess.CompletedProcess:
        argv = [DOCKER, "compose", "-p", self.project, "--env-file", str(self.env_file)]
        for f in self.files:
            argv += ["-f", str(f)]
        return run(*argv, *args, **kw)

    def containers(self) -> list[dict]:
        ids = docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}").stdout.split()
        if not ids:
            return []
        return json.loads(docker("inspect", *ids, check_rc=True).stdout)


def service_of(container: dict) -> str:
    return container["Config"]["Labels"].get("com.docker.compose.service", "?")


def http(url: str, method: str = "GET", body: dict | None = None, key: str | None = None, timeout: float = 30,
         token: str | None = None):
    """(status, headers, text) of one request; HTTPS certificates are not verified here."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("X-API-Key", key)
    if token:
        request.add_header("X-Internal-Token", token)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, HTTPException) as e:  # HTTPException: not HTTP at all
        return 0, {}, str(e)


def wait_healthy(stack: Stack, expect: int, limit: float = 180) -> tuple[bool, float, list]:
    """Waits until `expect` long-running containers are healthy; one-shot ones must have exited 0."""
    start = time.monotonic()
    states: list = []
    while time.monotonic() - start < limit:
        states = []
        healthy = 0
        for c in stack.containers():
            state = c["State"]
            health = (state.get("Health") or {}).get("Status")
            states.append((service_of(c), state["Status"], health, state.get("ExitCode"), c.get("RestartCount")))
            if state["Status"] == "running" and health == "healthy":
                healthy += 1
        if healthy == expect:
            return True, time.monotonic() - start, states
        time.sleep(0.5)
    return False, time.monotonic() - start, states


def check_settled(stack: Stack, label: str) -> None:
    containers = stack.containers()
    for c in containers:
        name = service_of(c)
        state = c["State"]
        if name in ("tls-init", "init"):
            check(f"{label}: {name} ran once and exited 0", state["Status"] == "exited" and state["ExitCode"] == 0, state)
            continue
        health = (state.get("Health") or {}).get("Status")
        check(f"{label}: {name} is running and healthy", state["Status"] == "running" and health == "healthy", state)
        check(f"{label}: {name} never restarted", c.get("RestartCount") == 0, f"RestartCount={c.get('RestartCount')}")


def chat(base: str, key: str, message: str, conversation: str | None = None):
    body = {"message": message}
    if conversation:
        body["conversation_id"] = conversation
    status, _, text = http(f"{base}/api/chat", "POST", body, key=key, timeout=60)
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, {"raw": text}


# --- the Docker API proxy ----------------------------------------------------------------------

PROBE = r"""
probe() {  # method path -> "method path status"
  exec 3<>/dev/tcp/docker-proxy/2375 || { echo "$1 $2 connect-failed"; return; }
  printf '%s %s HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n' "$1" "$2" >&3
  IFS=' ' read -r _ status _ <&3
  echo "$1 $2 $status"
  exec 3<&-
}
while read -r method path; do probe "$method" "$path"; done
"""


def proxy_statuses(network: str, requests: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    lines = "".join(f"{m} {p}\n" for m, p in requests)
    result = subprocess.run(
        [DOCKER, "run", "--rm", "-i", "--network", network, "debian:bookworm-slim", "bash", "-c", PROBE],
        input=lines, capture_output=True, text=True, timeout=120,
    )
    out = {}
    for line in result.stdout.splitlines():
        parts = line.split(" ")
        if len(parts) == 3:
            out[(parts[0], parts[1])] = parts[2]
    return out


# The one event filter tool-monitoring sends (ReadOnlyDocker::events).
EVENTS_FILTER = "%7B%22event%22%3A%5B%22create%22%2C%22start%22%2C%22restart%22%2C%22die%22%2C%22oom%22%2C%22kill%22%2C%22health_status%22%2C%22destroy%22%5D%7D"


def check_proxy(network: str, fixture_id: str) -> None:
    allowed = [
        ("GET", f"/events?filters={EVENTS_FILTER}"),
        ("GET", f"/events?since=1796506657.845124401&filters={EVENTS_FILTER}"),
        ("GET", "/_ping"),
        ("GET", "/version"),
        ("GET", "/v1.41/version"),
        ("GET", "/containers/json"),
        ("GET", "/v1.41/containers/json?all=true"),
        ("GET", f"/containers/{fixture_id}/json"),
        ("GET", "/v1.41/containers/homelab-fixture-web/json"),
        ("GET", "/containers/homelab-fixture-web/logs?stdout=1&stderr=1&tail=5"),
        ("GET", "/containers/homelab-fixture-web/stats?stream=false&one-shot=false"),
    ]
    refused = [
        ("GET", "/containers/homelab-fixture-web/archive?path=/etc/passwd"),
        ("GET", "/containers/homelab-fixture-web/export"),
        ("GET", "/containers/homelab-fixture-web/attach/ws?stream=1&stdout=1"),
        ("GET", "/containers/homelab-fixture-web/top"),
        ("GET", "/containers/homelab-fixture-web/changes"),
        ("GET", "/containers/homelab-fixture-web/logs?follow=1&stdout=1"),
        ("GET", "/containers/homelab-fixture-web/stats"),
        ("GET", "/containers/homelab-fixture-web/json/../../../info"),
        ("GET", "/containers/json/../../info"),
        ("GET", "/info"),
        ("GET", "/images/json"),
        ("GET", "/volumes"),
        ("GET", "/networks"),
        ("GET", "/secrets"),
        ("GET", "/system/df"),
        ("GET", "/events"),
        ("GET", "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D"),
        ("GET", "/events?filters=%7B%22event%22%3A%5B%22exec_create%22%5D%7D"),
        ("GET", f"/events?filters={EVENTS_FILTER}&until=1796506657"),
        ("GET", "/exec/abc/json"),
        ("POST", "/containers/homelab-fixture-web/stop"),
        ("POST", "/containers/create"),
        ("DELETE", "/containers/homelab-fixture-stopped"),
        ("PUT", "/containers/homelab-fixture-web/archive?path=/tmp"),
        ("HEAD", "/_ping"),
        ("POST", "/v1.41/containers/homelab-fixture-web/kill"),
    ]
    statuses = proxy_statuses(network, allowed + refused)
    for req in allowed:
        check(f"docker proxy allows {req[0]} {req[1]}", statuses.get(req) == "200", statuses.get(req))
    for req in refused:
        check(f"docker proxy refuses {req[0]} {req[1]}", statuses.get(req) in ("403", "405"), statuses.get(req))
    still = docker("inspect", "-f", "{{.State.Status}}", "homelab-fixture-web").stdout.strip()
    check("the refused requests changed nothing (fixture still running)", still == "running", still)


# --- phases ------------------------------------------------------------------------------------


def build_images(env_file: Path) -> None:
    stack = Stack(env_file, [ROOT / "deploy" / "docker-compose.yml"])
    start = time.monotonic()
    result = stack.compose("build", timeout=1200)
    check("images build from the repository's Dockerfiles", result.returncode == 0, result.stderr[-3000:])
    figures["image build (BUILD_FROM=prebuilt)"] = f"{time.monotonic() - start:.0f} s"
    sizes = []
    for name in IMAGES:
        out = docker("image", "inspect", "-f", "{{.Size}}", f"{PREFIX}-{name}:{VERSION}").stdout.strip()
        if out.isdigit():
            sizes.append(f"{name} {int(out) / 1e6:.1f} MB")
    base = docker("image", "inspect", "-f", "{{.Size}}", "debian:bookworm-slim").stdout.strip()
    figures["image sizes"] = ", ".join(sizes) + (f" (all share debian:bookworm-slim, {int(base) / 1e6:.1f} MB)" if base.isdigit() else "")


def remove_leftovers() -> None:
    """An earlier run stopped part-way (a killed CI, a Ctrl-C, COMPOSE_KEEP=1) leaves its containers,
    networks and volumes in the engine's data-root, stopped but labelled with the same project:
    they would be taken for this run's. Removed first, and said."""
    for project in (PROJECT, TRUENAS_PROJECT, "homelab-agent"):
        label = f"label=com.docker.compose.project={project}"
        ids = docker("ps", "-aq", "--filter", label).stdout.split()
        if ids:
            print(f"note: removing {len(ids)} container(s) of project {project} left by an earlier run", flush=True)
            docker("rm", "-f", "-v", *ids, check_rc=True)
        networks = docker("network", "ls", "-q", "--filter", label).stdout.split()
        if networks:
            docker("network", "rm", *networks)
        volumes = docker("volume", "ls", "-q", "--filter", label).stdout.split()
        if volumes:
            docker("volume", "rm", "-f", *volumes)


def start_fixtures() -> str:
    for name in ("homelab-fixture-web", "homelab-fixture-stopped"):
        docker("rm", "-f", name)
    fixture_id = docker(
        "run", "-d", "--name", "homelab-fixture-web", "--label", "com.example.role=fixture",
        "-e", f"FIXTURE_PASSWORD={FIXTURE_SECRET}", "debian:bookworm-slim",
        "bash", "-c", "echo fixture started; exec sleep infinity", check_rc=True,
    ).stdout.strip()
    docker("run", "--name", "homelab-fixture-stopped", "debian:bookworm-slim", "true", check_rc=True)
    return fixture_id


def main_stack_phase(env_file: Path, ui: str, gateway: str, key: str, values: dict) -> None:
    # The gateway's own port is opt-in (deploy/api-port.yml); published here to check it.
    files = [ROOT / "deploy" / "docker-compose.yml", ROOT / "deploy" / "compose.ci.yml", ROOT / "deploy" / "api-port.yml"]
    stack = Stack(env_file, files)

    # Fail closed: without INTERNAL_TOKEN compose refuses to start anything.
    no_token = WORK / "no-token.env"
    write_env(no_token, **{k: v for k, v in values.items() if k != "INTERNAL_TOKEN"})
    result = Stack(no_token, files).compose("up", "-d", "--no-build")
    check("compose refuses to start without INTERNAL_TOKEN", result.returncode != 0 and "INTERNAL_TOKEN" in result.stderr, result.stderr)
    started = [c["Name"] for c in stack.containers()]
    check("nothing was started without INTERNAL_TOKEN", not started, started)

    start = time.monotonic()
    result = stack.compose("up", "-d", "--no-build", timeout=600)
    check("docker compose up -d (the README's command) succeeds", result.returncode == 0, result.stderr[-3000:])
    ok, _, states = wait_healthy(stack, 6)
    took = time.monotonic() - start
    check("all six long-running containers become healthy", ok, states)
    figures["time from `up` to all healthy"] = f"{took:.1f} s"
    time.sleep(8)  # a crash-looping container shows restarts within seconds
    check_settled(stack, "stack")

    # Through the published UI port, as a browser on the LAN would.
    status, headers, body = http(f"{ui}/")
    check("UI: the page is served", status == 200 and '<div id="root">' in body, (status, body[:200]))
    for path in ("/", "/api/health", "/docs/"):
        status, headers, _ = http(f"{ui}{path}")
        csp = headers.get("Content-Security-Policy", "")
        check(f"UI: {path} carries the Content-Security-Policy and nosniff",
              "default-src 'self'" in csp and headers.get("X-Content-Type-Options") == "nosniff", headers)
    status, _, body = http(f"{ui}/docs/")
    check("UI: /docs/ is served", status == 200 and "swagger" in body.lower(), status)
    status, _, body = http(f"{ui}/api/health")
    check("UI: /api/health reaches the gateway", status == 200 and '"healthy"' in body, (status, body))
    status, _, body = http(f"{gateway}/health")
    check("with deploy/api-port.yml, the gateway's published port answers /health over HTTPS", status == 200, (status, body))
    status, _, _ = http(f"{ui.replace('https://', 'http://')}/api/health")
    check("UI: no plain HTTP by default", status != 200, status)
    status, _, body = http(f"{ui}/api/chat", "POST", {"message": "How much memory is used?"})
    check("UI: chat without a key is refused with 401", status == 401 and "detail" in body, (status, body))

    status, answer = chat(ui, key, "Which containers are running?")
    text = answer.get("message", "")
    check("chat lists real containers seen through the proxy", status == 200 and "homelab-fixture-web" in text, (status, answer))
    status, answer = chat(ui, key, "Which containers are stopped?")
    check("chat sees the stopped fixture", status == 200 and "homelab-fixture-stopped" in answer.get("message", ""), (status, answer))
    status, answer = chat(ui, key, "Show me the details of the homelab-fixture-web container")
    text = json.dumps(answer)
    check("container details answer", status == 200 and "homelab-fixture-web" in text, (status, answer))
    check("a container's environment never reaches an answer", FIXTURE_SECRET not in text and "FIXTURE_PASSWORD" not in text, text[:500])
    status, answer = chat(ui, key, "Show the last logs of homelab-fixture-web")
    check("container logs through the proxy", status == 200 and "fixture started" in answer.get("message", ""), (status, answer))
    status, answer = chat(ui, key, "How much disk space is left?")
    check("host metrics answer", status == 200 and answer.get("message"), (status, answer))

    status, answer = chat(ui, key, "Stop the homelab-fixture-web container")
    check("a write is refused", status == 200 and answer.get("refused") is True and "read-only" in answer.get("message", "")
          and not answer.get("tool_calls_made"), answer)
    still = docker("inspect", "-f", "{{.State.Status}}", "homelab-fixture-web").stdout.strip()
    check("the refused write changed nothing", still == "running", still)

    status, headers, body = http(f"{ui}/api/chat/stream", "POST", {"message": "Which containers are running?"}, key=key, timeout=60)
    events = re.findall(r"^event: ?(\S+)", body, re.M)
    check(
        "UI: /api/chat/stream streams tool and message events to done",
        status == 200 and "text/event-stream" in headers.get("Content-Type", "") and events and events[-1] == "done"
        and "tool_call" in events and "homelab-fixture-web" in body,
        (status, events, body[:300]),
    )

    # Each service gets only the variables it uses.
    allowed_env = {
        "gateway": {"GATEWAY_PORT", "ORCHESTRATOR_URL", "INTERNAL_TOKEN", "API_KEY", "AUTH_DISABLED", "RATE_LIMIT_REQUESTS",
                    "RATE_LIMIT_WINDOW", "FAILED_AUTH_PER_MINUTE", "READS_PER_MINUTE", "MAX_MESSAGE_CHARS", "CORS_ALLOW_ORIGINS", "TRUSTED_PROXIES", "TLS_CERT_PATH", "TLS_KEY_PATH",
                    "MAX_STREAMS_PER_KEY", "LLM_PROVIDER", "LLM_TIMEOUT_SECS"},
        "orchestrator": {"ORCHESTRATOR_PORT", "INTERNAL_TOKEN", "LLM_ADAPTER_URL", "MONITORING_URL", "MONITORING_TARGETS",
                         "MONITORING_AGENT_TOKENS", "MONITORING_AGENTS_DIR", "MONITORING_ALLOW_HTTP", "MAX_TOOL_ITERATIONS",
                         "MAX_TOOL_CALLS_PER_TURN", "MAX_TOOL_CALLS_PER_CHAT", "MAX_TOOL_OUTPUT_CHARS",
                         "PREFETCH_TOOLS", "CONVERSATION_TTL_DAYS", "LLM_PROVIDER", "LLM_TIMEOUT_SECS", "AUDIT_LOG_PATH", "DB_PATH", "API_KEY",
                         "GROQ_API_KEY", "OPENAI_API_KEY", "TRUENAS_API_KEY"},
        "llm-adapter": {"LLM_ADAPTER_PORT", "INTERNAL_TOKEN", "LLM_PROVIDER", "GROQ_API_KEY", "OPENAI_API_KEY",
                        "LLM_BASE_URL", "LLM_MODEL", "LLM_TIMEOUT_SECS"},
        "tool-monitoring": {"MONITORING_PORT", "INTERNAL_TOKEN", "DOCKER_HOST", "HOST_PROC", "HOST_ROOT",
                            "TRUENAS_URL", "TRUENAS_USERNAME", "TRUENAS_API_KEY", "TRUENAS_CA_CERT", "HISTORY_PATH",
                            "PROMETHEUS_URL", "TLS_CERT_PATH", "TLS_KEY_PATH"},
        "frontend": {"UI_TLS"},
        "docker-proxy": set(),
        "tls-init": {"HTTPS", "TLS_HOSTNAMES"},
    }
    common = {"PATH", "BIND_HOST", "LOG_LEVEL", "LOG_FORMAT"}
    for c in stack.containers():
        name = service_of(c)
        keys = {e.split("=", 1)[0] for e in c["Config"]["Env"]}
        extra = keys - allowed_env.get(name, set()) - common
        check(f"{name} receives only its own variables", not extra, sorted(extra))
        env_text = "\n".join(c["Config"]["Env"])
        if name not in ("llm-adapter", "orchestrator"):
            check(f"{name} holds no LLM provider key", values["GROQ_API_KEY"] not in env_text)

    # Only tool-monitoring and the proxy share the Docker API network; the socket is in the proxy only.
    for c in stack.containers():
        mounts = [m.get("Source", "") for m in c.get("Mounts", [])]
        check(f"{service_of(c)}: Docker socket only in the proxy", any(SOCKET == m for m in mounts) == (service_of(c) == "docker-proxy"), mounts)

    fixture_id = docker("inspect", "-f", "{{.Id}}", "homelab-fixture-web").stdout.strip()
    check_proxy(f"{PROJECT}_docker-api", fixture_id)

    # nginx: its healthcheck notices the gateway going away, and it finds a recreated gateway.
    stack.compose("stop", "gateway")
    frontend = next(c["Id"] for c in stack.containers() if service_of(c) == "frontend")
    result = docker("exec", frontend, "/usr/local/bin/ui-healthcheck")
    check("UI healthcheck fails while the gateway is down", result.returncode != 0, result.returncode)
    stack.compose("rm", "-f", "gateway")
    # Take the freed address, so the recreated gateway gets another one.
    docker("run", "-d", "--name", "homelab-ip-squatter", "--network", f"{PROJECT}_backend", "debian:bookworm-slim", "sleep", "infinity")
    result = stack.compose("up", "-d", "--no-build", "--no-deps", "gateway")
    ok, _, states = wait_healthy(stack, 6, limit=90)
    check("recreated gateway is healthy", result.returncode == 0 and ok, (result.stderr[-500:], states))
    deadline = time.monotonic() + 30
    status = 0
    while time.monotonic() < deadline:
        status, _, _ = http(f"{ui}/api/health")
        if status == 200:
            break
        time.sleep(1)
    check("nginx reaches the recreated gateway at its new address without a restart", status == 200, status)
    frontend_restarts = next(c.get("RestartCount") for c in stack.containers() if service_of(c) == "frontend")
    check("the UI container was not restarted for it", frontend_restarts == 0, frontend_restarts)
    docker("rm", "-f", "homelab-ip-squatter")

    # Idle memory of the whole stack.
    time.sleep(5)
    out = docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}").stdout
    total = 0.0
    per = []
    for line in out.splitlines():
        name, usage = line.split(" ", 1)
        if not name.startswith(PROJECT + "-"):
            continue
        m = re.match(r"([\d.]+)([KMG]i?B)", usage)
        if m:
            mib = float(m.group(1)) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024, "kB": 1 / 1024, "MB": 1, "GB": 1024}.get(m.group(2), 1)
            total += mib
            per.append(f"{name.removeprefix(PROJECT + '-').rsplit('-', 1)[0]} {mib:.1f}")
    figures["idle memory of the whole stack (docker stats)"] = f"{total:.1f} MiB ({', '.join(per)})"
    # docker stats leaves out the page cache; the processes' resident memory is the other view.
    rss_total = 0.0
    for c in stack.containers():
        if c["State"]["Status"] != "running":
            continue
        # docker top lists the container's processes with their host PIDs (second column).
        for line in docker("top", c["Id"]).stdout.splitlines()[1:]:
            fields = line.split()
            status = Path(f"/proc/{fields[1]}/status") if len(fields) > 1 and fields[1].isdigit() else None
            if status and status.exists():
                kb = re.search(r"^VmRSS:\s+(\d+) kB", status.read_text(), re.M)
                rss_total += int(kb.group(1)) / 1024 if kb else 0
    figures["idle resident memory (RSS) of all processes in the stack"] = f"{rss_total:.1f} MiB"
    check("idle memory figure was read for every container", len(per) == 6, out)

    check_settled(stack, "after the checks")


def agent_phase(values: dict, key: str, token: str, ui_port: int) -> None:
    """deploy/agent.compose.yml as another host runs it (here on the same engine), asked over HTTPS
    by the main stack as the host `nas`, through the agent's published port."""
    agent_port = free_port()
    agent_env = WORK / "agent.env"
    # The README's agent.env: a token of the agent's own, not the assistant's INTERNAL_TOKEN.
    agent_token = secrets.token_hex(32)
    write_env(agent_env, AGENT_TOKEN=agent_token, TLS_HOSTNAMES="host.docker.internal",
              AGENT_PUBLISHED_PORT=str(agent_port), DOCKER_SOCKET=SOCKET, BUILD_FROM="prebuilt")
    ci_override = WORK / "agent.ci.yml"
    ci_override.write_text("services:\n  tool-monitoring:\n    volumes:\n      - /:/host/root:ro\n")
    agent = Stack(agent_env, [ROOT / "deploy" / "agent.compose.yml", ci_override], project="homelab-agent")
    try:
        result = agent.compose("up", "-d", "--no-build", timeout=600)
        ok, took, states = wait_healthy(agent, 2)
        check("agent: deploy/agent.compose.yml comes up healthy", result.returncode == 0 and ok, (result.stderr[-2000:], states))
        figures["agent compose, up to healthy"] = f"{took:.1f} s"
        base = f"https://127.0.0.1:{agent_port}"
        status, _, body = http(f"{base}/health")
        check("agent: its published port serves HTTPS", status == 200 and "tool-monitoring" in body, (status, body))
        status, _, _ = http(f"http://127.0.0.1:{agent_port}/health")
        check("agent: and not plain HTTP", status != 200, status)
        status, _, _ = http(f"{base}/system/resources")
        check("agent: a call without a token is refused", status == 401, status)
        status, _, _ = http(f"{base}/system/resources", token=token)
        check("agent: the assistant's own INTERNAL_TOKEN is refused", status == 401, status)
        status, _, _ = http(f"{base}/system/resources", token=agent_token)
        check("agent: its own token is accepted", status == 200, status)
        cert = agent.compose("run", "--rm", "--entrypoint", "cat", "tls-init", "/tls/cert.pem", timeout=120)
        check("agent: the README's command prints its certificate", "BEGIN CERTIFICATE" in cert.stdout, cert.stderr[-500:])
        pinned = ROOT / "deploy" / "agents" / "nas.pem"
        pinned.write_text(cert.stdout)
        pinned.chmod(0o644)
        try:
            fleet_env = WORK / "fleet.env"
            write_env(fleet_env, **values, MONITORING_TARGETS=f"nas=https://host.docker.internal:{agent_port}",
                      MONITORING_AGENT_TOKENS=f"nas={agent_token}")
            # On another machine the agent has a LAN address; here it is this engine's host.
            host_gateway = WORK / "fleet.ci.yml"
            host_gateway.write_text("services:\n  orchestrator:\n    extra_hosts:\n      - host.docker.internal:host-gateway\n")
            stack = Stack(fleet_env, [ROOT / "deploy" / "docker-compose.yml", ROOT / "deploy" / "compose.ci.yml", host_gateway])
            result = stack.compose("up", "-d", "--no-build", timeout=600)
            ok, _, states = wait_healthy(stack, 6)
            check("agent: the main stack with MONITORING_TARGETS comes up healthy", result.returncode == 0 and ok, (result.stderr[-2000:], states))
            ui = f"https://127.0.0.1:{ui_port}"
            status, answer = chat(ui, key, "Is anything unhealthy?")
            message = answer.get("message", "")
            check("agent: a question about everything is answered for both hosts",
                  status == 200 and "**On local:**" in message and "**On nas:**" in message, (status, answer))
            status, answer = chat(ui, key, "Which containers are running on nas?")
            message = answer.get("message", "")
            check("agent: the agent's own Docker, through its own proxy", message.startswith("**On nas:**") and "homelab-fixture-web" in message, (status, answer))
            status, _, body = http(f"{ui}/api/status", key=key)
            try:
                hosts = [h["host"] for h in json.loads(body)["hosts"]]
            except (ValueError, KeyError):
                hosts = []
            check("agent: the status strip has both hosts", status == 200 and hosts == ["local", "nas"], (status, body[:500]))
            if not KEEP:
                stack.compose("down", "-v", timeout=300)
        finally:
            pinned.unlink(missing_ok=True)
    finally:
        if not KEEP:
            agent.compose("down", "-v", timeout=300)


def tls_phase(env_file: Path, values: dict, ui_port: int, gateway_port: int, key: str) -> None:
    """The README's command as it is (no api-port.yml, HTTPS left to its default), then HTTPS=off."""
    files = [ROOT / "deploy" / "docker-compose.yml", ROOT / "deploy" / "compose.ci.yml"]
    tls_env = WORK / "tls.env"
    write_env(tls_env, **values, TLS_HOSTNAMES="nas.example.lan,192.0.2.10")
    stack = Stack(tls_env, files)
    result = stack.compose("up", "-d", "--no-build", timeout=600)
    ok, _, states = wait_healthy(stack, 6)
    check("default: the stack comes up healthy", result.returncode == 0 and ok, (result.stderr[-2000:], states))
    ui = f"https://127.0.0.1:{ui_port}"
    status, _, body = http(f"{ui}/api/health")
    check("default: UI port serves HTTPS and reaches the gateway over it", status == 200 and "healthy" in body, (status, body))
    status, _, body = http(f"http://127.0.0.1:{ui_port}/api/health")
    check("default: UI port does not answer plain HTTP", status != 200, status)
    status, _, body = http(f"https://127.0.0.1:{gateway_port}/health")
    check("default: the gateway's port is not published", status == 0, (status, body))
    published = {service_of(c): c["HostConfig"].get("PortBindings") or {} for c in stack.containers()}
    check("default: only the web UI publishes a port", {n for n, p in published.items() if p} == {"frontend"}, published)
    status, answer = chat(ui, key, "Which containers are running?")
    check("default: a chat over HTTPS", status == 200 and "homelab-fixture-web" in answer.get("message", ""), (status, answer))
    pem = ssl.get_server_certificate(("127.0.0.1", ui_port))
    cert_file = WORK / "served.pem"
    cert_file.write_text(pem)
    text = run("openssl", "x509", "-in", str(cert_file), "-noout", "-ext", "subjectAltName").stdout
    check("default: the self-signed certificate names TLS_HOSTNAMES", "nas.example.lan" in text and "192.0.2.10" in text, text)
    check_settled(stack, "HTTPS by default")

    # HTTPS=off: plain HTTP on the UI port (a TLS proxy of the user's own in front); the hop to the
    # gateway stays HTTPS.
    write_env(tls_env, **values, HTTPS="off")
    result = stack.compose("up", "-d", "--no-build", timeout=600)
    ok, _, states = wait_healthy(stack, 6)
    check("HTTPS=off: the stack comes up healthy", result.returncode == 0 and ok, (result.stderr[-2000:], states))
    status, _, body = http(f"http://127.0.0.1:{ui_port}/api/health")
    check("HTTPS=off: UI port serves plain HTTP and reaches the gateway", status == 200 and "healthy" in body, (status, body))
    if not KEEP:
        stack.compose("down", "-v", timeout=300)


def truenas_phase(ui_port: int) -> None:
    """deploy/truenas.yaml as TrueNAS's "Install via YAML" runs it (the middleware parses the YAML,
    writes it back, and runs `docker compose -p ix-homelab-assistant up -d --force-recreate`), with
    only the dataset made beforehand, owned by the apps user as the "Apps" preset makes it. Then the
    README's TrueNAS steps (the certificate copied into the dataset, four values edited, Save)
    against the fake TrueNAS on this machine, and the app deleted with its dataset kept."""
    dataset = WORK / "truenas-datasets" / "homelab-assistant"
    run("rm", "-rf", str(dataset.parent))
    dataset.mkdir(parents=True)
    os.chown(dataset, 568, 568)
    source = (ROOT / "deploy" / "truenas.yaml").read_text()
    substitutions = {
        "/mnt/tank/apps/homelab-assistant": str(dataset),
        "/var/run/docker.sock:/var/run/docker.sock": f"{SOCKET}:/var/run/docker.sock",
        '"3000:3000"': f'"{ui_port}:3000"',
        "/mnt:/host/root/mnt:ro,rslave": "/mnt:/host/root/mnt:ro",  # `/` is a private mount here (compose.ci.yml)
        "      - /proc/spl:/host/proc/spl:ro\n": "",  # no ZFS on this machine; a NAS always has it
    }
    for old, new in substitutions.items():
        check(f"truenas.yaml holds '{old.strip()}'", old in source)
        source = source.replace(old, new)
    yaml_file = WORK / "truenas-install.yaml"
    empty = WORK / "empty.env"
    empty.write_text("")
    stack = Stack(empty, [yaml_file], project=TRUENAS_PROJECT)

    def install(text: str, extra_hosts: bool = False) -> tuple[bool, float, list]:
        config = yaml.safe_load(text)  # as the middleware stores it: anchors resolved
        if extra_hosts:  # on a NAS, TRUENAS_URL is its LAN address; here the engine's host
            config["services"]["tool-monitoring"]["extra_hosts"] = ["host.docker.internal:host-gateway"]
        yaml_file.write_text(yaml.safe_dump(config, sort_keys=False))
        start = time.monotonic()
        result = stack.compose("up", "-d", "--force-recreate", timeout=1200)
        ok, _, states = wait_healthy(stack, 6, limit=max(10, 1200 - (time.monotonic() - start)))
        return result.returncode == 0 and ok, time.monotonic() - start, (result.stderr[-2000:], states)

    ok, took, detail = install(source)
    check("TrueNAS YAML: `-p ix-homelab-assistant up -d --force-recreate` comes up healthy", ok, detail)
    check("TrueNAS YAML: within TrueNAS's 1,200 s limit", took < 1200, f"{took:.0f} s")
    figures["TrueNAS YAML install, up to all healthy"] = f"{took:.1f} s"

    owners = {"secrets": 568, "database": 568, "audit": 568, "tls": 568, "tool-monitoring": 65532}
    for folder, uid in owners.items():
        path = dataset / folder
        check(f"TrueNAS YAML: init made {folder}/ owned by {uid}", path.is_dir() and path.stat().st_uid == uid, path)
    key_file = dataset / "secrets" / "api-key"
    key = key_file.read_text().strip() if key_file.is_file() else ""
    check("TrueNAS YAML: the API key was made in secrets/api-key, 0400, owned by 568",
          len(key) == 64 and key_file.stat().st_uid == 568 and key_file.stat().st_mode & 0o777 == 0o400, key_file)
    ui = f"https://127.0.0.1:{ui_port}"
    status, _, body = http(f"{ui}/api/health")
    check("TrueNAS YAML: the UI port serves HTTPS and reaches the gateway", status == 200 and "healthy" in body, (status, body))
    status, _, _ = http(f"http://127.0.0.1:{ui_port}/api/health")
    check("TrueNAS YAML: and not plain HTTP", status != 200, status)
    status, answer = chat(ui, key, "Which containers are running?")
    check("TrueNAS YAML: chat with the key from secrets/api-key sees the containers", status == 200 and "homelab-fixture-web" in answer.get("message", ""), (status, answer))
    status, answer = chat(ui, key, "How much disk space is left?")
    check("TrueNAS YAML: disk space answered, the container's own root not passed off as the NAS's",
          status == 200 and "`/`" not in answer.get("message", ""), (status, answer))
    containers = {service_of(c): c for c in stack.containers()}
    published = {n for n, c in containers.items() if any((c["HostConfig"].get("PortBindings") or {}).values())}
    check("TrueNAS YAML: only the web UI publishes a port", published == {"frontend"}, published)
    check("TrueNAS YAML: tool-monitoring runs as its own user", containers["tool-monitoring"]["Config"]["User"] == "65532:65532",
          containers["tool-monitoring"]["Config"]["User"])
    token = (dataset / "secrets" / "internal-token").read_text().strip()
    leaked = [n for n, c in containers.items() if any(key in e or token in e for e in c["Config"].get("Env") or [])]
    check("TrueNAS YAML: neither the API key nor the internal token is in any container's environment", not leaked, leaked)
    audit = dataset / "audit" / "audit.jsonl"
    db = dataset / "database" / "db.sqlite3"
    check("TrueNAS YAML: audit log written to the dataset as user 568", audit.is_file() and audit.stat().st_uid == 568, audit)
    check("TrueNAS YAML: database written to the dataset as user 568", db.is_file() and db.stat().st_uid == 568, db)
    names = {c["Name"].lstrip("/") for c in containers.values()}
    check("TrueNAS YAML: containers are named ix-homelab-assistant-…", all(n.startswith(TRUENAS_PROJECT + "-") for n in names), names)
    check_settled(stack, "TrueNAS")

    # The README's "TrueNAS answers": TrueNAS's certificate into the dataset, four values, Save.
    fake = subprocess.Popen(
        [str(ROOT / "target" / "release" / "fake-truenas"), "--bind", "0.0.0.0", "--api", "27",
         "--cert-dir", str(WORK / "fake-truenas")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        said = dict(fake.stdout.readline().strip().split("=", 1) for _ in range(5))
        run("cp", said["ca"], str(dataset / "tool-monitoring" / "truenas.crt"), check_rc=True)
        edited = source
        for old, new in {
            'x-truenas-api-key: &truenas-api-key ""': f'x-truenas-api-key: &truenas-api-key "{said["api_key"]}"',
            'TRUENAS_URL: ""': f'TRUENAS_URL: "https://host.docker.internal:{said["port"]}"',
            'TRUENAS_USERNAME: ""': f'TRUENAS_USERNAME: "{said["username"]}"',
            'TRUENAS_CA_CERT: ""': "TRUENAS_CA_CERT: /var/lib/homelab-assistant/truenas.crt",
        }.items():
            check(f"truenas.yaml holds '{old}'", old in edited)
            edited = edited.replace(old, new)
        ok, _, detail = install(edited, extra_hosts=True)
        check("TrueNAS YAML: Edit → Save (up --force-recreate again) comes back healthy", ok, detail)
        check("TrueNAS YAML: the API key is kept across Save", key_file.read_text().strip() == key)
        status, answer = chat(ui, key, "Is a scrub running on tank?")
        message = answer.get("message", "")
        check("TrueNAS YAML: TrueNAS answers from its API (pools, resilver)",
              status == 200 and "Pool **tank** is ONLINE" in message and "A resilver is running: 45% done" in message,
              (status, answer))
        status, answer = chat(ui, key, "Any alerts on the NAS?")
        check("TrueNAS YAML: TrueNAS answers from its API (alerts)",
              status == 200 and "Replication \"offsite\" failed" in answer.get("message", ""), (status, answer))
        check("TrueNAS YAML: the TrueNAS key is not in the audit log", said["api_key"] not in audit.read_text())
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    check_settled(stack, "TrueNAS with TrueNAS answers")
    if not KEEP:
        # Apps → homelab-assistant → Delete: the containers go, the dataset stays.
        stack.compose("down", timeout=300)
        check("TrueNAS YAML: deleting the app keeps the dataset (key, database, audit log)",
              key_file.is_file() and db.is_file() and audit.is_file() and not stack.containers())


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    token = secrets.token_hex(16)
    ui_port, gateway_port = free_port(), free_port()
    values = {
        "API_KEY": key,
        "INTERNAL_TOKEN": token,
        "LLM_PROVIDER": "builtin",
        # Set only to show it reaches the llm-adapter (and the orchestrator's redaction) alone.
        "GROQ_API_KEY": "gsk_compose_test_" + secrets.token_hex(8),
        "BUILD_FROM": "prebuilt",
        "DOCKER_SOCKET": SOCKET,
        "UI_PUBLISHED_PORT": str(ui_port),
        "GATEWAY_PUBLISHED_PORT": str(gateway_port),
        "RATE_LIMIT_REQUESTS": "1000",
    }
    env_file = WORK / ".env"
    write_env(env_file, **values)
    build_images(env_file)
    remove_leftovers()
    start_fixtures()
    main_stack_phase(env_file, f"https://127.0.0.1:{ui_port}", f"https://127.0.0.1:{gateway_port}", key, values)
    if not KEEP:
        files = [ROOT / "deploy" / "docker-compose.yml", ROOT / "deploy" / "compose.ci.yml", ROOT / "deploy" / "api-port.yml"]
        Stack(env_file, files).compose("down", "-v", timeout=300)
        agent_phase(values, key, token, ui_port)
        tls_phase(env_file, values, ui_port, gateway_port, key)
        truenas_phase(ui_port)
        for name in ("homelab-fixture-web", "homelab-fixture-stopped"):
            docker("rm", "-f", name)
    else:
        print(f"COMPOSE_KEEP=1: the stack is running; web UI https://127.0.0.1:{ui_port}  API key {key}")

    print("\nFigures measured in this run:")
    lines = [f"- {k}: {v}" for k, v in figures.items()]
    print("\n".join(lines))
    (WORK / "figures.txt").write_text("\n".join(lines) + "\n")
    print(f"\ncompose-test: {passed} passed, {len(failures)} failed")
    for f in failures:
        print(f"  failed: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a crash still ends with the closing line
        print(f"FAILED - compose test aborted: {e!r}")
        print(f"\ncompose-test: {passed} passed, {len(failures) + 1} failed")
        sys.exit(1)
