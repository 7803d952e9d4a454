"""Wiring of the streaming service and its lifecycle: start, signals, bounded shutdown."""
from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable

from .. import __version__, stop_signals
from ..config import Settings
from ..config.service import BROKER_CHECK_TIMEOUT_SECONDS, GROUP_LAG_TIMEOUT_SECONDS
from ..errors import DependencyMisconfigured, DependencyUnavailable, StateIncompatible
from ..pipeline import Pipeline
from ..stages.isolation import ChildFailed
from ..state import open_index
from ..transport.kafka_lag import GroupLagReader
from .broker_watch import BrokerWatch
from .group_lag import GroupLagWatch
from .health import Health, HealthServer, cannot_serve
from .loop import ConsumeLoop
from ..metrics import Metrics
from .startup import EXIT_CONFIG, EXIT_UNAVAILABLE, StartupFailed, connect
from .supervisor import CHILD_PORT_FILE_ENV

log = logging.getLogger(__name__)

EXIT_OK = 0
# EXIT_CONFIG = 2: a dependency refused the configuration (authentication, TLS certificate), at start
# or later; EXIT_UNAVAILABLE = 3: the broker or Redis not reachable within STARTUP_TIMEOUT_SECONDS.
EXIT_SHUTDOWN_TIMEOUT = 4


def run_service(settings: Settings) -> int:
    """One consumer process (WORKER_PROCESSES > 1: the supervisor runs this in each child)."""
    metrics = Metrics()
    metrics.build_info.info({"version": __version__})
    health = Health(metrics, settings.service.liveness_timeout_seconds)
    service = settings.service
    try:
        server = HealthServer(service.metrics_host, service.metrics_port, metrics, health,
                              idle_timeout=service.http_idle_timeout_seconds,
                              max_connections=service.http_max_connections).start()
    except OSError as error:  # (the port taken; a host that is not this one's, or no host at all)
        return cannot_serve(service.metrics_host, service.metrics_port, error)
    log.info("metrics, /healthz and /readyz listening", extra={"event": "http", "port": server.port})
    _tell_supervisor(server.port)

    stop = threading.Event()
    request_stop = _stopper(stop, health, settings.service.shutdown_timeout_seconds)
    _install_signal_handlers(request_stop)

    try:
        index = open_index(settings.dedup, settings.redis)
    except DependencyUnavailable as error:  # the memory backend's directory, held by another process
        log.error("cannot start: %s", error, extra={"event": "startup", "exit_code": EXIT_UNAVAILABLE})
        server.stop()
        return EXIT_UNAVAILABLE
    except StateIncompatible as error:  # the memory backend's state, written with other settings
        log.error("cannot start: %s", error, extra={"event": "startup", "exit_code": EXIT_CONFIG})
        server.stop()
        return EXIT_CONFIG
    assignment = _Assignment(metrics)
    try:
        source, sink = connect(settings, index, on_assigned=assignment.assigned, on_revoked=assignment.revoked,
                               stop=stop)
    except StartupFailed as failure:
        level = logging.INFO if failure.exit_code == EXIT_OK else logging.ERROR
        log.log(level, "cannot start: %s", failure, extra={"event": "startup", "exit_code": failure.exit_code})
        index.close()
        server.stop()
        return failure.exit_code

    pipeline = Pipeline(settings, index, metrics)
    try:  # the HTML child's start-up now, not while the first large page and those behind it wait
        pipeline.clean.start()
    except ChildFailed as error:  # (each large page tries again, and is dead-lettered if it fails)
        log.warning("the HTML extraction child did not start; retried with the first large page",
                    extra={"error": str(error)})
    loop = ConsumeLoop(source, sink, pipeline, index, metrics, settings.service, health)
    log.info("worker started", extra={"event": "start", "topic": settings.topics.pages_raw})
    exit_code = EXIT_OK
    refused: list[str] = []

    def on_refused(message: str) -> None:
        refused.append(message)
        request_stop("broker_refused", EXIT_CONFIG)

    watch = None
    if service.broker_check_interval_seconds > 0:
        watch = BrokerWatch(settings.kafka, health, service.broker_check_interval_seconds,
                            min(service.broker_check_interval_seconds, BROKER_CHECK_TIMEOUT_SECONDS),
                            on_refused).start()
    lag_watch = None
    if service.group_lag_interval_seconds > 0:
        timeout = min(service.group_lag_interval_seconds, GROUP_LAG_TIMEOUT_SECONDS)
        reader = GroupLagReader(settings.kafka, settings.topics.pages_raw, int(timeout * 1000))
        lag_watch = GroupLagWatch(reader, metrics, service.group_lag_interval_seconds).start()
    try:
        loop.run(stop)
        if refused:
            log.error("stopping: broker refuses the worker: %s (the batch in hand is redelivered)",
                      refused[0], extra={"event": "stop", "exit_code": EXIT_CONFIG})
            exit_code = EXIT_CONFIG
    except DependencyMisconfigured as error:
        # e.g. the Redis password rotated under a running worker: not an outage to wait out.
        log.error("stopping: %s (the batch in hand is redelivered)", error,
                  extra={"event": "stop", "exit_code": EXIT_CONFIG})
        exit_code = EXIT_CONFIG
    finally:
        # Order: the loop has delivered and committed what it finished; leave the group so the
        # partitions move at once, then release the producer and the state.
        health.set_ready(False, "shutting down")
        if watch is not None:
            watch.stop()
        if lag_watch is not None:
            lag_watch.stop()
        source.close()
        sink.close()
        pipeline.close()
        index.close()
        server.stop()
        log.info("worker stopped", extra={"event": "stop"})
    return exit_code


