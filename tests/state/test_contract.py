"""The DedupIndex contract, run on every backend (memory and redis, see conftest.py).

A user of the worker relies on: the first copy is unique and later copies point at it; a replayed
record gets the decision it got before; state outlives a restart or a reconnect; decisions are
windowed by fetched_at; and both backends decide alike.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from worker.models import DedupDecision
from worker.state import DedupIndex, Fingerprint

from .conftest import WINDOW_DAYS, IndexFactory

# Recent, so that nothing here is old enough for Redis to expire it during a test.
T0 = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
WINDOW = timedelta(days=WINDOW_DAYS)


def fp(article_id: str, url: str, body: str, at: datetime = T0) -> Fingerprint:
    return Fingerprint(article_id=article_id, url_key=url, content_hash=f"hash-of-{body}", fetched_at=at)


def test_first_copy_is_unique(index: DedupIndex):
    assert index.decide(fp("a1", "https://site.example/a", "body a")) == DedupDecision.unique()
    assert index.decide(fp("b1", "https://site.example/b", "body b")) == DedupDecision.unique()


def test_same_url_is_a_url_duplicate_of_the_first(index: DedupIndex):
    index.decide(fp("a1", "https://site.example/a", "body a"))
    decision = index.decide(fp("a2", "https://site.example/a", "body a, updated", T0 + timedelta(hours=1)))
    assert decision == DedupDecision.duplicate("a1", "url", 1.0)


def test_same_body_elsewhere_is_an_exact_duplicate_of_the_first(index: DedupIndex):
    index.decide(fp("a1", "https://site.example/a", "body a"))
    decision = index.decide(fp("a2", "https://mirror.example/copy", "body a"))
    assert decision == DedupDecision.duplicate("a1", "exact", 1.0)


def test_every_later_copy_points_at_the_first_article(index: DedupIndex):
    index.decide(fp("a1", "https://site.example/a", "body a"))
    for n in range(2, 6):
        decision = index.decide(fp(f"a{n}", f"https://mirror{n}.example/a", "body a", T0 + timedelta(minutes=n)))
        assert decision.duplicate_of == "a1"


def test_recrawl_of_a_url_is_a_url_duplicate(index: DedupIndex):
    index.decide(fp("a1", "https://site.example/a", "first version"))
    recrawl = fp("a2", "https://site.example/a", "second version, edited", T0 + timedelta(days=2))
    assert index.decide(recrawl) == DedupDecision.duplicate("a1", "url", 1.0)


def test_replay_gets_the_same_decision_even_after_other_decisions(index: DedupIndex):
    first = index.decide(fp("a1", "https://site.example/a", "body a"))
    copy = index.decide(fp("a2", "https://mirror.example/a", "body a"))
    for n in range(10):
        index.decide(fp(f"x{n}", f"https://other.example/{n}", f"other {n}"))
    # A replay is never "a duplicate of itself", and a replayed duplicate keeps its canonical.
    assert index.decide(fp("a1", "https://site.example/a", "body a")) == first == DedupDecision.unique()
    assert index.decide(fp("a2", "https://mirror.example/a", "body a")) == copy
    assert copy == DedupDecision.duplicate("a1", "exact", 1.0)


def test_articles_older_than_the_window_fall_out(index: DedupIndex):
    index.decide(fp("old", "https://site.example/a", "body a", T0 - WINDOW - timedelta(seconds=1)))
    index.decide(fp("inside", "https://site.example/b", "body b", T0 - WINDOW + timedelta(seconds=1)))
    assert index.decide(fp("new-a", "https://site.example/a", "body a", T0)) == DedupDecision.unique()
    assert index.decide(fp("new-b", "https://site.example/b", "body b", T0)) == \
        DedupDecision.duplicate("inside", "url", 1.0)


def test_a_copy_after_the_window_becomes_the_new_first(index: DedupIndex):
    index.decide(fp("a1", "https://site.example/a", "body a", T0 - WINDOW - timedelta(days=1)))
    assert index.decide(fp("a2", "https://mirror.example/a", "body a", T0)) == DedupDecision.unique()
    later = fp("a3", "https://other.example/a", "body a", T0 + timedelta(hours=1))
    assert index.decide(later) == DedupDecision.duplicate("a2", "exact", 1.0)


def test_decisions_survive_a_restart_or_reconnect(make_index: IndexFactory):
    first = make_index()
    first.decide(fp("a1", "https://site.example/a", "body a"))
    copy = first.decide(fp("a2", "https://mirror.example/a", "body a"))
    first.checkpoint()
    first.close()

    second = make_index()
    assert second.decide(fp("a2", "https://mirror.example/a", "body a")) == copy
    assert second.decide(fp("a3", "https://site.example/a", "body c", T0 + timedelta(hours=1))) == \
        DedupDecision.duplicate("a1", "url", 1.0)
    assert second.size() == 3


def test_size_counts_the_articles_in_the_window(index: DedupIndex):
    for n in range(5):
        index.decide(fp(f"a{n}", f"https://site.example/{n}", f"body {n}"))
    index.decide(fp("a0", "https://site.example/0", "body 0"))  # a replay adds nothing
    assert index.size() == 5
