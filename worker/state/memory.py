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
seen, or the wall clock when that is earlier) are dropped by a compaction that renumbers slots in order, once they are a quarter of all.

Speed: decide_many() searches the tables once for the keys of a whole batch (numpy's fixed cost
per call, not the search, is what a lookup of a few keys costs; each distinct key once), verifies
every candidate found there in one numpy pass (skipping items that a usable URL or hash claim in
the tables already decides), pairs the batch's own items sharing a band with one sort, and writes the
batch's records and entries at its end (one sorted merge, no dict of recent entries); so batches
are several times faster per decision than decide(), a batch of one (bench/dedup_memory.py).

Durability (checkpoint): every applied decision is appended to an in-memory buffer; checkpoint()
appends the buffer to a log file and fsyncs it. When the log outgrows the last snapshot, the whole
state is written as a snapshot (temp file, fsync, rename) and the log restarts. Restoring loads
the snapshot and re-applies the log records after it (each has a sequence number; a torn last
record from a crash mid-write is cut off). State after a restart is therefore exactly the state
at the last checkpoint, which the service takes before delivering a batch's outputs.
"""
from __future__ import annotations

import logging
import math
import os
import time
import struct
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xxhash

from ..config import DedupSettings
from ..dedup.similarity import NearThresholds, best_match, near_similarities, near_similarity
from ..errors import DependencyUnavailable
from ..models import DedupDecision
from .base import DedupIndex, Fingerprint
from .memory_tables import NO_SLOT, SlotTable, release_freed_memory, return_large_allocations, stable_order

_log = logging.getLogger(__name__)

SNAPSHOT_FILE = "dedup-memory.npz"
LOG_FILE = "dedup-memory.log"
FORMAT_VERSION = 1

UNIQUE, URL, EXACT, NEAR = 0, 1, 2, 3
METHODS = (None, "url", "exact", "near")
STATUS = {method: status for status, method in enumerate(METHODS)}
UNIQUE_DECISION = DedupDecision.unique()
SIMILARITY_SCALE = 10_000  # decisions carry similarity rounded to 4 decimals: stored exactly as uint16

# Up to this many candidate pairs of a batch are verified in plain Python, more with numpy (the
# same arithmetic: worker/dedup/similarity.py).
SCALAR_VERIFY_MAX = 16
# Compaction runs when at least this share of records is out of the window.
EXPIRED_SHARE_TO_COMPACT = 0.25
# How often (in decisions) to look for expired records.
EXPIRY_CHECK_EVERY = 4096
# Log records re-applied on restore are written to the tables in chunks of this many.
RESTORE_STAGED_RECORDS = 4096
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
        # Each batch's entries are merged into the first, small run (a decision one by one then
        # copies a few thousand entries, not the whole table); the band runs of up to 256k and 2M
        # entries hold about 4k and 31k articles at 64 bands (bench/dedup_memory.py).
        self._claims = SlotTable(np.uint64, run_limits=(1 << 12, 1 << 18))  # id, URL, hash -> record
        self._by_band = SlotTable(np.uint32, run_limits=(1 << 14, 1 << 18, 1 << 21))
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

        The tables do not change during a batch (its records and entries are staged, then written
        at its end), so they are searched once for the keys of the whole batch, and the candidates
        they hold are verified in one numpy pass; so are the pairs of batch items sharing a band.
        Each decision then only looks at what the batch itself staged before it.
        """
        if not fingerprints:
            return []
        batch = _Batch(self, fingerprints)
        staged = _Staged(self)
        decisions = [self._decide_in(batch, staged, i, fp) for i, fp in enumerate(fingerprints)]
        staged.write(batch)
        if self._since_expiry_check >= EXPIRY_CHECK_EVERY:
            self._since_expiry_check = 0
            self._drop_expired()
        return decisions

    def _decide_in(self, batch: _Batch, staged: _Staged, i: int, fp: Fingerprint) -> DedupDecision:
        keys = batch.keys[i]
        id_key, url_key, hash_key = keys
        claims = staged.claims
        # A key the batch claimed before holds a newer slot than any in the tables.
        id_slot = claims.get(id_key, batch.id_claimed[i])
        if id_slot != NO_SLOT and staged.article_id(id_slot) == fp.article_id:
            return staged.decision(id_slot)
        at = batch.times[i]
        url_claim, hash_claim = batch.usable_claims[i]
        if url_key in claims:
            url_claim = staged.usable(claims[url_key], at)
        if hash_key in claims:
            hash_claim = staged.usable(claims[hash_key], at)
        row = batch.signature_row[i]
        if url_claim != NO_SLOT:
            decision = DedupDecision.duplicate(staged.canonical(url_claim), "url", 1.0)
        elif hash_claim != NO_SLOT:
            decision = DedupDecision.duplicate(staged.canonical(hash_claim), "exact", 1.0)
        elif row != NO_SLOT and (match := self._near_match(batch, staged, i, row, fp.shingle_count, at)):
            decision = DedupDecision.duplicate(match[0], "near", match[1])
        else:
            decision = UNIQUE_DECISION
        indexed = decision is UNIQUE_DECISION and row != NO_SLOT
        slot = staged.record(fp.article_id, keys, at, decision, url_claim != NO_SLOT, hash_claim != NO_SLOT)
        if indexed:
            staged.index_batch_row(slot, row, fp.shingle_count)
        self._seq += 1
        if self._dir is not None:
            self._unsaved += _encode_log_record(
                self._seq, fp.article_id, keys[1], keys[2], at, STATUS[decision.method], decision.duplicate_of,
                decision.similarity or 0.0, batch.signatures[row] if indexed else None,
                batch.bands[row] if indexed else None, fp.shingle_count)
        return decision

    def _near_match(self, batch: _Batch, staged: _Staged, i: int, row: int, count: int,
                    at: float) -> tuple[str, float] | None:
        """The best verified candidate: those in the tables were verified for the whole batch;
        earlier items of the batch sharing a band count when they were indexed and are usable."""
        verified = [(staged.article_id(record), similarity) for record, similarity in batch.verified_in_tables.get(i, ())]
        for earlier, m in batch.pairs_in_batch.get(row, ()):
            slot = staged.near_slot.get(earlier, NO_SLOT)
            if slot != NO_SLOT and staged.usable(slot, at) != NO_SLOT:
                similarity = near_similarity(m, self.num_perm, count, batch.counts[earlier], self.thresholds)
                if similarity is not None:
                    verified.append((staged.article_id(slot), similarity))
        return best_match(verified) if verified else None

    def _reapply(self, staged: _Staged, article_id: str, keys: list[int], at: float, status: int, of: str | None,
                 similarity: float, signature: np.ndarray | None, bands: np.ndarray | None, count: int) -> None:
        """Re-apply a decision read from the log: its record and claims, as _decide_in made them."""
        in_tables = self._claims.newest(np.array(keys, dtype=np.uint64)).tolist()
        url_slot, hash_slot = (staged.claims.get(key, slot) for key, slot in zip(keys[1:], in_tables[1:]))
        decision = UNIQUE_DECISION if status == UNIQUE else DedupDecision.duplicate(of, METHODS[status], similarity)
        slot = staged.record(article_id, keys, at, decision, staged.usable(url_slot, at) != NO_SLOT,
                             staged.usable(hash_slot, at) != NO_SLOT)
        if status == UNIQUE and signature is not None:
            staged.index_near(slot, signature, bands, count)

    # --- window -----------------------------------------------------------------------------------

    def _drop_expired(self) -> None:
        """Compact away the records out of the window, once they are a share of all worth it."""
        records = self._records
        # Never a horizon past the wall clock: one record with a far-future fetched_at must not
        # expire the whole index (the clock itself stays the newest fetched_at: restored exactly).
        horizon = min(self._clock, time.time()) - self.window_seconds
        live = records.fetched_at[: records.size] > horizon
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
        """Bytes held in arrays."""
        return self._records.nbytes + self._near.nbytes + self._claims.nbytes + self._by_band.nbytes

    # --- durability -------------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Appends the decisions since the last checkpoint to the log. A directory that cannot take
        them (full disk, lost mount) raises DependencyUnavailable, the log cut back to where it was,
        so that the service pauses and a retry appends the same records again (never after a torn
        one). The snapshot is only a shortcut for restoring: when it cannot be written the log
        keeps everything, and the next checkpoint tries again."""
        if self._dir is None or not self._unsaved:
            return
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            _append_durably(self._dir / LOG_FILE, self._unsaved)
        except OSError as error:
            raise DependencyUnavailable(f"dedup state directory {self._dir}: {error}") from error
        self._log_records += self._seq - self._logged_seq
        self._logged_seq = self._seq
        self._unsaved = bytearray()
        if self._log_records >= max(MIN_LOG_RECORDS_FOR_SNAPSHOT, self.size()):
            try:
                self._snapshot()
            except OSError as error:
                _log.warning("dedup state snapshot not written; the log holds every decision",
                            extra={"error": str(error)})

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
            staged = _Staged(self)
            for end, record in _read_log(content):
                valid_length = end
                if record[0] <= self._seq:
                    continue
                seq, article_id, url_key, hash_key, at, status, of, similarity, signature, bands, count = record
                self._reapply(staged, article_id, [_key64(article_id, ID_SEED), url_key, hash_key], at, status, of,
                              similarity, signature, bands, count)
                self._seq = seq
                self._log_records += 1
                if len(staged) >= RESTORE_STAGED_RECORDS:
                    staged.write()
                    staged = _Staged(self)
            staged.write()
            if valid_length < len(content):  # a torn record from a crash mid-append: cut it off
                with open(log, "r+b") as handle:
                    handle.truncate(valid_length)
                    os.fsync(handle.fileno())
        self._logged_seq = self._seq

    def close(self) -> None:
        try:
            self.checkpoint()
        except DependencyUnavailable as error:
            # Decisions not checkpointed were never delivered (the loop checkpoints first): their
            # records are uncommitted, and decided again after the restart.
            _log.warning("dedup state not saved at close", extra={"error": str(error)})


class _Batch:
    """What a batch of decisions needs from the tables, looked up for all of it at once, and the
    pairs of its own items that share a band, verified at once."""

    def __init__(self, index: MemoryIndex, fingerprints: Sequence[Fingerprint]):
        self.keys = [[_key64(fp.article_id, ID_SEED), _key64(fp.url_key, URL_SEED), _key64(fp.content_hash, HASH_SEED)]
                     for fp in fingerprints]
        self.times = [fp.fetched_at.timestamp() for fp in fingerprints]
        # The newest slot of each key in the tables (id, URL, hash).
        claimed = index._claims.newest(np.array(self.keys, dtype=np.uint64).ravel()).reshape(-1, 3)
        self.id_claimed = claimed[:, 0].tolist()
        # The URL and hash claims in the tables usable for each item (slot, or NO_SLOT), by the
        # rule of _Staged.usable (same float64 arithmetic); one the batch stages for the same key
        # takes their place.
        slots = claimed[:, 1:]
        age = np.array(self.times)[:, None] - index._records.fetched_at.take(np.maximum(slots, 0))
        usable = (slots != NO_SLOT) & (age < index.window_seconds)
        self.usable_claims = np.where(usable, slots, NO_SLOT).tolist()
        with_signature = [i for i, fp in enumerate(fingerprints) if fp.signature]
        self.signature_row = [NO_SLOT] * len(fingerprints)
        for row, i in enumerate(with_signature):
            self.signature_row[i] = row
        self.verified_in_tables: dict[int, list[tuple[int, float]]] = {}
        self.pairs_in_batch: dict[int, list[tuple[int, int]]] = {}
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
        self.counts = [fingerprints[i].shingle_count for i in with_signature]
        # A band's key in the table is the low half of its 8-byte key (little-endian).
        self.bands = np.frombuffer(band_bytes, "<u4")[::2].reshape(-1, band_count)
        # The batch's band keys in order, equal keys by batch order: for the searches of the
        # tables and to pair the batch's own items.
        order = stable_order(self.bands.ravel())
        # An item with a usable URL or hash claim in the tables is a url or exact duplicate
        # whatever the batch decides before it (a claim the batch stages for the same key replaced
        # one unusable for a page fetched a window or more after that claim, so later than this
        # page: usable for it too): its near candidates would never be looked at.
        self._verify_tables(index, with_signature, band_count, order, usable[with_signature].any(axis=1))
        self._pair_within_batch(order)

    def _verify_tables(self, index: MemoryIndex, with_signature: list[int], band_count: int,
                       order: np.ndarray, decided_by_claims: np.ndarray) -> None:
        query, rows = index._by_band.find_all(self.bands.ravel(), order)
        if decided_by_claims.any() and len(query):
            needed = ~decided_by_claims[query // band_count]
            query, rows = query[needed], rows[needed]
        if not len(query):
            return
        # A pair found under several bands is verified several times (same answer): cheaper than
        # deduplicating pairs, as most candidates share a single band by chance.
        signature_rows = query // band_count
        near, fetched_at = index._near, index._records.fetched_at
        matches = _matches(near.signature, rows, self.signatures, signature_rows)
        records = near.record[rows]
        if len(rows) <= SCALAR_VERIFY_MAX:  # a few pairs: plain Python beats numpy's fixed cost per call
            for row, m, record, their_count in zip(signature_rows.tolist(), matches.tolist(), records.tolist(),
                                                   near.count[rows].tolist()):
                position = with_signature[row]
                if self.times[position] - fetched_at[record] < index.window_seconds:
                    similarity = near_similarity(m, index.num_perm, self.counts[row], their_count, index.thresholds)
                    if similarity is not None:
                        self.verified_in_tables.setdefault(position, []).append((record, similarity))
            return
        batch_positions = np.array(with_signature)[signature_rows]
        counts = np.array(self.counts)[signature_rows]
        similarity = near_similarities(matches, index.num_perm, counts, near.count[rows], index.thresholds)
        usable = np.array(self.times)[batch_positions] - fetched_at[records] < index.window_seconds
        passed = usable & ~np.isnan(similarity)
        for position, record, value in zip(batch_positions[passed].tolist(), records[passed].tolist(),
                                           similarity[passed].tolist()):
            self.verified_in_tables.setdefault(position, []).append((record, value))

    def _pair_within_batch(self, order: np.ndarray) -> None:
        """pairs_in_batch[later row] = [(earlier row, matching values), ...] for the signature rows
        of this batch sharing a band key. Whether the earlier one counts (it must be indexed, and
        usable) is known only when the later one is decided."""
        rows, band_count = self.bands.shape
        if rows < 2:
            return
        flat = self.bands.ravel()
        owner = order // band_count
        sorted_keys = flat[order]
        group = np.concatenate(([0], np.cumsum(sorted_keys[1:] != sorted_keys[:-1])))
        earlier, later = [], []
        distance = 1
        while distance < len(group):  # pairs `distance` apart in one group of equal keys
            same = (group[distance:] == group[:-distance]).nonzero()[0]
            if not len(same):
                break
            earlier.append(owner[same])
            later.append(owner[same + distance])
            distance += 1
        if not earlier:
            return
        pairs = np.unique(np.concatenate(earlier) * rows + np.concatenate(later))
        earlier_rows, later_rows = pairs // rows, pairs % rows
        distinct = earlier_rows != later_rows  # one item's own bands may share a 32-bit key
        earlier_rows, later_rows = earlier_rows[distinct], later_rows[distinct]
        matches = _matches(self.signatures, earlier_rows, self.signatures, later_rows)
        for first, second, m in zip(earlier_rows.tolist(), later_rows.tolist(), matches.tolist()):
            self.pairs_in_batch.setdefault(second, []).append((first, m))


class _Staged:
    """The records and claims of decisions taken in a batch, before they are written to the tables
    (then in one go: sorted and merged, not one entry at a time). Slots are numbered on from the
    records already written, so a slot names a record whether it is written or staged."""

    def __init__(self, index: MemoryIndex):
        self._index = index
        self._records = index._records
        self._first = index._records.size
        self.claims: dict[int, int] = {}  # key -> newest slot the batch claimed it with
        self._claim_keys: list[int] = []
        self._claim_slots: list[int] = []
        self._ids: list[str] = []
        self._times: list[float] = []
        self._decisions: list[DedupDecision] = []
        self._canonical: list[str] = []
        # Near rows of indexed articles: their signature, bands, shingle count, slot.
        self._near_signatures: list[np.ndarray] = []
        self._near_bands: list[np.ndarray] = []
        self._near_batch_rows: list[int] = []  # or their rows in the batch's arrays
        self._near_counts: list[int] = []
        self._near_slots: list[int] = []
        self.near_slot: dict[int, int] = {}  # signature row in the batch -> slot, when indexed

    def __len__(self) -> int:
        return len(self._ids)

    def record(self, article_id: str, keys: list[int], at: float, decision: DedupDecision,
               url_claimed: bool, hash_claimed: bool) -> int:
        """Stage a decision's record and its claims (base.py step 3); returns its slot."""
        slot = self._first + len(self._ids)
        self._ids.append(article_id)
        self._times.append(at)
        self._decisions.append(decision)
        self._canonical.append(decision.duplicate_of or article_id)
        claimed = keys if not (url_claimed or hash_claimed) else \
            [key for key, taken in zip(keys, (False, url_claimed, hash_claimed)) if not taken]
        for key in claimed:
            self.claims[key] = slot
        self._claim_keys += claimed
        self._claim_slots += [slot] * len(claimed)
        index = self._index
        if at > index._clock:
            index._clock = at
        index._since_expiry_check += 1
        return slot

    def index_near(self, slot: int, signature: np.ndarray, bands: np.ndarray, count: int) -> None:
        """Index a decision re-applied from the log for near matching."""
        self._near_signatures.append(signature)
        self._near_bands.append(bands)
        self._near_counts.append(count)
        self._near_slots.append(slot)

    def index_batch_row(self, slot: int, batch_row: int, count: int) -> None:
        """Index a batch item for near matching: its signature and bands are taken from the batch's
        arrays when written (one take, not a stack of rows)."""
        self._near_batch_rows.append(batch_row)
        self._near_counts.append(count)
        self._near_slots.append(slot)
        self.near_slot[batch_row] = slot

    # A slot's record, written or staged:
    def article_id(self, slot: int) -> str:
        return self._ids[slot - self._first] if slot >= self._first else self._records.article_id(slot)

    def decision(self, slot: int) -> DedupDecision:
        return self._decisions[slot - self._first] if slot >= self._first else self._records.decision(slot)

    def canonical(self, slot: int) -> str:
        return self._canonical[slot - self._first] if slot >= self._first else self._records.canonical(slot)

    def usable(self, slot: int, at: float) -> int:
        """slot when its record is usable for a page fetched at `at`, else NO_SLOT."""
        if slot == NO_SLOT:
            return NO_SLOT
        fetched_at = self._times[slot - self._first] if slot >= self._first else self._records.fetched_at[slot]
        return slot if at - fetched_at < self._index.window_seconds else NO_SLOT

    def write(self, batch: _Batch | None = None) -> None:
        """Append the staged records and near rows, and merge the claims and bands into the tables.
        batch: the batch the decisions were taken in (None: re-applied from the log)."""
        if not self._ids:
            return
        index = self._index
        self._records.append_many(self._ids, self._times, self._decisions)
        index._claims.add(np.array(self._claim_keys, dtype=np.uint64), np.array(self._claim_slots, dtype=np.int32))
        if self._near_slots:
            if batch is not None:
                signatures = batch.signatures.take(self._near_batch_rows, axis=0)
                bands = batch.bands.take(self._near_batch_rows, axis=0)
            else:
                signatures, bands = np.stack(self._near_signatures), np.stack(self._near_bands)
            first_row = index._near.append_many(signatures, self._near_counts, self._near_slots)
            rows = np.arange(first_row, first_row + len(bands), dtype=np.int32)
            index._by_band.add(bands.ravel(), np.repeat(rows, bands.shape[1]))


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

    def append_many(self, article_ids: list[str], times: list[float], decisions: list[DedupDecision]) -> None:
        encoded = [article_id.encode() for article_id in article_ids]
        encoded_of = [(decision.duplicate_of or "").encode() for decision in decisions]
        width = max(max(map(len, encoded)), max(map(len, encoded_of)))
        end = self.size + len(encoded)
        if end > len(self.ids) or width > self.ids.dtype.itemsize:
            self._grow(max(len(self.ids), int(end * 1.5) + 1024), max(width, self.ids.dtype.itemsize))
        self.ids[self.size:end] = encoded
        self.fetched_at[self.size:end] = times
        self.status[self.size:end] = [STATUS[decision.method] for decision in decisions]
        self.duplicate_of[self.size:end] = encoded_of
        self.similarity[self.size:end] = [round((decision.similarity or 0.0) * SIMILARITY_SCALE)
                                          for decision in decisions]
        self.size = end

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

    def append_many(self, signatures: np.ndarray, counts: list[int], records: list[int]) -> int:
        """Append rows; returns the first one's number."""
        first, end = self.size, self.size + len(counts)
        if end > len(self.count):
            old = (self.signature, self.count, self.record)
            self._allocate(int(end * 1.5) + 1024)
            for new, previous in zip((self.signature, self.count, self.record), old):
                new[: self.size] = previous[: self.size]
        self.signature[first:end] = signatures
        self.count[first:end] = counts
        self.record[first:end] = records
        self.size = end
        return first

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


