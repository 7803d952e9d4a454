"""The metrics/health HTTP endpoint against clients that misbehave: idle and trickling sockets
(slowloris), floods of connections, clients that hang up mid-response."""
from __future__ import annotations

import io
import logging
import socket
import struct
import sys
import threading
import time
import urllib.request

import orjson
import pytest

from worker.config import Settings
from worker.service.health import Health, HealthServer
from worker.service.logging import configure_logging
from worker.metrics import Metrics

IDLE_TIMEOUT = 0.5
MAX_CONNECTIONS = 4


@pytest.fixture
def server():
    metrics = Metrics()
    health = Health(metrics, liveness_timeout_seconds=60)
    running = HealthServer("127.0.0.1", 0, metrics, health, idle_timeout=IDLE_TIMEOUT,
                           max_connections=MAX_CONNECTIONS).start()
    yield running
    running.stop()


@pytest.fixture
def log_stream():
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.excepthook, threading.excepthook
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    yield stream
    root.handlers[:], level, sys.excepthook, threading.excepthook = saved
    root.setLevel(level)
    logging.captureWarnings(False)


def healthz(server: HealthServer) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=2) as response:
        return response.status


def closed_by_server_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed `sock` (reading returns EOF or a reset)."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(1024):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_an_idle_connection_is_closed_after_the_idle_timeout(server):
    with socket.create_connection(("127.0.0.1", server.port)) as idle:
        took = closed_by_server_within(idle, 5)
    assert took < IDLE_TIMEOUT + 2.0


def test_a_trickling_client_is_cut_off_although_it_keeps_sending(server):
    """Slowloris: one byte at a time, each within the idle timeout, never a whole request."""
    with socket.create_connection(("127.0.0.1", server.port)) as slow:
        started = time.monotonic()
        cut = False
        for byte in b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 100:
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                cut = True
                break
            time.sleep(IDLE_TIMEOUT / 5)
            if time.monotonic() - started > 3 * IDLE_TIMEOUT:
                break
        if not cut:
            closed_by_server_within(slow, 2)
        assert time.monotonic() - started < IDLE_TIMEOUT + 2.0
    assert server.open_connections() == 0


def test_a_flood_of_idle_sockets_keeps_threads_bounded_and_probes_answered(server):
    threads_before = threading.active_count()
    flood = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(40)]
    try:
        time.sleep(0.1)
        assert server.open_connections() <= MAX_CONNECTIONS
        assert threading.active_count() - threads_before <= MAX_CONNECTIONS + 2
        # The probe is the newest connection: the oldest idle ones make room for it.
        assert healthz(server) == 200
    finally:
        for sock in flood:
            sock.close()


def test_a_client_hanging_up_mid_response_is_one_debug_json_line_not_a_traceback(server, log_stream, capfd):
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        # Reset instead of a clean close: the server's write fails (broken pipe / reset).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    assert healthz(server) == 200
    time.sleep(0.2)
    # The same path, made certain: the server's error hook with a broken pipe in hand.
    try:
        raise BrokenPipeError(32, "Broken pipe")
    except BrokenPipeError:
        server._server.handle_error(None, ("127.0.0.1", 1))
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""  # nothing printed around the JSON log
    entries = [orjson.loads(line) for line in log_stream.getvalue().splitlines()]
    went_away = [e for e in entries if e["message"].startswith("http client went away")]
    assert went_away and all(e["level"] == "DEBUG" and "exception" not in e for e in went_away)


def test_another_error_is_logged_as_json_with_its_traceback(server, log_stream, capfd):
    try:
        raise ValueError("unexpected")
    except ValueError:
        server._server.handle_error(None, ("127.0.0.1", 1))
    assert capfd.readouterr().err == ""
    (entry,) = [orjson.loads(line) for line in log_stream.getvalue().splitlines()]
    assert entry["level"] == "WARNING" and "ValueError: unexpected" in entry["exception"]


def test_the_endpoint_listens_on_ipv6_when_asked():
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    metrics = Metrics()
    try:
        server = HealthServer("::1", 0, metrics, Health(metrics, 60)).start()
    except OSError as error:
        pytest.skip(f"IPv6 loopback unavailable: {error}")
    try:
        with urllib.request.urlopen(f"http://[::1]:{server.port}/healthz", timeout=2) as response:
            assert response.status == 200
    finally:
        server.stop()


def test_http_limits_come_from_the_environment():
    service = Settings.from_env({"HTTP_IDLE_TIMEOUT_SECONDS": "3", "HTTP_MAX_CONNECTIONS": "8"}).service
    assert (service.http_idle_timeout_seconds, service.http_max_connections) == (3.0, 8)
    assert Settings.from_env({}).service.metrics_host == "0.0.0.0"
