"""A small on-disk cache for slow, deterministic bench inputs (trafilatura's outputs, text dumps).

One JSON file per (kind, version, set): .cache/bench/<kind>-<version>/<set>.json, key -> value. The
version names what produced the values (trafilatura's version, html-text's and the dump styles'),
so an upgrade or a changed dump style starts a new file instead of reusing stale values. The
directory is gitignored; delete it to recompute everything.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO / ".cache" / "bench"


class Cache:
    def __init__(self, kind: str, version: str, set_name: str, enabled: bool = True):
        self.path = CACHE_DIR / f"{kind}-{version}" / f"{set_name}.json"
        self.enabled = enabled
        self.values: dict[str, Any] = {}
        if enabled and self.path.exists():
            self.values = json.loads(self.path.read_text(encoding="utf-8"))
        self.changed = False

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.values:
            self.values[key] = compute()
            self.changed = True
        return self.values[key]

    def save(self) -> None:
        if self.enabled and self.changed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.values, ensure_ascii=False), encoding="utf-8")
            temporary.replace(self.path)
            self.changed = False
