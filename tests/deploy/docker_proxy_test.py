#!/usr/bin/env python3
"""The Docker proxy's allowlist (deploy/docker-proxy/haproxy.cfg) run by a real haproxy, in front of
a fake Docker API that records what reaches it: what tool-monitoring asks passes; a followed log or
a streamed stats never does, however it is spelled (yes, on, TRUE, %73tream=1, repeated
parameters). Needs the haproxy binary; no Docker engine. Run: python3 tests/deploy/docker_proxy_test.py
"""

import http.server
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy/docker-proxy/haproxy.cfg"

# What tool-monitoring sends (bollard's query of each call).
PASSES = [
    "/v1.47/containers/json?all=true",
    "/containers/plex/json",
    "/v1.47/containers/plex/logs?follow=false&stdout=true&stderr=true&since=0&until=0&timestamps=false&tail=200",
    "/v1.47/containers/plex/stats?stream=false&one-shot=true",
    "/containers/plex/stats?stream=false&one-shot=false",
    "/_ping",
]

# Endless or outside the allowlist: each must be refused before the engine sees it.
REFUSED = [
    "/containers/plex/logs?follow=1&stdout=1",
    "/containers/plex/logs?follow=yes&stdout=1",
    "/containers/plex/logs?follow=on&stdout=1",
    "/containers/plex/logs?follow=TRUE&stdout=1",
    "/containers/plex/logs?follow=x&stdout=1",
    "/containers/plex/logs?%66ollow=1&stdout=1",
    "/containers/plex/logs?stdout=1&follow=0&follow=1",
    "/containers/plex/logs?follow=1&follow=0&stdout=1",
    "/containers/plex/logs?stdout=1&follow",
    "/containers/plex/logs?stdout=1&Follow=1",
    "/containers/plex/stats?stream=yes",
    "/containers/plex/stats?stream=on",
    "/containers/plex/stats?stream=TRUE",
    "/containers/plex/stats?%73tream=1",
    "/containers/plex/stats?stream=1&stream=0",
    "/containers/plex/stats?stream=false&%73tream=1",
    "/containers/plex/stats",
    "/containers/plex/stats?one-shot=true",
    "/events",
    "/containers/plex/attach/ws?stream=1",
]


class FakeDocker(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (the handler's name is http.server's)
        FakeDocker.seen.append(self.path)
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def main() -> int:
    if shutil.which("haproxy") is None:
        print("skip - no haproxy binary")
        return 0
    docker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeDocker)
    threading.Thread(target=docker.serve_forever, daemon=True).start()
    port = free_port()
    config = CONFIG.read_text()
    config = config.replace("bind :2375", f"bind 127.0.0.1:{port}")
    config = config.replace("unix@/var/run/docker.sock", f"127.0.0.1:{docker.server_address[1]}")
    config = config.replace("    log stdout format raw local0 notice\n", "")
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "haproxy.cfg"
        path.write_text(config)
        proxy = subprocess.Popen(["haproxy", "-db", "-f", str(path)], stdout=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    status(base + "/_ping")
                    break
                except OSError:
                    time.sleep(0.05)
            failures = 0
            for p in PASSES:
                got = status(base + p)
                ok = got == 200 and FakeDocker.seen[-1:] == [p]
                failures += not ok
                print(f"{'ok' if ok else 'FAIL'} - the proxy lets through {p} ({got})")
            FakeDocker.seen.clear()
            for p in REFUSED:
                got = status(base + p)
                ok = got == 403 and not FakeDocker.seen
                failures += not ok
                print(f"{'ok' if ok else 'FAIL'} - the proxy refuses {p} ({got}, engine saw {FakeDocker.seen})")
                FakeDocker.seen.clear()
        finally:
            proxy.terminate()
            proxy.wait(5)
            docker.shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
