"""Compact lookup tables for the memory dedup backend: integer keys -> slots, in numpy arrays.

A Python dict costs about 100 bytes per entry (key object, value object, table slot); with 50 keys
per article (URL, hash, id, LSH bands) that alone would blow the 1 KB per article budget. Here an
entry costs its key and an int32 slot in sorted arrays (12 bytes for 64-bit keys, 8 for 32-bit
band keys), like a small log-structured merge tree:
- the entries of a whole batch of decisions are sorted and merged into the smallest sorted run,
  which merges into the next larger one when it reaches its limit, and so on; a merge is a
  linear pass, not a full sort (32-bit keys are packed with their slot in one uint64, and two
  sorted runs of those merge by timsort: _PackedRun);
- a lookup binary-searches each run (np.searchsorted; a second search for a key's end only
  when it has several entries), for all the keys of a whole batch of decisions at once: numpy's fixed cost per call, not the search, is what a lookup of a few keys
  costs.
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
    """A multimap from unsigned integer keys to int32 slots, in sorted runs."""

    def __init__(self, key_dtype: np.dtype | type, run_limits: tuple[int, ...] = ()):
        """run_limits: the size at which each run but the last merges into the next, larger one
        (none: entries merge straight into a single run; right for small tables). Each merge copies
        the run it merges into, so runs growing by a factor of about 8 keep the copying per entry
        small, and a small first run keeps adding a handful of entries cheap."""
        self.key_dtype = np.dtype(key_dtype)
        self._run_limits = run_limits
        self._run_type = _PackedRun if self.key_dtype.itemsize <= 4 else _Run
        # Sorted runs, newest first; the last one holds most entries.
        self._runs = [self._empty() for _ in range(len(run_limits) + 1)]

    def _empty(self) -> _Run | _PackedRun:
        return self._run_type.of(np.empty(0, self.key_dtype), np.empty(0, np.int32))

    @property
    def nbytes(self) -> int:
        return sum(run.nbytes for run in self._runs)

    # --- changes ----------------------------------------------------------------------------------

    def add(self, keys: np.ndarray, slots: np.ndarray) -> None:
        """Add the entries keys[i] -> slots[i]: slots in ascending order, larger than every slot
        already stored."""
        if not len(keys):
            return
        keys = np.asarray(keys, dtype=self.key_dtype)
        slots = np.asarray(slots, dtype=np.int32)
        self._runs[0] = self._runs[0].merged(self._run_type.of_unsorted(keys, slots))
        level = 0
        while level < len(self._run_limits) and len(self._runs[level]) >= self._run_limits[level]:
            self._runs[level + 1] = self._runs[level + 1].merged(self._runs[level])
            self._runs[level] = self._empty()
            level += 1
        if level == len(self._run_limits) and len(self._runs[-1]) >= RELEASE_AFTER_MERGING:
            release_freed_memory()  # the largest run was just rewritten: its old copy is free

    def compact(self, new_slot: np.ndarray) -> None:
        """Renumber slots through new_slot (old slot -> new slot, NO_SLOT: forget the entry)."""
        keys, slots = self.arrays()
        renumbered = new_slot[slots]
        keep = renumbered != NO_SLOT
        # Renumbering keeps the order of slots: the entries stay sorted.
        self._runs[-1] = self._run_type.of(keys[keep], renumbered[keep].astype(np.int32))

    # --- lookups ----------------------------------------------------------------------------------

    def newest(self, keys: np.ndarray) -> np.ndarray:
        """For each key, the newest (largest) slot stored under it, or NO_SLOT."""
        keys = np.asarray(keys, dtype=self.key_dtype)
        result = np.full(len(keys), NO_SLOT, dtype=np.int64)
        query, slots = self.find_all(keys)
        if len(query):
            np.maximum.at(result, query, slots)
        return result

    def find_all(self, keys: np.ndarray, order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Every (index in keys, slot) stored under keys[index], in no particular order. order: the
        order that sorts keys, when the caller has it."""
        indexes, slots = [], []
        order = _search_order(keys) if order is None else order
        sorted_keys = keys[order]
        # A batch's keys repeat (copies in one batch share bands): each distinct key is searched once.
        group_starts = None
        if len(sorted_keys) > 64:  # sorted (_search_order): equal keys are neighbours
            group_starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
            if len(group_starts) == len(sorted_keys):
                group_starts = None
        search = sorted_keys if group_starts is None else sorted_keys[group_starts]
        group_sizes = None if group_starts is None else np.diff(np.append(group_starts, len(sorted_keys)))
        for run in self._runs:
            query, starts, stops = run.ranges(search)
            if not len(query):
                continue
            lengths = stops - starts
            if lengths.max() == 1:  # the usual case: one entry per key found
                found, slot = query, run.slots_at(starts)
            else:
                found, slot = np.repeat(query, lengths), run.slots_at(_spans(starts, lengths))
            if group_starts is not None:  # each entry found for a key, for every place of that key
                sizes = group_sizes[found]
                found, slot = _spans(group_starts[found], sizes), np.repeat(slot, sizes)
            indexes.append(order[found])
            slots.append(slot)
        if not indexes:
            return np.empty(0, np.int64), np.empty(0, np.int32)
        return np.concatenate(indexes), np.concatenate(slots)

    # --- persistence ------------------------------------------------------------------------------

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All entries as one sorted run (keys, slots); merges everything into the last run."""
        merged = self._runs[-1]
        for run in reversed(self._runs[:-1]):  # older runs first: equal keys keep oldest first
            merged = merged.merged(run)
        self._runs = [self._empty() for _ in self._runs[:-1]] + [merged]
        return merged.split()

    def load(self, keys: np.ndarray, slots: np.ndarray) -> None:
        self._runs = [self._empty() for _ in self._runs[:-1]] + [
            self._run_type.of(keys.astype(self.key_dtype), slots.astype(np.int32))]


def stable_order(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys, kind="stable"). For 32-bit keys, each is sorted with its index in the low
    half of one 64-bit number: five times faster than numpy's stable sort on a batch's band keys."""
    if keys.dtype.itemsize > 4 or len(keys) > 1 << 32:
        return np.argsort(keys, kind="stable")
    combined = (keys.astype(np.uint64) << np.uint64(32)) | np.arange(len(keys), dtype=np.uint64)
    combined.sort()
    return (combined & np.uint64(0xFFFFFFFF)).astype(np.intp)


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ..., start + length - 1 of each span, concatenated."""
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())


def _search_order(keys: np.ndarray) -> np.ndarray:
    """The order to search keys in: sorted for a batch's many keys (neighbouring searches share the
    cached levels of the run: several times faster), as given for a few."""
    return np.argsort(keys) if len(keys) > 64 else np.arange(len(keys))


class _Run:
    """One sorted run: keys and their slots."""

    __slots__ = ("keys", "slots")

    def __init__(self, keys: np.ndarray, slots: np.ndarray):
        self.keys, self.slots = keys, slots

    @classmethod
    def of(cls, keys: np.ndarray, slots: np.ndarray) -> _Run:
        """A run of entries already sorted by key, then slot."""
        return cls(keys, slots)

    @classmethod
    def of_unsorted(cls, keys: np.ndarray, slots: np.ndarray) -> _Run:
        """A run of entries in any key order, slots ascending."""
        order = stable_order(keys)  # by key, then oldest slot first
        return cls(keys[order], slots[order])

    def merged(self, newer: _Run) -> _Run:
        return _merge(self, newer)

    def slots_at(self, positions: np.ndarray) -> np.ndarray:
        return self.slots[positions]

    def split(self) -> tuple[np.ndarray, np.ndarray]:
        return self.keys, self.slots

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.slots.nbytes

    def ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indexes in keys found in the run, their start, their stop). Keys sorted: neighbouring
        searches then share cached parts of the run."""
        if not len(self.keys) or not len(keys):
            empty = np.empty(0, np.int64)
            return empty, empty, empty
        left = self.keys.searchsorted(keys)
        found = (self.keys.take(left, mode="clip") == keys).nonzero()[0]
        starts = left[found]
        # Most keys found have one entry: search for the end only of those followed by their key.
        stops = starts + 1
        several = (self.keys.take(stops, mode="clip") == keys[found]) & (stops < len(self.keys))
        if several.any():
            stops[several] = self.keys.searchsorted(keys[found[several]], "right")
        return found, starts, stops


