"""Dedup stages: FingerprintStage computes an Article's fingerprint (canonical URL, body hash,
MinHash signature and LSH bands), DedupStage gives it its decision (unique, or duplicate of which
article and how).

The fingerprint is computed in the worker, apart from the decision: it depends on the article alone,
so it runs wherever the page is cleaned (one of several processes with `process --jobs N`), while
decisions are taken in input order. The index (worker/state) only looks up and claims, so every
backend decides on the same fingerprint.
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace

from ..config import DedupSettings
from ..dedup.comparable import REASONS
from ..dedup.fingerprint import Fingerprinter
from ..errors import DependencyUnavailable
from ..models import Article, DedupDecision
from ..metrics import Metrics
from ..state import DedupIndex, Fingerprint
from .base import Stage

log = logging.getLogger(__name__)

# The index size gauge is refreshed at most this often (a shared backend answers it over the network).
INDEX_SIZE_REFRESH_SECONDS = 1.0


class FingerprintStage(Stage[Article, Fingerprint]):
    name = "fingerprint"

    def __init__(self, settings: DedupSettings | None = None, metrics: Metrics | None = None,
                 timeout_seconds: float = 0.0):
        super().__init__(metrics, timeout_seconds)
        self.fingerprinter = Fingerprinter(settings or DedupSettings())

    def process(self, article: Article) -> Fingerprint:
        return self.fingerprinter.fingerprint(article)


# An article with its fingerprint already computed (FingerprintStage), or an article alone.
Fingerprinted = tuple[Article, Fingerprint]


class DedupStage(Stage[Article | Fingerprinted, Article]):
    name = "dedup"
    interruptible = False  # it talks to the state backend

    def __init__(self, index: DedupIndex, metrics: Metrics | None = None, settings: DedupSettings | None = None,
                 timeout_seconds: float = 0.0):
        super().__init__(metrics, timeout_seconds)
        self.index = index
        self.fingerprinter = Fingerprinter(settings or DedupSettings())
        self._decision_time = self.metrics.dedup_decision_duration.labels(backend=index.backend)
        self._index_size = self.metrics.dedup_index_articles
        self._size_refreshed_at = -INDEX_SIZE_REFRESH_SECONDS
        for reason in REASONS:  # every series exported from the start, at 0
            self.metrics.dedup_not_compared.labels(reason=reason)

    def process(self, item: Article | Fingerprinted) -> Article:
        article, fingerprint = self._fingerprinted(item)
        started = time.perf_counter()
        article.dedup = self._with_reason(self.index.decide(fingerprint), fingerprint)
        finished = time.perf_counter()
        self._decision_time.observe(finished - started)
        self._refresh_index_size(finished)
        return article

    def process_batch(self, items: list[Article | Fingerprinted]) -> list[Article]:
        """Decide a batch in one index call (index.decide_many: one round trip on a shared backend),
        in list order, exactly as process() one after another would. Raises DependencyUnavailable
        when the backend is unreachable; retry the whole batch (decided ones come back as replays)."""
        if not items:
            return []
        pairs = [self._fingerprinted(item) for item in items]
        articles = [article for article, _ in pairs]
        started = time.perf_counter()
        decisions = self.index.decide_many([fingerprint for _, fingerprint in pairs])
        finished = time.perf_counter()
        per_decision = (finished - started) / len(articles)  # the batch's time, shared out
        for (article, fingerprint), decision in zip(pairs, decisions, strict=True):
            article.dedup = self._with_reason(decision, fingerprint)
            self._decision_time.observe(per_decision)
        self._refresh_index_size(finished)
        return articles

    def _fingerprinted(self, item: Article | Fingerprinted) -> Fingerprinted:
        return item if isinstance(item, tuple) else (item, self.fingerprinter.fingerprint(item))

    def _with_reason(self, decision: DedupDecision, fingerprint: Fingerprint) -> DedupDecision:
        """A unique page whose text was not compared says why: the backend's reason (repeated_on_site,
        stored with the decision) or the fingerprint's, which depends on the text alone; so a replay
        (the backend returns the decision it stored) gets the same event."""
        if decision.is_duplicate:
            return decision
        if decision.reason is None and fingerprint.not_compared is not None:
            decision = replace(decision, reason=fingerprint.not_compared)
        if decision.reason is not None:
            self.metrics.dedup_not_compared.labels(reason=decision.reason).inc()
        return decision

    def _refresh_index_size(self, now: float) -> None:
        """Only a gauge: a backend that cannot answer now leaves it as it was (the decisions are
        taken; failing here would make the service retry the batch for a metric)."""
        if now - self._size_refreshed_at >= INDEX_SIZE_REFRESH_SECONDS:
            self._size_refreshed_at = now
            try:
                self._index_size.set(self.index.size())
            except DependencyUnavailable as error:
                log.warning("dedup index size unavailable; gauge not updated", extra={"error": str(error)})
