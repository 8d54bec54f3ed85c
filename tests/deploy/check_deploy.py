"""Static checks of the deployment files, runnable without a Docker engine (make compose-test runs
the stack for real; these catch drift between the files early):

- deploy/docker-compose.yml: the seven services; only the web UI publishes a port, over HTTPS
  unless HTTPS=off, the gateway always serving the tls volume's certificate (its own port opt-in
  through deploy/api-port.yml, which publishes nothing else); the
  Docker socket only in the proxy, which shares an internal network with tool-monitoring alone; no
  env_file (each service lists its own variables); INTERNAL_TOKEN required (`:?`) everywhere it is
  passed; every image is named from IMAGE_PREFIX and HOMELAB_VERSION and also has a build.
- deploy/truenas.yaml: no build, no variables to interpolate (TrueNAS has no .env), the same images
  and tags as the compose file's defaults and the workspace's version, each tag written once (an
  anchor in x-images); every service as the apps user 568 but the proxy, the init step (root with
  CHOWN, DAC_OVERRIDE and FOWNER only, no network) and tool-monitoring (its own user, mounting
  neither / nor the whole /proc); no secret in the file (API_KEY and INTERNAL_TOKEN from files the
  init step makes, every other key empty); only the web UI's port, over HTTPS; the builtin model.
- deploy/agent.compose.yml: tool-monitoring alone with its proxy and tls-init, the same images,
  HTTPS from the tls volume, its own token (AGENT_TOKEN) and TLS_HOSTNAMES required.
- deploy/docker-proxy/haproxy.cfg: GET only, on the read endpoints the tools use; `/events` only
  with exactly the filter tool-monitoring sends (the actions in `EVENT_ACTIONS`, read from
  apps/tool-monitoring/src/docker.rs; never `exec_*`) and an optional `since`, on a backend of its
  own with a long server timeout. The rules are evaluated here against sample requests, with the
  config's own regular expressions.
- every ${VAR} the compose files substitute is documented in .env.example.
- .dockerignore keeps a user's own secrets (deploy/tls/, the agents' keys, .env, data/) out of the
  build context, which `COPY . .` puts into the builder's layers.
- against each release binary's own list (`<binary> --variables`): every file passes a service only
  variables it reads; the compose files pass all of them but a few left out on purpose; the
  orchestrator gets every secret the others get, with the same value (it strikes them from the
  audit file).
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
TRUENAS = ROOT / "deploy" / "truenas.yaml"
BINARIES = {"gateway", "orchestrator", "llm-adapter", "tool-monitoring"}
LONG_RUNNING = BINARIES | {"frontend", "docker-proxy"}
# Started only when asked for (`--profile ollama`), from the image Ollama publishes.
OPTIONAL = {"ollama"}

passed = 0
failures: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    global passed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failures.append(name)
        print(f"FAILED - {name} {detail}")


text = COMPOSE.read_text()
compose = yaml.safe_load(text)
services = compose["services"]

check("compose has the seven services and the optional ones", set(services) == LONG_RUNNING | {"tls-init"} | OPTIONAL, str(set(services)))
for name in OPTIONAL:
    s = services[name]
    check(f"{name}: only under its profile (never started by default or in CI)", s.get("profiles") == [name], str(s.get("profiles")))
    check(f"{name}: publishes no port (only the llm-adapter reaches it)", not s.get("ports"))
    check(f"{name}: no-new-privileges", "no-new-privileges:true" in s.get("security_opt", []))
published = {name for name, s in services.items() if s.get("ports")}
check("only the web UI publishes a port", published == {"frontend"}, str(published))
check("the web UI serves HTTPS by default", services["frontend"]["environment"].get("UI_TLS") == "${HTTPS:-on}",
      str(services["frontend"]["environment"].get("UI_TLS")))
check("tls-init makes or copies a certificate by default", services["tls-init"]["environment"].get("HTTPS") == "${HTTPS:-on}")
gateway_env = services["gateway"]["environment"]
check("the gateway always serves HTTPS (the UI's hop to it too)",
      gateway_env.get("TLS_CERT_PATH") == "/tls/cert.pem" and gateway_env.get("TLS_KEY_PATH") == "/tls/key.pem", str(gateway_env))
api_port = yaml.safe_load((ROOT / "deploy" / "api-port.yml").read_text())
check("api-port.yml publishes the gateway's port and nothing else",
      set(api_port["services"]) == {"gateway"} and set(api_port["services"]["gateway"]) == {"ports"}
      and api_port["services"]["gateway"]["ports"] == ["${GATEWAY_PUBLISHED_PORT:-8000}:8000"], str(api_port))
for name, s in services.items():
    if name in OPTIONAL:
        continue
    volumes = [str(v) for v in s.get("volumes", [])]
    check(f"{name}: Docker socket mounted only into the proxy", any("docker.sock" in v for v in volumes) == (name == "docker-proxy"), str(volumes))
    check(f"{name}: no env_file (only its own variables)", "env_file" not in s)
    env = s.get("environment") or {}
    if "INTERNAL_TOKEN" in env:
        check(f"{name}: INTERNAL_TOKEN is required", str(env["INTERNAL_TOKEN"]).startswith("${INTERNAL_TOKEN:?"), env["INTERNAL_TOKEN"])
    image = s.get("image", "")
    check(f"{name}: image from IMAGE_PREFIX and HOMELAB_VERSION", image.startswith("${IMAGE_PREFIX:-") and image.endswith(":${HOMELAB_VERSION:-0.1.0}"), image)
    check(f"{name}: can be built from source", "build" in s)
    if name in LONG_RUNNING:
        check(f"{name}: has a healthcheck", "healthcheck" in s)
        check(f"{name}: read-only, no-new-privileges, no capabilities",
              s.get("read_only") is True and "no-new-privileges:true" in s.get("security_opt", []) and s.get("cap_drop") == ["ALL"])
    if name in BINARIES:
        check(f"{name}: builds its own binary", s["build"]["args"]["SERVICE"] == name)
check("INTERNAL_TOKEN goes to every service", all("INTERNAL_TOKEN" in (services[n].get("environment") or {}) for n in BINARIES))
check("the proxy's network is internal", compose["networks"]["docker-api"].get("internal") is True)
check("only tool-monitoring shares the proxy's network",
      {n for n, s in services.items() if "docker-api" in s.get("networks", [])} == {"docker-proxy", "tool-monitoring"})
check("tool-monitoring waits for a healthy proxy",
      services["tool-monitoring"]["depends_on"]["docker-proxy"]["condition"] == "service_healthy")

# --- the Docker API proxy's allowlist -------------------------------------------------------------
from urllib.parse import quote, unquote

proxy = (ROOT / "deploy" / "docker-proxy" / "haproxy.cfg").read_text()
acls = {}
for m in re.finditer(r"^\s*acl (\w+) (path|query|query,url_dec) -m reg (.+)$", proxy, re.M):
    acls[m.group(1)] = (m.group(2), re.compile(m.group(3).strip().strip("'")))
rust = (ROOT / "apps" / "tool-monitoring" / "src" / "docker.rs").read_text()
actions = re.findall(r'"([a-z_]+)"', re.search(r"pub const EVENT_ACTIONS: \[&str; \d+\] =\s*\[([^\]]*)\]", rust).group(1))
check("the event actions tool-monitoring asks for are the container reads it records", set(actions) == {
    "create", "start", "restart", "die", "oom", "kill", "health_status", "destroy"}, str(actions))
listed = ",".join('"' + a + '"' for a in actions)
ours = quote('{"event":[' + listed + "]}", safe="")
type_filter = quote('{"type":["container"]}', safe="")
exec_filter = quote('{"event":["exec_create"]}', safe="")
check("the proxy's event filter is exactly tool-monitoring's", 'filters=\\{"event":\\[' + listed + '\\]\\}$' in proxy)
check("the proxy never lets exec events through", "exec" not in proxy.split("acl events_filter", 1)[1].split("\n", 1)[0])
check("the event stream has a backend of its own with a long server timeout",
      re.search(r"backend docker_events\n(\s+#.*\n)*\s+timeout server 1h\n", proxy) is not None and "use_backend docker_events if events" in proxy)


def allowed(method: str, target: str) -> bool:
    """The frontend's deny rules, in order, for one request."""
    path, _, query = target.partition("?")

    def acl(name: str) -> bool:
        fetch, rx = acls[name]
        value = {"path": path, "query": query, "query,url_dec": unquote(query)}[fetch]
        return rx.search(value) is not None

    if method != "GET":
        return False
    if path.endswith("/logs") and not acl("logs_query"):
        return False
    if path.endswith("/stats") and not (acl("stats_query") and acl("one_shot")):
        return False
    if acl("events") and not acl("events_filter"):
        return False
    return any(acl(a) for a in ("ping_or_version", "container_list", "container_read", "events"))


