"""The shared benchmark sets, loaded one way for every benchmark.

    from bench.sets import SET_NAMES, load_set
    pages = load_set(shared, "readability-pages")  # [BenchPage(set_name, key, url, html, truth, split)]

article-extraction and readability-pages carry the article body (truth); dates-mediacloud carries
only a publication date (truth is None). Every page's part of the frozen split (bench/splits.py)
comes with it, so a benchmark reports tuning and held-out figures apart without looking further.
All pages of the three sets are UTF-8 (checked); a stray byte is replaced, never fatal.
"""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from splits import split_of

REPO = Path(__file__).resolve().parents[1]
# The shared data beside the checkout (/work/main -> /work/shared), or one level further up for
# the engineers' clones (/work/clones/<name> -> /work/shared).
DEFAULT_SHARED = next((d for d in (REPO.parent / "shared", REPO.parent.parent / "shared") if d.is_dir()),
                      REPO.parent / "shared")
SET_NAMES = ("article-extraction", "readability-pages", "dates-mediacloud")
BODY_SETS = ("article-extraction", "readability-pages")


@dataclass(frozen=True, slots=True)
class BenchPage:
    set_name: str
    key: str
    url: str
    html: str
    truth: str | None  # the article body; None where the set has none (dates-mediacloud)
    split: str  # bench.splits.TUNING or HELD_OUT
    date: str | None = None  # the labelled publication day, where the set has one


def load_set(shared: Path, set_name: str, limit: int = 0) -> list[BenchPage]:
    """The set's pages sorted by key; with limit, the first `limit` of them."""
    directory = shared / "benchmarks" / set_name
    labels = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(labels.items())[:limit or None]:
        raw = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes())
        pages.append(BenchPage(set_name=set_name, key=key, url=item["url"],
                               html=raw.decode("utf-8", errors="replace"), truth=item.get("articleBody"),
                               split=split_of(set_name, key), date=item.get("date") or item.get("published")))
    return pages
