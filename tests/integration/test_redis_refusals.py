"""Redis that answers but refuses to write, under the real worker process and broker: the worker
pauses (not ready) and retries, dead-letters nothing for it, and publishes every page once Redis
takes writes again. (Each of these replies cost every page of the batch as a stage_error dead
letter: BUSY, MISCONF and NOREPLICAS have no redis-py error class of their own.)"""
from __future__ import annotations

import time

import pytest

from tests.helpers import article_body, consume, page, produce, wait_until

pytestmark = [pytest.mark.broker, pytest.mark.redis]


def test_redis_refusing_writes_pauses_the_worker_and_loses_no_page(kafka_settings, make_topics, workers,
                                                                    durable_redis_server, redis_prefix):
    topics = make_topics(partitions=2)
    worker = workers(kafka_settings, topics, DEDUP_BACKEND="redis", REDIS_URL=durable_redis_server.url,
                     DEDUP_REDIS_PREFIX=redis_prefix, RETRY_BACKOFF_INITIAL_SECONDS="0.2",
                     RETRY_BACKOFF_MAX_SECONDS="1", DEPENDENCY_PROBE_INTERVAL_SECONDS="0.2")
    worker.wait_ready()
    first = [page(f"https://site.example/a{n}", article_body(n)) for n in range(10)]
    produce(kafka_settings, topics.pages_raw, first)
    consume(kafka_settings, topics, expected=len(first), timeout=60)
    with durable_redis_server.client() as client:
        client.config_set("min-replicas-to-write", 1)  # NOREPLICAS for every write
        try:
            later = [page(f"https://site.example/b{n}", article_body(100 + n)) for n in range(20)]
            produce(kafka_settings, topics.pages_raw, later)
            wait_until(lambda: worker.metric("newsworker_dependency_retries_total", dependency="dedup_state") >= 2,
                       "the worker retrying the batch", timeout=60)
            assert worker.get("/readyz")[0] == 503
            time.sleep(1.0)
            assert worker.metric("newsworker_dlq_records_total", reason="stage_error") == 0
        finally:
            client.config_set("min-replicas-to-write", 0)
    events = consume(kafka_settings, topics, expected=len(first) + len(later), timeout=60, settle=1.0)
    assert not events[topics.pages_dlq], [e["error"] for e in events[topics.pages_dlq]][:3]
    assert sorted(e["url"] for e in events[topics.articles_normalized]) == sorted(
        f"https://site.example/{x}" for x in [f"a{n}" for n in range(10)] + [f"b{n}" for n in range(20)])
    wait_until(lambda: worker.get("/readyz")[0] == 200, "ready again", timeout=10)
    assert worker.process.poll() is None
