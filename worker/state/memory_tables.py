"""Compact lookup tables for the memory dedup backend: integer keys -> slots, in numpy arrays.

A Python dict costs about 100 bytes per entry (key object, value object, table slot); with 50 keys
per article (URL, hash, id, LSH bands) that alone would blow the 1 KB per article budget. Here an
entry costs its key and an int32 slot in sorted arrays (12 bytes for 64-bit keys, 8 for 32-bit
band keys), like a small log-structured merge tree:
- new entries go to a small dict (`pending`, bounded), then are merged into the smallest sorted
  run, which merges into the next larger one when it reaches its limit, and so on; a merge is a
  linear np.insert, not a sort;
- a lookup checks the dict and binary-searches each run (np.searchsorted), for all the keys of a
  whole batch of decisions at once: numpy's fixed cost per call, not the search, is what a
  lookup of a few keys costs.
Slots only grow (the index appends records) and compaction renumbers them in the same order, so
among the slots stored for one key the largest is the newest.
"""
from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

NO_SLOT = -1

# glibc keeps the memory of freed arrays for reuse instead of giving it back to the system: the
# batch temporaries (candidate signatures, tens of MB at 100k articles) and the runs replaced by
# merges stay resident (measured: 1,071 resident bytes per article at 100k articles, 703 after
# returning them). Two remedies, glibc only (elsewhere no-ops):
# - allocations from MMAP_THRESHOLD up are mapped on their own and unmapped when freed (glibc
#   otherwise raises this threshold after each large free, up to 32 MB);
# - malloc_trim after a merge rewrote the last (largest) run, if at least RELEASE_AFTER_MERGING
#   long, and after compaction.
MMAP_THRESHOLD = 1 << 18
RELEASE_AFTER_MERGING = 1 << 18
_M_MMAP_THRESHOLD = -3  # mallopt parameter number, from glibc's malloc.h


def _load_libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


_LIBC = _load_libc()


def return_large_allocations() -> None:
    """Have large allocations unmapped when freed (process-wide; the memory index calls it)."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_freed_memory() -> None:
    """Give the memory of freed arrays back to the system."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


