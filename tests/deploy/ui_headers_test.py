#!/usr/bin/env python3
"""The web UI's nginx site (deploy/nginx.conf with deploy/nginx-headers.conf) run by a real nginx,
once over HTTPS (as the frontend image's entrypoint serves it with UI_TLS=on) and once over plain
HTTP: every location — the page, its assets, Swagger UI's files, the API proxy — sends the
security headers, HSTS included over HTTPS, and no HSTS over HTTP. Needs nginx and openssl; no
Docker engine. Run: python3 tests/deploy/ui_headers_test.py
"""

import http.server
import os
import pathlib
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
PATHS = ["/", "/index.html", "/assets/app-1234.js", "/docs/swagger-ui.5.1.0.css", "/api/health", "/chat/anything"]


class FakeGateway(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the handler's name is http.server's)
        body = b'{"status": "healthy"}'
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


def site(tmp: pathlib.Path, port: int, gateway: int, tls: bool) -> str:
    """deploy/nginx.conf as the frontend image serves it, on loopback, before a fake gateway."""
    listen = f"listen 127.0.0.1:{port};"
    if tls:
        # The entrypoint's rewrite for UI_TLS=on (deploy/frontend/entrypoint.sh).
        listen = (
            f"listen 127.0.0.1:{port} ssl;\n    ssl_certificate {tmp}/cert.pem;\n"
            f"    ssl_certificate_key {tmp}/key.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;"
        )
    text = (ROOT / "deploy/nginx.conf").read_text()
    text = text.replace("listen 3000;", listen).replace("    listen [::]:3000;\n", "")
    text = text.replace("root /usr/share/nginx/html;", f"root {tmp}/html;")
    text = text.replace("http://gateway:8000", f"http://127.0.0.1:{gateway}")
    text = text.replace("resolver 127.0.0.11 valid=10s ipv6=off;", "")
    text = text.replace("/etc/nginx/homelab-headers.conf", str(ROOT / "deploy/nginx-headers.conf"))
    return (
        f"worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n"
        f"events {{ worker_connections 64; }}\nhttp {{\n  access_log off;\n"
        + "".join(f"  {t}_temp_path {tmp}/{t};\n" for t in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
        + text
        + "\n}\n"
    )


def headers(url: str) -> dict[str, str]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as response:
            return {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as e:
        return {k.lower(): v for k, v in e.headers.items()}


def run(tls: bool, gateway: int) -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as name:
        tmp = pathlib.Path(name)
        os.chmod(tmp, 0o755)  # nginx's workers may run as nobody
        for f in ["html/index.html", "html/assets/app-1234.js", "html/docs/swagger-ui.5.1.0.css"]:
            (tmp / f).parent.mkdir(parents=True, exist_ok=True)
            (tmp / f).write_text("x")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
            check=True, capture_output=True,
        )
        port = free_port()
        (tmp / "nginx.conf").write_text(site(tmp, port, gateway, tls))
        nginx = subprocess.Popen(["nginx", "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"])
        try:
            base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    headers(base + "/")
                    break
                except OSError:
                    time.sleep(0.05)
            for p in PATHS:
                got = headers(base + p)
                hsts = got.get("strict-transport-security")
                ok = got.get("x-frame-options") == "DENY" and (hsts == "max-age=31536000" if tls else hsts is None)
                failures += not ok
                print(f"{'ok' if ok else 'FAIL'} - {base.split(':')[0]} {p}: HSTS {hsts!r}, X-Frame-Options {got.get('x-frame-options')!r}")
        finally:
            nginx.terminate()
            nginx.wait(5)
    return failures


def main() -> int:
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        print("skip - no nginx or openssl binary")
        return 0
    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    failures = run(True, gateway.server_address[1]) + run(False, gateway.server_address[1])
    gateway.shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
