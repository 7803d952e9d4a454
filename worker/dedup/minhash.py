"""MinHash signatures and LSH band keys by one-permutation hashing with optimal densification.

One hash per shingle instead of one per shingle and permutation (Li, Owen and Zhang 2012; the
densification of Shrivastava 2017): each shingle hash is mixed once with a salt, the mixed value's
top 32 bits pick one of K bins, and a bin's value is its smallest member. Two texts agree in a bin
with probability their Jaccard similarity, as with K independent permutations, at the cost of one
sort of the shingles (O(n log n) in numpy, n ~ 1,400 for a text page) instead of n x K products.
An empty bin borrows the value of the first non-empty bin in its fixed probe sequence (the same
sequence in every replica): the optimal densification, whose estimate stays unbiased for short
texts. bench/dedup_fingerprint.py measures it against the K-permutation MinHash it replaced.

Why our own code rather than a library: rensa (Rust, on PyPI) takes Python strings, so every
shingle would have to be built as a str in Python first, and its digests change between versions
(its 0.5.0 release notes: rebuild persisted signatures, never compare digests of two algorithm
versions), so a rolling upgrade would silently stop matching against two weeks of stored
signatures; datasketch runs SHA-1 per shingle from Python. Here no string is
built per word (worker/dedup/shingles.py hashes tokens in numpy), and the values depend only on
the text and the family name (blake2b of it salts the mix): every replica, every restart and every
version of numpy computes the same signatures.

- The signature (num_perm bins) is taken over all word bigrams (shingles.py) and verifies candidates;
  the LSH values (bands x rows bins, another salt) over the same bigrams but those of two function
  words find them. Over the bigrams of content words alone (function words skipped) a spinner's
  synonyms break most bigrams, while those with a function word half survive: spun copies the
  signature calls near shared no band. Bigrams of two function words ("of the", "said that") are in
  every text: they would only make chance candidates. Band k hashes its rows and k itself into an
  8-byte key.
- The signature keeps only the low 8 bits of each bin's value (b-bit MinHash, Li and Koenig 2010):
  a quarter of the memory, twice the values for the budget. Two different values agree by chance
  with probability 1/256, which raises the Jaccard estimate by (1 - J)/256. The values are still
  packed as uint32 (the Fingerprint contract).
"""
from __future__ import annotations

import hashlib

import numpy as np

from .shingles import mix

_MIX = np.uint64(0x9E3779B97F4A7C15)
_LOW32 = np.uint64(0xFFFFFFFF)
SIGNATURE_BITS = 8
# How many bins an empty bin probes before falling back to the next non-empty bin in order; with
# 60 shingles (the fewest signed) in 256 bins a bin is empty with probability 0.79, and 64 probes
# all miss with probability 3e-7.
PROBES = 64


class MinHasher:
    def __init__(self, num_perm: int, bands: int, rows: int, family: str = "newsworker"):
        """family names the hash salts and probe sequences. Every replica must use the same (the
        default); bench/dedup_eval.py varies it to see how much the results owe to one draw."""
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self._salt = _salt(f"{family}-minhash")
        self._lsh_salt = _salt(f"{family}-lsh")
        self._probes = _probes(f"{family}-probes", num_perm)
        self._lsh_probes = _probes(f"{family}-lsh-probes", bands * rows)
        self._band_salt = np.arange(1, bands + 1, dtype=np.uint64) * _MIX

    def shingles(self, pairs: np.ndarray) -> np.ndarray:
        """The distinct salted shingle hashes of a text, sorted (their count is its shingle count)."""
        return _distinct(mix(pairs ^ self._salt))

    def lsh_shingles(self, pairs: np.ndarray) -> np.ndarray:
        """The distinct shingle hashes the LSH values are taken from (the same pairs, another salt)."""
        return _distinct(mix(pairs ^ self._lsh_salt))

    def minhash(self, shingles: np.ndarray) -> np.ndarray:
        """The 32-bit MinHash values (num_perm,) of a non-empty sorted set from shingles()."""
        return (_one_permutation(shingles, self.num_perm, self._probes) & _LOW32).astype(np.uint32)

    def signature(self, values: np.ndarray) -> bytes:
        return (values & np.uint32((1 << SIGNATURE_BITS) - 1)).astype("<u4").tobytes()

    def band_keys(self, lsh_shingles: np.ndarray) -> tuple[bytes, ...]:
        """The LSH band keys of a sorted set from lsh_shingles()."""
        if not len(lsh_shingles):
            return ()
        values = _one_permutation(lsh_shingles, self.bands * self.rows, self._lsh_probes)
        rows = values.reshape(self.bands, self.rows)
        keys = self._band_salt.copy()
        for column in range(self.rows):
            keys = mix((keys ^ rows[:, column]) * _MIX)
        packed = keys.astype("<u8").tobytes()
        return tuple(packed[i:i + 8] for i in range(0, len(packed), 8))


def _one_permutation(shingles: np.ndarray, bins: int, probes: np.ndarray) -> np.ndarray:
    """The smallest member of each of `bins` bins of a sorted, non-empty array of mixed hashes
    (bin = top 32 bits x bins >> 32, monotone in the hash), empty bins densified."""
    bin_of = ((shingles >> np.uint64(32)) * np.uint64(bins)) >> np.uint64(32)
    first = np.searchsorted(bin_of, np.arange(bins, dtype=np.uint64))
    found = first < len(shingles)
    found[found] = bin_of[first[found]] == np.flatnonzero(found)
    values = shingles[np.minimum(first, len(shingles) - 1)]
    empty = np.flatnonzero(~found)
    if len(empty):
        candidates = probes[empty]
        hits = found[candidates]
        chosen = np.argmax(hits, axis=1)
        source = candidates[np.arange(len(empty)), chosen]
        missed = ~hits[np.arange(len(empty)), chosen]
        if missed.any():  # no probe hit: the next non-empty bin in order, cyclically
            filled = np.flatnonzero(found)
            after = np.searchsorted(filled, empty[missed]) % len(filled)
            source[missed] = filled[after]
        values[empty] = values[source]
    return values


def _distinct(hashes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique is several times slower than a sort on 1,000 values)."""
    hashes.sort()
    if len(hashes) < 2:
        return hashes
    keep = np.empty(len(hashes), dtype=bool)
    keep[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=keep[1:])
    return hashes[keep]


def _salt(name: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little"))


def _probes(name: str, bins: int) -> np.ndarray:
    """bins x PROBES bin numbers: the fixed probe sequence of each bin (from blake2b of the name)."""
    counter = np.arange(bins * PROBES, dtype=np.uint64)
    return (mix(counter ^ _salt(name)) % np.uint64(bins)).astype(np.intp).reshape(bins, PROBES)
