"""Compact lookup tables for the memory dedup backend: integer keys -> slots, in numpy arrays.

A Python dict costs about 100 bytes per entry (key object, value object, table slot); with 50 keys
per article (URL, hash, id, LSH bands) that alone would blow the 1 KB per article budget. Here an
entry costs its key and an int32 slot in sorted arrays (12 bytes for 64-bit keys, 8 for 32-bit
band keys), like a small log-structured merge tree:
- new entries go to a small dict (`pending`, bounded), then are merged into a middle sorted run,
  which is merged into the large run when it grows; a merge is a linear np.insert, not a sort;
- a lookup checks the dict and binary-searches each run (np.searchsorted, all keys at once).
Slots only grow (the index appends records) and compaction renumbers them in the same order, so
among the slots stored for one key the largest is the newest.
"""
from __future__ import annotations

import numpy as np

NO_SLOT = -1


class SlotTable:
    """A multimap from unsigned integer keys to int32 slots."""

    def __init__(self, key_dtype: np.dtype | type, pending_limit: int, middle_limit: int):
        self.key_dtype = np.dtype(key_dtype)
        self._pending_limit = pending_limit
        self._middle_limit = middle_limit
        self._pending: dict[int, list[int]] = {}
        self._pending_entries = 0
        empty = self._empty()
        self._middle = empty
        self._large = empty

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.empty(0, self.key_dtype), np.empty(0, np.int32)

    def __len__(self) -> int:
        return self._pending_entries + len(self._middle[0]) + len(self._large[0])

    @property
    def nbytes(self) -> int:
        return sum(keys.nbytes + slots.nbytes for keys, slots in (self._middle, self._large))

    # --- changes ----------------------------------------------------------------------------------

    def add(self, key: int, slot: int) -> None:
        self._pending.setdefault(key, []).append(slot)
        self._pending_entries += 1
        if self._pending_entries >= self._pending_limit:
            self._flush_pending()

    def add_many(self, keys: list[int], slot: int) -> None:
        pending = self._pending
        for key in keys:
            pending.setdefault(key, []).append(slot)
        self._pending_entries += len(keys)
        if self._pending_entries >= self._pending_limit:
            self._flush_pending()

    def _flush_pending(self) -> None:
        if not self._pending:
            return
        keys = np.fromiter((k for k, slots in self._pending.items() for _ in slots), self.key_dtype,
                           count=self._pending_entries)
        slots = np.fromiter((s for slots in self._pending.values() for s in slots), np.int32,
                            count=self._pending_entries)
        order = np.argsort(keys, kind="stable")
        self._middle = _merge(self._middle, (keys[order], slots[order]))
        self._pending.clear()
        self._pending_entries = 0
        if len(self._middle[0]) >= self._middle_limit:
            self._large = _merge(self._large, self._middle)
            self._middle = self._empty()

    def compact(self, new_slot: np.ndarray) -> None:
        """Renumber slots through new_slot (old slot -> new slot, NO_SLOT: forget the entry)."""
        keys, slots = self.arrays()
        renumbered = new_slot[slots]
        keep = renumbered != NO_SLOT
        self._large = (keys[keep], renumbered[keep].astype(np.int32))

    # --- lookups ----------------------------------------------------------------------------------

    def newest(self, key: int) -> int:
        """The newest slot stored under key, or NO_SLOT."""
        pending = self._pending.get(key)
        if pending is not None:
            return pending[-1]
        for keys, slots in (self._middle, self._large):
            left = int(np.searchsorted(keys, key, "left"))
            if left < len(keys) and keys[left] == key:
                right = int(np.searchsorted(keys, key, "right"))
                return int(slots[left:right].max())
        return NO_SLOT

    def find_all(self, keys: np.ndarray) -> np.ndarray:
        """Every slot stored under any of keys (with repeats)."""
        found: list[np.ndarray] = []
        for run_keys, run_slots in (self._middle, self._large):
            if not len(run_keys):
                continue
            left = np.searchsorted(run_keys, keys, "left")
            right = np.searchsorted(run_keys, keys, "right")
            for start, stop in zip(left[right > left].tolist(), right[right > left].tolist()):
                found.append(run_slots[start:stop])
        if self._pending:
            pending = self._pending
            for key in keys.tolist():
                slots = pending.get(key)
                if slots is not None:
                    found.append(np.asarray(slots, dtype=np.int32))
        if not found:
            return np.empty(0, np.int32)
        return np.concatenate(found)

    # --- persistence ------------------------------------------------------------------------------

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All entries as one sorted run (keys, slots); merges everything into the large run."""
        self._flush_pending()
        self._large = _merge(self._large, self._middle)
        self._middle = self._empty()
        return self._large

    def load(self, keys: np.ndarray, slots: np.ndarray) -> None:
        self._pending.clear()
        self._pending_entries = 0
        self._middle = self._empty()
        self._large = (keys.astype(self.key_dtype), slots.astype(np.int32))


def _merge(older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs -> one; equal keys keep the older run's entries first."""
    if not len(newer[0]):
        return older
    if not len(older[0]):
        return newer
    positions = np.searchsorted(older[0], newer[0], "right")
    return np.insert(older[0], positions, newer[0]), np.insert(older[1], positions, newer[1])
