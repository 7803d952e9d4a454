"""In-process dedup index for a single replica: compact numpy storage, checkpointed to DEDUP_STATE_DIR.

It follows the decision steps of DedupIndex (base.py) and the verification of
worker/dedup/similarity.py. Storage, per article:
- a record (every decided article, for replays and claims): id, fetched_at, method, duplicate_of,
  similarity; about 75 bytes;
- unique articles with a signature also get a near row: the signature in 8 bits per value
  (similarity.py allows it), shingle count, record slot; 264 bytes at 256 values;
- keys in SlotTables (memory_tables.py): id, URL and content hash as 64-bit xxh3 digests (one
  table, a seed per kind, so one lookup answers all three), LSH bands as the low 32 bits of their
  8-byte keys (12 and 8 bytes an entry). A 32-bit band key that collides by chance only adds a
  candidate, which verification then rejects.
Records are appended; records older than the window (by fetched_at, against the newest fetched_at
seen) are dropped by a compaction that renumbers slots in order, once they are a quarter of all.

Speed: decide_many() searches the tables once for the keys of a whole batch (numpy's fixed cost
per call, not the search, is what a lookup of a few keys costs), so batches are several times
faster per decision than decide(), a batch of one (bench/dedup_memory.py).

Durability (checkpoint): every applied decision is appended to an in-memory buffer; checkpoint()
appends the buffer to a log file and fsyncs it. When the log outgrows the last snapshot, the whole
state is written as a snapshot (temp file, fsync, rename) and the log restarts. Restoring loads
the snapshot and re-applies the log records after it (each has a sequence number; a torn last
record from a crash mid-write is cut off). State after a restart is therefore exactly the state
at the last checkpoint, which the service takes before committing offsets.
"""
from __future__ import annotations

import math
import os
import struct
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xxhash

from ..config import DedupSettings
from ..dedup.similarity import NearThresholds, best_match, near_similarities, near_similarity
from ..models import DedupDecision
from .base import DedupIndex, Fingerprint
from .memory_tables import NO_SLOT, SlotTable, release_freed_memory, return_large_allocations

SNAPSHOT_FILE = "dedup-memory.npz"
LOG_FILE = "dedup-memory.log"
FORMAT_VERSION = 1

UNIQUE, URL, EXACT, NEAR = 0, 1, 2, 3
METHODS = (None, "url", "exact", "near")
SIMILARITY_SCALE = 10_000  # decisions carry similarity rounded to 4 decimals: stored exactly as uint16

# Up to this many candidate pairs of a batch are verified in plain Python, more with numpy (the
# same arithmetic: worker/dedup/similarity.py).
SCALAR_VERIFY_MAX = 16
# Compaction runs when at least this share of records is out of the window.
EXPIRED_SHARE_TO_COMPACT = 0.25
# How often (in decisions) to look for expired records.
EXPIRY_CHECK_EVERY = 4096
# A snapshot is written when the log holds more records than this and than the index itself.
MIN_LOG_RECORDS_FOR_SNAPSHOT = 20_000

_LOG_HEADER = struct.Struct("<IIQ")  # payload length, crc32 of payload, sequence number
_LOG_FIXED = struct.Struct("<dBHIHHQQ")  # fetched_at, status, similarity*1e4, shingle count,
# signature values, band keys, url key, hash key; then id and duplicate_of (length-prefixed), arrays


# Seeds of the 64-bit digests in the claims table: an id, a URL and a hash never share a key.
ID_SEED, URL_SEED, HASH_SEED = 1, 2, 3


def _key64(text: str, seed: int) -> int:
    return xxhash.xxh3_64_intdigest(text.encode(), seed)