def _merge(older: _Run, newer: _Run) -> _Run:
    """Two sorted runs -> one; equal keys keep the older run's entries first."""
    if not len(newer):
        return older
    if not len(older):
        return newer
    # Where each newer entry lands (after the older entries with its key); the older ones fill the
    # rest in order. What np.insert does, without its general-purpose overhead (sorting the
    # positions, which are sorted already; checks): that overhead is most of a small merge.
    positions = older.keys.searchsorted(newer.keys, "right")
    positions += np.arange(len(newer))
    size = len(older) + len(newer)
    from_older = np.ones(size, dtype=bool)
    from_older[positions] = False
    keys, slots = np.empty(size, older.keys.dtype), np.empty(size, np.int32)
    keys[positions], slots[positions] = newer.keys, newer.slots
    keys[from_older], slots[from_older] = older.keys, older.slots
    return _Run(keys, slots)


class _PackedRun:
    """A sorted run of 32-bit keys, each entry one uint64: key in the high half, slot in the low
    half. Sorting the entries orders them by key, then oldest slot first, so merging two runs is
    numpy's stable sort of their concatenation: timsort finds the two sorted runs and merges them
    (3x faster than _merge's placement by search, measured at 128k to 6M entries)."""

    __slots__ = ("entries",)

    def __init__(self, entries: np.ndarray):
        self.entries = entries

    @classmethod
    def of(cls, keys: np.ndarray, slots: np.ndarray) -> _PackedRun:
        return cls(_pack(keys, slots))

    @classmethod
    def of_unsorted(cls, keys: np.ndarray, slots: np.ndarray) -> _PackedRun:
        entries = _pack(keys, slots)
        entries.sort()
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def nbytes(self) -> int:
        return self.entries.nbytes

    def merged(self, newer: _PackedRun) -> _PackedRun:
        if not len(newer):
            return self
        if not len(self):
            return newer
        entries = np.concatenate((self.entries, newer.entries))
        entries.sort(kind="stable")
        return _PackedRun(entries)

    def ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As _Run.ranges."""
        if not len(self.entries) or not len(keys):
            empty = np.empty(0, np.int64)
            return empty, empty, empty
        wide = keys.astype(np.uint64)
        left = self.entries.searchsorted(wide << _HALF)
        found = ((self.entries.take(left, mode="clip") >> _HALF) == wide).nonzero()[0]
        starts = left[found]
        stops = starts + 1
        several = ((self.entries.take(stops, mode="clip") >> _HALF) == wide[found]) & (stops < len(self.entries))
        if several.any():
            stops[several] = self.entries.searchsorted((wide[found[several]] + np.uint64(1)) << _HALF)
        return found, starts, stops

    def slots_at(self, positions: np.ndarray) -> np.ndarray:
        return (self.entries.take(positions) & _LOW_HALF).astype(np.int32)

    def split(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.entries >> _HALF).astype(np.uint32), (self.entries & _LOW_HALF).astype(np.int32)


_HALF = np.uint64(32)
_LOW_HALF = np.uint64(0xFFFFFFFF)


def _pack(keys: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Entries of 32-bit keys and (non-negative) int32 slots as uint64: key << 32 | slot."""
    return (keys.astype(np.uint64) << _HALF) | slots.astype(np.uint64)