for method, target, expect in [
    ("GET", f"/events?filters={ours}", True),
    ("GET", f"/events?since=1796506657.845124401&filters={ours}", True),
    ("GET", f"/events?since=1796506657&filters={ours}", True),
    ("GET", f"/v1.41/events?filters={ours}", True),
    ("GET", "/events", False),
    ("GET", f"/events?filters={type_filter}", False),
    ("GET", f"/events?filters={exec_filter}", False),
    ("GET", f"/events?filters={ours}&until=1796506657", False),
    ("GET", f"/events?filters={ours}&since=1", False),
    ("GET", "/events/../info", False),
    ("POST", f"/events?filters={ours}", False),
    ("GET", "/containers/json?all=true", True),
    ("GET", "/containers/plex/logs?stdout=1&stderr=1&tail=20", True),
    ("GET", "/containers/plex/logs?follow=1", False),
    ("GET", "/containers/plex/logs?follow=yes&stdout=1", False),
    ("GET", "/containers/plex/logs?stdout=1&follow=0&follow=1", False),
    ("GET", "/containers/plex/logs?%66ollow=1&stdout=1", False),
    ("GET", "/v1.47/containers/plex/logs?follow=false&stdout=true&stderr=true&since=0&until=0&timestamps=false&tail=200", True),
    ("GET", "/containers/plex/stats?stream=false&one-shot=true", True),
    ("GET", "/containers/plex/stats?stream=TRUE", False),
    ("GET", "/containers/plex/stats?%73tream=1", False),
    ("GET", "/containers/plex/stats?stream=false&%73tream=1", False),
    ("GET", "/info", False),
]:
    shown = target if len(target) <= 90 else f"{target[:40]}…{target[-40:]}"
    check(f"docker proxy {'allows' if expect else 'refuses'} {method} {shown}", allowed(method, target) == expect)

documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if re.match(r"^[A-Z_][A-Z0-9_]*=", line)}
used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text + (ROOT / "deploy" / "api-port.yml").read_text()))
check("compose variables are documented in .env.example", used <= documented, str(used - documented))

truenas_text = TRUENAS.read_text()
truenas = yaml.safe_load(truenas_text)
ts = truenas["services"]
check("truenas.yaml has the six long-running services and init", set(ts) == LONG_RUNNING | {"init"}, str(set(ts)))
check("truenas.yaml interpolates nothing", "${" not in truenas_text)
workspace_version = re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
for name, s in ts.items():
    check(f"truenas.yaml {name}: no build", "build" not in s)
    image_of = "frontend" if name == "init" else name
    default = services[image_of]["image"].replace("${IMAGE_PREFIX:-", "").replace("}-", "-", 1).replace("${HOMELAB_VERSION:-", "").rstrip("}")
    check(f"truenas.yaml {name}: same image as the compose default", s["image"] == default, f"{s['image']} != {default}")
    check(f"truenas.yaml {name}: the workspace's version {workspace_version}", s["image"].endswith(":" + workspace_version), s["image"])
    if name not in ("docker-proxy", "init", "tool-monitoring"):
        check(f"truenas.yaml {name}: runs as the apps user 568", s.get("user") == "568:568", str(s.get("user")))
    env = s.get("environment") or {}
    for key in ("API_KEY", "INTERNAL_TOKEN"):
        check(f"truenas.yaml {name}: no {key} in the file (read from the init step's file)", key not in env)
    for key in ("GROQ_API_KEY", "OPENAI_API_KEY", "TRUENAS_API_KEY"):
        if key in env:
            check(f"truenas.yaml {name}: {key} ships empty", env[key] == "", env[key])
    check(f"truenas.yaml {name}: no placeholder secret", not any("change" in str(v).lower() for v in env.values()))
