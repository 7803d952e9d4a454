"""The loop both dedup evaluations share (bench/dedup_eval.py, bench/dedup_eval_independent.py):
records through the worker's own cleaning and dedup stages, one by one, in order, on a fresh
in-memory index."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

from worker.config import DedupSettings
from worker.dedup.fingerprint import Fingerprinter
from worker.errors import PageRejected
from worker.metrics import Metrics
from worker.models import Article, DedupDecision, RawPage
from worker.stages.clean import CleanStage
from worker.stages.dedup import DedupStage
from worker.state.memory import MemoryIndex


class Outcome(NamedTuple):
    record: dict
    decision: DedupDecision | None  # None when cleaning rejected the page
    rejected: str | None  # the rejection reason
    article: Article | None  # what dedup saw


def decide_stream(records: list[dict], to_input: Callable[[dict], Article | RawPage], settings: DedupSettings,
                  family: str | None = None) -> tuple[list[Outcome], float]:
    """Each record's outcome and the seconds taken. to_input gives an Article (a text decided as
    is) or a RawPage (cleaned first, as the worker cleans it); family seeds other MinHash
    permutations (runs of the same stream under several seeds)."""
    metrics = Metrics()
    stage = DedupStage(MemoryIndex(settings), metrics, settings)
    if family is not None:
        stage.fingerprinter = Fingerprinter(settings, family)
    clean = CleanStage(metrics=metrics)
    outcomes = []
    started = time.perf_counter()
    for record in records:
        item = to_input(record)
        if isinstance(item, RawPage):
            try:
                item = clean(item)
            except PageRejected as rejected:
                outcomes.append(Outcome(record, None, rejected.reason.value, None))
                continue
        outcomes.append(Outcome(record, stage(item).dedup, None, item))
    return outcomes, time.perf_counter() - started
