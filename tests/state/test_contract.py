"""The DedupIndex contract, run on every backend (memory and redis, see conftest.py).

A user of the worker relies on: the first copy is unique and later copies point at it; a replayed
record gets the decision it got before; state outlives a restart or a reconnect; decisions are
windowed by fetched_at; and both backends decide alike.
"""
from __future__ import annotations

import hashlib
import random
import struct
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from worker.config import DedupSettings
from worker.models import DedupDecision
from worker.state import DedupIndex, Fingerprint

from .conftest import WINDOW_DAYS, IndexFactory

# Recent, so that nothing here is old enough for Redis to expire it during a test.
T0 = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
WINDOW = timedelta(days=WINDOW_DAYS)


def fp(article_id: str, url: str, body: str, at: datetime = T0) -> Fingerprint:
    return Fingerprint(article_id=article_id, url_key=url, content_hash=f"hash-of-{body}", fetched_at=at)


NUM_PERM = DedupSettings().num_perm
ROWS = DedupSettings().lsh_rows
BANDS = DedupSettings().lsh_bands


def near_fp(article_id: str, base_seed: int, changed: int | range | list[int] = 0, shingles: int = 200, at: datetime = T0,
            change_seed: int = 0) -> Fingerprint:
    """A fingerprint whose MinHash signature differs from the one of `base_seed` at `changed`
    positions (a count of random ones, or the positions themselves), so its estimated Jaccard with
    it is (NUM_PERM - changed) / NUM_PERM. Its LSH band keys (8 bytes, band number hashed in;
    opaque to the backends) come from the signature's leading values, so copies share bands in
    proportion to their similarity, as the stage's keys do."""
    # b-bit MinHash values are below 2**8 (worker/dedup/similarity.py).
    values = random.Random(base_seed).choices(range(2**8), k=NUM_PERM)
    positions = random.Random(change_seed).sample(range(NUM_PERM), changed) if isinstance(changed, int) else changed
    for position in positions:
        values[position] = (values[position] + 1 + change_seed) % 2**8
    signature = struct.pack(f"<{NUM_PERM}I", *values)
    bands = tuple(
        hashlib.blake2b(struct.pack("<I", band) + signature[band * ROWS * 4:(band + 1) * ROWS * 4],
                        digest_size=8).digest()
        for band in range(BANDS))
    return Fingerprint(article_id=article_id, url_key=f"https://{article_id}.example/story",
                       content_hash=f"hash-of-{article_id}", fetched_at=at, signature=signature,
                       band_keys=bands, shingle_count=shingles)


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


def test_a_claim_exactly_one_window_old_is_no_longer_usable(index: DedupIndex):
    index.decide(fp("a1", "https://site.example/a", "body a", T0 - WINDOW))
    assert index.decide(fp("a2", "https://site.example/a", "body a", T0)) == DedupDecision.unique()


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


def test_a_near_copy_is_a_near_duplicate_with_its_jaccard_estimate(index: DedupIndex):
    assert index.decide(near_fp("orig", 1)) == DedupDecision.unique()
    changed = NUM_PERM // 4  # Jaccard estimate 0.75
    decision = index.decide(near_fp("spun", 1, changed=changed, at=T0 + timedelta(hours=1)))
    assert decision == DedupDecision.duplicate("orig", "near", (NUM_PERM - changed) / NUM_PERM)


def test_a_different_article_sharing_a_band_is_not_a_near_duplicate(index: DedupIndex):
    index.decide(near_fp("orig", 1))
    # Agrees on a few positions only: shares LSH bands, fails verification.
    mostly_other = near_fp("other", 1, changed=NUM_PERM - 4, at=T0 + timedelta(hours=1), change_seed=3)
    assert index.decide(mostly_other) == DedupDecision.unique()


def test_a_truncated_copy_is_caught_by_containment(index: DedupIndex):
    index.decide(near_fp("full", 2, shingles=1000))
    # Jaccard estimate 0.25 (below near_jaccard), but the short text is mostly inside the long one.
    matches = NUM_PERM // 4
    truncated = near_fp("truncated", 2, changed=NUM_PERM - matches, shingles=300, at=T0 + timedelta(hours=1))
    containment = matches * (1000 + 300) / ((NUM_PERM + matches) * 300)
    assert index.decide(truncated) == DedupDecision.duplicate("full", "near", min(containment, 1.0))


