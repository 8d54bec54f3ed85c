# Sourced by deploy/run.sh once DOCKER_HOST is known. tool-monitoring never gets the raw Docker
# socket: anything that can connect to it can create, stop or remove containers, or start one as
# root with the host's / mounted. A unix socket is put behind the read-only allowlist the compose
# stack uses (deploy/docker-proxy/haproxy.cfg, run by Debian's haproxy on loopback), and
# DOCKER_HOST points tool-monitoring at the proxy. Without haproxy, tool-monitoring gets no Docker
# API (container questions say so), unless HOMELAB_RAW_DOCKER_SOCKET=1 says you know why.
# A tcp:// or http(s):// DOCKER_HOST (a remote engine or a proxy of your own) is used as given.
# Needs ROOT, DATA and DOCKER_HOST; sets DOCKER_HOST, DOCKER_NOTE and DOCKER_PROXY_PID.
DOCKER_PROXY_PORT="${DOCKER_PROXY_PORT:-8004}"
DOCKER_PROXY_PID=""
case "${DOCKER_HOST:-}" in
  unix://*)
    docker_socket="${DOCKER_HOST#unix://}"
    # (HAPROXY_BIN set but empty: as if there were none; the test uses it.)
    HAPROXY_BIN="${HAPROXY_BIN-$(command -v haproxy || { [ -x /usr/sbin/haproxy ] && echo /usr/sbin/haproxy; } || true)}"
    if [ -n "$HAPROXY_BIN" ]; then
      proxy_dir="${TMPDIR:-/tmp}/homelab-docker-proxy-$(id -u)-$DOCKER_PROXY_PORT"
      mkdir -p "$proxy_dir" && chmod 700 "$proxy_dir"
      sed -e "s#bind :2375#bind 127.0.0.1:$DOCKER_PROXY_PORT#" \
          -e "s#unix@/var/run/docker.sock#unix@$docker_socket#" \
          -e "/^ *log stdout /d" \
          "$ROOT/deploy/docker-proxy/haproxy.cfg" > "$proxy_dir/haproxy.cfg"
      setsid "$HAPROXY_BIN" -db -f "$proxy_dir/haproxy.cfg" >>"$DATA/logs/docker-proxy.log" 2>&1 &
      DOCKER_PROXY_PID=$!
      for _ in $(seq 1 50); do
        curl -sf --max-time 2 "http://127.0.0.1:$DOCKER_PROXY_PORT/_ping" >/dev/null 2>&1 && break
        if ! kill -0 "$DOCKER_PROXY_PID" 2>/dev/null; then
          echo "ERROR: the read-only Docker proxy (haproxy) failed to start on 127.0.0.1:$DOCKER_PROXY_PORT" \
            "(DOCKER_PROXY_PORT moves it). Its last lines ($DATA/logs/docker-proxy.log):" >&2
          tail -n 5 "$DATA/logs/docker-proxy.log" >&2
          exit 1
        fi
        sleep 0.1
      done
      export DOCKER_HOST="tcp://127.0.0.1:$DOCKER_PROXY_PORT"
      DOCKER_NOTE="$docker_socket, through the read-only proxy at 127.0.0.1:$DOCKER_PROXY_PORT (deploy/docker-proxy/haproxy.cfg)"
    elif [ "${HOMELAB_RAW_DOCKER_SOCKET:-0}" = 1 ]; then
      DOCKER_NOTE="$DOCKER_HOST, the raw socket (HOMELAB_RAW_DOCKER_SOCKET=1: tool-monitoring can do whatever Docker can)"
    else
      # Somewhere nothing listens: container questions say the Docker API is unavailable.
      export DOCKER_HOST="unix://$DATA/no-docker-proxy.sock"
      DOCKER_NOTE="not given to tool-monitoring: the read-only proxy in front of $docker_socket needs haproxy (sudo apt-get install haproxy), then run again"
    fi
    ;;
esac
