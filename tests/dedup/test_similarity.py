"""Candidate verification: the vectorized form the memory backend uses agrees exactly with the
scalar definition the Redis script mirrors; containment catches truncated copies."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from worker.dedup.similarity import (NearThresholds, best_match, candidate_floor, matches, matches_many,
                                     near_similarities, near_similarity)

THRESHOLDS = NearThresholds(near_jaccard=0.3, near_containment=0.7, containment_min_shingles=60,
                            containment_min_jaccard=0.1)
NUM_PERM = 256


@given(m=st.lists(st.integers(0, NUM_PERM), min_size=1, max_size=20),
       counts=st.lists(st.integers(1, 5000), min_size=20, max_size=20), count=st.integers(1, 5000))
def test_vectorized_similarity_equals_the_scalar_definition(m, counts, count):
    counts = counts[: len(m)]
    vectorized = near_similarities(np.array(m), NUM_PERM, count, np.array(counts), THRESHOLDS)
    for i, (mi, ci) in enumerate(zip(m, counts)):
        scalar = near_similarity(mi, NUM_PERM, count, ci, THRESHOLDS)
        if scalar is None:
            assert np.isnan(vectorized[i])
        else:
            assert vectorized[i] == scalar  # bit for bit: same float64 operations


def test_matches_count_equal_positions():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, NUM_PERM).astype("<u4")
    b = a.copy()
    b[:40] = (b[:40] + 1) % 256
    assert matches(a.tobytes(), b.tobytes()) == NUM_PERM - 40
    assert matches_many(a, np.stack([a, b])).tolist() == [NUM_PERM, NUM_PERM - 40]


def test_truncated_copy_passes_by_containment_and_a_short_text_does_not():
    # A 300-shingle copy cut from a 1,000-shingle article: the Jaccard estimate just under its
    # threshold (0.26), the containment estimate about 0.9.
    m = round(0.3 * NUM_PERM) - 10
    assert near_similarity(m, NUM_PERM, 1000, 300, THRESHOLDS) is not None
    # The same agreement with a text too short for the containment test is not a match.
    assert near_similarity(m, NUM_PERM, 1000, 59, THRESHOLDS) is None
    # Two long articles sharing a fifth of their shingles are not near-duplicates.
    assert near_similarity(round(0.11 * NUM_PERM), NUM_PERM, 800, 900, THRESHOLDS) is None


def test_a_few_chance_agreements_with_a_very_long_text_are_not_containment():
    # 3 of 256 values agree (one does by chance, 8-bit values): containment estimate 0.98 for a
    # 60-shingle text against a 5,000-shingle one, but that is noise, not a truncated copy.
    assert near_similarity(3, NUM_PERM, 60, 5000, THRESHOLDS) is None
    assert np.isnan(near_similarities(np.array([3]), NUM_PERM, 60, np.array([5000]), THRESHOLDS)[0])
    # A real cut: a tenth of the long text, all of it shared.
    assert near_similarity(round(0.1 * NUM_PERM), NUM_PERM, 500, 5000, THRESHOLDS) is not None


def test_best_match_takes_the_highest_similarity_then_the_smaller_id():
    assert best_match([("b", 0.5, True), ("a", 0.4, True), ("c", 0.5, True)]) == ("b", 0.5)
    assert best_match([("b", 0.9, False), ("a", 0.7, False), ("c", 0.9, False)]) == ("b", 0.9)
    assert best_match([]) is None


def test_best_match_prefers_a_candidate_verified_by_jaccard_to_a_containment_only_one():
    assert best_match([("a", 0.95, False), ("b", 0.35, True), ("c", 0.34, True)]) == ("b", 0.35)
    assert best_match([("b", 0.35, True), ("a", 0.95, False)]) == ("b", 0.35)


def test_candidate_floor_keeps_whole_groups_of_the_most_shared_within_the_limit():
    assert candidate_floor([1, 1, 1], 3) == 0  # within the limit: all verified
    assert candidate_floor([], 0) == 0
    assert candidate_floor([5, 1, 3, 3, 1], 3) == 2  # 5, 3, 3 verified; the 1s not
    assert candidate_floor([5, 3, 3, 3, 1], 3) == 4  # the 3s would overflow: only 5
    assert candidate_floor([2, 2, 2, 2], 3) == 3  # none: no order among equals is needed
