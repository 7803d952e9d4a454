"""The consumer group's lag, read from the broker: end offsets and the group's committed offsets.

Read with an admin client of its own (Metadata, OffsetFetch and ListOffsets: a small request each), so it runs in
another thread than the consumer and costs the broker what `kafka-consumer-groups --describe` does.
"""
from __future__ import annotations

import contextlib

from kafka import TopicPartition
from kafka.admin import KafkaAdminClient, OffsetSpec

from ..config import KafkaSettings

Lags = dict[tuple[str, int], int]


class GroupLagReader:
    """lag(): per partition of `topic`, its end offset minus the group's committed offset. A
    partition the group never committed counts from where the group would start reading: its
    earliest offset (KAFKA_AUTO_OFFSET_RESET=earliest), or its end (latest). Raises KafkaError
    (or OSError) when the broker does not answer; the next call reconnects."""

    def __init__(self, settings: KafkaSettings, topic: str, timeout_ms: int):
        self._settings = settings
        self._topic = topic
        self._timeout_ms = timeout_ms
        self._admin: KafkaAdminClient | None = None

    def lag(self) -> Lags:
        try:
            return self._read(self._admin or self._connect())
        except Exception:
            self.close()  # (a client left by a broker restart is replaced on the next call)
            raise

    def _connect(self) -> KafkaAdminClient:
        self._admin = KafkaAdminClient(**self._settings.client_options(), request_timeout_ms=self._timeout_ms,
                                       bootstrap_timeout_ms=self._timeout_ms)
        return self._admin

    def _read(self, admin: KafkaAdminClient) -> Lags:
        [described] = admin.describe_topics([self._topic])
        partitions = [TopicPartition(self._topic, p["partition_index"]) for p in described["partitions"]]
        if not partitions:
            return {}
        group = self._settings.group_id
        committed = admin.list_group_offsets({group: partitions}).get(group, {})
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions}, timeout_ms=self._timeout_ms)
        starts: dict[TopicPartition, int] = {}
        never = [tp for tp in partitions if _offset(committed.get(tp)) is None]
        if never and self._settings.auto_offset_reset == "earliest":
            starts = {tp: found.offset for tp, found in admin.list_partition_offsets(
                {tp: OffsetSpec.EARLIEST for tp in never}, timeout_ms=self._timeout_ms).items()}
        lags: Lags = {}
        for tp in partitions:
            end = ends[tp].offset
            start = _offset(committed.get(tp))
            if start is None:
                start = starts.get(tp, end)
            lags[(tp.topic, tp.partition)] = max(0, end - start)
        return lags

    def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            with contextlib.suppress(Exception):
                admin.close()


def _offset(committed) -> int | None:
    """A committed offset, or None when there is none (-1 on the wire)."""
    if committed is None or committed.offset is None or committed.offset < 0:
        return None
    return committed.offset
