"""make run as a person uses it: started in a terminal's foreground group and stopped with Ctrl-C
(SIGINT to the whole group). It must report a clean stop (no ERROR line), leave nothing running,
and, without DOCKER_HOST, find a Docker API in the usual places and say which one it uses.

    python3 tests/scripts/run_ctrl_c.py <docker socket path or ->

Expects the binaries of HOMELAB_PROFILE to be built (run-all.sh sets release, which the smoke
test builds first; on its own the run command builds `quick`). Prints "N passed, M failed".
"""
import atexit
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
socket_path = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else "-"
ports = {"GATEWAY_PORT": "18150", "ORCHESTRATOR_PORT": "18151", "LLM_ADAPTER_PORT": "18152", "MONITORING_PORT": "18153",
         "DOCKER_PROXY_PORT": "18154"}
passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    print(("ok - " if ok else "FAILED - ") + name + ("" if ok else f" {detail}"), flush=True)
    passed, failed = passed + ok, failed + (not ok)


with tempfile.TemporaryDirectory() as tmp:
    runtime = os.path.join(tmp, "runtime")
    os.makedirs(runtime)
    if socket_path != "-" and os.path.exists(socket_path):
        # The rootless place: $XDG_RUNTIME_DIR/docker.sock.
        os.symlink(socket_path, os.path.join(runtime, "docker.sock"))
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "API_KEY", "GROQ_API_KEY", "OPENAI_API_KEY", "LLM_PROVIDER")}
    env.update(ports, HOMELAB_DATA_DIR=os.path.join(tmp, "data"), HOMELAB_SKIP_BUILD="1", HOMELAB_NO_UI="1",
               XDG_RUNTIME_DIR=runtime)
    out_path = os.path.join(tmp, "run.out")
    with open(out_path, "w") as out:
        run = subprocess.Popen(["make", "run"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)

    def leave_nothing_behind() -> None:
        # Should this script stop early (a failed check, a closed pipe), the product goes too.
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    atexit.register(leave_nothing_behind)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    deadline = time.monotonic() + 120
    text = ""
    while time.monotonic() < deadline and "Press Ctrl-C" not in text and run.poll() is None:
        time.sleep(0.3)
        text = open(out_path).read()
    check("make run starts", "Press Ctrl-C" in text, text[-2000:])
    if socket_path != "-":
        # tool-monitoring gets it through the read-only proxy (or not at all without haproxy).
        found = [f"Docker API: {runtime}/docker.sock", "Docker API: /var/run/docker.sock", "Docker API: not given"]
        check("without DOCKER_HOST it finds the Docker API at the user's socket and says so",
              any(f in text for f in found[:2]) or found[2] in text, text[-800:])
        check("tool-monitoring is never given the raw socket",
              "through the read-only proxy" in text or "not given to tool-monitoring" in text, text[-800:])
    try:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does to the foreground group
    except ProcessLookupError:
        pass  # it has already stopped; the checks below say so
    try:
        code = run.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        code = None
    text = open(out_path).read()
    check("Ctrl-C stops it", code is not None, text[-500:])
    check("Ctrl-C is reported as a clean stop, not an error", "Stopped." in text and "ERROR" not in text, text[-800:])
    # make gets the SIGINT too and ends by it (-2) once the script has exited 0; what matters is that
    # it prints no "make: *** … Error" line.
    check("make reports no error on Ctrl-C", code in (0, -signal.SIGINT) and "make: ***" not in text,
          f"exit {code}: {text[-300:]}")
    still = []
    for name, port in ports.items():
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            still.append(name)
        except OSError:
            pass
    check("nothing is left running", not still, still)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
