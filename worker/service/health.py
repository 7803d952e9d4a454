"""Liveness, readiness and the HTTP endpoint that serves them next to /metrics."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .metrics import Metrics


class Health:
    """Liveness: the consume loop came round recently (a wedged process gets restarted).
    Readiness: consuming normally — started, dependencies reachable, not shutting down."""

    def __init__(self, metrics: Metrics, liveness_timeout_seconds: float):
        self._metrics = metrics
        self._timeout = liveness_timeout_seconds
        self._last_beat = time.monotonic()
        self._ready = False
        self.reason = "starting"

    def beat(self) -> None:
        self._last_beat = time.monotonic()

    def alive(self) -> bool:
        return time.monotonic() - self._last_beat < self._timeout

    def set_ready(self, ready: bool, reason: str = "") -> None:
        self._ready = ready
        self.reason = "ok" if ready else reason
        self._metrics.ready.set(1 if ready else 0)

    def ready(self) -> bool:
        return self._ready


class HealthServer:
    """Serves /metrics, /healthz and /readyz on one port, in a background thread."""

    def __init__(self, host: str, port: int, metrics: Metrics, health: Health):
        registry = metrics.registry

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    ok = health.alive()
                    self._send(200 if ok else 503, b"ok\n" if ok else b"consume loop stalled\n")
                elif path == "/readyz":
                    ok = health.ready()
                    self._send(200 if ok else 503, f"{health.reason}\n".encode())
                else:
                    self._send(404, b"not found: try /metrics, /healthz or /readyz\n")

            def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                """Silent: scrapes and probes every few seconds would flood the log."""

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)

    def start(self) -> HealthServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
