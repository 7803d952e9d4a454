"""Redis going away mid-run: no guessed decision, and decisions resume when it is back."""
from __future__ import annotations

from datetime import timedelta

import pytest

from worker.config.redis import RedisSettings
from worker.errors import DependencyUnavailable
from worker.models import DedupDecision
from worker.state.redis import RedisIndex

from .conftest import dedup_settings
from .test_contract import T0, fp


def test_unreachable_redis_raises_and_decisions_resume_after_restart(durable_redis_server):
    index = RedisIndex(dedup_settings("redis", redis_url=durable_redis_server.url),
                       RedisSettings(socket_timeout_seconds=0.5, connect_timeout_seconds=0.5))
    first = index.decide(fp("a1", "https://site.example/a", "body a"))
    copy = fp("a2", "https://mirror.example/a", "body a", T0 + timedelta(minutes=1))

    durable_redis_server.stop()
    with pytest.raises(DependencyUnavailable):
        index.decide(copy)  # never a guess: the service pauses and retries this page
    assert not index.ping()
    with pytest.raises(DependencyUnavailable):
        index.size()

    durable_redis_server.start()  # same port, state reloaded from its append-only file
    assert index.ping()
    assert index.decide(copy) == DedupDecision.duplicate("a1", "exact", 1.0)
    assert index.decide(fp("a1", "https://site.example/a", "body a")) == first == DedupDecision.unique()


def test_a_batch_against_an_unreachable_redis_raises_and_succeeds_when_retried(durable_redis_server):
    index = RedisIndex(dedup_settings("redis", redis_url=durable_redis_server.url),
                       RedisSettings(socket_timeout_seconds=0.5, connect_timeout_seconds=0.5))
    batch = [fp("a1", "https://site.example/a", "body a"), fp("a2", "https://mirror.example/a", "body a")]
    durable_redis_server.stop()
    with pytest.raises(DependencyUnavailable):
        index.decide_many(batch)
    durable_redis_server.start()
    assert index.decide_many(batch) == [DedupDecision.unique(), DedupDecision.duplicate("a1", "exact", 1.0)]