_BYTE_PAIRS = np.uint64(0x00FF00FF00FF00FF)
_ADD_LANES = np.uint64(0x0001000100010001)


def _matches(signatures_a: np.ndarray, rows_a: np.ndarray, signatures_b: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """The match count m of each pair (signatures_a[rows_a[k]], signatures_b[rows_b[k]]) (8-bit values).

    take() instead of fancy indexing, and the equal bytes summed 8 at a time as 64-bit words (each
    byte lane of the sum counts to at most num_perm / 8, then the lanes are added by a multiply):
    together 1.6x faster than np.count_nonzero(a[rows] == b[rows], axis=1) on a batch's candidates.
    """
    equal = signatures_a.take(rows_a, axis=0) == signatures_b.take(rows_b, axis=0)
    if equal.shape[1] % 8 or equal.shape[1] > 8 * 255:  # lanes would not fit: count plainly
        return np.count_nonzero(equal, axis=1)
    lanes = equal.view(np.uint64).sum(axis=1, dtype=np.uint64)  # 8 counts of up to num_perm / 8
    lanes = (lanes & _BYTE_PAIRS) + ((lanes >> np.uint64(8)) & _BYTE_PAIRS)  # 4 counts, 16 bits each
    return ((lanes * _ADD_LANES) >> np.uint64(48)).astype(np.int64)


def _encode_log_record(seq: int, article_id: str, url_key: int, hash_key: int, at: float, status: int,
                       of: str | None, similarity: float, signature: np.ndarray | None, bands: np.ndarray | None,
                       count: int) -> bytes:
    encoded_id, encoded_of = article_id.encode(), (of or "").encode()
    # np.asarray: no copy when the arrays already have the dtype (as the batch's always do).
    signature_bytes = b"" if signature is None else np.asarray(signature, np.uint8).tobytes()
    band_bytes = b"" if bands is None else np.asarray(bands, "<u4").tobytes()
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


def _append_durably(path: Path, data: bytes) -> None:
    """Appends `data` to the file and fsyncs it; on failure the file is cut back to its old length."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
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

