"""Dedup stage: gives each Article its decision (unique, or duplicate of which article and how)."""
from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

from ..models import Article
from ..service.metrics import Metrics
from ..state import DedupIndex, Fingerprint
from .base import Stage


class DedupStage(Stage[Article, Article]):
    name = "dedup"
    interruptible = False  # it talks to the state backend

    def __init__(self, index: DedupIndex, metrics: Metrics | None = None, timeout_seconds: float = 0.0):
        super().__init__(metrics, timeout_seconds)
        self.index = index
        self._decision_time = self.metrics.dedup_decision_duration.labels(backend=index.backend)

    def process(self, article: Article) -> Article:
        fingerprint = Fingerprint(article_id=article.article_id, url_key=canonical_url(article.canonical_url),
                                  content_hash=article.content_hash, fetched_at=article.fetched_at)
        started = time.perf_counter()
        article.dedup = self.index.decide(fingerprint)
        self._decision_time.observe(time.perf_counter() - started)
        return article


def canonical_url(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, parts.query, ""))
