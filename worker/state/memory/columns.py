"""Column storage of the memory backend: every decided article (Records) and the unique ones
indexed for near matching (NearRows), in numpy arrays addressed by slot (append order).

Per article: a record of id, fetched_at, method code, duplicate_of and similarity (about 75 bytes);
a near row adds the signature in 8 bits a value (similarity.py allows it), shingle count and record
slot (264 bytes at 256 values). Compaction (keep) drops the rows out of the window and renumbers
the rest in order.
"""
from __future__ import annotations

import numpy as np

from ...models import DedupDecision
from ..rules import SIMILARITY_SCALE, code_of, decision_of, is_canonical, scaled_similarity


class Records:
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
        self.status[self.size:end] = [code_of(decision) for decision in decisions]
        self.duplicate_of[self.size:end] = encoded_of
        self.similarity[self.size:end] = [scaled_similarity(decision) for decision in decisions]
        self.size = end

    def article_id(self, slot: int) -> str:
        return self.ids[slot].decode()

    def canonical(self, slot: int) -> str:
        """The unique article a record stands for: itself, or the one it duplicates."""
        return self.article_id(slot) if is_canonical(int(self.status[slot])) else self.duplicate_of[slot].decode()

    def decision(self, slot: int) -> DedupDecision:
        return decision_of(int(self.status[slot]), self.duplicate_of[slot].decode(),
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


class NearRows:
    """Unique articles indexed for near matching: 8-bit signature values, shingle count, record slot,
    origin key (rules.origin_key; 0 when none)."""

    def __init__(self, num_perm: int, capacity: int = 1024):
        self.num_perm = num_perm
        self.size = 0
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        self.signature = np.zeros((capacity, self.num_perm), np.uint8)
        self.count = np.zeros(capacity, np.uint32)
        self.record = np.zeros(capacity, np.int32)
        self.origin = np.zeros(capacity, np.uint64)

    def _columns(self) -> tuple[np.ndarray, ...]:
        return self.signature, self.count, self.record, self.origin

    def append_many(self, signatures: np.ndarray, counts: list[int], records: list[int], origins: list[int]) -> int:
        """Append rows; returns the first one's number."""
        first, end = self.size, self.size + len(counts)
        if end > len(self.count):
            old = self._columns()
            self._allocate(int(end * 1.5) + 1024)
            for new, previous in zip(self._columns(), old):
                new[: self.size] = previous[: self.size]
        self.signature[first:end] = signatures
        self.count[first:end] = counts
        self.record[first:end] = records
        self.origin[first:end] = origins
        self.size = end
        return first

    def keep(self, live: np.ndarray, new_record: np.ndarray) -> None:
        kept = [column[: self.size][live] for column in self._columns()]
        kept[2] = new_record[kept[2]]
        self.size = len(kept[1])
        self._allocate(int(self.size * 1.25) + 1024)
        for new, column in zip(self._columns(), kept):
            new[: self.size] = column

    @property
    def nbytes(self) -> int:
        return sum(column[: self.size].nbytes for column in self._columns())

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        n = self.size
        return {f"{prefix}signature": self.signature[:n], f"{prefix}count": self.count[:n],
                f"{prefix}record": self.record[:n], f"{prefix}origin": self.origin[:n]}

    def load(self, data, prefix: str) -> None:
        """A snapshot's rows; one of format 1 or 2 has no origin keys (none: 0)."""
        count = data[f"{prefix}count"]
        self.size = len(count)
        self._allocate(int(self.size * 1.25) + 1024)
        self.signature[: self.size] = data[f"{prefix}signature"]
        self.count[: self.size] = count
        self.record[: self.size] = data[f"{prefix}record"]
        if f"{prefix}origin" in data:
            self.origin[: self.size] = data[f"{prefix}origin"]
