"""MinHash signatures and LSH band keys, vectorized with numpy.

Our own code rather than datasketch: datasketch hashes each shingle string with SHA-1 from Python
and keeps its LSH index in Python dicts (about 100 bytes per band entry, several KB per article);
here no string is built per shingle (bench/dedup_memory.py: 256 values in about 0.9x datasketch's
time with shingling included, datasketch's without), and the index stays ours to keep compact
(worker/state/memory.py).

- Each word is hashed once (xxh3, 64 bit, stable across processes and machines), a bigram is a
  mix of its two word hashes.
- Permutation i maps a shingle hash x to a_i * x + b_i mod 2^64 (a_i odd); the MinHash value is
  the top 32 bits of the minimum. a_i and b_i come from blake2b of a name and the index: every
  replica and every version of numpy computes the same signatures.
- Two MinHashes per article: the signature (num_perm values over the shingles of shingles.py),
  which verifies candidates, and the LSH values (bands x rows values over the bigrams of content
  words only, function words left out), which find them: common phrases made of function words
  ("of the", "said that") then cause no chance collisions (about 4x fewer candidates to verify
  on the benchmark bodies), while a spun copy keeps most content-word pairs.
- Band k hashes its rows and k itself into an 8-byte key.
- The signature stored and compared keeps only the low 8 bits of each value (b-bit MinHash, Li and
  Koenig 2010): a quarter of the memory, so that twice as many values fit the memory budget. Two
  different values agree by chance with probability 1/256, which raises the Jaccard estimate by
  (1 - J)/256 (0.003 at the thresholds), far less than the halved noise of the estimate gains
  (standard deviation 0.029 instead of 0.041 at J = 0.3). The values are still packed as uint32
  (the Fingerprint contract).
"""
from __future__ import annotations

import hashlib

import numpy as np
import xxhash

from .shingles import FUNCTION_WORDS

_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)
_MIX3 = np.uint64(0x94D049BB133111EB)
SIGNATURE_BITS = 8
# Shingles per step of a MinHash: the products of a step (256 x num_perm x 8 bytes) stay in cache.
CHUNK_SHINGLES = 256


class MinHasher:
    def __init__(self, num_perm: int, bands: int, rows: int, family: str = "newsworker"):
        """family names the random permutations. Every replica must use the same (the default);
        bench/dedup_eval.py varies it to see how much the results owe to one draw."""
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self._a, self._b = _permutations(f"{family}-minhash", num_perm)
        self._lsh_a, self._lsh_b = _permutations(f"{family}-lsh", bands * rows)
        self._band_salt = np.arange(1, bands + 1, dtype=np.uint64) * _MIX
        # The (shingles x permutations) products of one chunk, computed in place: a fresh array per
        # product costs more than the arithmetic (the memory index has large allocations mapped
        # and unmapped, worker/state/memory_tables.py: every fresh one page-faults), 4x on a
        # 400-word article. One per MinHasher: fingerprints are computed on one thread.
        self._products = np.empty((CHUNK_SHINGLES, max(num_perm, bands * rows)), dtype=np.uint64)

    def shingle_hashes(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Distinct hashes of (the word bigrams kept as shingles, the bigrams of content words)."""
        if len(words) < 2:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64)
        vocabulary = {word: xxhash.xxh3_64_intdigest(word.encode()) for word in set(words)}
        hashes = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.uint64, count=len(words))
        function = np.fromiter(map(FUNCTION_WORDS.__contains__, words), dtype=bool, count=len(words))
        pairs = (hashes[:-1] * _MIX) ^ hashes[1:]
        content = hashes[~function]
        return np.unique(pairs[~(function[:-1] & function[1:])]), np.unique((content[:-1] * _MIX) ^ content[1:])

    def minhash(self, shingles: np.ndarray) -> np.ndarray:
        """The full 32-bit MinHash values (num_perm,) of a non-empty set of shingle hashes."""
        return self._minhash(shingles, self._a, self._b)

    def signature(self, values: np.ndarray) -> bytes:
        return (values & np.uint32((1 << SIGNATURE_BITS) - 1)).astype("<u4").tobytes()

    def band_keys(self, content_shingles: np.ndarray) -> tuple[bytes, ...]:
        if not len(content_shingles):
            return ()
        values = self._minhash(content_shingles, self._lsh_a, self._lsh_b)
        rows = values.astype(np.uint64).reshape(self.bands, self.rows)
        keys = self._band_salt.copy()
        for column in range(self.rows):
            keys = _finalize((keys ^ rows[:, column]) * _MIX)
        packed = keys.astype("<u8").tobytes()
        return tuple(packed[i:i + 8] for i in range(0, len(packed), 8))


    def _minhash(self, shingles: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Top 32 bits of min over shingles x of (a_i * x + b_i mod 2^64), for each permutation i."""
        lowest = np.full(len(a), np.iinfo(np.uint64).max, dtype=np.uint64)
        for start in range(0, len(shingles), CHUNK_SHINGLES):
            chunk = shingles[start:start + CHUNK_SHINGLES]
            products = self._products[:len(chunk), :len(a)]
            np.multiply(chunk[:, None], a, out=products)
            products += b
            np.minimum(lowest, products.min(axis=0), out=lowest)
        return (lowest >> np.uint64(32)).astype(np.uint32)


def _permutations(name: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    """a_i (odd) and b_i of count permutations, from blake2b of their name and index."""
    seeds = np.frombuffer(b"".join(hashlib.blake2b(f"{name}-{i}".encode(), digest_size=16).digest()
                                   for i in range(count)), dtype="<u8").reshape(count, 2)
    return seeds[:, 0] | np.uint64(1), seeds[:, 1].copy()


def _finalize(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: every input bit affects every output bit."""
    x = (x ^ (x >> np.uint64(30))) * _MIX2
    x = (x ^ (x >> np.uint64(27))) * _MIX3
    return x ^ (x >> np.uint64(31))
