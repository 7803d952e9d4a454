"""Settings of the redis dedup backend (DEDUP_BACKEND=redis); the server URL is REDIS_URL in dedup.py."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .env import ConfigError, get_float, get_int, require_str


@dataclass(frozen=True)
class RedisSettings:
    # Every key the worker writes starts with this, so that several pipelines (or environments) can
    # share one Redis without seeing each other's articles. Pipelines that must deduplicate against
    # each other use the same prefix.
    prefix: str = "newsworker:dedup:"
    # Short timeouts: an unreachable Redis must surface quickly as DependencyUnavailable, so that the
    # worker pauses and retries instead of hanging inside a batch past max.poll.interval.ms.
    socket_timeout_seconds: float = 2.0
    connect_timeout_seconds: float = 1.0
    # The expected peak of articles a day, which sizes the layout (worker/state/redis.py): records
    # and claims are sharded so that a shard holds about shard_entries of them, within Redis's
    # compact hash encoding (hash-max-listpack-entries, 128 by default). Underestimated, shards
    # outgrow it and cost about 3x the memory; decisions are the same. Changing it on a prefix that
    # holds state is refused (the layout is stored with it): use a new DEDUP_REDIS_PREFIX.
    articles_per_day: int = 100_000
    shard_entries: int = 48

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RedisSettings:
        prefix = require_str(env, "DEDUP_REDIS_PREFIX", cls.prefix)
        if any(ch.isspace() for ch in prefix):
            raise ConfigError(f"DEDUP_REDIS_PREFIX must not contain spaces, got {prefix!r}")
        return cls(
            prefix=prefix,
            socket_timeout_seconds=get_float(env, "REDIS_SOCKET_TIMEOUT_SECONDS", cls.socket_timeout_seconds,
                                             minimum=0.01, maximum=60),
            connect_timeout_seconds=get_float(env, "REDIS_CONNECT_TIMEOUT_SECONDS", cls.connect_timeout_seconds,
                                              minimum=0.01, maximum=60),
            articles_per_day=get_int(env, "DEDUP_REDIS_ARTICLES_PER_DAY", cls.articles_per_day, minimum=1),
        )
