"""Dedup settings: which state backend, how long decisions are remembered, similarity thresholds."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .env import ConfigError, get_choice, get_float, get_str

BACKENDS = ("memory", "redis")


@dataclass(frozen=True)
class DedupSettings:
    # memory: in-process, for one replica. redis: shared by every replica of a consumer group.
    backend: str = "memory"
    redis_url: str | None = field(default=None, repr=False)  # may carry a password
    # Articles are remembered for this long, measured on fetched_at.
    window_days: float = 14.0
    # Where the memory backend writes its checkpoint (None: state lives only in the process).
    state_dir: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DedupSettings:
        backend = get_choice(env, "DEDUP_BACKEND", "memory", BACKENDS)
        redis_url = get_str(env, "REDIS_URL")
        if backend == "redis" and redis_url is None:
            raise ConfigError("DEDUP_BACKEND=redis needs REDIS_URL (e.g. redis://redis:6379/0)")
        return cls(
            backend=backend,
            redis_url=redis_url,
            window_days=get_float(env, "DEDUP_WINDOW_DAYS", cls.window_days, minimum=0.001),
            state_dir=get_str(env, "DEDUP_STATE_DIR"),
        )
