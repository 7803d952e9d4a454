"""Durability of the memory backend: a write-ahead log of decisions and snapshots of the whole state.

Every applied decision becomes a LogRecord, encoded into an in-memory buffer; flush() appends the
buffer to the log file and fsyncs it (the index's checkpoint). When the log outgrows the last
snapshot, the index writes its arrays as a snapshot (temp file, fsync, rename) and the log restarts.
Restoring loads the snapshot and re-applies the log records after it (each has a sequence number;
a torn last record from a crash mid-write is cut off), so the state after a restart is exactly the
state at the last checkpoint.

A log starts with LOG_MAGIC, which names its format; a log of an older format (format 2: its own
magic, records without an origin key; format 1: no magic, records without the site rule's keys
either) is read with those keys absent, and the index writes a snapshot at once, so that the log
restarts in this format.
"""
from __future__ import annotations

import fcntl
import os
import struct
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ...errors import StateIncompatible
from ..rules import NO_KEY, SIMILARITY_SCALE

SNAPSHOT_FILE = "dedup-memory.npz"
LOG_FILE = "dedup-memory.log"
LOCK_FILE = "dedup-memory.lock"

_HEADER = struct.Struct("<IIQ")  # payload length, crc32 of payload, sequence number
LOG_MAGIC = b"nwdedup3"
# fetched_at, method code, similarity * 1e4, shingle count, signature values, band keys, URL key,
# hash key, site key, title key, origin key; then id and duplicate_of (length-prefixed), signature,
# bands.
_FIXED = struct.Struct("<dBHIHHQQQQQ")
# Older formats: by their magic (format 1 has none).
_OLDER = {b"nwdedup2": struct.Struct("<dBHIHHQQQQ"),  # without the origin key
          b"": struct.Struct("<dBHIHHQQ")}  # without the site, title and origin keys
_LENGTH = struct.Struct("<H")


class LogRecord(NamedTuple):
    """One applied decision, as the log keeps it (enough to re-apply its record and claims)."""

    seq: int
    article_id: str
    url_key: int
    hash_key: int
    site_key: int  # rules.NO_KEY when absent
    title_key: int  # likewise
    fetched_at: float
    code: int  # rules.UNIQUE, URL, EXACT, NEAR, REPEATED
    duplicate_of: str | None
    similarity: float
    signature: np.ndarray | None  # uint8 values, only when indexed for near matching
    bands: np.ndarray | None  # uint32 band keys, likewise
    shingle_count: int
    origin: int = NO_KEY  # rules.origin_key, when indexed for near matching

    def encode(self) -> bytes:
        encoded_id, encoded_of = self.article_id.encode(), (self.duplicate_of or "").encode()
        # np.asarray: no copy when the arrays already have the dtype (as the batch's always do).
        signature = b"" if self.signature is None else np.asarray(self.signature, np.uint8).tobytes()
        bands = b"" if self.bands is None else np.asarray(self.bands, "<u4").tobytes()
        payload = b"".join((
            _FIXED.pack(self.fetched_at, self.code, round(self.similarity * SIMILARITY_SCALE), self.shingle_count,
                        len(signature), len(bands) // 4, self.url_key, self.hash_key, self.site_key, self.title_key,
                        self.origin),
            _LENGTH.pack(len(encoded_id)), encoded_id, _LENGTH.pack(len(encoded_of)), encoded_of, signature, bands,
        ))
        return _HEADER.pack(len(payload), zlib.crc32(payload), self.seq) + payload


def read_log(content: bytes) -> Iterator[tuple[int, LogRecord]]:
    """(end offset, record) for each intact record; stops at the first torn or corrupt one. A log
    of an older format reads with the keys it lacks absent."""
    magic = log_magic(content)
    fixed = _FIXED if magic == LOG_MAGIC else _OLDER[magic]
    offset = len(magic)
    while offset + _HEADER.size <= len(content):
        length, crc, seq = _HEADER.unpack_from(content, offset)
        start, end = offset + _HEADER.size, offset + _HEADER.size + length
        payload = content[start:end]
        # (A payload shorter than the fixed part is torn too: a header of zeros, what a crash can
        # leave in a file extended before its data was written, has the crc32 of nothing.)
        if end > len(content) or length < fixed.size + 2 * _LENGTH.size or zlib.crc32(payload) != crc:
            if _intact_at(content, end, fixed):
                # (a crash leaves a torn record, or zeros, at the end only: intact records after a
                # bad one are a fault of the disk or of a copy, and cutting them loses decisions)
                raise CorruptLog(offset)
            return
        at, code, similarity, count, n_values, n_bands, url_key, hash_key, *keys = fixed.unpack_from(payload, 0)
        site_key, title_key, origin = (*keys, NO_KEY, NO_KEY, NO_KEY)[:3]
        position = fixed.size
        (id_length,) = _LENGTH.unpack_from(payload, position)
        article_id = payload[position + 2: position + 2 + id_length].decode()
        position += 2 + id_length
        (of_length,) = _LENGTH.unpack_from(payload, position)
        of = payload[position + 2: position + 2 + of_length].decode() or None
        position += 2 + of_length
        signature = bands = None
        if n_values:
            signature = np.frombuffer(payload, np.uint8, n_values, position).copy()
            position += n_values
            bands = np.frombuffer(payload, "<u4", n_bands, position).astype(np.uint32)
        yield end, LogRecord(seq, article_id, url_key, hash_key, site_key, title_key, at, code, of,
                             similarity / SIMILARITY_SCALE, signature, bands, count, origin)
        offset = end


