"""A stand-in for the API gateway, run as a program: answers GET /health with the status
written in STATUS_FILE (read on every request, so a test can make it unhealthy).

    python fake_gateway.py PORT STATUS_FILE
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path


class Health(BaseHTTPRequestHandler):
    status_file = Path()

    def do_GET(self) -> None:
        status = int(self.status_file.read_text())
        body = b'{"status":"ok"}' if status == 200 else b'{"status":"unavailable"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    Health.status_file = Path(sys.argv[2])
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
