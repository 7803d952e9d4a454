"""Worker replicas sharing one Redis dedup state, as real processes against a real broker (Tansu)
and a real redis-server.

Copies of an article land on different partitions, hence on different replicas of one consumer
group: the shared state must still give one unique and the rest duplicates of it. When Redis goes
away, a worker publishes nothing for the pages it cannot decide and publishes them once Redis is
back: no page lost, none sent to the dead-letter topic for it.
"""
from __future__ import annotations

import pytest

from tests.helpers import WorkerProcess, article_body, consume, page, produce_to_partitions, wait_until

pytestmark = [pytest.mark.broker, pytest.mark.redis]



@pytest.fixture
def workers(workers):
    """The shared fixture, every worker on the Redis backend under the given key prefix."""
    def start(settings, topics, redis_url: str, prefix: str, **env) -> WorkerProcess:
        return workers(settings, topics, DEDUP_BACKEND="redis", REDIS_URL=redis_url, DEDUP_REDIS_PREFIX=prefix, **env)

    return start


def copy_of(story: int, variant: int) -> str:
    """Variant 0 and 1: the story's text; 2 and 3: every tenth word swapped (at different places)."""
    if variant < 2:
        return article_body(story)
    words = article_body(story).split(" ")
    return " ".join(f"swapped{i}" if i % 10 == variant * 3 else word for i, word in enumerate(words))


def test_copies_on_partitions_of_different_replicas_give_one_unique(kafka_settings, make_topics, workers,
                                                                    redis_url, redis_prefix):
    partitions, stories = 4, 25
    topics = make_topics(partitions=partitions)
    one = workers(kafka_settings, topics, redis_url, redis_prefix)
    two = workers(kafka_settings, topics, redis_url, redis_prefix)
    one.wait_ready()
    two.wait_ready()
    wait_until(lambda: one.metric("newsworker_assigned_partitions") + two.metric("newsworker_assigned_partitions")
               == partitions and one.metric("newsworker_assigned_partitions") > 0,
               "both workers to own partitions")

    # Every story once on each partition, under four sites' URLs: the original, an exact copy and
    # two reworded copies. They are decided by both workers, often at the same moment.
    values = [(p, page(f"https://site{p}.example/news/{story}", copy_of(story, p)))
              for story in range(stories) for p in range(partitions)]
    produce_to_partitions(kafka_settings, topics.pages_raw, values)
    events = consume(kafka_settings, topics, expected=len(values), settle=1.0)

    assert not events[topics.pages_dlq]
    published = events[topics.articles_normalized] + events[topics.articles_duplicates]
    assert len({e["article_id"] for e in published}) == len(values)
    by_story: dict[str, list[dict]] = {}
    for event in published:
        by_story.setdefault(event["url"].rsplit("/", 1)[1], []).append(event)
    for story, copies in by_story.items():
        uniques = [e for e in copies if e["dedup"]["status"] == "unique"]
        assert len(uniques) == 1, f"story {story}: {[e['dedup'] for e in copies]}"
        for copy in copies:
            if copy is not uniques[0]:
                assert copy["dedup"]["duplicate_of"] == uniques[0]["article_id"]
                assert copy["dedup"]["method"] in ("exact", "near")
    assert {e["dedup"]["method"] for e in published} == {None, "exact", "near"}
    assert one.metric("newsworker_pages_consumed_total", topic=topics.pages_raw) > 0
    assert two.metric("newsworker_pages_consumed_total", topic=topics.pages_raw) > 0


def test_redis_down_pauses_publishing_and_nothing_is_lost(kafka_settings, make_topics, workers,
                                                         durable_redis_server, redis_prefix):
    topics = make_topics(partitions=2)
    worker = workers(kafka_settings, topics, durable_redis_server.url, redis_prefix,
                     RETRY_BACKOFF_INITIAL_SECONDS="0.1", RETRY_BACKOFF_MAX_SECONDS="0.5",
                     REDIS_SOCKET_TIMEOUT_SECONDS="0.5", REDIS_CONNECT_TIMEOUT_SECONDS="0.5")
    worker.wait_ready()
    before = [page(f"https://site.example/{i}", article_body(i)) for i in range(10)]
    produce_to_partitions(kafka_settings, topics.pages_raw, [(i % 2, v) for i, v in enumerate(before)])
    consume(kafka_settings, topics, expected=len(before))

    durable_redis_server.stop()
    # New pages during the outage: five new articles and five copies of articles decided before.
    during = ([page(f"https://other.example/{i}", article_body(100 + i)) for i in range(5)]
              + [page(f"https://mirror.example/{i}", article_body(i)) for i in range(5)])
    produce_to_partitions(kafka_settings, topics.pages_raw, [(i % 2, v) for i, v in enumerate(during)])
    wait_until(lambda: worker.metric("newsworker_dependency_retries_total", dependency="dedup_state") >= 3,
               "the worker to retry the dedup state")
    assert worker.get("/readyz")[0] == 503
    paused = consume(kafka_settings, topics, expected=len(before), settle=0.5)
    assert sum(len(e) for e in paused.values()) == len(before), "nothing is published without a decision"

    durable_redis_server.start()
    events = consume(kafka_settings, topics, expected=len(before) + len(during), settle=1.0)
    assert not events[topics.pages_dlq]
    published = events[topics.articles_normalized] + events[topics.articles_duplicates]
    assert len(published) == len(before) + len(during), "each page published exactly once"
    first_of = {e["url"].rsplit("/", 1)[1]: e["article_id"] for e in published if e["url"].startswith("https://site.")}
    mirrors = [e for e in published if e["url"].startswith("https://mirror.")]
    assert all(e["dedup"]["duplicate_of"] == first_of[e["url"].rsplit("/", 1)[1]] for e in mirrors)
    assert all(e["dedup"]["status"] == "unique" for e in published if e["url"].startswith("https://other."))
    wait_until(lambda: worker.get("/readyz")[0] == 200, "the worker to be ready again")
