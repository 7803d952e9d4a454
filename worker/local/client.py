"""Small Kafka clients for the demo, tests and benchmarks: feed pages in, read events out."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from itertools import repeat
from pathlib import Path

import orjson
from kafka import KafkaConsumer, TopicPartition

from ..config import KafkaSettings
from ..transport.kafka_topic import publish


def produce_values(settings: KafkaSettings, topic: str, values: Iterable[bytes],
                   keys: Iterable[bytes | None] | None = None, refused: list[tuple[int, str]] | None = None) -> int:
    """Produce values (raw page JSON) to `topic`, wait for every acknowledgement; returns the count.
    With `refused`, values too large to send are noted there and the rest sent (see publish)."""
    return publish(settings, topic, zip(keys if keys is not None else repeat(None), values), refused)


def page_key(value: bytes) -> bytes | None:
    """Key a raw page by its URL, so that every fetch of one URL lands on one partition."""
    try:
        url = orjson.loads(value).get("url")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return url.encode() if isinstance(url, str) else None


def read_jsonl_values(path: str | Path) -> list[bytes]:
    with open(path, "rb") as handle:
        return [line.rstrip(b"\r\n") for line in handle if line.strip()]


def consume_events(settings: KafkaSettings, topics: list[str], expected: int,
                   timeout_seconds: float = 60.0, settle_seconds: float = 0.0,
                   keep_waiting: Callable[[], bool] = lambda: True) -> dict[str, list[dict]]:
    """Read every topic from the beginning (no group) until `expected` events arrived in total,
    then keep reading `settle_seconds` longer to catch extra (duplicated) deliveries.
    Gives up early when `keep_waiting()` turns false (e.g. the producing worker died)."""
    consumer = KafkaConsumer(**settings.client_options(), group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest")
    try:
        partitions = []
        deadline = time.monotonic() + timeout_seconds
        for topic in topics:
            while not (ids := consumer.partitions_for_topic(topic)) and time.monotonic() < deadline:
                time.sleep(0.1)
            partitions += [TopicPartition(topic, p) for p in sorted(ids or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        events: dict[str, list[dict]] = {t: [] for t in topics}
        count = 0
        settle_until = None
        while time.monotonic() < deadline and keep_waiting():
            for tp, messages in consumer.poll(timeout_ms=200).items():
                for message in messages:
                    events[tp.topic].append(orjson.loads(message.value))
                    count += 1
            if count >= expected:
                settle_until = settle_until or time.monotonic() + settle_seconds
                if time.monotonic() >= settle_until:
                    break
        return events
    finally:
        consumer.close(autocommit=False)