class CorruptLog(ValueError):
    """A record of the log is corrupt and intact ones follow it: no torn tail of a crash."""

    def __init__(self, offset: int):
        super().__init__(f"corrupt record at byte {offset}")
        self.offset = offset


def _intact_at(content: bytes, offset: int, fixed: struct.Struct) -> bool:
    """Whether a whole record whose checksum matches starts at offset."""
    if offset + _HEADER.size > len(content):
        return False
    length, crc, _ = _HEADER.unpack_from(content, offset)
    start = offset + _HEADER.size
    return length >= fixed.size + 2 * _LENGTH.size and start + length <= len(content) and \
        zlib.crc32(content[start:start + length]) == crc


def log_magic(content: bytes) -> bytes:
    """The magic a log starts with: LOG_MAGIC, an older format's, or b"" (format 1)."""
    for magic in (LOG_MAGIC, *_OLDER):
        if magic and content.startswith(magic):
            return magic
    return b""


class Journal:
    """The log and snapshot files in one directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.log_records = 0  # records in the log file
        self.old_format = False  # the log read by replay() was of an older format
        self._unsaved = bytearray()  # encoded records since the last flush
        self._unsaved_records = 0
        self._lock_fd: int | None = None

    def lock(self) -> bool:
        """Hold the directory for this process (an flock the kernel releases when the process ends,
        however it ends). False when another process holds it: two processes appending to one log
        (two replicas given one volume) write overlapping sequence numbers, and a restore skips
        the records of one of them. A directory where no lock file can be made is not refused here
        (the first checkpoint reports it, as before)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError:  # (a file system without flock: nothing to hold)
            os.close(fd)
            return True
        self._lock_fd = fd
        return True

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # (closing the descriptor releases the flock)
            self._lock_fd = None

    def exists(self) -> bool:
        return (self.directory / SNAPSHOT_FILE).exists() or (self.directory / LOG_FILE).exists()

    def append(self, record: LogRecord) -> None:
        self._unsaved += record.encode()
        self._unsaved_records += 1

    def flush(self) -> bool:
        """Append the records since the last flush to the log, durably. False when there were none.
        An OSError (full disk, lost mount) leaves the log cut back to where it was and the records
        kept for the next flush, so a retry appends them again (never after a torn one)."""
        if not self._unsaved:
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        _append_durably(self.directory / LOG_FILE, self._unsaved, LOG_MAGIC)
        self.log_records += self._unsaved_records
        self._unsaved, self._unsaved_records = bytearray(), 0
        return True

    def write_snapshot(self, arrays: dict[str, np.ndarray]) -> None:
        """Replace the snapshot with these arrays, then start a new log (a crash before that leaves
        old records in the log, which restore skips by sequence number)."""
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".dedup-snapshot-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.directory / SNAPSHOT_FILE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.directory)
        with open(self.directory / LOG_FILE, "wb") as log:
            os.fsync(log.fileno())
        self.log_records = 0

    def snapshot(self):
        """The snapshot's arrays (a context manager, as np.load gives them), or None."""
        path = self.directory / SNAPSHOT_FILE
        return np.load(path) if path.exists() else None

    def replay(self, after_seq: int) -> Iterator[LogRecord]:
        """The logged records after the sequence number after_seq, in order; a torn tail is cut off
        the file once they are read."""
        log = self.directory / LOG_FILE
        if not log.exists():
            return
        content = log.read_bytes()
        magic = log_magic(content)
        self.old_format = bool(content) and magic != LOG_MAGIC
        valid_length = len(magic)
        try:
            for end, record in read_log(content):
                valid_length = end
                if record.seq > after_seq:
                    self.log_records += 1
                    yield record
        except CorruptLog as error:
            raise StateIncompatible(
                f"the dedup log {log} has a corrupt record at byte {error.offset} of {len(content)} with intact "
                "ones after it: no torn tail of a crash, but a fault of the disk or of a copy, and cutting it "
                "would lose the decisions after it. Restore the state directory from a copy, or move it away "
                "to start with an empty index.") from None
        if valid_length < len(content):  # a torn record from a crash mid-append
            with open(log, "r+b") as handle:
                handle.truncate(valid_length)
                os.fsync(handle.fileno())


def _append_durably(path: Path, data: bytes, header: bytes) -> None:
    """Appends `data` to the file (after `header` when the file is empty) and fsyncs it; on failure
    the file is cut back to its old length."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(header + data if start == 0 else data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make a rename inside path durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
