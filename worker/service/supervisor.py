"""WORKER_PROCESSES > 1: that many consumer processes in one container, under one supervisor.

Each child is `python -m worker run` with WORKER_PROCESSES=1 (a fresh interpreter: prometheus-client
reads PROMETHEUS_MULTIPROC_DIR when it is imported), a member of the consumer group like any
replica, serving its own /healthz and /readyz on a loopback port it writes to a file. The supervisor
- serves the container's METRICS_PORT: /metrics adds up the children's values (multiprocess mode,
  see metrics.py), /healthz and /readyz ask every child and answer for all of them;
- restarts a child that died, after a backoff that doubles while it keeps dying;
- on SIGTERM/SIGINT passes the signal to every child and waits for them (each finishes its batch,
  commits and leaves the group) up to SHUTDOWN_TIMEOUT_SECONDS, then kills what is left.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from .. import __version__, stop_signals
from ..config import Settings
from .health import HealthServer, cannot_serve

log = logging.getLogger(__name__)

# Set by the supervisor for its children: where a child writes the port of its health endpoints.
CHILD_PORT_FILE_ENV = "NEWS_WORKER_CHILD_PORT_FILE"
MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
EXIT_CONFIG = 2  # a child that finds the configuration bad: restarting it cannot help
EXIT_SHUTDOWN_TIMEOUT = 4
WATCH_SECONDS = 0.2
PROBE_TIMEOUT_SECONDS = 1.0
# After the children's own shutdown bound, a moment to exit before they are killed.
SHUTDOWN_GRACE_SECONDS = 2.0
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


class _Child:
    """One slot: the process in it now, and when to start the next one if it died."""

    def __init__(self, slot: int, port_file: Path):
        self.slot = slot
        self.port_file = port_file
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restart_at: float | None = 0.0
        self.backoff = 0.0

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def probe(self, path: str) -> tuple[bool, str]:
        """(ok, body) of one of the child's endpoints; (False, why) when it does not answer yet."""
        if not self.running():
            return False, "restarting" if self.process else "starting"
        try:
            port = int(self.port_file.read_text())
        except (OSError, ValueError):
            return False, "starting"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=PROBE_TIMEOUT_SECONDS) as response:
                return True, response.read().decode(errors="replace").strip()
        except urllib.error.HTTPError as error:
            return False, error.read().decode(errors="replace").strip()
        except OSError as error:
            return False, f"not answering ({error})"


