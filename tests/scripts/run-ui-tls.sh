#!/usr/bin/env bash
# `make run`'s web UI (deploy/run-ui.sh) with a certificate set (TLS_CERT_PATH/TLS_KEY_PATH):
# Debian's nginx serves the page over HTTPS only, passes /api/ to a gateway that speaks HTTPS (a
# stand-in here: Python's HTTPS server answering /health), and the printed address is https://.
# Needs nginx, openssl, curl and python3; uses free ports and a folder of its own.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tmp=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop() {
  [ -n "${UI_PID:-}" ] && kill "$UI_PID" 2>/dev/null || true
  [ -n "${gateway_pid:-}" ] && kill "$gateway_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap stop EXIT

# A root like the repository's, with a page to serve (the UI need not be built for this test).
mkdir -p "$tmp/root/frontend/dist" "$tmp/data/logs"
ln -s "$repo/deploy" "$tmp/root/deploy"
echo '<!doctype html><div id="root"></div>' > "$tmp/root/frontend/dist/index.html"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null

GATEWAY_PORT=$(free_port)
python3 - "$GATEWAY_PORT" "$tmp/cert.pem" "$tmp/key.pem" <<'PY' &
import http.server, ssl, sys
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"status": "healthy", "service": "gateway"}'
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[2], sys.argv[3])
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
PY
gateway_pid=$!

cd "$tmp/root"
export ROOT="$tmp/root" DATA="$tmp/data" GATEWAY_PORT UI_PORT UI_BIND_HOST=127.0.0.1
UI_PORT=$(free_port)
export TLS_CERT_PATH="$tmp/cert.pem" TLS_KEY_PATH="$tmp/key.pem"
# shellcheck source=/dev/null
source deploy/run-ui.sh

fail() { echo "FAIL: $*"; tail -n 5 "$NGINX_DIR/error.log" 2>/dev/null; exit 1; }
[ -n "${UI_PID:-}" ] || fail "nginx did not start: $UI_LINE"
case "$UI_LINE" in "Web UI: https://"*) ;; *) fail "the printed address is not https: $UI_LINE" ;; esac
page=$(curl -sf --cacert "$tmp/cert.pem" "https://127.0.0.1:$UI_PORT/") || fail "the page is not served over HTTPS"
grep -q 'id="root"' <<<"$page" || fail "not the page: $page"
health=$(curl -sf --cacert "$tmp/cert.pem" "https://127.0.0.1:$UI_PORT/api/health") || fail "/api/health does not reach the gateway"
grep -q healthy <<<"$health" || fail "not the gateway's answer: $health"
if curl -sf "http://127.0.0.1:$UI_PORT/" >/dev/null 2>&1; then fail "the UI port still answers plain HTTP"; fi
echo "ok - make run's web UI serves HTTPS with TLS_CERT_PATH/TLS_KEY_PATH and reaches an HTTPS gateway"
