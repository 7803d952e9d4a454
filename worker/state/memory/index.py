"""The memory backend's index: decisions by the rules of DedupIndex (base.py, rules.py), over the
columns (columns.py) and key tables (tables.py), with the window's clock and compaction, and the
journal (journal.py) for checkpoints.

Keys: id, URL, content hash, site and title keys as 64-bit digests (rules.claim_keys) in one
table; LSH bands as the low 32 bits of their 8-byte keys in another (12 and 8 bytes an entry). A
32-bit band key that collides by chance only adds a candidate, which verification then rejects.

Speed: decide_many() searches the tables once for the keys of a whole batch (candidates.py),
verifies every candidate found there in one numpy pass, and stages the batch's records and entries
(staging.py) to write them at its end (one sorted merge); so batches are several times faster per
decision than decide(), a batch of one (bench/dedup_memory.py).

The clock (newest fetched_at seen, which decides what is out of the window and compacted away)
lives in Window below; the window is measured back from it or from the wall clock, whichever is
earlier, so a single record fetched far in the future cannot expire the index. A record is
compacted away once both its fetched_at and the clock when it was decided are out of the window,
so a late page's decision replays. Decisions themselves only compare the fetched_at of pages and
claims.
"""
from __future__ import annotations

import logging
import math
import time
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...config import DedupSettings
from ...dedup.similarity import NearThresholds, best_match, by_jaccard, candidate_floor, near_similarity
from ...errors import DependencyUnavailable, StateIncompatible
from ...models import DedupDecision
from ..base import DedupIndex, Fingerprint
from ..rules import (ID_SEED, NO_KEY, REPEATED_DECISION, UNIQUE, UNIQUE_DECISION, code_of, decision_of, key64,
                     keys_to_claim, other_title_on_site)
from .candidates import Batch
from .columns import NearRows, Records
from .journal import SNAPSHOT_FILE, Journal, LogRecord
from .staging import Staged
from .tables import NO_SLOT, SlotTable, release_freed_memory, return_large_allocations

_log = logging.getLogger(__name__)

# Format 2 adds the site rule (records of code REPEATED, site and title claims), format 3 the
# origin keys of near rows; a state of an older format reads as one without those, and is
# rewritten in this format at once (_restore).
FORMAT_VERSION = 3
READABLE_FORMATS = (1, 2, 3)

# Compaction runs when at least this share of records is out of the window.
EXPIRED_SHARE_TO_COMPACT = 0.25
# How often (in decisions) to look for expired records.
EXPIRY_CHECK_EVERY = 4096
# Log records re-applied on restore are written to the tables in chunks of this many.
RESTORE_STAGED_RECORDS = 4096
# What np.load and the tables' loading raise on a snapshot that is not one of ours, or is cut:
# not a zip or .npy (ValueError), a zip cut or with a bad CRC (BadZipFile, EOFError, zlib.error),
# an array missing (KeyError) or of another shape (ValueError, IndexError), a bare .npy (no context
# manager: AttributeError, TypeError).
_CORRUPT_SNAPSHOT = (ValueError, KeyError, IndexError, EOFError, AttributeError, TypeError, zipfile.BadZipFile,
                     zlib.error)
# A snapshot is written when the log holds more records than this and than the index itself.
MIN_LOG_RECORDS_FOR_SNAPSHOT = 20_000


class Window:
    """The index's clock: the newest fetched_at seen. What is out of the window is measured back from
    it, or from the wall clock when that is earlier: one record with a far-future fetched_at must not
    expire the whole index (the clock itself stays exact, and is restored exactly)."""

    def __init__(self, window_seconds: float):
        self.seconds = window_seconds
        self.clock = -math.inf
        self.since_check = 0  # decisions since the last look for expired records

    def observe(self, at: float) -> None:
        if at > self.clock:
            self.clock = at
        self.since_check += 1

    def live(self, fetched_at: np.ndarray) -> np.ndarray:
        """Which of these records (all of them, in the order they were decided) are still kept: those
        fetched in the window, and those decided while the clock was in it. A page fetched long before
        the newest (a late scraper, a backfill, `dlq replay` of old letters) is out of the window as
        soon as it is decided, but its replay must find the decision it got (a copy published as a
        duplicate never turns unique): it is kept until the clock has moved a window past its decision,
        as redis keeps it a window after its last write. The clock at a decision is the newest
        fetched_at decided before it; records fetched ahead of the wall clock do not count there, so
        one from the far future keeps nothing after it for ever."""
        now = time.time()
        cutoff = min(self.clock, now) - self.seconds
        clock_then = np.maximum.accumulate(np.where(fetched_at <= now, fetched_at, -np.inf))
        return (fetched_at > cutoff) | (clock_then > cutoff)


