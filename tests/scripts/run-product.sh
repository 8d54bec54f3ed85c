# Sourced by the test scripts that need the whole product: starts the README's run command in
# the background (ports, data folder and provider come from the environment) and waits until it
# says it is running. Sets $runner; stop_product stops it and waits for it to exit.
#   start_product <output file>

start_product() {
  local out=$1
  setsid bash deploy/run.sh >"$out" 2>&1 &
  runner=$!
  for _ in $(seq 1 1200); do
    grep -q "Homelab Assistant is running" "$out" && return 0
    kill -0 "$runner" 2>/dev/null || { cat "$out"; echo "FAIL: the run command exited early"; exit 1; }
    sleep 0.5
  done
  cat "$out"
  echo "FAIL: the run command was not ready in time"
  exit 1
}

stop_product() {
  kill -TERM "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
}
