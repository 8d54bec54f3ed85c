"""Static checks of the Docker deployment (no Docker engine runs here).

- deploy/docker-compose.yml parses; the expected services are there, only the gateway and the
  web UI publish ports, the Docker socket is mounted into the socket proxy only, the proxy
  refuses POST, our services have healthchecks, depends_on waits for health.
- every Dockerfile it references exists; every SERVICE build argument is a workspace binary,
  and the release binary the Dockerfile copies (target/release/<SERVICE>) exists after a build.
- every ${VAR} the compose file substitutes is documented in .env.example.
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
BINARIES = {"gateway", "orchestrator", "llm-adapter", "tool-monitoring"}

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

check("compose has the six services", set(services) == BINARIES | {"frontend", "docker-proxy"}, str(set(services)))

published = {name for name, s in services.items() if s.get("ports")}
check("only the gateway and the web UI publish ports", published == {"gateway", "frontend"}, str(published))

for name, s in services.items():
    volumes = [str(v) for v in s.get("volumes", [])]
    mounts_socket = any("docker.sock" in v for v in volumes)
    check(f"{name}: Docker socket mounted only into the proxy", mounts_socket == (name == "docker-proxy"), str(volumes))

proxy = services["docker-proxy"]["environment"]
check("socket proxy allows containers, refuses POST", str(proxy.get("CONTAINERS")) == "1" and str(proxy.get("POST")) == "0")
check("socket proxy network is internal", compose["networks"]["docker-api"].get("internal") is True)
check(
    "only tool-monitoring shares the proxy's network",
    {n for n, s in services.items() if "docker-api" in s.get("networks", [])} == {"docker-proxy", "tool-monitoring"},
)
check("tool-monitoring talks to the proxy", services["tool-monitoring"]["environment"]["DOCKER_HOST"] == "tcp://docker-proxy:2375")
check(
    "tool-monitoring sees the host read-only",
    {"/proc:/host/proc:ro", "/:/host/root:ro,rslave"} <= set(services["tool-monitoring"]["volumes"]),
)

for name in BINARIES | {"frontend"}:
    s = services[name]
    check(f"{name}: has a healthcheck", "healthcheck" in s)
    check(f"{name}: restart unless-stopped", s.get("restart") == "unless-stopped")
    check(f"{name}: read-only root filesystem", s.get("read_only") is True)
    check(f"{name}: no-new-privileges", "no-new-privileges:true" in s.get("security_opt", []))
    for dep, cond in (s.get("depends_on") or {}).items() if isinstance(s.get("depends_on"), dict) else []:
        check(f"{name}: waits for {dep} to be healthy", cond.get("condition") == "service_healthy")
    build = s["build"]
    dockerfile = (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve()
    check(f"{name}: Dockerfile {build['dockerfile']} exists", dockerfile.is_file(), str(dockerfile))
    if name in BINARIES:
        arg = build["args"]["SERVICE"]
        check(f"{name}: builds its own binary", arg == name, arg)
        body = dockerfile.read_text()
        check(f"{name}: Dockerfile copies target/release/${{SERVICE}}", 'target/release/${SERVICE}' in body)
        binary = ROOT / "target" / "release" / arg
        check(f"{name}: release binary {binary.relative_to(ROOT)} exists", binary.is_file(), "(run cargo build --release first)")
        check(f"{name}: healthcheck uses --healthcheck", "--healthcheck" in s["healthcheck"]["test"])

documented = {
    line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if re.match(r"^[A-Z_][A-Z0-9_]*=", line)
}
used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
check("compose variables are documented in .env.example", used <= documented, str(used - documented))
for name, s in services.items():
    for var in (s.get("environment") or {}):
        if name in BINARIES:
            check(f"{name}: sets only documented variables ({var})", var in documented)

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
