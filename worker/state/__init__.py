"""Dedup state backends behind one interface (base.DedupIndex)."""
from __future__ import annotations

from ..config import DedupSettings
from .base import DedupIndex, Fingerprint
from .memory import MemoryIndex

__all__ = ["DedupIndex", "Fingerprint", "MemoryIndex", "open_index"]


def open_index(settings: DedupSettings) -> DedupIndex:
    if settings.backend == "memory":
        return MemoryIndex(settings.state_dir)
    raise ValueError(f"unknown dedup backend {settings.backend!r}")
