"""Whole-topic reads and plain publishing, for operator tools (`python -m worker dlq`), not the loop."""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import MessageSizeTooLargeError

from ..config import KafkaSettings

# How long the first metadata of a topic may take to arrive.
METADATA_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class TopicRecord:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


def read_topic(settings: KafkaSettings, topic: str, idle_seconds: float) -> Iterator[TopicRecord]:
    """Every record of `topic` from its start, outside any consumer group (nothing is committed),
    partition by partition in offset order. Ends `idle_seconds` after every partition reached the
    end offset the broker reported at the start (a reported end can be short of the truth: what
    comes meanwhile is read too), or sooner once no record came for that long. A topic that keeps
    receiving records (a worker dead-lettering while an operator counts) is read to where it was
    when the read began, not followed for ever. Raises LookupError when the topic does not exist."""
    consumer = KafkaConsumer(**settings.client_options(), group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest")
    try:
        deadline = time.monotonic() + METADATA_TIMEOUT_SECONDS
        while not (ids := consumer.partitions_for_topic(topic)):
            if time.monotonic() > deadline:
                raise LookupError(f"topic {topic!r} does not exist on {settings.bootstrap_servers}")
            time.sleep(0.1)
        partitions = [TopicPartition(topic, p) for p in sorted(ids)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        positions = {tp: 0 for tp in partitions}
        last_record = time.monotonic()
        reached_at: float | None = None
        while True:
            batches = consumer.poll(timeout_ms=200)
            for tp, messages in sorted(batches.items(), key=lambda item: item[0].partition):
                for m in messages:
                    positions[tp] = m.offset + 1
                    yield TopicRecord(m.topic, m.partition, m.offset, m.timestamp, m.key, m.value,
                                      tuple((name, value or b"") for name, value in (m.headers or ())))
            now = time.monotonic()
            if batches:
                last_record = now
            if reached_at is None and all(positions[tp] >= (ends.get(tp) or 0) for tp in partitions):
                reached_at = now
            if reached_at is not None and now - min(reached_at, last_record) >= idle_seconds:
                return
    finally:
        consumer.close(autocommit=False)


def publish(settings: KafkaSettings, topic: str, records: Iterable[tuple[bytes | None, bytes | None]],
            refused: list[tuple[int, str]] | None = None) -> int:
    """Produce (key, value) pairs to `topic` in order, and wait for every acknowledgement (raises
    the first error otherwise); returns how many were acknowledged. With `refused`, a record the
    producer refuses before sending it (larger than KAFKA_MAX_REQUEST_SIZE) is noted there (its
    position among `records`, and why) and the others are still sent, rather than stopping at it
    with some sent and the rest not."""
    producer = KafkaProducer(**settings.client_options(), acks="all", linger_ms=5,
                             max_request_size=settings.max_request_size)
    try:
        futures = []
        for position, (key, value) in enumerate(records):
            try:
                futures.append(producer.send(topic, key=key, value=value))
            except MessageSizeTooLargeError as error:
                if refused is None:
                    raise
                refused.append((position, str(error)))
        producer.flush(timeout=60)
        for future in futures:
            future.get(timeout=60)
        return len(futures)
    finally:
        producer.close(timeout=10)
