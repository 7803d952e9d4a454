"""Undecodable record batches become one marked record each (worker/transport/kafka_batches.py),
read through kafka-python's own fetcher code; the real broker's test is in
tests/integration/test_streaming.py."""
import struct
from unittest import mock

from kafka import TopicPartition
from kafka.record import default_records
from kafka.record.memory_records import MemoryRecords, MemoryRecordsBuilder

from worker.transport.kafka_batches import UnreadableBatch, _PartitionRecords

TP = TopicPartition("pages.raw", 0)


def batch(first_offset: int, values: list[bytes], garbage: bool = False) -> bytes:
    """A gzip batch as a broker serves it (the broker sets the base offset, outside the CRC)."""
    builder = MemoryRecordsBuilder(magic=2, compression_type=1, batch_size=1 << 20)
    for value in values:
        builder.append(timestamp=1_000, key=None, value=value)
    with mock.patch.object(default_records, "gzip_encode", lambda data: b"not gzip") if garbage else mock.MagicMock():
        builder.close()
    return struct.pack(">q", first_offset) + bytes(builder.buffer())[8:]


def read(data: bytes, fetch_offset: int = 0) -> list:
    return _PartitionRecords(fetch_offset, TP, MemoryRecords(data)).take()


def test_a_batch_that_does_not_decompress_is_one_marked_record_at_its_last_offset():
    records = read(batch(0, [b"a", b"b"]) + batch(2, [b"c", b"d", b"e"], garbage=True) + batch(5, [b"f"]))
    assert [(r.offset, bytes(r.value)) for r in records if not isinstance(r.value, UnreadableBatch)] == [
        (0, b"a"), (1, b"b"), (5, b"f")]
    [bad] = [r for r in records if isinstance(r.value, UnreadableBatch)]
    assert bad.offset == 4
    assert bad.value.error.startswith("record batch at offsets 2-4 (compression gzip) could not be decoded: ")
    assert bad.value.endswith(b"not gzip")  # the batch as fetched


def test_a_damaged_batch_is_one_marked_record_and_a_fetch_inside_it_reads_it_so():
    data = bytearray(batch(0, [b"a", b"b", b"c"]))
    data[-1] ^= 0xFF
    [bad] = read(bytes(data), fetch_offset=1)
    assert (bad.offset, bad.value.error.split(": ", 1)[1]) == (2, "CRC mismatch: the batch is damaged")


def test_good_batches_read_as_without_the_guard():
    data = batch(0, [b"a", b"b"]) + batch(2, [b"c"])
    assert [(r.offset, r.value) for r in read(data)] == [(0, b"a"), (1, b"b"), (2, b"c")]
    assert not any(isinstance(r.value, UnreadableBatch) for r in read(data))
