"""How a near-duplicate candidate is verified: the one definition every backend follows.

A signature is `num_perm` MinHash values, packed little-endian uint32. For two articles A and B:

- matches m = number of positions i where sig_A[i] == sig_B[i] (uint32 equality);
- estimated Jaccard            j = m / num_perm
- estimated containment        c = m * (n_A + n_B) / ((num_perm + m) * min(n_A, n_B))
  where n_X is the article's shingle_count. c is |A∩B| / |smaller set|, from
  |A∩B| = j / (1 + j) * (|A| + |B|); it is high when the shorter text is (almost) contained in
  the longer one: a truncated copy. Computed as written, in double precision, so that Lua
  (Redis) and Python give the same float.
- B is a near-duplicate of A when
      j >= near_jaccard                                        -> similarity j
  or  min(n_A, n_B) >= containment_min_shingles
      and j >= containment_min_jaccard
      and c >= near_containment                                -> similarity min(c, 1.0)
  (the Jaccard test first: a pair passing both gets j). The floor on j keeps a few chance
  agreements between a short text and a very long one from reading as containment.
- Of several verified candidates one verified by Jaccard (j >= near_jaccard) wins over any verified
  by containment only, whatever their similarities; within each group the highest similarity wins;
  equal similarity: the smaller article_id (plain string order), so every backend names the same
  canonical. (A page whose text is mostly its site's chrome is "contained" in every later page of
  that site; it must not beat the real original of a spun or edited copy.)
- An article without a signature (too short) is never matched or indexed for near-duplicates.
- At most max_near_candidates (DedupSettings) candidates are verified per decision: when more
  usable candidates (in the window for the page) share a band key with it, only those sharing at
  least `candidate_floor(shared, limit)` band keys are (the most shared, whole groups of equal
  counts, so no order among equals is needed). `shared` counts the pairs (band key of the page,
  band key of the candidate) equal in their low 32 bits (the key both backends look up). Pages of
  one template's series are candidates of most earlier ones: without this bound every decision
  verifies them all, a cost growing with the series.

Signature values are below 2^8 (b-bit MinHash, worker/dedup/minhash.py): a backend may store
them in 8 bits. The vectorized `matches_many` and `near_similarities` are what the memory backend
uses; they agree with `matches` and `near_similarity` exactly (same float64 operations).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

SIGNATURE_DTYPE = np.dtype("<u4")


@dataclass(frozen=True, slots=True)
class NearThresholds:
    """The thresholds of a near-duplicate decision (from DedupSettings)."""

    near_jaccard: float
    near_containment: float
    containment_min_shingles: int
    containment_min_jaccard: float

    @classmethod
    def from_settings(cls, settings) -> NearThresholds:  # settings: worker.config.DedupSettings
        return cls(settings.near_jaccard, settings.near_containment, settings.containment_min_shingles,
                   settings.containment_min_jaccard)


def unpack(signature: bytes) -> np.ndarray:
    return np.frombuffer(signature, dtype=SIGNATURE_DTYPE)


def matches(signature_a: bytes, signature_b: bytes) -> int:
    """Number of positions where two signatures agree."""
    return int(np.count_nonzero(unpack(signature_a) == unpack(signature_b)))


def matches_many(signature: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Agreements of one signature (num_perm,) with each row of candidates (k, num_perm)."""
    return np.count_nonzero(candidates == signature, axis=1)


def near_similarity(m: int, num_perm: int, count_a: int, count_b: int, thresholds: NearThresholds) -> float | None:
    """The similarity of a verified near-duplicate, or None when the pair is not one."""
    jaccard = m / num_perm
    if jaccard >= thresholds.near_jaccard:
        return jaccard
    shorter = min(count_a, count_b)
    if shorter >= thresholds.containment_min_shingles and jaccard >= thresholds.containment_min_jaccard:
        containment = m * (count_a + count_b) / ((num_perm + m) * shorter)
        if containment >= thresholds.near_containment:
            return min(containment, 1.0)
    return None


def near_similarities(m: np.ndarray, num_perm: int, count: int, counts: np.ndarray,
                      thresholds: NearThresholds) -> np.ndarray:
    """near_similarity for many candidates at once: float64 array, NaN where the pair is not near."""
    m = m.astype(np.int64)
    counts = counts.astype(np.int64)
    jaccard = m / num_perm
    shorter = np.minimum(counts, count)
    with np.errstate(divide="ignore", invalid="ignore"):
        containment = m * (counts + count) / ((num_perm + m) * shorter)
    by_containment = ((shorter >= thresholds.containment_min_shingles) & (jaccard >= thresholds.containment_min_jaccard)
                      & (containment >= thresholds.near_containment))
    return np.where(jaccard >= thresholds.near_jaccard, jaccard,
                    np.where(by_containment, np.minimum(containment, 1.0), np.nan))


def by_jaccard(m: int, num_perm: int, thresholds: NearThresholds) -> bool:
    """Whether a verified pair with m matching values passed the Jaccard test (not containment only)."""
    return m / num_perm >= thresholds.near_jaccard


def candidate_floor(shared: Iterable[int], limit: int) -> int:
    """The fewest shared band keys a candidate needs to be verified, given the counts of every
    usable candidate: 0 (all verified) for up to `limit` candidates, else one more than the
    (limit+1)-th largest count, so that at most `limit` candidates are verified."""
    counts = sorted(shared, reverse=True)
    return 0 if len(counts) <= limit else counts[limit] + 1


def best_match(verified: Iterable[tuple[str, float, bool]]) -> tuple[str, float] | None:
    """Of (article_id, similarity, by_jaccard) triples: verified by Jaccard first, then the highest
    similarity, then the smaller article_id."""
    best: tuple[str, float, bool] | None = None
    for candidate in verified:
        article_id, similarity, jaccard = candidate
        if best is None or jaccard > best[2] or (jaccard == best[2] and (
                similarity > best[1] or (similarity == best[1] and article_id < best[0]))):
            best = candidate
    return None if best is None else (best[0], best[1])
