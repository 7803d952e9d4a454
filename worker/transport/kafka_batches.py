"""Record batches kafka-python cannot decode, handed to the loop as one record each.

A batch whose payload does not decompress or parse, or whose checksum does not match (written by a
broken producer to a broker that does not validate batches, such as Tansu, or damaged on disk), made
poll raise at every restart: the worker crash-looped on it and never read past it. Here such a
batch becomes one record at the batch's last offset, its value the batch's bytes, marked unreadable:
the pipeline dead-letters it (`unreadable_record`), the committed offset moves past the batch, and
the letter says where the batch was and holds its bytes.

kafka-python (pinned) builds each partition's records with `Fetcher.PartitionRecords`; `guard`
gives one consumer's fetcher a subclass that hands the records it parses through `_GuardedRecords`.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kafka import KafkaConsumer
from kafka.consumer.fetcher import Fetcher


class UnreadableBatch(bytes):
    """A batch's bytes (as fetched; decompressed when its records failed to parse), with why it
    could not be read."""

    error: str


def why_unreadable(value: bytes | None) -> str | None:
    """A record's value -> why its batch could not be read, or None for a record read as sent."""
    return value.error if isinstance(value, UnreadableBatch) else None


def guard(consumer: KafkaConsumer) -> None:
    """Make `consumer` hand out an unreadable batch as one record instead of raising from poll."""
    consumer._fetcher.PartitionRecords = _PartitionRecords  # noqa: SLF001 - the one hook kafka-python has


class _PartitionRecords(Fetcher.PartitionRecords):
    def __init__(self, fetch_offset, tp, records, *args: Any, **kwargs: Any):
        super().__init__(fetch_offset, tp, _GuardedRecords(records), *args, **kwargs)


class _GuardedRecords:
    """A fetched MemoryRecords whose batches are guarded."""

    def __init__(self, records: Any):
        self._records = records

    def __getattr__(self, name: str) -> Any:
        return getattr(self._records, name)

    def next_batch(self) -> _GuardedBatch | None:
        batch = self._records.next_batch()
        return None if batch is None else _GuardedBatch(batch)


class _GuardedBatch:
    """A batch that yields its records, or one `_UnreadableRecord` when any of them fails to decode.

    Its records are decoded before the first is handed out, so a batch is either read whole or
    dead-lettered whole: never part of it published and the rest skipped."""

    def __init__(self, batch: Any):
        self._batch = batch
        self._crc_error: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._batch, name)

    def validate_crc(self) -> bool:
        # A batch damaged on disk or by its producer fails at every read: dead-lettered, not raised.
        # (Damage on the way is caught first by TCP's and TLS's own checks.)
        if not self._batch.validate_crc():
            self._crc_error = "CRC mismatch: the batch is damaged"
        return True

    def __iter__(self) -> Iterator[Any]:
        if self._crc_error is not None:
            yield _UnreadableRecord(self._batch, self._crc_error)
            return
        try:
            records = list(self._batch)
        except Exception as error:  # noqa: BLE001 - any codec's or parser's error: the batch is unreadable
            yield _UnreadableRecord(self._batch, f"{type(error).__name__}: {error}")
            return
        yield from records


class _UnreadableRecord:
    """What the fetcher reads of a record, standing for a whole unreadable batch."""

    key = None
    headers = ()
    checksum = None

    def __init__(self, batch: Any, error: str):
        # The batch's bytes as fetched (kafka-python replaces them only once they decompressed).
        raw = bytes(batch._buffer)  # noqa: SLF001
        first = batch.base_offset
        # (a v2 batch knows its last offset; a legacy compressed message's offset is its last one)
        self.offset = getattr(batch, "last_offset", first)
        self.timestamp = getattr(batch, "max_timestamp", None)
        self.timestamp_type = batch.timestamp_type
        self.size_in_bytes = len(raw)
        codec = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}.get(batch.compression_type, "unknown")
        self.value = UnreadableBatch(raw)
        self.value.error = (f"record batch at offsets {first}-{self.offset} (compression {codec}) could not "
                            f"be decoded: {error}")

    def validate_crc(self) -> bool:
        return True
