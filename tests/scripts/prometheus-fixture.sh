#!/usr/bin/env bash
# Runs a real Prometheus (Debian's package) scraping a real node exporter every second, both on
# loopback ports of their own, for the history tests (tool-monitoring with PROMETHEUS_URL).
#   tests/scripts/prometheus-fixture.sh start   # prints PROMETHEUS_URL=http://…, once data is in
#   tests/scripts/prometheus-fixture.sh stop
set -euo pipefail

DIR="${HOMELAB_PROMETHEUS_DIR:-/tmp/homelab-prometheus}"
PROM_PORT="${HOMELAB_PROMETHEUS_PORT:-19090}"
NODE_PORT="${HOMELAB_NODE_EXPORTER_PORT:-19100}"
URL="http://127.0.0.1:$PROM_PORT"

start() {
  for bin in prometheus prometheus-node-exporter; do
    command -v "$bin" >/dev/null || { echo "$bin is not installed (tests/scripts/install-test-deps.sh)" >&2; exit 1; }
  done
  mkdir -p "$DIR/data"
  if ! curl -sf "http://127.0.0.1:$NODE_PORT/metrics" >/dev/null 2>&1; then
    nohup prometheus-node-exporter --web.listen-address="127.0.0.1:$NODE_PORT" \
      --collector.disable-defaults --collector.cpu --collector.meminfo --collector.loadavg \
      --collector.filesystem --collector.netdev >"$DIR/node-exporter.log" 2>&1 &
    echo $! >"$DIR/node-exporter.pid"
  fi
  cat >"$DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:$NODE_PORT"]
YAML
  if ! curl -sf "$URL/-/ready" >/dev/null 2>&1; then
    nohup prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
      --web.listen-address="127.0.0.1:$PROM_PORT" --storage.tsdb.retention.time=1d \
      >"$DIR/prometheus.log" 2>&1 &
    echo $! >"$DIR/prometheus.pid"
  fi
  # Ready, and holding a few seconds of node figures (rates need two samples).
  for _ in $(seq 1 150); do
    if curl -sf "$URL/api/v1/query" --data-urlencode 'query=count_over_time(node_load1[1m]) >= 3' 2>/dev/null \
      | grep -q '"value"'; then
      echo "PROMETHEUS_URL=$URL"
      return 0
    fi
    sleep 0.2
  done
  echo "Prometheus did not collect node figures in 30 s; see $DIR/*.log" >&2
  exit 1
}

stop() {
  for name in prometheus node-exporter; do
    if [ -f "$DIR/$name.pid" ]; then
      kill "$(cat "$DIR/$name.pid")" 2>/dev/null || true
      rm -f "$DIR/$name.pid"
    fi
  done
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
