"""Staging of a batch's decisions in the memory backend: records and claims taken during a batch,
readable by the decisions after them in the same batch, written to the columns and tables at its
end in one go (sorted and merged, not one entry at a time)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...models import DedupDecision
from ..rules import usable
from .tables import NO_SLOT

if TYPE_CHECKING:
    from .candidates import Batch
    from .index import MemoryIndex


class Staged:
    """The records and claims of decisions taken in a batch, before they are written to the tables
    (then in one go: sorted and merged, not one entry at a time). Slots are numbered on from the
    records already written, so a slot names a record whether it is written or staged."""

    def __init__(self, index: MemoryIndex):
        self._index = index
        self._records = index.records
        self._first = index.records.size
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
        self._near_origins: list[int] = []
        self.near_slot: dict[int, int] = {}  # signature row in the batch -> slot, when indexed

    def __len__(self) -> int:
        return len(self._ids)

    def record(self, article_id: str, claimed: list[int], at: float, decision: DedupDecision) -> int:
        """Stage a decision's record and its claims (the keys of rules.keys_to_claim); returns its slot."""
        slot = self._first + len(self._ids)
        self._ids.append(article_id)
        self._times.append(at)
        self._decisions.append(decision)
        self._canonical.append(decision.duplicate_of or article_id)
        for key in claimed:
            self.claims[key] = slot
        self._claim_keys += claimed
        self._claim_slots += [slot] * len(claimed)
        return slot

    def index_near(self, slot: int, signature: np.ndarray, bands: np.ndarray, count: int, origin: int) -> None:
        """Index a decision re-applied from the log for near matching."""
        self._near_signatures.append(signature)
        self._near_bands.append(bands)
        self._near_counts.append(count)
        self._near_slots.append(slot)
        self._near_origins.append(origin)

    def index_batch_row(self, slot: int, batch_row: int, count: int, origin: int) -> None:
        """Index a batch item for near matching: its signature and bands are taken from the batch's
        arrays when written (one take, not a stack of rows)."""
        self._near_batch_rows.append(batch_row)
        self._near_counts.append(count)
        self._near_slots.append(slot)
        self._near_origins.append(origin)
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
        return slot if usable(at, fetched_at, self._index.window_seconds) else NO_SLOT

    def write(self, batch: Batch | None = None) -> None:
        """Append the staged records and near rows, and merge the claims and bands into the tables.
        batch: the batch the decisions were taken in (None: re-applied from the log)."""
        if not self._ids:
            return
        index = self._index
        self._records.append_many(self._ids, self._times, self._decisions)
        index.claims.add(np.array(self._claim_keys, dtype=np.uint64), np.array(self._claim_slots, dtype=np.int32))
        if self._near_slots:
            if batch is not None:
                signatures = batch.signatures.take(self._near_batch_rows, axis=0)
                bands = batch.bands.take(self._near_batch_rows, axis=0)
            else:
                signatures, bands = np.stack(self._near_signatures), np.stack(self._near_bands)
            first_row = index.near.append_many(signatures, self._near_counts, self._near_slots, self._near_origins)
            rows = np.arange(first_row, first_row + len(bands), dtype=np.int32)
            index.by_band.add(bands.ravel(), np.repeat(rows, bands.shape[1]))
