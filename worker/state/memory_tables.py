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

    def __init__(self, key_dtype: np.dtype | type, pending_limit: int, middle_limit: int = 0):
        """pending_limit: entries held in the dict before a merge into the runs; middle_limit:
        entries of the middle run before it merges into the large one (0: no middle run, the
        dict merges straight into the large run; right for small tables)."""
        self.key_dtype = np.dtype(key_dtype)
        self._pending_limit = pending_limit
        self._middle_limit = middle_limit
        # Recent entries: the first slot of each key, and the further slots of a key (rare: a key
        # added again before the dict was merged into the runs).
        self._pending: dict[int, int] = {}
        self._pending_more: dict[int, list[int]] = {}
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

    def add_many(self, keys: list[int], slot: int) -> None:
        added = dict.fromkeys(keys, slot)
        again = added.keys() & self._pending.keys()
        for key in again:
            self._pending_more.setdefault(key, []).append(slot)
            del added[key]
        self._pending.update(added)
        self._pending_entries += len(added) + len(again)
        if self._pending_entries >= self._pending_limit:
            self._flush_pending()

    def _flush_pending(self) -> None:
        if not self._pending:
            return
        more = [(key, slot) for key, slots in self._pending_more.items() for slot in slots]
        keys = np.fromiter(self._pending.keys(), self.key_dtype, count=len(self._pending))
        slots = np.fromiter(self._pending.values(), np.int32, count=len(self._pending))
        if more:
            keys = np.concatenate([keys, np.array([k for k, _ in more], dtype=self.key_dtype)])
            slots = np.concatenate([slots, np.array([s for _, s in more], dtype=np.int32)])
        order = np.lexsort((slots, keys))  # by key, then oldest slot first
        self._middle = _merge(self._middle, (keys[order], slots[order]))
        self._pending.clear()
        self._pending_more.clear()
        self._pending_entries = 0
        if len(self._middle[0]) >= self._middle_limit:  # always, without a middle run
            self._large = _merge(self._large, self._middle)
            self._middle = self._empty()

    def compact(self, new_slot: np.ndarray) -> None:
        """Renumber slots through new_slot (old slot -> new slot, NO_SLOT: forget the entry)."""
        keys, slots = self.arrays()
        renumbered = new_slot[slots]
        keep = renumbered != NO_SLOT
        self._large = (keys[keep], renumbered[keep].astype(np.int32))

    # --- lookups ----------------------------------------------------------------------------------

    def newest(self, keys: list[int]) -> list[int]:
        """For each key, the newest slot stored under it, or NO_SLOT."""
        pending, more = self._pending, self._pending_more
        result = [pending.get(key, NO_SLOT) for key in keys]
        if more:
            result = [more[key][-1] if key in more else slot for key, slot in zip(keys, result)]
        if NO_SLOT in result:  # pending entries are newer than any in the runs
            query = np.array(keys, dtype=self.key_dtype)
            for run_keys, run_slots in (self._middle, self._large):  # newer run first
                for i, start, stop in _hits(run_keys, query):
                    if result[i] == NO_SLOT:
                        result[i] = int(run_slots[start:stop].max())
        return result

    def find_all(self, keys: np.ndarray, key_list: list[int]) -> np.ndarray:
        """Every slot stored under any of keys (given as an array and as a list; with repeats)."""
        found: list[np.ndarray] = []
        for run_keys, run_slots in (self._large, self._middle):
            found.extend(run_slots[start:stop] for _, start, stop in _hits(run_keys, keys))
        pending = self._pending
        recent = [pending[key] for key in pending.keys() & set(key_list)]
        if recent:
            more = self._pending_more
            if more:
                recent += [slot for key in key_list for slot in more.get(key, ())]
            found.append(np.array(recent, dtype=np.int32))
        if not found:
            return np.empty(0, np.int32)
        return np.concatenate(found) if len(found) > 1 else found[0]

    # --- persistence ------------------------------------------------------------------------------

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All entries as one sorted run (keys, slots); merges everything into the large run."""
        self._flush_pending()
        self._large = _merge(self._large, self._middle)
        self._middle = self._empty()
        return self._large

    def load(self, keys: np.ndarray, slots: np.ndarray) -> None:
        self._pending.clear()
        self._pending_more.clear()
        self._pending_entries = 0
        self._middle = self._empty()
        self._large = (keys.astype(self.key_dtype), slots.astype(np.int32))


def _hits(run_keys: np.ndarray, keys: np.ndarray) -> list[tuple[int, int, int]]:
    """(index in keys, start, stop) of the entries of a sorted run equal to each key found in it.
    Written for few numpy calls: their fixed cost, not the search, is most of a lookup."""
    if not len(run_keys):
        return []
    left = run_keys.searchsorted(keys)
    found = run_keys.take(left, mode="clip") == keys
    if not found.any():
        return []
    indexes = found.nonzero()[0]
    starts = left[indexes]
    stops = run_keys.searchsorted(keys[indexes], "right")
    return list(zip(indexes.tolist(), starts.tolist(), stops.tolist()))


def _merge(older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs -> one; equal keys keep the older run's entries first."""
    if not len(newer[0]):
        return older
    if not len(older[0]):
        return newer
    positions = np.searchsorted(older[0], newer[0], "right")
    return np.insert(older[0], positions, newer[0]), np.insert(older[1], positions, newer[1])
