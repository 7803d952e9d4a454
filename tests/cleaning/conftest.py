"""Fixtures of the cleaning tests: the seed dumps and their expected cleaned forms, and one
cleaning stage per module (loading the language model takes about a second)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from worker.config import CleaningSettings
from worker.models import RawPage
from worker.stages.clean import CleanStage

FIXTURES = Path(__file__).parent / "fixtures"
SEED_EXPECTATIONS = {k: v for k, v in json.loads((FIXTURES / "seeds.json").read_text(encoding="utf-8")).items()
                     if not k.startswith("_")}
FETCHED = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


def seed_text(key: str) -> str:
    return (FIXTURES / "seeds" / f"{key}.txt").read_text(encoding="utf-8")


def raw_page(body: str, url: str = "https://news.example/a", content_type: str = "text/plain",
             fetched_at: datetime = FETCHED) -> RawPage:
    return RawPage(url=url, fetched_at=fetched_at, content_type=content_type, body=body)


@pytest.fixture(scope="module")
def clean_stage() -> CleanStage:
    return CleanStage(CleaningSettings())
