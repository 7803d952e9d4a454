"""In-process dedup index for a single replica, checkpointed to a file next to the offsets."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import orjson

from ..models import DedupDecision
from .base import DedupIndex, Fingerprint

CHECKPOINT_FILE = "dedup-memory.json"


class MemoryIndex(DedupIndex):
    backend = "memory"

    def __init__(self, state_dir: str | None = None):
        self._decisions: dict[str, DedupDecision] = {}
        self._by_url: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}
        self._path = Path(state_dir) / CHECKPOINT_FILE if state_dir else None
        self._dirty = False
        if self._path and self._path.exists():
            self._restore(self._path)

    def decide(self, fp: Fingerprint) -> DedupDecision:
        previous = self._decisions.get(fp.article_id)
        if previous is not None:
            return previous
        if (first := self._by_url.get(fp.url_key)) is not None:
            decision = DedupDecision.duplicate(first, "url", 1.0)
        elif (first := self._by_hash.get(fp.content_hash)) is not None:
            decision = DedupDecision.duplicate(first, "exact", 1.0)
        else:
            decision = DedupDecision.unique()
        self._by_url.setdefault(fp.url_key, fp.article_id)
        self._by_hash.setdefault(fp.content_hash, fp.article_id)
        self._decisions[fp.article_id] = decision
        self._dirty = True
        return decision

    def size(self) -> int:
        return len(self._decisions)

    def checkpoint(self) -> None:
        if self._path is None or not self._dirty:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps({
            "decisions": {k: v.to_dict() for k, v in self._decisions.items()},
            "by_url": self._by_url,
            "by_hash": self._by_hash,
        })
        # Write then rename: a crash mid-write leaves the previous checkpoint intact.
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".dedup-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._path)
        self._dirty = False

    def _restore(self, path: Path) -> None:
        data = orjson.loads(path.read_bytes())
        self._decisions = {k: DedupDecision.from_dict(v) for k, v in data["decisions"].items()}
        self._by_url = data["by_url"]
        self._by_hash = data["by_hash"]