def test_the_most_similar_candidate_wins_and_a_tie_goes_to_the_smaller_id(index: DedupIndex):
    half = NUM_PERM // 2
    # Two unique articles, each agreeing with the story's signature on a different half (so they
    # share no position with each other), and a third agreeing on three quarters.
    assert index.decide(near_fp("b-half", 3, changed=range(0, half), change_seed=1)) == DedupDecision.unique()
    assert index.decide(near_fp("a-half", 3, changed=range(half, NUM_PERM), change_seed=2)) == DedupDecision.unique()
    tie = index.decide(near_fp("tie", 3, at=T0 + timedelta(hours=1)))
    assert tie == DedupDecision.duplicate("a-half", "near", 0.5)

    index.decide(near_fp("z-close", 4, changed=range(0, half), change_seed=1))
    index.decide(near_fp("y-closer", 4, changed=range(half, NUM_PERM - half // 2), change_seed=2))
    best = index.decide(near_fp("best", 4, at=T0 + timedelta(hours=1)))
    assert best == DedupDecision.duplicate("y-closer", "near", 0.75)


def _jaccard_and_containment_candidates() -> list[Fingerprint]:
    """A short text (a page of site chrome) that the story's copy contains (containment 0.87, Jaccard
    0.25), a long one it resembles (Jaccard 0.375), then the copy; the two candidates agree with the
    copy at different positions and with each other nowhere."""
    chrome = near_fp("a-chrome", 6, changed=[*range(0, 96), *range(160, NUM_PERM)], shingles=300, change_seed=2)
    original = near_fp("b-original", 6, changed=range(96, NUM_PERM), shingles=1000, change_seed=1)
    copy = near_fp("copy", 6, shingles=1000, at=T0 + timedelta(hours=1))
    assert 64 * (1000 + 300) / ((NUM_PERM + 64) * 300) > 96 / NUM_PERM  # containment's similarity is higher
    return [chrome, original, copy]


def test_a_candidate_verified_by_jaccard_wins_over_one_verified_by_containment_only(index: DedupIndex):
    chrome, original, copy = _jaccard_and_containment_candidates()
    assert index.decide(chrome) == DedupDecision.unique()
    assert index.decide(original) == DedupDecision.unique()
    assert index.decide(copy) == DedupDecision.duplicate("b-original", "near", 96 / NUM_PERM)


def test_the_jaccard_candidate_wins_within_one_batch_too(index: DedupIndex):
    decisions = index.decide_many(_jaccard_and_containment_candidates())
    assert decisions[2] == DedupDecision.duplicate("b-original", "near", 96 / NUM_PERM)


def test_a_copy_of_a_copy_points_at_the_canonical(index: DedupIndex):
    index.decide(near_fp("orig", 5))
    index.decide(near_fp("copy1", 5, changed=10, at=T0 + timedelta(hours=1), change_seed=1))
    later = index.decide(near_fp("copy2", 5, changed=12, at=T0 + timedelta(hours=2), change_seed=1))
    assert later.duplicate_of == "orig"
    # A URL first seen as a copy, crawled again: a url duplicate of the canonical, not of the copy.
    recrawl = replace(near_fp("copy1-recrawl", 99, at=T0 + timedelta(hours=3)), url_key="https://copy1.example/story")
    assert index.decide(recrawl) == DedupDecision.duplicate("orig", "url", 1.0)


def test_texts_without_signature_are_never_near_matched(index: DedupIndex):
    index.decide(replace(near_fp("short", 6), signature=b"", band_keys=(), shingle_count=10))
    assert index.decide(near_fp("long", 6, at=T0 + timedelta(hours=1))) == DedupDecision.unique()


def test_near_candidates_older_than_the_window_are_not_matched(index: DedupIndex):
    index.decide(near_fp("old", 7, at=T0 - WINDOW))
    assert index.decide(near_fp("new", 7, changed=4)) == DedupDecision.unique()


def test_chance_agreements_of_a_short_and_a_very_long_text_are_not_containment(index: DedupIndex):
    # A long text and a short one agreeing on 3 of 256 values (8-bit values agree by chance about
    # once in 256), a whole LSH band among them: the containment estimate alone reads 98%, but the
    # Jaccard estimate (0.012) is below containment_min_jaccard, so they are different articles.
    settings = DedupSettings()
    index.decide(near_fp("long", 8, shingles=5000))
    short = near_fp("short", 8, changed=range(3, NUM_PERM), shingles=settings.containment_min_shingles,
                    at=T0 + timedelta(hours=1))
    matches, shorter = 3, settings.containment_min_shingles
    assert matches * (5000 + shorter) / ((NUM_PERM + matches) * shorter) >= settings.near_containment
    assert matches / NUM_PERM < settings.containment_min_jaccard
    assert index.decide(short) == DedupDecision.unique()


def test_a_record_from_the_far_future_does_not_make_the_index_forget(index: DedupIndex, monkeypatch):
    from worker.state.memory import index as memory_index

    monkeypatch.setattr(memory_index, "EXPIRY_CHECK_EVERY", 1)  # the memory backend compacts after every decision
    index.decide(fp("a1", "https://site.example/a", "body a"))
    index.decide(near_fp("n1", 12))
    # Its own decision is taken by the usual rules; it must not age everything else out of the window.
    assert index.decide(fp("future", "https://site.example/f", "body f", T0.replace(year=9999))) == \
        DedupDecision.unique()
    later = T0 + timedelta(hours=1)
    assert index.decide(fp("a2", "https://mirror.example/a", "body a", later)) == DedupDecision.duplicate("a1", "exact", 1.0)
    assert index.decide(near_fp("n2", 12, changed=16, at=later)).duplicate_of == "n1"
    assert index.size() == 5



def test_a_late_copy_replays_its_decision_after_its_window_has_passed(make_index: IndexFactory, monkeypatch):
    """Pages fetched more than a window before the newest (a late scraper, a backfill, `dlq replay`
    of old letters) are decided by the usual rules; a replay of one, after a checkpoint or a
    restart, gets the decision it got: the index forgets a record for its age only once the
    decisions taken on it can no longer be replayed (redis: a window after its last write)."""
    from worker.state.memory import index as memory_index

    monkeypatch.setattr(memory_index, "EXPIRY_CHECK_EVERY", 1)  # the memory backend compacts after every decision
    index = make_index()
    index.decide(fp("now", "https://site.example/now", "body now"))
    old = T0 - 2 * WINDOW
    assert index.decide(fp("old1", "https://site.example/old", "old body", old)) == DedupDecision.unique()
    late = fp("old2", "https://mirror.example/old", "old body", old + timedelta(hours=1))
    first = index.decide(late)
    assert first == DedupDecision.duplicate("old1", "exact", 1.0)
    index.checkpoint()
    for current in (index, make_index()):  # the same worker, and after a restart / another replica
        assert current.decide(late) == first


# --- The site rule (base.DedupIndex step 2): short texts carry site and title keys ---------------

REPEATED = DedupDecision(status="unique", reason="repeated_on_site")


def short_fp(article_id: str, url: str, body: str, title: str, at: datetime = T0) -> Fingerprint:
    """A short text's fingerprint as the stage builds it: its keys on its site and under its title."""
    site_key = f"hash-of-{body} {url.split('/')[2]}"
    return replace(fp(article_id, url, body, at), site_key=site_key, title_key=f"{site_key} {title}")


def test_the_same_short_text_on_one_site_under_another_title_is_repeated_on_site(index: DedupIndex):
    assert index.decide(short_fp("a1", "https://site.example/1", "block", "storm")) == DedupDecision.unique()
    assert index.decide(short_fp("a2", "https://site.example/2", "block", "election")) == REPEATED
    assert index.decide(short_fp("a3", "https://site.example/3", "block", "match")) == REPEATED


def test_the_same_short_text_and_title_at_another_address_of_the_site_is_an_exact_duplicate(index: DedupIndex):
    index.decide(short_fp("a1", "https://site.example/1", "brief", "storm"))
    assert index.decide(short_fp("a2", "https://site.example/print/1", "brief", "storm")) == \
        DedupDecision.duplicate("a1", "exact", 1.0)


def test_a_url_variant_of_a_repeated_page_is_its_exact_duplicate(index: DedupIndex):
    index.decide(short_fp("a1", "https://site.example/1", "block", "storm"))
    index.decide(short_fp("a2", "https://site.example/2", "block", "election"))
    assert index.decide(short_fp("a3", "https://site.example/amp/2", "block", "election")) == \
        DedupDecision.duplicate("a2", "exact", 1.0)
    assert index.decide(short_fp("a4", "https://site.example/2", "other", "x")) == \
        DedupDecision.duplicate("a2", "url", 1.0)


def test_the_same_short_text_on_another_site_is_an_exact_duplicate_of_the_first(index: DedupIndex):
    index.decide(short_fp("a1", "https://site.example/1", "brief", "storm"))
    index.decide(short_fp("a2", "https://site.example/2", "brief", "election"))  # repeated: claims no hash
    assert index.decide(short_fp("b1", "https://other.example/1", "brief", "storm hits")) == \
        DedupDecision.duplicate("a1", "exact", 1.0)
    # The copy claimed the text on its own site for a1: its site's repeat under another title is not a page of its own.
    assert index.decide(short_fp("b2", "https://other.example/2", "brief", "other")) == REPEATED


def test_texts_without_site_keys_stay_exact_duplicates_on_one_site(index: DedupIndex):
    """A long text (no site keys) republished by its site under a new headline is still a copy."""
    index.decide(fp("a1", "https://site.example/1", "long article"))
    assert index.decide(fp("a2", "https://site.example/2", "long article")) == \
        DedupDecision.duplicate("a1", "exact", 1.0)


def test_a_repeated_page_is_not_indexed_for_near_matching(index: DedupIndex):
    first = replace(near_fp("n1", 1), site_key="block on site", title_key="block on site storm")
    repeated = replace(near_fp("n2", 2), site_key="block on site", title_key="block on site election")
    assert [index.decide(first), index.decide(repeated)] == [DedupDecision.unique(), REPEATED]
    assert index.decide(near_fp("n3", 2, changed=8)) == DedupDecision.unique()


def test_a_repeated_decision_replays_with_its_reason_after_a_restart(make_index: IndexFactory):
    first = make_index()
    first.decide(short_fp("a1", "https://site.example/1", "block", "storm"))
    assert first.decide(short_fp("a2", "https://site.example/2", "block", "election")) == REPEATED
    first.checkpoint()
    first.close()
    second = make_index()
    assert second.decide(short_fp("a2", "https://site.example/2", "block", "election")) == REPEATED
    assert second.decide(short_fp("a3", "https://site.example/3", "block", "match", T0 + timedelta(hours=1))) \
        == REPEATED


def test_site_claims_follow_the_window_rule(index: DedupIndex):
    index.decide(short_fp("a1", "https://site.example/1", "block", "storm", T0 - WINDOW))
    assert index.decide(short_fp("a2", "https://site.example/2", "block", "election", T0)) == \
        DedupDecision.unique()
    assert index.decide(short_fp("a3", "https://site.example/3", "block", "storm", T0 + timedelta(seconds=1))) \
        == REPEATED


def test_the_site_rule_in_one_batch_decides_as_one_by_one(make_index: IndexFactory):
    pages = [short_fp("a1", "https://site.example/1", "block", "storm"),
             short_fp("a2", "https://site.example/2", "block", "election"),
             short_fp("a3", "https://site.example/amp/2", "block", "election"),
             short_fp("b1", "https://other.example/1", "block", "storm"),
             short_fp("a2", "https://site.example/2", "block", "election")]
    expected = [DedupDecision.unique(), REPEATED, DedupDecision.duplicate("a2", "exact", 1.0),
                DedupDecision.duplicate("a1", "exact", 1.0), REPEATED]
    assert make_index().decide_many(pages) == expected


# --- The site rule's near step: no near pair of one site under two titles when either is short -----

def on_site(page: Fingerprint, site: str, title: str, short: bool = False) -> Fingerprint:
    """A near fingerprint as the stage builds it for a text of this site and title: every compared
    text has its site and title words; a short one (short) its site and title keys too."""
    page = replace(page, site=site, title_words=title)
    if short:
        page = replace(page, site_key=f"{page.content_hash} {site}", title_key=f"{page.content_hash} {site} {title}")
    return page


def test_a_short_text_near_a_page_of_its_site_under_another_title_is_unique(index: DedupIndex):
    """Two short pages of one site whose article cleaning missed: what is near alike is the template."""
    index.decide(on_site(near_fp("n1", 1), "site.example", "storm", short=True))
    assert index.decide(on_site(near_fp("n2", 1, changed=8), "site.example", "election", short=True)) == \
        DedupDecision.unique()


def test_a_short_text_near_a_longer_page_of_its_site_under_another_title_is_unique(index: DedupIndex):
    """Any indexed page of the site counts, long or short: the block a short page keeps is also in
    a longer page of the site whose article cleaning missed in part."""
    index.decide(on_site(near_fp("n1", 1, shingles=900), "site.example", "storm"))
    assert index.decide(on_site(near_fp("n2", 1, changed=8), "site.example", "election", short=True)) == \
        DedupDecision.unique()


def test_a_short_text_stays_a_near_copy_under_the_same_title_or_on_another_site(index: DedupIndex):
    index.decide(on_site(near_fp("n1", 1), "site.example", "storm", short=True))
    assert index.decide(on_site(near_fp("n2", 1, changed=8), "site.example", "storm", short=True)) == \
        DedupDecision.duplicate("n1", "near", 248 / 256)
    assert index.decide(on_site(near_fp("n3", 1, changed=16), "mirror.example", "election", short=True)) == \
        DedupDecision.duplicate("n1", "near", 240 / 256)


def test_a_longer_text_near_a_short_page_of_its_site_under_another_title_is_unique(index: DedupIndex):
    """The same pair the other way round: the block a short page kept is in the longer page too."""
    index.decide(on_site(near_fp("n1", 1), "site.example", "storm", short=True))
    assert index.decide(on_site(near_fp("n2", 1, changed=8, shingles=900), "site.example", "election")) == \
        DedupDecision.unique()
    assert index.decide(on_site(near_fp("n3", 1, changed=8, change_seed=1), "site.example", "storm")) == \
        DedupDecision.duplicate("n1", "near", 248 / 256)


def test_a_longer_text_stays_a_near_copy_of_a_longer_page_of_its_site_under_another_title(index: DedupIndex):
    """A site republishing an article under a new headline: a copy (the rule is for short texts)."""
    index.decide(on_site(near_fp("n1", 1), "site.example", "storm"))
    assert index.decide(on_site(near_fp("n2", 1, changed=8), "site.example", "election")) == \
        DedupDecision.duplicate("n1", "near", 248 / 256)


def test_a_long_text_off_its_title_is_repeated_on_site_yet_near_one_off_its_title_too(index: DedupIndex):
    """A longer text with site keys (off its title: long_text) meets the exact step of the site rule
    as a short text does: the same text on its site under another title is the site's template.
    Near a page of its site under another title that is off its title too it is a copy (one
    article whose title the site or a text dump words otherwise)."""
    def long_page(page: Fingerprint, title: str) -> Fingerprint:
        return replace(on_site(page, "site.example", title, short=True), long_text=True)

    first = replace(long_page(near_fp("n1", 1, shingles=900), "storm"), title_key="")
    index.decide(first)
    for article_id, title in (("n2", "election"), ("n2b", "storm")):  # a long text has no title key
        again = replace(long_page(near_fp(article_id, 1, shingles=900), title), content_hash=first.content_hash,
                        site_key=first.site_key, title_key="")
        assert index.decide(again) == REPEATED
    assert index.decide(long_page(near_fp("n3", 1, changed=8, shingles=900), "flood")) == \
        DedupDecision.duplicate("n1", "near", 248 / 256)


@pytest.mark.parametrize("off_first", [True, False])
def test_a_long_text_off_its_title_near_one_about_its_own_of_its_site_is_unique(index: DedupIndex, off_first: bool):
    """Of two long pages of one site under two titles, one speaking of its title and the other not
    (long_text): what they share is the template that is all the second kept. Either order; under
    the same title, or on another site, still a copy."""
    def page(article_id: str, changed: int, title: str, site: str = "site.example", off: bool = False,
             change_seed: int = 0) -> Fingerprint:
        fingerprint = on_site(near_fp(article_id, 1, changed=changed, shingles=900, change_seed=change_seed), site,
                              title, short=off)
        return replace(fingerprint, long_text=True) if off else fingerprint

    index.decide(page("n1", 0, "storm", off=off_first))
    assert index.decide(page("n2", 8, "election", off=not off_first, change_seed=1)) == DedupDecision.unique()
    assert index.decide(page("n3", 16, "storm", off=not off_first)) == DedupDecision.duplicate("n1", "near", 240 / 256)
    assert index.decide(page("n4", 24, "flood", "mirror.example", off=not off_first)) == \
        DedupDecision.duplicate("n1", "near", 232 / 256)


def test_a_page_indexed_without_a_site_is_a_candidate_of_every_short_text(index: DedupIndex):
    """An article indexed before origin keys (or by a stage that gave none) has no site to tell."""
    index.decide(near_fp("n1", 1))
    assert index.decide(on_site(near_fp("n2", 1, changed=8), "site.example", "election", short=True)) == \
        DedupDecision.duplicate("n1", "near", 248 / 256)


@pytest.mark.parametrize("batch", [False, True])
def test_the_excluded_page_leaves_the_syndicated_original_to_match(index: DedupIndex, batch: bool):
    """The page of the site under another title is no candidate at all: a less similar one of
    another site still matches, one by one and in a batch."""
    pages = [on_site(near_fp("n1", 1), "wire.example", "storm"),
             on_site(near_fp("n2", 1, changed=4, change_seed=1), "site.example", "election"),
             on_site(near_fp("n3", 1, changed=12, change_seed=2), "site.example", "storm", short=True)]
    expected = [DedupDecision.unique(), DedupDecision.duplicate("n1", "near", 252 / 256),
                DedupDecision.duplicate("n1", "near", 244 / 256)]
    assert (index.decide_many(pages) if batch else [index.decide(page) for page in pages]) == expected


@pytest.mark.parametrize("batch", [False, True])
def test_the_near_step_of_the_site_rule_in_one_batch_decides_as_one_by_one(index: DedupIndex, batch: bool):
    pages = [on_site(near_fp("n1", 1), "site.example", "storm", short=True),
             on_site(near_fp("n2", 1, changed=8), "site.example", "election", short=True),
             on_site(near_fp("n3", 1, changed=8, change_seed=1), "site.example", "storm", short=True),
             on_site(near_fp("n4", 1, changed=8, change_seed=2), "other.example", "election", short=True),
             on_site(near_fp("n5", 1, changed=8, change_seed=3, shingles=900), "site.example", "weather")]
    expected = [DedupDecision.unique(), DedupDecision.unique(), DedupDecision.duplicate("n1", "near", 248 / 256),
                DedupDecision.duplicate("n1", "near", 248 / 256), DedupDecision.unique()]
    assert (index.decide_many(pages) if batch else [index.decide(page) for page in pages]) == expected


def test_origin_keys_survive_a_restart(make_index: IndexFactory):
    first = make_index()
    first.decide(on_site(near_fp("n1", 1), "site.example", "storm"))
    first.checkpoint()
    first.close()
    second = make_index()
    assert second.decide(on_site(near_fp("n2", 1, changed=8), "site.example", "election", short=True)) == \
        DedupDecision.unique()
    assert second.decide(on_site(near_fp("n3", 1, changed=8, change_seed=1), "site.example", "storm", short=True)) \
        == DedupDecision.duplicate("n1", "near", 248 / 256)
