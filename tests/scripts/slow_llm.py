"""A deliberately slow OpenAI-compatible chat-completions server for the browser Stop test.
Every answer takes SLOW_LLM_DELAY seconds (default 6); it notes each request it started and
each one whose client went away before the answer was sent.
    python3 tests/scripts/slow_llm.py PORT LOGFILE
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG = int(sys.argv[1]), sys.argv[2]
DELAY = float(__import__("os").environ.get("SLOW_LLM_DELAY", "6"))


def note(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        note("started")
        deadline = time.time() + DELAY
        while time.time() < deadline:
            time.sleep(0.1)
        message = {"role": "assistant", "content": "Too late."}
        try:
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                chunk = {"choices": [{"index": 0, "delta": message, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode())
            else:
                payload = json.dumps({"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            note("answered")
        except (BrokenPipeError, ConnectionResetError):
            note("abandoned")


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