class Supervisor:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.service = settings.service
        self._stop = threading.Event()
        self._runtime = Path(tempfile.mkdtemp(prefix="newsworker-"))
        self._metrics_dir = self._prepare_metrics_dir()
        self._children = [_Child(slot, self._runtime / f"child-{slot}.port")
                          for slot in range(self.service.worker_processes)]
        self.restarts = 0
        self._last_beat = time.monotonic()
        self._reason = "starting"

    def run(self) -> int:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self._metrics_dir))
        registry.register(SupervisorCollector(self))
        try:
            server = HealthServer(self.service.metrics_host, self.service.metrics_port, _Registry(registry), self,
                                  idle_timeout=self.service.http_idle_timeout_seconds,
                                  max_connections=self.service.http_max_connections).start()
        except OSError as error:
            shutil.rmtree(self._runtime, ignore_errors=True)
            return cannot_serve(self.service.metrics_host, self.service.metrics_port, error)
        log.info("supervisor started", extra={"event": "start", "port": server.port,
                                              "processes": len(self._children)})
        stop_signals.install(self._on_signal)  # (one received since the process started is handled now)
        code = 0
        try:
            while not self._stop.is_set():
                self._last_beat = time.monotonic()
                if self._watch():
                    code = EXIT_CONFIG
                    break
                self._stop.wait(WATCH_SECONDS)
            code = max(code, self._shutdown())
        finally:
            server.stop()
            shutil.rmtree(self._runtime, ignore_errors=True)
        log.info("supervisor stopped", extra={"event": "stop"})
        return code

    # -- children

    def _watch(self) -> bool:
        """Start, restart and reap children; True when one found the configuration bad."""
        now = time.monotonic()
        for child in self._children:
            if child.process is not None and child.process.poll() is not None:
                code = child.process.returncode
                mark_process_dead(child.process.pid, str(self._metrics_dir))
                child.port_file.unlink(missing_ok=True)
                if code == EXIT_CONFIG:
                    log.error("worker process found the configuration bad; stopping",
                              extra={"event": "child_exit", "slot": child.slot, "code": code})
                    return True
                ran = now - child.started_at
                child.backoff = (self.service.restart_backoff_initial_seconds
                                 if ran >= self.service.restart_backoff_reset_seconds or not child.backoff
                                 else min(child.backoff * 2, self.service.restart_backoff_max_seconds))
                child.restart_at = now + child.backoff
                log.error("worker process exited; restarting it", extra={
                    "event": "child_exit", "slot": child.slot, "code": code, "pid": child.process.pid,
                    "restart_in_seconds": child.backoff})
                child.process = None
            if child.process is None and child.restart_at is not None and now >= child.restart_at:
                if child.started_at:
                    self.restarts += 1
                self._spawn(child)
        return False

    def _spawn(self, child: _Child) -> None:
        env = {**os.environ, "WORKER_PROCESSES": "1", "METRICS_HOST": "127.0.0.1", "METRICS_PORT": "0",
               MULTIPROC_DIR_ENV: str(self._metrics_dir), CHILD_PORT_FILE_ENV: str(child.port_file)}
        child.process = subprocess.Popen([sys.executable, "-m", "worker", "run"], env=env,
                                         preexec_fn=_stop_with_parent)
        child.started_at = time.monotonic()
        child.restart_at = None
        log.info("worker process started", extra={"event": "child_start", "slot": child.slot,
                                                   "pid": child.process.pid})

    def _on_signal(self, signum, frame) -> None:  # noqa: ARG002
        if not self._stop.is_set():
            log.info("shutdown requested", extra={"event": signal.Signals(signum).name})
            self._stop.set()

    def _shutdown(self) -> int:
        """SIGTERM to every child, wait for them within the shutdown bound, kill what is left."""
        running = [c.process for c in self._children if c.running()]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.service.shutdown_timeout_seconds + SHUTDOWN_GRACE_SECONDS
        code = 0
        for process in running:
            try:
                if process.wait(timeout=max(0.0, deadline - time.monotonic())) == EXIT_SHUTDOWN_TIMEOUT:
                    code = EXIT_SHUTDOWN_TIMEOUT  # (its own bound ran out: the container's stop did too)
            except subprocess.TimeoutExpired:
                log.error("worker process did not stop in time; killing it", extra={"pid": process.pid})
                process.kill()
                process.wait()
                code = EXIT_SHUTDOWN_TIMEOUT
        return code

    def _prepare_metrics_dir(self) -> Path:
        """PROMETHEUS_MULTIPROC_DIR when set (emptied: values of an earlier run would add up),
        else a directory of this run."""
        configured = os.environ.get(MULTIPROC_DIR_ENV)
        path = Path(configured) if configured else self._runtime / "metrics"
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("*.db"):
            old.unlink()
        return path

    # -- health, as HealthServer asks for it

    def alive(self) -> bool:
        if time.monotonic() - self._last_beat > self.service.liveness_timeout_seconds:
            return False
        return all(child.probe("/healthz")[0] for child in self._children if child.running())

    def ready(self) -> bool:
        if self._stop.is_set():
            self._reason = "shutting down"
            return False
        reasons = []
        for child in self._children:
            ok, why = child.probe("/readyz")
            if not ok:
                reasons.append(f"process {child.slot}: {why}")
        self._reason = "; ".join(reasons) or "ok"
        return not reasons

    @property
    def reason(self) -> str:
        return self._reason

    def running_children(self) -> int:
        return sum(child.running() for child in self._children)


def _load_prctl():
    """libc's prctl, looked up here: the child may only call it (an import between fork and exec
    could wait forever on a lock another thread of the supervisor held). None where there is none."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


def _stop_with_parent() -> None:
    """In the child before it runs: SIGTERM when the supervisor dies, however it dies (SIGKILL too),
    so that no consumer outlives it unsupervised. Linux only."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


class _Registry:
    """What HealthServer reads of a Metrics object: its registry."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry


class SupervisorCollector:
    """The supervisor's own series (plain values: it is not one of the multiprocess writers)."""

    def __init__(self, supervisor: Supervisor):
        self._supervisor = supervisor

    def collect(self):
        info = InfoMetricFamily("newsworker_build", "Version of the worker")
        info.add_metric([], {"version": __version__})
        yield info
        yield GaugeMetricFamily("newsworker_worker_processes", "Consumer processes running in this container",
                                value=self._supervisor.running_children())
        yield CounterMetricFamily("newsworker_worker_restarts", "Consumer processes restarted after they died",
                                  value=self._supervisor.restarts)