class MemoryIndex(DedupIndex):
    backend = "memory"

    def __init__(self, settings: DedupSettings | None = None):
        settings = settings or DedupSettings()
        self.settings = settings
        self.thresholds = NearThresholds.from_settings(settings)
        self.window_seconds = settings.window_seconds
        self.num_perm = settings.num_perm
        self._dir = Path(settings.state_dir) if settings.state_dir else None
        return_large_allocations()
        self._reset()
        if self._dir is not None and ((self._dir / SNAPSHOT_FILE).exists() or (self._dir / LOG_FILE).exists()):
            self._restore()

    def _reset(self) -> None:
        self._records = _Records()
        self._near = _NearRows(self.num_perm)
        # Dicts of a few hundred to a few thousand articles; band runs of up to 256k and 2M entries
        # before the large one (about 4k and 31k articles at 64 bands): bench/dedup_memory.py.
        self._claims = SlotTable(np.uint64, pending_limit=4096)  # id, URL, hash -> record
        self._by_band = SlotTable(np.uint32, pending_limit=1 << 15, run_limits=(1 << 18, 1 << 21))
        self._clock = -math.inf  # newest fetched_at seen (seconds)
        self._seq = 0  # decisions applied, ever: the sequence number of the last one
        self._logged_seq = 0  # the last one written to the log (or the snapshot)
        self._log_records = 0  # records in the log file
        self._unsaved = bytearray()  # log records of decisions since the last checkpoint
        self._since_expiry_check = 0

    # --- decisions --------------------------------------------------------------------------------

    def decide(self, fp: Fingerprint) -> DedupDecision:
        return self.decide_many([fp])[0]

    def decide_many(self, fingerprints: Sequence[Fingerprint]) -> list[DedupDecision]:
        """Decide each fingerprint in order, as decide() one after another would.

        What the sorted runs hold does not change during a batch (new entries stay in the dicts,
        compaction waits for the end), so the runs are searched once for the keys of the whole
        batch and candidates are verified in one numpy pass; each decision then only looks at
        the dicts, which hold the batch's own claims.
        """
        if not fingerprints:
            return []
        self._claims.flush_if_full()
        self._by_band.flush_if_full()
        batch = _Batch(self, fingerprints)
        decisions = [self._decide_in(batch, i, fp) for i, fp in enumerate(fingerprints)]
        if self._since_expiry_check >= EXPIRY_CHECK_EVERY:
            self._since_expiry_check = 0
            self._drop_expired()
        return decisions

    def _decide_in(self, batch: _Batch, i: int, fp: Fingerprint) -> DedupDecision:
        keys = batch.keys[i]
        claims = self._claims
        id_slot, url_slot, hash_slot = (recent if (recent := claims.pending_newest(key)) != NO_SLOT else in_runs
                                        for key, in_runs in zip(keys, batch.claims_in_runs[i]))
        if id_slot != NO_SLOT and self._records.article_id(id_slot) == fp.article_id:
            return self._records.decision(id_slot)
        at = batch.times[i]
        url_claim, hash_claim = self._usable(url_slot, at), self._usable(hash_slot, at)
        row = batch.signature_row[i]
        if url_claim != NO_SLOT:
            status, of, similarity = URL, self._records.canonical(url_claim), 1.0
        elif hash_claim != NO_SLOT:
            status, of, similarity = EXACT, self._records.canonical(hash_claim), 1.0
        elif row != NO_SLOT and (match := self._near_match(batch, i, row, fp.shingle_count, at)):
            status, (of, similarity) = NEAR, match
        else:
            status, of, similarity = UNIQUE, None, 0.0
        decision = (DedupDecision.unique() if status == UNIQUE
                    else DedupDecision.duplicate(of, METHODS[status], similarity))
        similarity = decision.similarity or 0.0
        signature, bands = (batch.signatures[row], batch.bands[row]) if row != NO_SLOT else (None, None)
        self._apply(fp.article_id, keys, at, status, of, similarity, signature, bands, fp.shingle_count,
                    claimed=(url_claim != NO_SLOT, hash_claim != NO_SLOT))
        self._seq += 1
        if self._dir is not None:
            indexed = status == UNIQUE
            self._unsaved += _encode_log_record(self._seq, fp.article_id, keys[1], keys[2], at, status, of,
                                                similarity, signature if indexed else None,
                                                bands if indexed else None, fp.shingle_count)
        return decision

    def _usable(self, slot: int, at: float) -> int:
        if slot != NO_SLOT and at - self._records.fetched_at[slot] < self.window_seconds:
            return slot
        return NO_SLOT

    def _near_match(self, batch: _Batch, i: int, row: int, count: int, at: float) -> tuple[str, float] | None:
        """The best verified candidate: those found in the runs were verified for the whole batch;
        those in the dict (indexed recently, maybe by this batch) are verified here."""
        verified = list(batch.verified_in_runs.get(i, ()))
        recent = self._by_band.pending_find_all(batch.band_lists[row])
        if recent:
            near, fetched_at = self._near, self._records.fetched_at
            rows = sorted(set(recent))
            matches = np.count_nonzero(near.signature[rows] == batch.signatures[row], axis=1).tolist()
            for record, m, c in zip(near.record[rows].tolist(), matches, near.count[rows].tolist()):
                if at - fetched_at[record] < self.window_seconds:
                    similarity = near_similarity(m, self.num_perm, count, c, self.thresholds)
                    if similarity is not None:
                        verified.append((record, similarity))
        if not verified:
            return None
        return best_match((self._records.article_id(record), similarity) for record, similarity in verified)

    def _apply(self, article_id: str, keys: list[int], at: float, status: int, of: str | None,
               similarity: float, signature: np.ndarray | None, bands: np.ndarray | None, count: int,
               claimed: tuple[bool, bool] | None = None) -> None:
        """Record a decision and make its claims (base.py step 3); also used to replay the log.
        keys: the id, URL and hash keys; claimed: whether URL and hash hold a usable claim (looked
        up when not given)."""
        if claimed is None:
            _, url_slot, hash_slot = self._claims.newest(keys)
            claimed = (self._usable(url_slot, at) != NO_SLOT, self._usable(hash_slot, at) != NO_SLOT)
        slot = self._records.append(article_id, at, status, of, similarity)
        self._claims.add_many([key for key, taken in zip(keys, (False, *claimed)) if not taken], slot)
        if status == UNIQUE and signature is not None:
            row = self._near.append(signature, count, slot)
            self._by_band.add_many(bands.tolist(), row)
        self._clock = max(self._clock, at)
        self._since_expiry_check += 1

    # --- window -----------------------------------------------------------------------------------

    def _drop_expired(self) -> None:
        """Compact away the records out of the window, once they are a share of all worth it."""
        records = self._records
        live = records.fetched_at[: records.size] > self._clock - self.window_seconds
        expired = records.size - int(np.count_nonzero(live))
        if not expired or expired < EXPIRED_SHARE_TO_COMPACT * records.size:
            return
        new_record = np.where(live, np.cumsum(live) - 1, NO_SLOT).astype(np.int32)
        near = self._near
        near_live = live[near.record[: near.size]]
        new_row = np.where(near_live, np.cumsum(near_live) - 1, NO_SLOT).astype(np.int32)
        records.keep(live)
        near.keep(near_live, new_record)
        self._claims.compact(new_record)
        self._by_band.compact(new_row)
        release_freed_memory()

    def size(self) -> int:
        """Articles held: those in the window, and expired ones until the next compaction."""
        return self._records.size

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays (not counting the small pending dicts)."""
        return self._records.nbytes + self._near.nbytes + self._claims.nbytes + self._by_band.nbytes

    # --- durability -------------------------------------------------------------------------------

    def checkpoint(self) -> None:
        if self._dir is None or not self._unsaved:
            return
        self._dir.mkdir(parents=True, exist_ok=True)
        with open(self._dir / LOG_FILE, "ab") as log:
            log.write(self._unsaved)
            log.flush()
            os.fsync(log.fileno())
        self._log_records += self._seq - self._logged_seq
        self._logged_seq = self._seq
        self._unsaved = bytearray()
        if self._log_records >= max(MIN_LOG_RECORDS_FOR_SNAPSHOT, self.size()):
            self._snapshot()

    def _snapshot(self) -> None:
        assert self._dir is not None
        self._drop_expired()
        arrays = {
            "meta": np.array([FORMAT_VERSION, self._seq, self.num_perm], dtype=np.int64),
            "clock": np.array([self._clock]),
            **self._records.arrays("r_"),
            **self._near.arrays("n_"),
        }
        for name, table in (("claims", self._claims), ("band", self._by_band)):
            arrays[f"k_{name}"], arrays[f"s_{name}"] = table.arrays()
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=".dedup-snapshot-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._dir / SNAPSHOT_FILE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self._dir)
        # The snapshot holds everything the log held: start a new log (a crash before this line
        # leaves old records in the log, which restore skips by sequence number).
        with open(self._dir / LOG_FILE, "wb") as log:
            os.fsync(log.fileno())
        self._log_records = 0

    def _restore(self) -> None:
        assert self._dir is not None
        snapshot = self._dir / SNAPSHOT_FILE
        if snapshot.exists():
            with np.load(snapshot) as data:
                version, seq, num_perm = (int(v) for v in data["meta"])
                if version != FORMAT_VERSION or num_perm != self.num_perm:
                    raise RuntimeError(
                        f"{snapshot} was written with format {version} and DEDUP_NUM_PERM={num_perm}; this worker "
                        f"uses format {FORMAT_VERSION} and DEDUP_NUM_PERM={self.num_perm}. Move the state "
                        f"directory away to start with an empty index.")
                self._clock = float(data["clock"][0])
                self._records.load(data, "r_")
                self._near.load(data, "n_")
                for name, table in (("claims", self._claims), ("band", self._by_band)):
                    table.load(data[f"k_{name}"], data[f"s_{name}"])
            self._seq = seq
        log = self._dir / LOG_FILE
        if log.exists():
            valid_length = 0
            with open(log, "rb") as handle:
                content = handle.read()
            for end, record in _read_log(content):
                valid_length = end
                if record[0] <= self._seq:
                    continue
                seq, article_id, url_key, hash_key, at, status, of, similarity, signature, bands, count = record
                self._apply(article_id, [_key64(article_id, ID_SEED), url_key, hash_key], at, status, of,
                            similarity, signature, bands, count)
                self._claims.flush_if_full()
                self._by_band.flush_if_full()
                self._seq = seq
                self._log_records += 1
            if valid_length < len(content):  # a torn record from a crash mid-append: cut it off
                with open(log, "r+b") as handle:
                    handle.truncate(valid_length)
                    os.fsync(handle.fileno())
        self._logged_seq = self._seq

    def close(self) -> None:
        self.checkpoint()


class _Batch:
    """What a batch of decisions needs from the sorted runs, looked up for all of it at once."""

    def __init__(self, index: MemoryIndex, fingerprints: Sequence[Fingerprint]):
        self.keys = [[_key64(fp.article_id, ID_SEED), _key64(fp.url_key, URL_SEED), _key64(fp.content_hash, HASH_SEED)]
                     for fp in fingerprints]
        self.times = [fp.fetched_at.timestamp() for fp in fingerprints]
        self.claims_in_runs = index._claims.runs_newest(np.array(self.keys, dtype=np.uint64).ravel()) \
            .reshape(-1, 3).tolist()
        with_signature = [i for i, fp in enumerate(fingerprints) if fp.signature]
        self.signature_row = [NO_SLOT] * len(fingerprints)
        for row, i in enumerate(with_signature):
            self.signature_row[i] = row
        self.verified_in_runs: dict[int, list[tuple[int, float]]] = {}
        if not with_signature:
            return
        num_perm = index.num_perm
        values = np.frombuffer(b"".join(fingerprints[i].signature for i in with_signature), "<u4")
        band_count = len(fingerprints[with_signature[0]].band_keys)
        band_bytes = b"".join([b"".join(fingerprints[i].band_keys) for i in with_signature])
        if values.size != num_perm * len(with_signature) or values.max() >= 1 << 8 or \
                len(band_bytes) != 8 * band_count * len(with_signature):
            raise ValueError(f"signatures must be {num_perm} values below 2^8 with the same number of band keys")
        self.signatures = values.astype(np.uint8).reshape(-1, num_perm)
        # A band's key in the table is the low half of its 8-byte key (little-endian).
        self.bands = np.frombuffer(band_bytes, "<u4")[::2].reshape(-1, band_count)
        self.band_lists = self.bands.tolist()
        self._verify_runs(index, fingerprints, with_signature, band_count)

    def _verify_runs(self, index: MemoryIndex, fingerprints, with_signature: list[int], band_count: int) -> None:
        query, rows = index._by_band.runs_find_all(self.bands.ravel())
        if not len(query):
            return
        # A pair found under several bands is verified several times (same answer): cheaper than
        # deduplicating pairs, as most candidates share a single band by chance.
        signature_rows = query // band_count
        near, fetched_at = index._near, index._records.fetched_at
        matches = np.count_nonzero(near.signature[rows] == self.signatures[signature_rows], axis=1)
        records = near.record[rows]
        if len(rows) <= SCALAR_VERIFY_MAX:  # a few pairs: plain Python beats numpy's fixed cost per call
            for row, m, record, their_count in zip(signature_rows.tolist(), matches.tolist(), records.tolist(),
                                                   near.count[rows].tolist()):
                position = with_signature[row]
                if self.times[position] - fetched_at[record] < index.window_seconds:
                    similarity = near_similarity(m, index.num_perm, fingerprints[position].shingle_count,
                                                 their_count, index.thresholds)
                    if similarity is not None:
                        self.verified_in_runs.setdefault(position, []).append((record, similarity))
            return
        batch_positions = np.array(with_signature)[signature_rows]
        counts = np.array([fingerprints[i].shingle_count for i in with_signature])[signature_rows]
        similarity = near_similarities(matches, index.num_perm, counts, near.count[rows], index.thresholds)
        usable = np.array(self.times)[batch_positions] - fetched_at[records] < index.window_seconds
        passed = usable & ~np.isnan(similarity)
        for position, record, value in zip(batch_positions[passed].tolist(), records[passed].tolist(),
                                           similarity[passed].tolist()):
            self.verified_in_runs.setdefault(position, []).append((record, value))


class _Records:
    """Every decided article in the window, by slot (append order)."""

    def __init__(self, capacity: int = 1024, id_width: int = 32):
        self.size = 0
        self._allocate(capacity, id_width)

    def _allocate(self, capacity: int, id_width: int) -> None:
        self.ids = np.zeros(capacity, f"S{id_width}")
        self.fetched_at = np.zeros(capacity, np.float64)
        self.status = np.zeros(capacity, np.uint8)
        self.duplicate_of = np.zeros(capacity, f"S{id_width}")
        self.similarity = np.zeros(capacity, np.uint16)

    def _grow(self, capacity: int, id_width: int) -> None:
        old = (self.ids, self.fetched_at, self.status, self.duplicate_of, self.similarity)
        self._allocate(capacity, id_width)
        for new, previous in zip((self.ids, self.fetched_at, self.status, self.duplicate_of, self.similarity), old):
            new[: self.size] = previous[: self.size]

    def append(self, article_id: str, at: float, status: int, of: str | None, similarity: float) -> int:
        encoded, encoded_of = article_id.encode(), (of or "").encode()
        width = max(len(encoded), len(encoded_of))
        if self.size == len(self.ids) or width > self.ids.dtype.itemsize:
            self._grow(max(len(self.ids), int(self.size * 1.5) + 1024), max(width, self.ids.dtype.itemsize))
        slot = self.size
        self.ids[slot] = encoded
        self.fetched_at[slot] = at
        self.status[slot] = status
        self.duplicate_of[slot] = encoded_of
        self.similarity[slot] = round(similarity * SIMILARITY_SCALE)
        self.size += 1
        return slot

    def article_id(self, slot: int) -> str:
        return self.ids[slot].decode()

    def canonical(self, slot: int) -> str:
        """The unique article a record stands for: itself, or the one it duplicates."""
        return self.article_id(slot) if self.status[slot] == UNIQUE else self.duplicate_of[slot].decode()

    def decision(self, slot: int) -> DedupDecision:
        status = int(self.status[slot])
        if status == UNIQUE:
            return DedupDecision.unique()
        return DedupDecision.duplicate(self.duplicate_of[slot].decode(), METHODS[status],
                                       int(self.similarity[slot]) / SIMILARITY_SCALE)

    def keep(self, live: np.ndarray) -> None:
        columns = [column[: self.size][live] for column in
                   (self.ids, self.fetched_at, self.status, self.duplicate_of, self.similarity)]
        self.size = len(columns[0])
        self._allocate(int(self.size * 1.25) + 1024, self.ids.dtype.itemsize)
        for new, kept in zip((self.ids, self.fetched_at, self.status, self.duplicate_of, self.similarity), columns):
            new[: self.size] = kept

    @property
    def nbytes(self) -> int:
        return sum(c[: self.size].nbytes for c in
                   (self.ids, self.fetched_at, self.status, self.duplicate_of, self.similarity))

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        n = self.size
        return {f"{prefix}ids": self.ids[:n], f"{prefix}fetched_at": self.fetched_at[:n],
                f"{prefix}status": self.status[:n], f"{prefix}duplicate_of": self.duplicate_of[:n],
                f"{prefix}similarity": self.similarity[:n]}

    def load(self, data, prefix: str) -> None:
        ids = data[f"{prefix}ids"]
        self.size = len(ids)
        self._allocate(int(self.size * 1.25) + 1024, max(ids.dtype.itemsize, 1))
        for name in ("ids", "fetched_at", "status", "duplicate_of", "similarity"):
            getattr(self, name)[: self.size] = data[f"{prefix}{name}"]


class _NearRows:
    """Unique articles indexed for near matching: 8-bit signature values, shingle count, record slot."""

    def __init__(self, num_perm: int, capacity: int = 1024):
        self.num_perm = num_perm
        self.size = 0
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        self.signature = np.zeros((capacity, self.num_perm), np.uint8)
        self.count = np.zeros(capacity, np.uint32)
        self.record = np.zeros(capacity, np.int32)

    def append(self, signature: np.ndarray, count: int, record: int) -> int:
        if self.size == len(self.count):
            old = (self.signature, self.count, self.record)
            self._allocate(int(self.size * 1.5) + 1024)
            for new, previous in zip((self.signature, self.count, self.record), old):
                new[: self.size] = previous[: self.size]
        row = self.size
        self.signature[row] = signature
        self.count[row] = count
        self.record[row] = record
        self.size += 1
        return row

    def keep(self, live: np.ndarray, new_record: np.ndarray) -> None:
        signature, count = self.signature[: self.size][live], self.count[: self.size][live]
        record = new_record[self.record[: self.size][live]]
        self.size = len(count)
        self._allocate(int(self.size * 1.25) + 1024)
        self.signature[: self.size], self.count[: self.size], self.record[: self.size] = signature, count, record

    @property
    def nbytes(self) -> int:
        return self.signature[: self.size].nbytes + self.count[: self.size].nbytes + self.record[: self.size].nbytes

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        n = self.size
        return {f"{prefix}signature": self.signature[:n], f"{prefix}count": self.count[:n],
                f"{prefix}record": self.record[:n]}

    def load(self, data, prefix: str) -> None:
        count = data[f"{prefix}count"]
        self.size = len(count)
        self._allocate(int(self.size * 1.25) + 1024)
        self.signature[: self.size] = data[f"{prefix}signature"]
        self.count[: self.size] = count
        self.record[: self.size] = data[f"{prefix}record"]


def _encode_log_record(seq: int, article_id: str, url_key: int, hash_key: int, at: float, status: int,
                       of: str | None, similarity: float, signature: np.ndarray | None, bands: np.ndarray | None,
                       count: int) -> bytes:
    encoded_id, encoded_of = article_id.encode(), (of or "").encode()
    signature_bytes = b"" if signature is None else signature.astype(np.uint8).tobytes()
    band_bytes = b"" if bands is None else bands.astype("<u4").tobytes()
    payload = b"".join((
        _LOG_FIXED.pack(at, status, round(similarity * SIMILARITY_SCALE), count, len(signature_bytes),
                        len(band_bytes) // 4, url_key, hash_key),
        struct.pack("<H", len(encoded_id)), encoded_id, struct.pack("<H", len(encoded_of)), encoded_of,
        signature_bytes, band_bytes,
    ))
    return _LOG_HEADER.pack(len(payload), zlib.crc32(payload), seq) + payload


def _read_log(content: bytes):
    """Yield (end offset, record) for each intact record; stop at the first torn or corrupt one."""
    offset = 0
    while offset + _LOG_HEADER.size <= len(content):
        length, crc, seq = _LOG_HEADER.unpack_from(content, offset)
        start, end = offset + _LOG_HEADER.size, offset + _LOG_HEADER.size + length
        payload = content[start:end]
        if end > len(content) or zlib.crc32(payload) != crc:
            return
        at, status, similarity, count, n_values, n_bands, url_key, hash_key = _LOG_FIXED.unpack_from(payload, 0)
        position = _LOG_FIXED.size
        (id_length,) = struct.unpack_from("<H", payload, position)
        article_id = payload[position + 2: position + 2 + id_length].decode()
        position += 2 + id_length
        (of_length,) = struct.unpack_from("<H", payload, position)
        of = payload[position + 2: position + 2 + of_length].decode() or None
        position += 2 + of_length
        signature = bands = None
        if n_values:
            signature = np.frombuffer(payload, np.uint8, n_values, position).copy()
            position += n_values
            bands = np.frombuffer(payload, "<u4", n_bands, position).astype(np.uint32)
        yield end, (seq, article_id, url_key, hash_key, at, status, of, similarity / SIMILARITY_SCALE,
                    signature, bands, count)
        offset = end


def _fsync_dir(path: Path) -> None:
    """Make a rename inside path durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

