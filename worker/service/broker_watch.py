"""While running: the broker connection checked every BROKER_CHECK_INTERVAL_SECONDS, as at start.

kafka-python reconnects by itself and tells the worker nothing: a broker that is gone, or that
now refuses the worker (a certificate from a new CA, revoked credentials), looked like a quiet
topic, with /readyz at 200 and only library log lines saying why. A background thread runs the
start-up check (transport/kafka_check.py) and
- while no bootstrap server answers: /readyz 503 naming the cause (the loop keeps retrying as
  before; nothing is dropped), back to ready once one answers;
- when the broker refuses the worker's configuration REFUSALS_TO_STOP times in a row: calls
  `on_refused` (the service stops with exit 2, as at start). Twice, so that one odd answer during a
  broker restart does not stop a healthy worker.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ..config import KafkaSettings
from ..errors import DependencyMisconfigured, DependencyUnavailable
from ..transport.kafka_check import check_broker
from .health import Health

log = logging.getLogger(__name__)

REFUSALS_TO_STOP = 2


class BrokerWatch:
    def __init__(self, settings: KafkaSettings, health: Health, interval_seconds: float,
                 timeout_seconds: float, on_refused: Callable[[str], None]):
        self._settings = settings
        self._health = health
        self._interval = interval_seconds
        self._timeout = timeout_seconds
        self._on_refused = on_refused
        self._stop = threading.Event()
        self._refusals = 0
        self._unreachable = False
        self._thread = threading.Thread(target=self._run, name="broker-watch", daemon=True)

    def start(self) -> BrokerWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._timeout + 1)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.check_once()

    def check_once(self) -> None:
        try:
            check_broker(self._settings, time.monotonic() + self._timeout, self._stop, announce=False)
        except DependencyMisconfigured as error:
            self._refusals += 1
            self._health.set_broker_problem(f"broker refuses the worker: {error}")
            log.error("broker refuses the worker's configuration", extra={
                "event": "broker_check", "error": str(error), "count": self._refusals})
            if self._refusals >= REFUSALS_TO_STOP:
                self._stop.set()
                self._on_refused(str(error))
            return
        except DependencyUnavailable as error:
            self._refusals = 0
            if not self._unreachable:
                log.warning("broker unreachable; not ready until it answers", extra={
                    "event": "broker_check", "error": str(error)})
            self._unreachable = True
            self._health.set_broker_problem(f"broker unreachable: {error}")
            return
        if self._unreachable or self._refusals:
            log.info("broker answers again; ready", extra={"event": "broker_check"})
        self._refusals = 0
        self._unreachable = False
        self._health.set_broker_problem(None)
