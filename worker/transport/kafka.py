"""Kafka transport: a thin layer over kafka-python that knows nothing of processing."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import (CommitFailedError, InvalidRecordError, KafkaConnectionError, KafkaError,
                          KafkaTimeoutError, MessageSizeTooLargeError, NodeNotReadyError,
                          RecordListTooLargeError, RequestTimedOutError, TopicAlreadyExistsError)
from kafka.structs import OffsetAndMetadata

from ..config import KafkaSettings
from ..config.service import CONSUMER_LEAVE_TIMEOUT_SECONDS
from ..errors import DependencyMisconfigured
from ..models import SourceRecord
from ..pipeline import Output
from . import kafka_batches, kafka_scram
from .base import CommitFailed, DeliveryFailed, Offsets, Refused, SourceUnavailable
from .kafka_check import refusal

log = logging.getLogger(__name__)

kafka_scram.register()  # a refused SCRAM login reported as such, for every client built here

# Errors kafka-python raises out of poll while the broker is unreachable (an outage, not a bug).
POLL_OUTAGE_ERRORS = (KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError,
                      RequestTimedOutError)

# How long a client's constructor waits for its first connection (kafka-python's default).
BOOTSTRAP_TIMEOUT_MS = 30_000

# Outputs of a batch are sent together; a few ms of lingering packs them into fewer requests.
LINGER_MS = 5

# Answers that refuse a record for good: larger than its topic allows (the topic's
# max.message.bytes below KAFKA_MAX_REQUEST_SIZE), or failing the broker's validation of records.
# kafka-python splits a batch refused as too large until the record that is too large is alone.
RECORD_REFUSALS = (MessageSizeTooLargeError, RecordListTooLargeError, InvalidRecordError)


class KafkaSource:
    """Consumes one topic in a consumer group, with manual commits only."""

    def __init__(self, settings: KafkaSettings, topic: str,
                 on_assigned: Callable[[set[tuple[str, int]]], None] | None = None,
                 on_revoked: Callable[[set[tuple[str, int]]], None] | None = None,
                 bootstrap_timeout_ms: int = BOOTSTRAP_TIMEOUT_MS):
        self._settings = settings
        self._consumer = KafkaConsumer(
            **settings.client_options(),
            bootstrap_timeout_ms=bootstrap_timeout_ms,
            group_id=settings.group_id,
            enable_auto_commit=False,  # offsets are committed only after delivery is acknowledged
            auto_offset_reset=settings.auto_offset_reset,
            session_timeout_ms=settings.session_timeout_ms,
            heartbeat_interval_ms=settings.heartbeat_interval_ms,
            max_poll_interval_ms=settings.max_poll_interval_ms,
            fetch_max_wait_ms=settings.fetch_max_wait_ms,
        )
        kafka_batches.guard(self._consumer)  # an undecodable batch is dead-lettered, not raised from poll
        self._owned: set[tuple[str, int]] = set()
        self._on_assigned = on_assigned
        self._on_revoked = on_revoked
        self._consumer.subscribe([topic], listener=_Listener(self))

    def poll(self, max_records: int, timeout_ms: int) -> list[SourceRecord]:
        """Records. kafka-python raises its connection errors out of poll when the group
        coordinator is unreachable (a broker restarting): SourceUnavailable, and the loop polls
        again after a backoff. Raises DependencyMisconfigured when the broker refuses the worker
        (certificate, login, authorization)."""
        self._consumer.resume(*self._consumer.paused())
        with self._outage_as_unavailable():
            batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        return [SourceRecord(topic=m.topic, partition=m.partition, offset=m.offset, key=m.key, value=m.value,
                             timestamp_ms=m.timestamp, unreadable=kafka_batches.why_unreadable(m.value))
                for messages in batches.values() for m in messages]

    def rewind(self, records: list[SourceRecord]) -> None:
        first: dict[tuple[str, int], int] = {}
        for record in records:
            key = (record.topic, record.partition)
            first[key] = min(first.get(key, record.offset), record.offset)
        for (topic, partition), offset in first.items():
            if (topic, partition) in self._owned:  # (a revoked partition's new owner reads it anyway)
                self._consumer.seek(TopicPartition(topic, partition), offset)

    def keepalive(self) -> None:
        # A poll on paused partitions fetches nothing but tells the group this member is alive
        # (max_poll_interval_ms) and runs rebalance callbacks.
        self._consumer.pause(*self._consumer.assignment())
        with self._outage_as_unavailable():
            self._consumer.poll(timeout_ms=0)

    @contextlib.contextmanager
    def _outage_as_unavailable(self) -> Iterator[None]:
        try:
            yield
        except KafkaError as error:
            refused = refusal(error, self._settings)
            if refused is not None:
                raise DependencyMisconfigured(f"broker refuses the worker: {refused}") from error
            if not isinstance(error, POLL_OUTAGE_ERRORS):
                raise
            raise SourceUnavailable(f"{type(error).__name__}: {error}") from error

    def owns(self, topic: str, partition: int) -> bool:
        return (topic, partition) in self._owned

    def commit(self, offsets: Offsets) -> None:
        owned = {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in offsets.items()
                 if (t, p) in self._owned}
        if not owned:
            return
        try:
            self._consumer.commit(owned)
        except (CommitFailedError, KafkaError) as error:
            raise CommitFailed(str(error)) from error

    def lag(self) -> dict[tuple[str, int], int]:
        lags = {}
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            try:
                position = self._consumer.position(tp, timeout_ms=100)
            except KafkaError:
                continue
            if position is not None:
                lags[(tp.topic, tp.partition)] = max(0, highwater - position)
        return lags

    def close(self) -> None:
        # Leaves the group at once (LeaveGroup), so partitions move without waiting for the session
        # timeout; waits for the broker's answer only so long (CONSUMER_LEAVE_TIMEOUT_SECONDS).
        self._consumer.close(autocommit=False, timeout_ms=int(CONSUMER_LEAVE_TIMEOUT_SECONDS * 1000))


class _Listener(ConsumerRebalanceListener):
    """Rebalance handling in one place. Work is committed at the end of every batch, before the
    next poll, and callbacks only run inside poll: nothing completed is ever left uncommitted
    when partitions are revoked. Work in flight on a revoked partition is dropped by the loop."""

    def __init__(self, source: KafkaSource):
        self._source = source

    def on_partitions_revoked(self, revoked):
        parts = {(tp.topic, tp.partition) for tp in revoked}
        self._source._owned -= parts
        log.info("partitions revoked", extra={"event": "revoked", "count": len(parts)})
        if self._source._on_revoked:
            self._source._on_revoked(parts)

    def on_partitions_assigned(self, assigned):
        parts = {(tp.topic, tp.partition) for tp in assigned}
        self._source._owned |= parts
        log.info("partitions assigned", extra={"event": "assigned", "count": len(parts)})
        if self._source._on_assigned:
            self._source._on_assigned(parts)


class KafkaSink:
    """Produces outputs; `deliver` checks every send's result, not just the flush.

    After a failed delivery the producer is replaced: a producer whose batches failed can be left in
    a fatal state (seen after a broker restart: its producer id refused, every later batch aborted;
    and an idempotent producer fails every later batch once one record was refused), and a fresh
    one costs one bootstrap. The retried outputs are the same records (same keys and values), so a
    partial first attempt only means duplicates downstream, which at-least-once allows.
    """

    def __init__(self, settings: KafkaSettings, delivery_timeout_seconds: float = 30.0,
                 bootstrap_timeout_ms: int = BOOTSTRAP_TIMEOUT_MS):
        self._settings = settings
        self._timeout = delivery_timeout_seconds
        self._bootstrap_timeout_ms = bootstrap_timeout_ms
        self._producer: KafkaProducer | None = self._new_producer()

    def _new_producer(self) -> KafkaProducer:
        return KafkaProducer(
            **self._settings.client_options(),
            bootstrap_timeout_ms=self._bootstrap_timeout_ms,
            acks="all",
            enable_idempotence=self._settings.enable_idempotence,
            linger_ms=LINGER_MS,
            compression_type=self._settings.compression_type,
            max_request_size=self._settings.max_request_size,
            # One record batch per partition and batch of outputs, up to the largest request, rather
            # than kafka-python's 16 KB (one article event a batch, each with its own per-batch
            # work in the producer's thread). A batch is never larger than a request.
            batch_size=self._settings.max_request_size,
            delivery_timeout_ms=int(self._timeout * 1000),
            # kafka-python requires delivery_timeout_ms > linger_ms + request_timeout_ms.
            request_timeout_ms=min(30_000, int(self._timeout * 1000) - LINGER_MS - 1),
        )

    def deliver(self, outputs: list[Output]) -> list[Refused]:
        """Every output acknowledged, or refused for good and returned; else DeliveryFailed. A
        refusal is confirmed by sending the output again alone, so that one record's refusal
        never reaches the others of its request."""
        failed = self._send(outputs)
        if not failed:
            return []
        refused = []
        for output, _ in failed:
            again = self._send([output])
            if again:
                refused.append(Refused(output, type(again[0][1]).__name__, str(again[0][1])))
        return refused

    def _send(self, outputs: list[Output]) -> list[tuple[Output, KafkaError]]:
        """Send and flush: the outputs refused for good, each with the broker's answer. Raises
        DeliveryFailed when any other is not acknowledged."""
        try:
            self._producer = self._producer or self._new_producer()
            futures = []
            refused: list[tuple[Output, KafkaError]] = []
            for output in outputs:
                try:
                    futures.append((output, self._producer.send(output.topic, value=output.value, key=output.key,
                                                                headers=list(output.headers) or None)))
                except RECORD_REFUSALS as error:  # (kafka-python's own size check, before sending)
                    refused.append((output, error))
            self._producer.flush(timeout=self._timeout)
        except KafkaError as error:
            self._discard_producer()
            raise DeliveryFailed(f"send failed: {error}") from error
        failed = [(output, future) for output, future in futures if not future.succeeded()]
        if failed or refused:
            self._discard_producer()
        others = [future for _, future in failed
                  if not (future.is_done and isinstance(future.exception, RECORD_REFUSALS))]
        if others:
            first = others[0].exception if others[0].is_done else "not acknowledged in time"
            raise DeliveryFailed(f"{len(others)} of {len(outputs)} outputs not acknowledged; first error: {first}")
        return refused + [(output, future.exception) for output, future in failed]

    def _discard_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):  # it failed already; closing must not fail the retry
                producer.close(timeout=0)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=self._timeout)


def ensure_topics(settings: KafkaSettings, topics: list[str], partitions: int, replication_factor: int = 1) -> None:
    """Create the topics that do not exist yet (for local runs and tests; production creates them up front)."""
    admin = KafkaAdminClient(**settings.client_options())
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(t, partitions, replication_factor) for t in topics if t not in existing]
        if missing:
            # Another process may create them meanwhile; they exist either way.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
    finally:
        admin.close()
