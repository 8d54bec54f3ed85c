# Sourced by deploy/run.sh once the services are up: serves frontend/dist with Debian's nginx and
# the project's deploy/nginx.conf, adapted to loopback (gateway at 127.0.0.1:$GATEWAY_PORT).
# Sets UI_PID and UI_LINE. Without nginx it only says how to get it.
UI_PORT="${UI_PORT:-3000}"
UI_BIND="${UI_BIND_HOST:-0.0.0.0}"
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  UI_LINE="(web UI: install nginx — apt-get install nginx-light — and run again)"
  return 0 2>/dev/null || exit 0
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
# With a certificate set (TLS_CERT_PATH/TLS_KEY_PATH) the gateway serves HTTPS, and so does the
# web UI, with the same certificate: the API key never crosses the LAN in clear.
UI_SCHEME=http
[ -n "${TLS_CERT_PATH:-}" ] && [ -n "${TLS_KEY_PATH:-}" ] && UI_SCHEME=https
GATEWAY_SCHEME=$UI_SCHEME
NGINX_DIR="${TMPDIR:-/tmp}/homelab-nginx-$(id -u)-$UI_PORT"
mkdir -p "$NGINX_DIR/tmp"
UI_CERT="${TLS_CERT_PATH:-}" UI_KEY="${TLS_KEY_PATH:-}"
WEB_ROOT="$ROOT/frontend/dist"
HEADERS="$ROOT/deploy/nginx-headers.conf"
AS_USER=()
if [ "$(id -u)" -eq 0 ]; then
  # nginx never runs as root: as root we start it as nobody, serving a copy of the page it can
  # read (the clone may sit in /root, which nobody cannot enter).
  rm -rf "$NGINX_DIR/html"
  cp -r "$WEB_ROOT" "$NGINX_DIR/html"
  cp "$HEADERS" "$NGINX_DIR/headers.conf"
  WEB_ROOT="$NGINX_DIR/html" HEADERS="$NGINX_DIR/headers.conf"
  if [ "$UI_SCHEME" = https ]; then
    # Copies nobody can read, the key kept to its owner.
    install -m 0444 "$TLS_CERT_PATH" "$NGINX_DIR/cert.pem"
    install -m 0400 "$TLS_KEY_PATH" "$NGINX_DIR/key.pem"
    UI_CERT="$NGINX_DIR/cert.pem" UI_KEY="$NGINX_DIR/key.pem"
  fi
  chown -R nobody:nogroup "$NGINX_DIR"
  AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
{
  echo "worker_processes 1;"
  echo "pid $NGINX_DIR/nginx.pid;"
  echo "error_log $NGINX_DIR/error.log warn;"
  echo "events { worker_connections 512; }"
  echo "http {"
  echo "  include /etc/nginx/mime.types;"
  echo "  default_type application/octet-stream;"
  echo "  access_log $NGINX_DIR/access.log;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $NGINX_DIR/tmp/$t;"; done
  LISTEN="listen $UI_BIND:$UI_PORT;"
  if [ "$UI_SCHEME" = https ]; then
    LISTEN="listen $UI_BIND:$UI_PORT ssl; ssl_certificate $UI_CERT; ssl_certificate_key $UI_KEY;"
    LISTEN="$LISTEN ssl_protocols TLSv1.2 TLSv1.3; add_header Strict-Transport-Security \"max-age=31536000\" always;"
  fi
  sed -e "s#listen 3000;#$LISTEN#" \
      -e "/listen \[::\]:3000;/d" \
      -e "s#root /usr/share/nginx/html;#root $WEB_ROOT;#" \
      -e "s#http://gateway:8000#$GATEWAY_SCHEME://127.0.0.1:$GATEWAY_PORT#" \
      -e "/^resolver /d" \
      -e "s#/etc/nginx/homelab-headers.conf#$HEADERS#" \
      deploy/nginx.conf | sed 's/^/  /'
  echo "}"
} > "$NGINX_DIR/nginx.conf"
setsid "${AS_USER[@]}" "$NGINX_BIN" -e "$NGINX_DIR/error.log" -c "$NGINX_DIR/nginx.conf" -g "daemon off;" \
  >>"$DATA/logs/nginx.log" 2>&1 &
UI_PID=$!
for _ in $(seq 1 50); do
  curl -sfk "$UI_SCHEME://127.0.0.1:$UI_PORT/" >/dev/null 2>&1 && break
  if ! kill -0 "$UI_PID" 2>/dev/null; then
    echo "ERROR: nginx failed to start for the web UI:" >&2
    tail -n 5 "$NGINX_DIR/error.log" "$DATA/logs/nginx.log" >&2 2>/dev/null
    exit 1
  fi
  sleep 0.1
done
UI_LINE="Web UI: $UI_SCHEME://$(hostname -I 2>/dev/null | awk '{print $1}' || echo localhost):$UI_PORT (or $UI_SCHEME://localhost:$UI_PORT)"