def _tell_supervisor(port: int) -> None:
    """A child of worker/service/supervisor.py: where the supervisor asks for its health."""
    path = os.environ.get(CHILD_PORT_FILE_ENV)
    if path:
        partial = f"{path}.partial"
        with open(partial, "w") as handle:
            handle.write(str(port))
        os.replace(partial, path)  # (the supervisor never reads half a number)


class _Assignment:
    """Keeps the assigned-partitions gauge and the rebalance counter current."""

    def __init__(self, metrics: Metrics):
        self._metrics = metrics
        self._parts: set[tuple[str, int]] = set()

    def assigned(self, parts: set[tuple[str, int]]) -> None:
        self._parts |= parts
        self._update("assigned")

    def revoked(self, parts: set[tuple[str, int]]) -> None:
        self._parts -= parts
        self._update("revoked")

    def _update(self, event: str) -> None:
        self._metrics.rebalances.labels(event=event).inc()
        self._metrics.assigned_partitions.set(len(self._parts))


def _stopper(stop: threading.Event, health: Health, timeout_seconds: float) -> Callable[..., None]:
    """request_stop(reason, exit_code): stop after the page in hand, deliver and commit, leave the
    group, exit. If that takes longer than SHUTDOWN_TIMEOUT_SECONDS, exit anyway with `exit_code`:
    uncommitted pages are redelivered, so a hard exit loses nothing."""

    def request_stop(reason: str, exit_code: int = EXIT_SHUTDOWN_TIMEOUT) -> None:
        if stop.is_set():
            return
        log.info("shutdown requested", extra={"event": reason})
        health.set_ready(False, "shutting down")
        stop.set()
        watchdog = threading.Timer(timeout_seconds, _exit_now, args=(exit_code,))
        watchdog.daemon = True
        watchdog.start()

    return request_stop


def _install_signal_handlers(request_stop: Callable[..., None]) -> None:
    """SIGTERM/SIGINT: a graceful stop (see _stopper)."""

    def on_signal(signum, frame):  # noqa: ARG001
        request_stop(signal.Signals(signum).name)

    stop_signals.install(on_signal)  # (one received since the process started is handled now)


def _exit_now(exit_code: int = EXIT_SHUTDOWN_TIMEOUT) -> None:
    log.error("shutdown took longer than SHUTDOWN_TIMEOUT_SECONDS; exiting without waiting further",
              extra={"exit_code": exit_code})
    logging.shutdown()
    os._exit(exit_code)
