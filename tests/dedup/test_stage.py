"""The dedup stage on articles: what reaches the event, and the metrics it keeps."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from worker.config import DedupSettings
from worker.metrics import Metrics
from worker.stages.dedup import DedupStage
from worker.state.memory import MemoryIndex

from .conftest import T0, article, story


def stage() -> DedupStage:
    return DedupStage(MemoryIndex(DedupSettings()), Metrics(), DedupSettings())


def test_a_recrawl_is_a_url_duplicate_that_still_carries_its_new_text():
    dedup = stage()
    first = dedup(article("first", story(1), "https://news.example/story"))
    updated_text = story(1) + "\n\nUpdate: the minister resigned on Friday evening."
    recrawl = dedup(article("again", updated_text, "https://news.example/story?utm_source=rss", T0 + timedelta(hours=3)))
    assert first.dedup.status == "unique"
    assert (recrawl.dedup.duplicate_of, recrawl.dedup.method) == ("first", "url")
    event = recrawl.to_event()
    assert event["text"] == updated_text and event["dedup"]["method"] == "url"


def test_batch_and_single_processing_give_the_same_decisions():
    articles = [article(f"a{i}", story(i % 5), f"https://site{i % 3}.example/{i % 4}", T0 + timedelta(minutes=i))
                for i in range(12)]
    one_by_one = stage()
    single = [one_by_one(a).dedup for a in articles]
    batched = [a.dedup for a in stage().process_batch([article(a.article_id, a.text, a.url, a.fetched_at)
                                                       for a in articles])]
    assert batched == single


def test_index_size_and_decision_time_are_exported():
    dedup = stage()
    for i in range(3):
        dedup(article(f"a{i}", story(i)))
    registry = dedup.metrics.registry
    assert registry.get_sample_value("newsworker_dedup_index_articles") == 1  # refreshed at most once a second
    assert registry.get_sample_value("newsworker_dedup_decision_seconds_count", {"backend": "memory"}) == 3


def test_a_short_text_its_site_published_under_another_title_is_repeated_on_site():
    dedup = stage()
    block = ("A note from the newsroom: the office is closed on Monday for the holiday, and news tips sent to "
             "the desk email will be read by the editor on duty.\n\nThe print edition appears as usual on "
             "Tuesday morning, with the weekend's sports results and the weather for the week ahead.")

    def page(article_id: str, path: str, title: str):
        return replace(article(article_id, block, f"https://site.example/{path}"), title=title)

    assert dedup(page("a", "a", "Newsroom office closed Monday")).dedup.reason is None
    repeated = dedup(page("b", "b", "Newsroom desk holiday tips")).dedup
    assert (repeated.status, repeated.method, repeated.reason) == ("unique", None, "repeated_on_site")
    assert dedup(page("b", "b", "Newsroom desk holiday tips")).dedup == repeated  # a replay
    assert dedup.metrics.registry.get_sample_value("newsworker_dedup_not_compared_total",
                                                   {"reason": "repeated_on_site"}) == 2
