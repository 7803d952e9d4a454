"""The article-extraction benchmark's metric (../shared/benchmarks/article-extraction/SOURCE.md), in one place.

Text is split into `\\w+` tokens; 4-token shingles are counted; per page, tp/fp/fn are the shared,
extra and missing shingle counts normalised by their sum (so every page weighs the same); precision
and recall are means over pages (a page with an empty prediction counts for recall only), F1 their
harmonic mean. Used by bench/text_cleaning.py and bench/html_extraction.py.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable

_TOKEN = re.compile(r"\w+")
SHINGLE = 4

PageScore = tuple[float, float, float]  # tp, fp, fn of one page, normalised to sum to 1


def shingles(text: str) -> Counter:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than one shingle still counts as one (shorter) shingle, as in the benchmark.
    return Counter(tuple(tokens[i:i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))
                   if tokens[i:i + SHINGLE])


def page_score(truth: str, prediction: str) -> PageScore:
    expected, predicted = shingles(truth), shingles(prediction)
    tp = sum((expected & predicted).values())
    fp = sum((predicted - expected).values())
    fn = sum((expected - predicted).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def summarize(per_page: Iterable[PageScore]) -> tuple[float, float, float]:
    """(F1, precision, recall) over pages."""
    scores = list(per_page)
    p = statistics.mean(precision(*s) for s in scores if s[0] + s[1] > 0)
    r = statistics.mean(recall(*s) for s in scores if s[0] + s[2] > 0)
    return (2 * p * r / (p + r) if p + r else 0.0), p, r