check("truenas.yaml: each image tag is written once", len(re.findall(r"homelab-assistant-[a-z-]+:\d", truenas_text)) == 6)
check("truenas.yaml: every service gets the internal token (from the init step's file)",
      all("INTERNAL_TOKEN_FILE" in ts[n]["environment"] for n in BINARIES))
check("truenas.yaml: only the web UI publishes a port", {n for n, s in ts.items() if s.get("ports")} == {"frontend"})
check("truenas.yaml: the web UI serves HTTPS", ts["frontend"]["environment"].get("UI_TLS") == "on")
check("truenas.yaml: the builtin model by default", ts["llm-adapter"]["environment"]["LLM_PROVIDER"] == "builtin")
init = ts["init"]
check("truenas.yaml init: root with CHOWN, DAC_OVERRIDE and FOWNER only, no network",
      init.get("cap_drop") == ["ALL"] and set(init.get("cap_add", [])) == {"CHOWN", "DAC_OVERRIDE", "FOWNER"}
      and init.get("network_mode") == "none" and init.get("read_only") is True)
for name, s in ts.items():
    if name not in ("init", "docker-proxy"):
        check(f"truenas.yaml {name}: waits for init", s["depends_on"]["init"]["condition"] == "service_completed_successfully")
monitoring = ts["tool-monitoring"]
mounts = [str(v).split(":")[0] for v in monitoring["volumes"]]
check("truenas.yaml tool-monitoring: its own user, not the apps user", monitoring.get("user") not in (None, "568:568") and not str(monitoring.get("user")).startswith("568"), monitoring.get("user"))
check("truenas.yaml tool-monitoring: mounts neither / nor the whole /proc", "/" not in mounts and "/proc" not in mounts, mounts)

agent_text = (ROOT / "deploy" / "agent.compose.yml").read_text()
agent = yaml.safe_load(agent_text)
a = agent["services"]
check("agent.compose.yml: the proxy, tls-init and tool-monitoring", set(a) == {"docker-proxy", "tls-init", "tool-monitoring"}, str(set(a)))
check("agent.compose.yml: only tool-monitoring publishes a port", {n for n, s in a.items() if s.get("ports")} == {"tool-monitoring"})
for name, s in a.items():
    volumes = [str(v) for v in s.get("volumes", [])]
    check(f"agent {name}: Docker socket mounted only into the proxy", any("docker.sock" in v for v in volumes) == (name == "docker-proxy"), str(volumes))
    check(f"agent {name}: same image as the main compose file", s["image"] == services[name]["image"], s["image"])
agent_env = a["tool-monitoring"]["environment"]
check("agent: its own token (AGENT_TOKEN) is required, never the assistant's INTERNAL_TOKEN",
      str(agent_env["INTERNAL_TOKEN"]).startswith("${AGENT_TOKEN:?"), agent_env["INTERNAL_TOKEN"])
check("agent: serves HTTPS from the tls volume", agent_env.get("TLS_CERT_PATH") == "/tls/cert.pem" and agent_env.get("TLS_KEY_PATH") == "/tls/key.pem")
check("agent: TLS_HOSTNAMES is required", str(a["tls-init"]["environment"]["TLS_HOSTNAMES"]).startswith("${TLS_HOSTNAMES:?"))
check("agent: the proxy's network is internal", agent["networks"]["docker-api"].get("internal") is True)
check("agent: read-only, no-new-privileges, no capabilities",
      all(s.get("read_only") is True and s.get("cap_drop") == ["ALL"] for s in a.values()))
agent_used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", agent_text))
check("agent compose variables are documented in .env.example", agent_used <= documented, str(agent_used - documented))

# The build context (.dockerignore): `COPY . .` puts the context into the builder's layers, so a
# user's own secrets must never be part of it. Docker's rules: a pattern matches a path or one of
# its parent folders (`*` within a name, `**` across folders), the last matching line wins and `!`
# lets a path back in.
def dockerignored(path: str, rules: list[str]) -> bool:
    def matches(pattern: str, candidate: str) -> bool:
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        return re.fullmatch(regex, candidate) is not None
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for rule in rules:
        negated = rule.startswith("!")
        pattern = rule.lstrip("!").strip("/")
        if any(matches(pattern, p) for p in prefixes):
            excluded = not negated
    return excluded