class SlotTable:
    """A multimap from unsigned integer keys to int32 slots."""

    def __init__(self, key_dtype: np.dtype | type, pending_limit: int, run_limits: tuple[int, ...] = ()):
        """pending_limit: entries held in the dict before a merge into the runs. run_limits: the
        size at which each run but the last merges into the next, larger one (none: the dict
        merges straight into a single run; right for small tables). Each merge copies the run it
        merges into, so runs growing by a factor of about 8 keep the copying per entry small."""
        self.key_dtype = np.dtype(key_dtype)
        self._pending_limit = pending_limit
        self._run_limits = run_limits
        # Recent entries: the first slot of each key, and the further slots of a key (rare: a key
        # added again before the dict was merged into the runs).
        self._pending: dict[int, int] = {}
        self._pending_more: dict[int, list[int]] = {}
        self._pending_entries = 0
        # Sorted runs, newest first; the last one holds most entries.
        self._runs = [self._empty() for _ in range(len(run_limits) + 1)]

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.empty(0, self.key_dtype), np.empty(0, np.int32)

    @property
    def nbytes(self) -> int:
        return sum(keys.nbytes + slots.nbytes for keys, slots in self._runs)

    # --- changes ----------------------------------------------------------------------------------

    def add_many(self, keys: list[int], slot: int) -> None:
        added = dict.fromkeys(keys, slot)
        again = added.keys() & self._pending.keys()
        for key in again:
            self._pending_more.setdefault(key, []).append(slot)
            del added[key]
        self._pending.update(added)
        self._pending_entries += len(added) + len(again)

    def flush_if_full(self) -> None:
        """Merge the dict into the runs once it holds pending_limit entries. The owner calls it
        between batches only: lookups made for a batch stay valid while it is decided."""
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
        self._runs[0] = _merge(self._runs[0], (keys[order], slots[order]))
        self._pending.clear()
        self._pending_more.clear()
        self._pending_entries = 0
        level = 0
        while level < len(self._run_limits) and len(self._runs[level][0]) >= self._run_limits[level]:
            self._runs[level + 1] = _merge(self._runs[level + 1], self._runs[level])
            self._runs[level] = self._empty()
            level += 1
        if level == len(self._run_limits) and len(self._runs[-1][0]) >= RELEASE_AFTER_MERGING:
            release_freed_memory()  # the largest run was just rewritten: its old copy is free

    def compact(self, new_slot: np.ndarray) -> None:
        """Renumber slots through new_slot (old slot -> new slot, NO_SLOT: forget the entry)."""
        keys, slots = self.arrays()
        renumbered = new_slot[slots]
        keep = renumbered != NO_SLOT
        self._runs[-1] = (keys[keep], renumbered[keep].astype(np.int32))

    # --- lookups ----------------------------------------------------------------------------------

    def newest(self, keys: list[int]) -> list[int]:
        """For each key, the newest slot stored under it, or NO_SLOT (the dict holds the newest)."""
        result = [self.pending_newest(key) for key in keys]
        if NO_SLOT in result:
            in_runs = self.runs_newest(np.array(keys, dtype=self.key_dtype)).tolist()
            result = [run if slot == NO_SLOT else slot for slot, run in zip(result, in_runs)]
        return result

    def runs_newest(self, keys: np.ndarray) -> np.ndarray:
        """For each key, the newest slot stored under it in the runs (not the dict), or NO_SLOT."""
        result = np.full(len(keys), NO_SLOT, dtype=np.int64)
        order = _search_order(keys)
        for run_keys, run_slots in self._runs:
            query, starts, stops = _ranges(run_keys, keys[order])
            for i, start, stop in zip(order[query].tolist(), starts.tolist(), stops.tolist()):
                result[i] = max(result[i], int(run_slots[start:stop].max()))
        return result

    def runs_find_all(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (index in keys, slot) stored in the runs under keys[index] (not the dict)."""
        indexes, slots = [], []
        order = _search_order(keys)
        for run_keys, run_slots in self._runs:
            query, starts, stops = _ranges(run_keys, keys[order])
            if not len(query):
                continue
            lengths = stops - starts
            if lengths.max() == 1:  # the usual case: one entry per key found
                indexes.append(order[query])
                slots.append(run_slots[starts])
            else:
                positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
                indexes.append(np.repeat(order[query], lengths))
                slots.append(run_slots[positions])
        if not indexes:
            return np.empty(0, np.int64), np.empty(0, np.int32)
        return np.concatenate(indexes), np.concatenate(slots)

    def pending_newest(self, key: int) -> int:
        """The newest slot of key among the entries not yet merged, or NO_SLOT."""
        more = self._pending_more.get(key)
        return more[-1] if more else self._pending.get(key, NO_SLOT)

    def pending_find_all(self, keys: list[int]) -> list[int]:
        """Every slot of the entries not yet merged stored under any of keys (with repeats)."""
        pending = self._pending
        hits = pending.keys() & keys
        if not hits:
            return []
        found = [pending[key] for key in hits]
        more = self._pending_more
        if more:
            found += [slot for key in hits for slot in more.get(key, ())]
        return found

    # --- persistence ------------------------------------------------------------------------------

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All entries as one sorted run (keys, slots); merges everything into the last run."""
        self._flush_pending()
        merged = self._runs[-1]
        for run in reversed(self._runs[:-1]):  # older runs first: equal keys keep oldest first
            merged = _merge(merged, run)
        self._runs = [self._empty() for _ in self._runs[:-1]] + [merged]
        return merged

    def load(self, keys: np.ndarray, slots: np.ndarray) -> None:
        self._pending.clear()
        self._pending_more.clear()
        self._pending_entries = 0
        self._runs = [self._empty() for _ in self._runs[:-1]] + [(keys.astype(self.key_dtype), slots.astype(np.int32))]


def _search_order(keys: np.ndarray) -> np.ndarray:
    """The order to search keys in: sorted for a batch's many keys (neighbouring searches share the
    cached levels of the run: several times faster), as given for a few."""
    return np.argsort(keys) if len(keys) > 64 else np.arange(len(keys))


def _ranges(run_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indexes in keys found in a sorted run, their start, their stop). Keys sorted too: the
    binary searches then walk the run in order, several times faster than random probes."""
    if not len(run_keys) or not len(keys):
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    left = run_keys.searchsorted(keys)
    found = (run_keys.take(left, mode="clip") == keys).nonzero()[0]
    return found, left[found], run_keys.searchsorted(keys[found], "right")


def _merge(older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs -> one; equal keys keep the older run's entries first."""
    if not len(newer[0]):
        return older
    if not len(older[0]):
        return newer
    positions = np.searchsorted(older[0], newer[0], "right")
    return np.insert(older[0], positions, newer[0]), np.insert(older[1], positions, newer[1])
