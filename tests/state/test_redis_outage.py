"""Redis going away mid-run: no guessed decision, and decisions resume when it is back."""
from __future__ import annotations

import threading
import time
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


def _refusing_writes_raises_and_decisions_resume(server, refuse, allow):
    """While Redis refuses (refuse(client)), a batch raises DependencyUnavailable: the service
    pauses and retries it; no page is rejected for it (a redis ResponseError was a stage_error
    dead letter for every page). Once allowed again, the same batch is decided."""
    index = RedisIndex(dedup_settings("redis", redis_url=server.url),
                       RedisSettings(socket_timeout_seconds=2.0, connect_timeout_seconds=0.5))
    first = index.decide(fp("a1", "https://site.example/a", "body a"))
    batch = [fp("a2", "https://mirror.example/a", "body a"), fp("b1", "https://site.example/b", "body b")]
    with server.client() as client:
        refuse(client)
        try:
            with pytest.raises(DependencyUnavailable):
                index.decide_many(batch)
        finally:
            allow(client)
    assert first == DedupDecision.unique()
    assert index.decide_many(batch) == [DedupDecision.duplicate("a1", "exact", 1.0), DedupDecision.unique()]


def test_redis_without_enough_replicas_to_write_pauses_the_batch(durable_redis_server):
    _refusing_writes_raises_and_decisions_resume(
        durable_redis_server, lambda client: client.config_set("min-replicas-to-write", 1),
        lambda client: client.config_set("min-replicas-to-write", 0))


def test_redis_that_cannot_persist_pauses_the_batch(tmp_path):
    """MISCONF: a failed background save with stop-writes-on-bgsave-error (a full disk). The
    server's directory is /proc, where no snapshot can be written whoever runs it."""
    from tests.fixtures.redis_server import RedisServer, _redis_binary, free_port

    server = RedisServer(_redis_binary(), free_port(), "/proc")
    server.start()

    def refuse(client):
        client.config_set("save", "3600 1")
        client.config_set("stop-writes-on-bgsave-error", "yes")
        client.bgsave()
        deadline = time.monotonic() + 10
        while client.info("persistence")["rdb_last_bgsave_status"] != "err":
            assert time.monotonic() < deadline, "the background save did not fail"
            time.sleep(0.05)

    try:
        _refusing_writes_raises_and_decisions_resume(
            server, refuse, lambda client: client.config_set("stop-writes-on-bgsave-error", "no"))
    finally:
        with server.client() as client:
            client.config_set("save", "")  # (else its shutdown tries the save again, and refuses to exit)
        server.stop()


def test_redis_busy_with_another_clients_script_pauses_the_batch(durable_redis_server):
    """BUSY: another client's script ran past busy-reply-threshold; Redis answers nothing else
    until it ends."""
    busy = threading.Event()

    def long_script():
        with durable_redis_server.client() as other:
            busy.set()
            other.eval("local t = redis.call('TIME') while true do local n = redis.call('TIME') "
                       "if (n[1] - t[1]) * 1000000 + n[2] - t[2] > 1500000 then break end end return 1", 0)

    thread = threading.Thread(target=long_script)

    def refuse(client):
        client.config_set("busy-reply-threshold", 100)
        thread.start()
        busy.wait()
        time.sleep(0.4)

    def allow(client):  # (the script ends by itself)
        thread.join()

    _refusing_writes_raises_and_decisions_resume(durable_redis_server, refuse, allow)