ignore_rules = [l.strip() for l in (ROOT / ".dockerignore").read_text().splitlines() if l.strip() and not l.startswith("#")]
for secret in ("deploy/tls/key.pem", "deploy/tls/cert.pem", "deploy/agents/nas.pem", ".env", "data/audit.key",
               "data/secrets/api-key"):
    check(f".dockerignore keeps the user's {secret} out of the build context", dockerignored(secret, ignore_rules))
for needed in ("Cargo.toml", "apps/gateway/src/main.rs", "deploy/nginx.conf", "frontend/src/main.tsx", "target/release/gateway"):
    check(f".dockerignore lets {needed} into the build context", not dockerignored(needed, ignore_rules))

# The variables each binary reads, from the binary itself (`--variables`): a file must not pass a
# service a variable it ignores (a setting that silently does nothing), and the compose file passes
# every one a user may set, but these, each left out on purpose.
NOT_PASSED = {
    "BIND_HOST": "the image sets it (0.0.0.0)",
    "AUDIT_KEY_PATH": "the default keeps the key beside the database, apart from the log",
    "TLS_CERT_PATH": "tool-monitoring serves HTTPS only as an agent (agent.compose.yml)",
    "TLS_KEY_PATH": "as TLS_CERT_PATH",
    "PROMETHEUS_URL": "in an agent: the hub asks Prometheus, which already holds every host it scrapes",
    "ALLOW_NO_INTERNAL_TOKEN": "the compose files require INTERNAL_TOKEN (AGENT_TOKEN for an agent), so the opt-out has no use",
}
target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
variables = {}
# The secrets a service may read from a file instead (`<NAME>_FILE`): `<binary> --secrets`.
FILE_SECRETS = set()
for binary in sorted(BINARIES):
    out = subprocess.run([str(target / binary), "--variables"], capture_output=True, text=True)
    variables[binary] = set(out.stdout.split())
    secrets = subprocess.run([str(target / binary), "--secrets"], capture_output=True, text=True)
    FILE_SECRETS |= set(secrets.stdout.split())
    check(f"{binary} --secrets lists its secrets, all among its variables",
          secrets.returncode == 0 and "INTERNAL_TOKEN" in secrets.stdout and set(secrets.stdout.split()) <= variables[binary],
          secrets.stdout[-300:])
    check(f"{binary} --variables lists its variables", out.returncode == 0 and "INTERNAL_TOKEN" in variables[binary], out.stderr[-300:])
for label, file_services, complete in (("docker-compose.yml", services, True), ("agent.compose.yml", a, True),
                                        ("truenas.yaml", truenas["services"], False)):
    for name in sorted(BINARIES & set(file_services)):
        # A secret's `<NAME>_FILE` is that variable, read from a file.
        env = {k.removesuffix("_FILE") if k.removesuffix("_FILE") in FILE_SECRETS else k
               for k in (file_services[name].get("environment") or {})}
        check(f"{label} {name}: passes only variables the binary reads", env <= variables[name], sorted(env - variables[name]))
        if complete:
            missing = variables[name] - env - set(NOT_PASSED)
            check(f"{label} {name}: passes every variable a user may set", not missing, sorted(missing))
    # The orchestrator strikes every secret from the audit file, so it gets each one another service gets.
    if "orchestrator" in file_services:
        given = {k for n, s in file_services.items() if n != "orchestrator" for k in (s.get("environment") or {})}
        secrets = {"API_KEY", "GROQ_API_KEY", "OPENAI_API_KEY", "TRUENAS_API_KEY", "API_KEY_FILE"} & given
        orchestrator_env = file_services["orchestrator"].get("environment") or {}
        check(f"{label}: the orchestrator gets every secret, to keep it out of the audit file",
              secrets <= set(orchestrator_env), sorted(secrets - set(orchestrator_env)))
        for secret in secrets & set(orchestrator_env):
            same = {str((s.get("environment") or {}).get(secret)) for s in file_services.values() if secret in (s.get("environment") or {})}
            check(f"{label}: {secret} is the same value wherever it is passed", len(same) == 1, same)

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
