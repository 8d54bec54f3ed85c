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
# A gateway serving TLS (TLS_CERT_PATH/TLS_KEY_PATH) is reached over HTTPS.
GATEWAY_SCHEME=http
[ -n "${TLS_CERT_PATH:-}" ] && [ -n "${TLS_KEY_PATH:-}" ] && GATEWAY_SCHEME=https
NGINX_DIR="${TMPDIR:-/tmp}/homelab-nginx-$(id -u)-$UI_PORT"
mkdir -p "$NGINX_DIR/tmp"
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
  sed -e "s#listen 3000;#listen $UI_BIND:$UI_PORT;#" \
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
  curl -sf "http://127.0.0.1:$UI_PORT/" >/dev/null 2>&1 && break
  if ! kill -0 "$UI_PID" 2>/dev/null; then
    echo "ERROR: nginx failed to start for the web UI:" >&2
    tail -n 5 "$NGINX_DIR/error.log" "$DATA/logs/nginx.log" >&2 2>/dev/null
    exit 1
  fi
  sleep 0.1
done
UI_LINE="Web UI: http://$(hostname -I 2>/dev/null | awk '{print $1}' || echo localhost):$UI_PORT (or http://localhost:$UI_PORT)"