class MemoryIndex(DedupIndex):
    backend = "memory"

    def __init__(self, settings: DedupSettings | None = None, exclusive: bool = False):
        """exclusive: the state directory is this process's alone (a worker's, a `process` run's);
        DependencyUnavailable when another process holds it. Without, a copy may be read beside
        its writer (tests, tools)."""
        settings = settings or DedupSettings()
        self.settings = settings
        self.thresholds = NearThresholds.from_settings(settings)
        self.window_seconds = settings.window_seconds
        self.num_perm = settings.num_perm
        self.max_candidates = settings.max_near_candidates
        self._journal = Journal(Path(settings.state_dir)) if settings.state_dir else None
        return_large_allocations()
        self.records = Records()
        self.near = NearRows(self.num_perm)
        # Each batch's entries are merged into the first, small run (a decision one by one then
        # copies a few thousand entries, not the whole table); the band runs of up to 256k and 2M
        # entries hold about 4k and 31k articles at 64 bands (bench/dedup_memory.py).
        self.claims = SlotTable(np.uint64, run_limits=(1 << 12, 1 << 18))  # id, URL, hash -> record
        self.by_band = SlotTable(np.uint32, run_limits=(1 << 14, 1 << 18, 1 << 21))
        self.window = Window(self.window_seconds)
        self._seq = 0  # decisions applied, ever: the sequence number of the last one
        if self._journal is not None and self._journal.directory.exists() and not self._journal.directory.is_dir():
            # (else every checkpoint fails as an unwritable directory: the worker paused for ever)
            raise StateIncompatible(f"DEDUP_STATE_DIR {self._journal.directory} is not a directory: name a "
                                    "directory (it is made when missing)")
        if self._journal is not None and exclusive and not self._journal.lock():
            raise DependencyUnavailable(
                f"dedup state directory {self._journal.directory} is held by another process (a worker still "
                "stopping, or another replica given the same volume: the memory backend's state is one "
                "process's; several replicas share DEDUP_BACKEND=redis)")
        if self._journal is not None and self._journal.exists():
            try:
                self._restore()
            except OSError as error:  # (a directory in a file's place, no permission, a read-only mount)
                raise StateIncompatible(
                    f"the dedup state in {self._journal.directory} cannot be read and cut back to its last "
                    f"checkpoint: {error}. Give the worker its files back, or move the state directory away "
                    "to start with an empty index.") from None

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
        batch = Batch(self, fingerprints)
        staged = Staged(self)
        decisions = [self._decide_in(batch, staged, i, fp) for i, fp in enumerate(fingerprints)]
        staged.write(batch)
        if self.window.since_check >= EXPIRY_CHECK_EVERY:
            self.window.since_check = 0
            self._drop_expired()
        return decisions

    def _decide_in(self, batch: Batch, staged: Staged, i: int, fp: Fingerprint) -> DedupDecision:
        keys = batch.keys[i]
        id_key = keys[0]
        claims = staged.claims
        # A key the batch claimed before holds a newer slot than any in the tables.
        id_slot = claims.get(id_key, batch.id_claimed[i])
        if id_slot != NO_SLOT and staged.article_id(id_slot) == fp.article_id:
            return staged.decision(id_slot)
        at = batch.times[i]
        found = [staged.usable(claims[key], at) if key in claims else slot
                 for key, slot in zip(keys[1:], batch.usable_claims[i])]
        url_claim, hash_claim, site_claim, title_claim = found
        row = batch.signature_row[i]
        if url_claim != NO_SLOT:
            decision = DedupDecision.duplicate(staged.canonical(url_claim), "url", 1.0)
        elif title_claim != NO_SLOT:
            decision = DedupDecision.duplicate(staged.canonical(title_claim), "exact", 1.0)
        elif site_claim != NO_SLOT:
            decision = REPEATED_DECISION
        elif hash_claim != NO_SLOT:
            decision = DedupDecision.duplicate(staged.canonical(hash_claim), "exact", 1.0)
        elif row != NO_SLOT and (match := self._near_match(batch, staged, i, row, fp.shingle_count, at)):
            decision = DedupDecision.duplicate(match[0], "near", match[1])
        else:
            decision = UNIQUE_DECISION
        indexed = decision is UNIQUE_DECISION and row != NO_SLOT
        code = code_of(decision)
        slot = staged.record(fp.article_id, keys_to_claim(keys, [slot != NO_SLOT for slot in found], code), at,
                             decision)
        self.window.observe(at)
        if indexed:
            staged.index_batch_row(slot, row, fp.shingle_count, batch.origins[i])
        self._seq += 1
        if self._journal is not None:
            self._journal.append(LogRecord(
                self._seq, fp.article_id, *keys[1:], at, code, decision.duplicate_of,
                decision.similarity or 0.0, batch.signatures[row] if indexed else None,
                batch.bands[row] if indexed else None, fp.shingle_count, batch.origins[i] if indexed else NO_KEY))
        return decision

    def _near_match(self, batch: Batch, staged: Staged, i: int, row: int, count: int,
                    at: float) -> tuple[str, float] | None:
        """The best verified candidate: those in the tables were verified for the whole batch;
        earlier items of the batch sharing a band count when they were indexed and are usable. Of
        more than max_candidates, only those sharing the most band keys (similarity.candidate_floor)."""
        in_batch = []
        origin = batch.origins[i]
        for earlier, m, shared in batch.pairs_in_batch.get(row, ()):
            slot = staged.near_slot.get(earlier, NO_SLOT)
            if slot != NO_SLOT and staged.usable(slot, at) != NO_SLOT and \
                    not other_title_on_site(origin, batch.origins[batch.signature_position[earlier]]):
                in_batch.append((slot, earlier, m, shared))
        table_shared = batch.table_shared.get(i, ())
        floor = 0
        if len(table_shared) + len(in_batch) > self.max_candidates:
            floor = candidate_floor([*table_shared, *(c[3] for c in in_batch)], self.max_candidates)
        verified = [(staged.article_id(record), similarity, jaccard)
                    for record, similarity, jaccard, shared in batch.verified_in_tables.get(i, ()) if shared >= floor]
        for slot, earlier, m, shared in in_batch:
            if shared >= floor:
                similarity = near_similarity(m, self.num_perm, count, batch.counts[earlier], self.thresholds)
                if similarity is not None:
                    verified.append((staged.article_id(slot), similarity, by_jaccard(m, self.num_perm, self.thresholds)))
        return best_match(verified) if verified else None

    def _reapply(self, staged: Staged, record: LogRecord) -> None:
        """Re-apply a decision read from the log: its record and claims, as _decide_in made them."""
        keys = [key64(record.article_id, ID_SEED), record.url_key, record.hash_key, record.site_key,
                record.title_key]
        at = record.fetched_at
        in_tables = self.claims.newest(np.array(keys, dtype=np.uint64)).tolist()
        taken = [key != NO_KEY and staged.usable(staged.claims.get(key, slot), at) != NO_SLOT
                 for key, slot in zip(keys[1:], in_tables[1:])]
        decision = decision_of(record.code, record.duplicate_of, record.similarity)
        slot = staged.record(record.article_id, keys_to_claim(keys, taken, record.code), at, decision)
        self.window.observe(at)
        if record.code == UNIQUE and record.signature is not None:
            staged.index_near(slot, record.signature, record.bands, record.shingle_count, record.origin)

    # --- window -----------------------------------------------------------------------------------

    def _drop_expired(self) -> None:
        """Compact away the records out of the window, once they are a share of all worth it."""
        records = self.records
        live = self.window.live(records.fetched_at[: records.size])
        expired = records.size - int(np.count_nonzero(live))
        if not expired or expired < EXPIRED_SHARE_TO_COMPACT * records.size:
            return
        new_record = np.where(live, np.cumsum(live) - 1, NO_SLOT).astype(np.int32)
        near = self.near
        near_live = live[near.record[: near.size]]
        new_row = np.where(near_live, np.cumsum(near_live) - 1, NO_SLOT).astype(np.int32)
        records.keep(live)
        near.keep(near_live, new_record)
        self.claims.compact(new_record)
        self.by_band.compact(new_row)
        release_freed_memory()

    def size(self) -> int:
        """Articles held: those in the window, and expired ones until the next compaction."""
        return self.records.size

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays."""
        return self.records.nbytes + self.near.nbytes + self.claims.nbytes + self.by_band.nbytes

    # --- durability -------------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Make every decision so far durable (the log, fsynced); a snapshot when the log has grown
        past the index. Safe to call before the batch's outputs are delivered: a replay then finds
        its decisions stored. A directory that cannot take the log (full disk, lost mount) raises
        DependencyUnavailable, the log as it was, so that the service pauses and retries. The
        snapshot is only a shortcut for restoring: when it cannot be written the log keeps
        everything, and the next checkpoint tries again."""
        if self._journal is None:
            return
        try:
            if not self._journal.flush():
                return
        except OSError as error:
            raise DependencyUnavailable(f"dedup state directory {self._journal.directory}: {error}") from error
        if self._journal.log_records >= max(MIN_LOG_RECORDS_FOR_SNAPSHOT, self.size()):
            try:
                self._snapshot()
            except OSError as error:
                _log.warning("dedup state snapshot not written; the log holds every decision",
                             extra={"error": str(error)})

    def _snapshot(self) -> None:
        assert self._journal is not None
        self._drop_expired()
        arrays = {
            "meta": np.array([FORMAT_VERSION, self._seq, self.num_perm], dtype=np.int64),
            "clock": np.array([self.window.clock]),
            **self.records.arrays("r_"),
            **self.near.arrays("n_"),
        }
        for name, table in (("claims", self.claims), ("band", self.by_band)):
            arrays[f"k_{name}"], arrays[f"s_{name}"] = table.arrays()
        self._journal.write_snapshot(arrays)

    def _restore(self) -> None:
        assert self._journal is not None
        version = None
        try:
            version = self._load_snapshot()
        except _CORRUPT_SNAPSHOT as error:  # (a file cut, overwritten or not ours: retrying cannot help)
            raise StateIncompatible(
                f"the dedup snapshot {self._journal.directory / SNAPSHOT_FILE} cannot be read "
                f"({type(error).__name__}: {error}). Move the state directory away to start with an empty "
                "index.") from None
        staged = Staged(self)
        for record in self._journal.replay(self._seq):
            if record.signature is not None and len(record.signature) != self.num_perm:
                # (a log not yet snapshotted: the first MIN_LOG_RECORDS_FOR_SNAPSHOT decisions; its
                # rows did not fit this worker's and a ValueError came out of the staging)
                raise StateIncompatible(
                    f"the dedup log in {self._journal.directory} was written with DEDUP_NUM_PERM="
                    f"{len(record.signature)}; this worker uses DEDUP_NUM_PERM={self.num_perm}. Move the state "
                    f"directory away to start with an empty index.")
            self._reapply(staged, record)
            self._seq = record.seq
            if len(staged) >= RESTORE_STAGED_RECORDS:
                staged.write()
                staged = Staged(self)
        staged.write()
        if (version is not None and version != FORMAT_VERSION) or self._journal.old_format:
            self._snapshot()  # the log goes on in this format only

    def _load_snapshot(self) -> int | None:
        """The snapshot's arrays into the tables; its format version, or None without a snapshot."""
        assert self._journal is not None
        snapshot = self._journal.snapshot()
        if snapshot is None:
            return None
        with snapshot as data:
            version, seq, num_perm = (int(v) for v in data["meta"])
            if version not in READABLE_FORMATS or num_perm != self.num_perm:
                raise StateIncompatible(
                    f"the dedup snapshot in {self._journal.directory} was written with format {version} and "
                    f"DEDUP_NUM_PERM={num_perm}; this worker reads formats "
                    f"{' and '.join(map(str, READABLE_FORMATS))} and uses "
                    f"DEDUP_NUM_PERM={self.num_perm}. Move the state directory away to start with an empty index.")
            self.window.clock = float(data["clock"][0])
            self.records.load(data, "r_")
            self.near.load(data, "n_")
            for name, table in (("claims", self.claims), ("band", self.by_band)):
                table.load(data[f"k_{name}"], data[f"s_{name}"])
        self._seq = seq
        return version

    def close(self) -> None:
        try:
            self.checkpoint()
        except DependencyUnavailable as error:
            # Decisions not checkpointed were never delivered (the loop checkpoints first): their
            # records are uncommitted, and decided again after the restart.
            _log.warning("dedup state not saved at close", extra={"error": str(error)})
        finally:
            if self._journal is not None:
                self._journal.unlock()
