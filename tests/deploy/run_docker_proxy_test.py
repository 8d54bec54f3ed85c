#!/usr/bin/env python3
"""make run's Docker access (deploy/run-docker-proxy.sh, sourced by deploy/run.sh) against a fake
Docker API on a unix socket: tool-monitoring is pointed at the read-only proxy on loopback, never
at the socket itself, so a write (POST …/stop) never reaches the engine; without haproxy it gets
no Docker API, unless HOMELAB_RAW_DOCKER_SOCKET=1. Needs haproxy; no Docker engine, no build.
Run: python3 tests/deploy/run_docker_proxy_test.py
"""

import http.server
import os
import pathlib
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]


class FakeDocker(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def address_string(self):
        return "docker.sock"

    def answer(self):
        FakeDocker.seen.append(f"{self.command} {self.path}")
        body = b"OK"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer  # noqa: N815 (http.server's names)

    def log_message(self, *args):
        pass


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sourced(env: dict[str, str]) -> dict[str, str]:
    """DOCKER_HOST, DOCKER_NOTE and DOCKER_PROXY_PID after sourcing the script as run.sh does."""
    script = 'source deploy/run-docker-proxy.sh; printf "%s\\n" "$DOCKER_HOST" "$DOCKER_NOTE" "$DOCKER_PROXY_PID"'
    out = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    host, note, pid = (out.stdout.splitlines() + ["", "", ""])[:3]
    return {"host": host, "note": note, "pid": pid, "stderr": out.stderr}


def status(method: str, url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, data=b"" if method == "POST" else None), timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def main() -> int:
    if shutil.which("haproxy") is None:
        print("skip - no haproxy binary")
        return 0
    failures = 0

    def check(name: str, ok: bool, detail: object = "") -> None:
        nonlocal failures
        failures += not ok
        print(f"{'ok' if ok else 'FAIL'} - {name}" + ("" if ok else f": {detail}"))

    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "docker.sock")
        server = UnixServer(sock, FakeDocker)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        data = pathlib.Path(tmp) / "data"
        (data / "logs").mkdir(parents=True)
        port = free_port()
        env = dict(os.environ, ROOT=str(ROOT), DATA=str(data), DOCKER_HOST=f"unix://{sock}", DOCKER_PROXY_PORT=str(port))
        env.pop("HAPROXY_BIN", None)
        got = sourced(env)
        try:
            check("tool-monitoring is pointed at the proxy on loopback", got["host"] == f"tcp://127.0.0.1:{port}", got)
            check("the note says so", "through the read-only proxy" in got["note"], got["note"])
            base = f"http://127.0.0.1:{port}"
            FakeDocker.seen.clear()  # the script's own readiness check
            check("a read the tools make reaches the engine", status("GET", base + "/_ping") == 200 and FakeDocker.seen == ["GET /_ping"], FakeDocker.seen)
            FakeDocker.seen.clear()
            check("a write is refused before the engine", status("POST", base + "/containers/plex/stop") == 405 and not FakeDocker.seen, FakeDocker.seen)
            check("a followed log is refused before the engine", status("GET", base + "/containers/plex/logs?follow=yes&stdout=1") == 403 and not FakeDocker.seen, FakeDocker.seen)
        finally:
            if got["pid"]:
                os.kill(int(got["pid"]), signal.SIGTERM)
        without = sourced(dict(env, HAPROXY_BIN=""))
        check("without haproxy the socket is not given", without["host"] == f"unix://{data}/no-docker-proxy.sock" and not without["pid"], without)
        check("and the note says how to get it", "apt-get install haproxy" in without["note"], without["note"])
        raw = sourced(dict(env, HAPROXY_BIN="", HOMELAB_RAW_DOCKER_SOCKET="1"))
        check("HOMELAB_RAW_DOCKER_SOCKET=1 gives the raw socket, said as such", raw["host"] == f"unix://{sock}" and "raw socket" in raw["note"], raw)
        server.shutdown()
    print(f"{'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
