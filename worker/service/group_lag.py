"""The group's lag exported every GROUP_LAG_INTERVAL_SECONDS, from a thread of its own.

newsworker_consumer_group_lag_records{topic,partition} is the partition's end offset minus the
group's committed offset: what the group has not finished (KEDA's kafka scaler and
`kafka-consumer-groups --describe` count the same). Every replica exports every partition of the
input topic (take the max by partition): the value is the group's, not this member's, so it is there
even for a partition whose owner is stuck. Off the consume loop: a slow or failing read delays
nothing; a failure is logged, counted and the last values are kept until a read succeeds
(newsworker_group_lag_last_read_timestamp_seconds says when one last did).
"""
from __future__ import annotations

import logging
import threading

from ..transport.kafka_lag import GroupLagReader
from ..metrics import Metrics

log = logging.getLogger(__name__)


class GroupLagWatch:
    def __init__(self, reader: GroupLagReader, metrics: Metrics, interval_seconds: float):
        self._reader = reader
        self._metrics = metrics
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._labels: set[tuple[str, int]] = set()
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="group-lag", daemon=True)

    def start(self) -> GroupLagWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)  # (a read in flight is not waited for: the thread is a daemon)
        if not self._thread.is_alive():
            self._reader.close()

    def _run(self) -> None:
        while True:
            self.read_once()
            if self._stop.wait(self._interval):
                return

    def read_once(self) -> None:
        try:
            lags = self._reader.lag()
        except Exception as error:  # noqa: BLE001 - whatever the client raises, the next read retries
            self._metrics.group_lag_read_failures.inc()
            if not self._failing:
                log.warning("cannot read the group's lag; keeping the last values", extra={
                    "event": "group_lag", "error": f"{type(error).__name__}: {error}"})
            self._failing = True
            return
        if self._failing:
            log.info("group lag read again", extra={"event": "group_lag"})
        self._failing = False
        for gone in self._labels - lags.keys():
            self._metrics.drop_group_lag(*gone)
        for (topic, partition), lag in lags.items():
            self._metrics.consumer_group_lag.labels(topic=topic, partition=str(partition)).set(lag)
        self._labels = set(lags)
        self._metrics.group_lag_last_read.set_to_current_time()
