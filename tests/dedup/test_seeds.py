"""The real seed pages after the worker's cleaning: 001 is a spun copy of 000, caught as a
near-duplicate; 002, 003 and 004 are other articles on the same story and stay unique."""
from __future__ import annotations

from itertools import combinations

from worker.config import DedupSettings
from worker.dedup.similarity import NearThresholds, matches, near_similarity
from worker.metrics import Metrics
from worker.stages.dedup import DedupStage
from worker.state.memory import MemoryIndex


def similarity(fingerprinter, a, b):
    fa, fb = fingerprinter.fingerprint(a), fingerprinter.fingerprint(b)
    m = matches(fa.signature, fb.signature)
    return near_similarity(m, len(fa.signature) // 4, fa.shingle_count, fb.shingle_count,
                           NearThresholds.from_settings(DedupSettings()))


def test_spun_copy_is_near_and_same_story_articles_are_not(seed_articles, fingerprinter):
    assert similarity(fingerprinter, seed_articles["000"], seed_articles["001"]) is not None
    for a, b in combinations(["000", "002", "003", "004"], 2):
        assert similarity(fingerprinter, seed_articles[a], seed_articles[b]) is None, (a, b)
    for other in ("002", "003", "004"):
        assert similarity(fingerprinter, seed_articles["001"], seed_articles[other]) is None, other


def test_stage_marks_the_spun_copy_duplicate_of_the_first_and_nothing_else(seed_articles):
    stage = DedupStage(MemoryIndex(DedupSettings()), Metrics(), DedupSettings())
    decisions = {name: stage(article).dedup for name, article in seed_articles.items()}
    assert decisions["000"].status == "unique"
    assert decisions["001"].is_duplicate
    assert (decisions["001"].duplicate_of, decisions["001"].method) == (seed_articles["000"].article_id, "near")
    assert 0.3 <= decisions["001"].similarity < 1.0
    for name in ("002", "003", "004"):
        assert decisions[name].status == "unique", name
