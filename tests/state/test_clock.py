"""One record's clock never moves the dedup state: after a page fetched in the year 9999 (decode
refuses it, but the state must not depend on that), both backends keep every decision, and the
decisions after it cost what they cost before."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from worker.models import DedupDecision

from .conftest import IndexFactory
from .test_contract import T0, fp, near_fp

FAR_FUTURE = datetime(9999, 6, 1, tzinfo=timezone.utc)
COUNT = 40


def test_a_far_future_record_moves_no_decision(make_index: IndexFactory):
    index = make_index()
    for n in range(COUNT):
        assert index.decide(near_fp(f"a{n}", base_seed=n)) == DedupDecision.unique()
        assert index.decide(fp(f"e{n}", f"https://exact.example/{n}", f"body {n}")) == DedupDecision.unique()
    assert index.decide(near_fp("future", base_seed=10_000, at=FAR_FUTURE)).status == "unique"
    # The memory backend expires by its clock every few thousand decisions: ask now.
    getattr(index, "_drop_expired", lambda: None)()
    index.checkpoint()

    for current in (index, make_index()):  # and after a restart (memory) / from another replica (redis)
        started = time.perf_counter()
        for n in range(COUNT):
            near = current.decide(near_fp(f"copy{n}-{id(current)}", base_seed=n, changed=4, change_seed=1))
            assert (near.status, near.duplicate_of, near.method) == ("duplicate", f"a{n}", "near")
            exact = current.decide(fp(f"x{n}-{id(current)}", f"https://other.example/{n}-{id(current)}",
                                      f"body {n}"))
            assert (exact.status, exact.duplicate_of, exact.method) == ("duplicate", f"e{n}", "exact")
        took = time.perf_counter() - started
        assert took < 2.0, f"{2 * COUNT} decisions took {took:.1f}s after the far-future record"
        assert current.size() >= 2 * COUNT


def test_a_far_future_generation_lives_by_the_servers_clock(redis_url, redis_prefix):
    """The redis backend keeps a generation for the far-future page (its decisions must replay) and
    reads it like any other, but deletes it a retention after its last write by the server's clock,
    like every generation: nothing in the registry is dated by the page."""
    import redis as redis_client

    from worker.config.redis import RedisSettings
    from worker.state.redis import RedisIndex

    from .conftest import dedup_settings
    settings = dedup_settings("redis", redis_url=redis_url)
    index = RedisIndex(settings, RedisSettings(prefix=redis_prefix))
    try:
        index.decide(near_fp("now", base_seed=1, at=T0))
        index.decide(near_fp("future", base_seed=2, at=FAR_FUTURE))
        client = redis_client.Redis.from_url(redis_url)
        registry = client.hgetall(redis_prefix + "G")
        written = [int(value) for name, value in registry.items() if name.startswith(b"t")]
        server_now = client.time()[0]
        assert len(written) == 2 and all(abs(at - server_now) < 60 for at in written)
    finally:
        index.close()
