"""Dedup state backends behind one interface (base.DedupIndex)."""
from __future__ import annotations

from ..config import DedupSettings
from ..config.redis import RedisSettings
from .base import DedupIndex, Fingerprint
from .memory import MemoryIndex

__all__ = ["DedupIndex", "Fingerprint", "MemoryIndex", "open_index"]


def open_index(settings: DedupSettings, redis_settings: RedisSettings | None = None) -> DedupIndex:
    """The backend DEDUP_BACKEND names: memory (one replica) or redis (shared by every replica)."""
    if settings.backend == "memory":
        return MemoryIndex(settings, exclusive=True)  # (DependencyUnavailable: its directory is held)
    if settings.backend == "redis":
        from .redis import RedisIndex  # the redis client is only imported by workers that use it

        return RedisIndex(settings, redis_settings)
    raise ValueError(f"unknown dedup backend {settings.backend!r}")
