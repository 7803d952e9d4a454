"""Articles for dedup tests: the seed dumps (tests/dedup/data, copied from the project's shared
seeds), cleaned by the real CleanStage, and fingerprints made by the real Fingerprinter."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from worker.config import DedupSettings
from worker.dedup.fingerprint import Fingerprinter
from worker.models import Article, RawPage
from worker.stages.clean import CleanStage

DATA = Path(__file__).resolve().parent / "data"
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
SEED_URLS = {
    "000": "https://www.kazpost.news/world/ukrainian-military-report-says-120000-russian-troops-near-border",
    "001": "https://henrysclub.net/ukrainian-military-report-says-120000-russian-soldiers-near-border/",
    "002": "https://whyd.news/world/russian-troops-leave-ukraine-border-after-drills",
    "003": "https://worldnationnews.net/russia-sends-more-troops-to-the-west-as-tensions-rise-in-ukraine",
    "004": "https://www.marketsdaily.info/2022/02/16/nato-says-russia-is-increasing-troop-numbers",
}


def seed_page(name: str, fetched_at: datetime = T0, url: str | None = None) -> RawPage:
    body = next(DATA.glob(f"{name}_*.txt")).read_text()
    return RawPage(url=url or SEED_URLS[name], fetched_at=fetched_at, content_type="text/plain", body=body)


@pytest.fixture(scope="session")
def seed_articles() -> dict[str, Article]:
    """The five seeds cleaned by the worker's CleanStage, fetched one hour apart in name order."""
    clean = CleanStage()
    return {name: clean(seed_page(name, T0 + timedelta(hours=i))) for i, name in enumerate(sorted(SEED_URLS))}


@pytest.fixture(scope="session")
def fingerprinter() -> Fingerprinter:
    return Fingerprinter(DedupSettings())


def article(article_id: str, text: str, url: str | None = None, at: datetime = T0) -> Article:
    url = url or f"https://site.example/{article_id}"
    return Article(article_id=article_id, url=url, canonical_url=url, fetched_at=at, text=text)


def story(n: int, words: int = 300) -> str:
    """A long article body of its own: words drawn from a vocabulary of 2,000 shared by all stories
    (like real text, so stories share some bigrams by chance), seeded by n."""
    import random

    rng = random.Random(n)
    vocabulary = [f"word{i}" for i in range(2000)]
    sentences = []
    for _ in range(words // 15):
        sentence = " ".join(rng.choice(vocabulary) for _ in range(15))
        sentences.append(sentence.capitalize() + ".")
    return "\n\n".join(" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))
