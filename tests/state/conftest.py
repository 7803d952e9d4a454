"""Backends under test: every contract test runs once on `memory` and once on `redis`."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from worker.config import DedupSettings
from worker.config.redis import RedisSettings
from worker.state import DedupIndex, MemoryIndex
from worker.state.redis import RedisIndex

WINDOW_DAYS = 14.0


def dedup_settings(backend: str, **overrides) -> DedupSettings:
    return DedupSettings(backend=backend, window_days=WINDOW_DAYS, **overrides)


IndexFactory = Callable[[], DedupIndex]


@pytest.fixture(params=["memory", "redis"])
def make_index(request, tmp_path) -> Iterator[IndexFactory]:
    """A factory of indexes over one shared state: a second call is the same worker after a
    restart (memory: restored from its checkpoint) or another replica (redis: same server, prefix)."""
    opened: list[DedupIndex] = []
    if request.param == "memory":
        def factory() -> DedupIndex:
            opened.append(MemoryIndex(dedup_settings("memory", state_dir=str(tmp_path))))
            return opened[-1]
    else:
        settings = dedup_settings("redis", redis_url=request.getfixturevalue("redis_url"))
        redis_settings = RedisSettings(prefix=request.getfixturevalue("redis_prefix"))

        def factory() -> DedupIndex:
            opened.append(RedisIndex(settings, redis_settings))
            return opened[-1]
    yield factory
    for index in opened:
        index.close()


@pytest.fixture
def index(make_index: IndexFactory) -> DedupIndex:
    return make_index()
