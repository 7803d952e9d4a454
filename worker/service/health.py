"""Liveness, readiness and the HTTP endpoint that serves them next to /metrics."""
from __future__ import annotations

import contextlib
import errno
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..metrics import Metrics

log = logging.getLogger(__name__)

# Exit codes when METRICS_HOST:METRICS_PORT cannot be served, with the meanings of `run`'s (README):
# the port taken by another process (gone, perhaps, by the next start: 3, as a dependency not
# reachable), or an address this host does not have or cannot resolve (a configuration error: 2).
EXIT_PORT_TAKEN = 3
EXIT_BAD_ADDRESS = 2


class Health:
    """Liveness: the consume loop came round recently (a wedged process gets restarted).
    Readiness: consuming normally — started, dependencies reachable (the dedup state, checked by
    the loop; the broker, checked by service/broker_watch.py, and taking the outputs, seen by the
    loop), not shutting down."""

    def __init__(self, metrics: Metrics, liveness_timeout_seconds: float):
        self._metrics = metrics
        self._timeout = liveness_timeout_seconds
        self._last_beat = time.monotonic()
        self._ready = False
        self._reason = "starting"
        self._broker_problem: str | None = None
        self._delivery_problem: str | None = None

    def beat(self) -> None:
        self._last_beat = time.monotonic()

    def alive(self) -> bool:
        return time.monotonic() - self._last_beat < self._timeout

    def set_ready(self, ready: bool, reason: str = "") -> None:
        self._ready = ready
        self._reason = "ok" if ready else reason
        self._publish()

    def set_broker_problem(self, problem: str | None) -> None:
        """What is wrong with the broker connection, or None once it answers again."""
        self._broker_problem = problem
        self._publish()

    def set_delivery_problem(self, problem: str | None) -> None:
        """Why the broker does not acknowledge the outputs (the loop retries the batch meanwhile),
        or None once it does: a broker that answers the connection check may still refuse them."""
        if problem != self._delivery_problem:
            self._delivery_problem = problem
            self._publish()

    def ready(self) -> bool:
        return self._ready and self._broker_problem is None and self._delivery_problem is None

    @property
    def reason(self) -> str:
        if self._ready and self._broker_problem is not None:
            return self._broker_problem
        if self._ready and self._delivery_problem is not None:
            return self._delivery_problem
        return self._reason

    def _publish(self) -> None:
        self._metrics.ready.set(1 if self.ready() else 0)


def cannot_serve(host: str, port: int, error: OSError) -> int:
    """Logs why the endpoint cannot listen (one line, naming the variables) and returns the exit
    code: it raised out of the start as a traceback, exit 1, on every restart."""
    code = EXIT_PORT_TAKEN if error.errno == errno.EADDRINUSE else EXIT_BAD_ADDRESS
    log.error("cannot start: METRICS_HOST=%s METRICS_PORT=%s cannot be listened on: %s", host, port,
              error.strerror or error, extra={"event": "startup", "exit_code": code})
    return code


class HealthServer:
    """Serves /metrics, /healthz and /readyz on one port, in a background thread.

    Hardened for a port anyone on the network may reach: every connection lives at most
    `idle_timeout` seconds (a client that sends nothing, or trickles a byte at a time, is cut off),
    at most `max_connections` are served at once (the oldest is dropped to make room, so probes
    still get through a flood of idle sockets), and a client that hangs up mid-response is a
    debug log line, never a traceback on stderr.
    """

    def __init__(self, host: str, port: int, metrics: Metrics, health: Health, *,
                 idle_timeout: float = 10.0, max_connections: int = 16):
        registry = metrics.registry

        class Handler(BaseHTTPRequestHandler):
            timeout = idle_timeout  # per read/write on the socket

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

        self._server = _BoundedServer((host, port), Handler, idle_timeout, max_connections)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.25},
                                        name="http", daemon=True)

    def start(self) -> HealthServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def open_connections(self) -> int:
        return self._server.open_connections()


class _BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most `max_connections` of them, none older than `lifetime` s."""

    daemon_threads = True
    # The listen queue: connections beyond it are refused by the kernel, not held.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], handler, lifetime: float, max_connections: int):
        # "::" or another IPv6 literal in METRICS_HOST listens on IPv6.
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self._lifetime = lifetime
        self._max = max_connections
        self._open: dict[socket.socket, float] = {}  # accepted connections, oldest first
        self._lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self._lock:
            while len(self._open) >= self._max:
                oldest = next(iter(self._open))
                del self._open[oldest]
                _cut(oldest)
            self._open[request] = time.monotonic()
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def service_actions(self):
        """Runs in the serving thread between accepts: cuts connections past their lifetime."""
        expired_before = time.monotonic() - self._lifetime
        with self._lock:
            expired = [conn for conn, opened in self._open.items() if opened < expired_before]
            for conn in expired:
                del self._open[conn]
        for conn in expired:
            _cut(conn)

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("http client went away: %s", error, extra={"event": "http"})
        else:
            log.warning("http request failed", exc_info=True, extra={"event": "http"})

    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)


def _cut(conn: socket.socket) -> None:
    """Ends a connection from another thread: its handler's blocked read or write returns at once
    and the handler thread finishes (closing the socket is left to it)."""
    with contextlib.suppress(OSError):  # the peer or the handler closed it already
        conn.shutdown(socket.SHUT_RDWR)
