"""The consume loop: poll a batch, process it, checkpoint, deliver, commit. At-least-once.

Checkpoint order, for every batch (a crash between any two steps loses nothing):
  1. process every record into exactly one output (article, duplicate or dead letter);
  2. checkpoint the dedup state, so it is never behind what is published: a state ahead of the
     outputs is safe (a replay finds its stored decision), one behind them is not (a replay would
     decide afresh, and copies on other partitions could swap roles);
  3. deliver all outputs and wait until the broker acknowledged each of them;
  4. commit the offsets of the processed records.
A crash before 4 redelivers the batch; decisions are keyed by article_id, so replays produce the
same events. Between 3 and 4 nothing may raise: only in-process counters are updated there. A
dependency that is down (the dedup state: Redis, or the memory backend's directory; the broker)
pauses the loop with backoff, probing the dedup state every DEPENDENCY_PROBE_INTERVAL_SECONDS to
resume as soon as it is back; the batch is retried, never dropped and never sent to the DLQ for that.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator

from ..config import ServiceSettings
from ..config.service import RECORD_TIMESTAMP_MAX_AHEAD_SECONDS
from ..errors import DependencyUnavailable
from ..models import SourceRecord
from ..pipeline import Output, Pipeline
from ..state import DedupIndex
from ..transport.base import (CommitFailed, DeliveryFailed, Refused, Sink, Source, SourceUnavailable,
                              next_offsets)
from .health import Health
from ..metrics import Metrics

log = logging.getLogger(__name__)

# The consumer's own fetch lag (local data, no request) is refreshed this often; the group's lag
# from the broker is service/group_lag.py's, every GROUP_LAG_INTERVAL_SECONDS.
LAG_REFRESH_SECONDS = 1.0

# A batch read ahead: its records and their preparation, started.
Ahead = tuple[list[SourceRecord], Iterator[object]]


class Backoff:
    """Exponential backoff: initial, doubling, capped."""

    def __init__(self, initial: float, maximum: float):
        self._next = initial
        self._max = maximum

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._max)
        return delay


class ConsumeLoop:
    """With read_ahead, the next batch is polled (without waiting) and its preparation started before
    the batch in hand is decided, checkpointed, delivered and committed: a pipeline that prepares in
    other processes (worker/parallel.py) keeps them busy meanwhile. Only for a source without a
    consumer group (`process`): a poll before the commit may run a rebalance, and the partitions of
    finished work would then be committed by their new owner instead, twice."""

    def __init__(self, source: Source, sink: Sink, pipeline: Pipeline, index: DedupIndex, metrics: Metrics,
                 settings: ServiceSettings, health: Health, read_ahead: bool = False):
        self.source = source
        self.sink = sink
        self.pipeline = pipeline
        self.index = index
        self.metrics = metrics
        self.settings = settings
        self.health = health
        self.read_ahead = read_ahead
        self._lag_refreshed = 0.0
        self._lag_labels: set[tuple[str, int]] = set()

    def run(self, stop: threading.Event) -> None:
        """Run until `stop` is set or a finite source is exhausted."""
        backoff = self._backoff()
        ahead: Ahead | None = None  # (a stop leaves it uncommitted, as the rest of a stopped batch)
        while not stop.is_set():
            self.health.beat()
            if ahead is not None:
                (records, items), ahead = ahead, None
            else:
                items = None
                try:
                    records = self.source.poll(self.settings.batch_max_records, self.settings.poll_timeout_ms)
                except SourceUnavailable as error:
                    # The broker is away (restarting, unreachable): nothing was handed out, poll again.
                    self.metrics.dependency_retries.labels(dependency="broker").inc()
                    log.warning("broker unavailable while polling; retrying", extra={"error": str(error)})
                    self._wait(backoff.next(), stop)
                    continue
                backoff = self._backoff()
            if records is None:
                return
            if not self.health.ready():
                self._check_ready()
            if records:
                ahead = self.run_batch(records, stop, items)
            self._refresh_lag()

    def run_batch(self, records: list[SourceRecord], stop: threading.Event,
                  items: Iterator[object] | None = None) -> Ahead | None:
        """Process, checkpoint, deliver and commit one batch. `items`: the records' preparation,
        started when they were read ahead. Returns the next batch when reading ahead."""
        started = time.perf_counter()
        prepared: list[tuple[SourceRecord, object]] = []
        if items is None:
            # Records revoked while this batch was in hand are left to their new owner.
            owned = [r for r in records if self.source.owns(r.topic, r.partition)]
            items = self.pipeline.prepare_each(owned)
        else:
            owned = records
        budget = self.settings.batch_max_seconds
        ahead = None
        for position, record in enumerate(owned):
            if stop.is_set():
                break  # the rest is abandoned uncommitted and redelivered to whoever owns it next
            if budget is not None and prepared and time.perf_counter() - started > budget:
                # Out of time: deliver and commit what is done, well before the group's
                # max.poll.interval; the next poll reads the rest again.
                self.source.rewind(owned[position:])
                self.metrics.batches_cut.inc()
                log.info("batch cut at its time budget", extra={"done": len(prepared), "left": len(owned) - position})
                break
            self.health.beat()  # a long batch of heavy pages is progress, not a wedged loop
            self.metrics.pages_consumed.labels(topic=record.topic).inc()
            prepared.append((record, next(items)))
        if self.read_ahead and len(prepared) == len(owned):
            ahead = self._poll_ahead()
        items.close()
        self._finish(prepared, stop, started)
        return ahead

    def _finish(self, prepared: list, stop: threading.Event, started: float) -> None:
        # 1. process
        outputs = self._decide(prepared, stop)
        if outputs is None:
            return
        # 2. checkpoint: the decisions are durable before any of them is published
        if not self._checkpoint(stop):
            return
        # 3. deliver
        outputs = [o for o in outputs if self.source.owns(o.source.topic, o.source.partition)]
        if not outputs:
            return
        outputs = self._deliver(outputs, stop)
        if outputs is None:
            return
        self._count_delivered(outputs)
        # 4. commit
        offsets = next_offsets([o.source for o in outputs])
        try:
            self.source.commit(offsets)
            self.metrics.commits.inc()
        except CommitFailed as error:
            # The partitions moved meanwhile; their new owner replays these records identically.
            log.warning("offset commit failed; records will be redelivered", extra={"error": str(error)})
        self.metrics.batch_duration.observe(time.perf_counter() - started)
        log.debug("batch committed", extra={"count": len(outputs)})

    def _poll_ahead(self) -> Ahead | None:
        """The next batch, if records are there now (no wait), its preparation started."""
        try:
            records = self.source.poll(self.settings.batch_max_records, 0)
        except SourceUnavailable:
            return None  # the loop's own poll waits it out
        if not records:
            return None  # (an exhausted source says so again to the loop's own poll)
        return records, self.pipeline.prepare_each(records)

    def _decide(self, prepared: list, stop: threading.Event) -> list[Output] | None:
        """Dedup decisions for the batch, retried with backoff while the state is unreachable.
        None when asked to stop meanwhile (nothing of the batch is then committed)."""
        backoff = self._backoff()
        while True:
            try:
                outputs = self.pipeline.decide(prepared)
                if not self.health.ready():
                    self._check_ready()
                return outputs
            except DependencyUnavailable as error:
                if not self._pause_on_state(error, backoff, stop):
                    return None
                prepared = [(r, item) for r, item in prepared if self.source.owns(r.topic, r.partition)]

    def _checkpoint(self, stop: threading.Event) -> bool:
        """The decisions made durable, retried with backoff while the state cannot take them (memory
        backend: its directory). False when asked to stop meanwhile (nothing is then delivered)."""
        backoff = self._backoff()
        while True:
            try:
                self.index.checkpoint()
                return True
            except DependencyUnavailable as error:
                if not self._pause_on_state(error, backoff, stop):
                    return False

    def _pause_on_state(self, error: DependencyUnavailable, backoff: Backoff, stop: threading.Event) -> bool:
        """Not ready, and wait before the retry; False if asked to stop meanwhile."""
        self.metrics.dependency_retries.labels(dependency="dedup_state").inc()
        self.health.set_ready(False, f"dedup state unavailable: {error}")
        log.warning("dedup state unavailable; pausing and retrying the batch", extra={"error": str(error)})
        return self._wait(backoff.next(), stop, probe=self.index.ping)

    def _deliver(self, outputs: list[Output], stop: threading.Event) -> list[Output] | None:
        """Deliver the batch's outputs, retried with backoff until the broker acknowledges them. An
        output the broker refuses for good (too large for its topic, refused by its validation) is
        replaced by a dead letter of its record: the record is never lost and the stream never
        wedges on it; its stored dedup decision stays, so a `dlq replay` once the topic takes it
        publishes the same event. A letter refused in turn is sent again without the original
        value. Returns what was delivered; None when asked to stop first (nothing is committed)."""
        backoff = self._backoff()
        delivered = list(outputs)
        while True:
            try:
                refused = self.sink.deliver(outputs)
            except DeliveryFailed as error:
                self.health.set_delivery_problem(f"outputs not acknowledged by the broker: {error}")
                self.metrics.delivery_failures.inc()
                self.metrics.dependency_retries.labels(dependency="broker").inc()
                log.warning("delivery not acknowledged; retrying the batch", extra={"error": str(error)})
                if not self._wait(backoff.next(), stop):
                    return None
                outputs = [o for o in outputs if self.source.owns(o.source.topic, o.source.partition)]
                delivered = [o for o in delivered if self.source.owns(o.source.topic, o.source.partition)]
                if not outputs:
                    return None
                continue
            if not refused:
                self.health.set_delivery_problem(None)  # (in-process only: nothing here can fail)
                return delivered
            outputs = []
            for refusal in refused:
                letter = self._letter_for(refusal)
                if letter is None:  # a letter without its original value refused: nothing smaller to send
                    self.health.set_delivery_problem(f"dead letter refused by the broker: {refusal.error_class}")
                    self.metrics.delivery_failures.inc()
                    log.error("the broker refuses a dead letter without its record's value; retrying",
                              extra={"error": refusal.why, "topic": refusal.output.topic})
                    if not self._wait(backoff.next(), stop):
                        return None
                    letter = refusal.output
                delivered = [letter if o is refusal.output else o for o in delivered]
                outputs.append(letter)

    def _letter_for(self, refusal: Refused) -> Output | None:
        """What replaces an output the broker refused: an event's dead letter, or the dead letter
        without its record's value; None for a letter already without it."""
        record = refusal.output.source
        log.warning("output refused by the broker; dead-lettering its record",
                    extra={"error": refusal.why, "topic": refusal.output.topic,
                           "partition": record.partition, "offset": record.offset})
        if refusal.output.kind == "dlq":
            return self.pipeline.letter_without_value(refusal.output, f"{refusal.error_class}: {refusal.why}")
        return self.pipeline.refused_letter(refusal.output, refusal.error_class, refusal.why)

    def _wait(self, seconds: float, stop: threading.Event, probe: Callable[[], bool] | None = None) -> bool:
        """Sleep while keeping group membership alive; False if asked to stop meanwhile. With
        `probe`, the dependency is probed every DEPENDENCY_PROBE_INTERVAL_SECONDS and the wait ends
        early once a probe that failed succeeds: the backoff bounds retries against a dependency
        that answers but still fails, not the time to resume after an outage."""
        deadline = time.monotonic() + seconds
        interval = self.settings.dependency_probe_interval_seconds
        seen_down = False
        while not stop.is_set():
            self.health.beat()  # waiting on a dependency is not a wedged process
            with contextlib.suppress(SourceUnavailable):  # the broker may be away too: keep waiting
                self.source.keepalive()
            if probe is not None:
                if not probe():
                    seen_down = True
                elif seen_down:
                    return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            stop.wait(min(remaining, interval if probe is not None else 0.5))
        return False

    def _count_delivered(self, outputs: list[Output]) -> None:
        """Metrics of a delivered batch. Runs between delivery and commit, so it reads nothing that
        can fail (the index size gauge is the dedup stage's, refreshed with its decisions)."""
        now = time.time()
        for output in outputs:
            if output.kind == "dlq":
                self.metrics.dlq_records.labels(reason=output.label).inc()
            else:
                self.metrics.record_published(output.kind, output.label)
            if output.source.timestamp_ms:
                self._observe_latency(output.source, now)

    def _observe_latency(self, source: SourceRecord, now: float) -> None:
        """One record's produce-to-output latency, unless its timestamp is implausible (the
        producer's clock, not the worker's delay): that is counted apart, never observed."""
        sent = source.sent_at(now, max_ahead=RECORD_TIMESTAMP_MAX_AHEAD_SECONDS)
        if sent is not None:
            self.metrics.record_latency.observe(max(0.0, now - sent))
        else:
            self.metrics.record_latency_skipped.inc()

    def _check_ready(self) -> None:
        if self.index.ping():
            self.health.set_ready(True)
        else:
            self.health.set_ready(False, "dedup state unavailable")

    def _refresh_lag(self) -> None:
        now = time.monotonic()
        if now - self._lag_refreshed < LAG_REFRESH_SECONDS:
            return
        self._lag_refreshed = now
        lags = self.source.lag()
        for gone in self._lag_labels - lags.keys():
            self.metrics.drop_lag(*gone)
        for (topic, partition), lag in lags.items():
            self.metrics.consumer_fetch_lag.labels(topic=topic, partition=str(partition)).set(lag)
        self._lag_labels = set(lags)

    def _backoff(self) -> Backoff:
        return Backoff(self.settings.retry_backoff_initial_seconds, self.settings.retry_backoff_max_seconds)
