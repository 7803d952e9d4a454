"""The five seed dumps through the cleaning stage as text/plain: title, site name, byline, body
start and end, and what must be gone (tests/cleaning/fixtures/seeds.json)."""
from __future__ import annotations

import pytest

from .conftest import SEED_EXPECTATIONS, raw_page, seed_text


@pytest.fixture(scope="module")
def cleaned(clean_stage):
    return {key: clean_stage(raw_page(seed_text(key), url=expected["url"]))
            for key, expected in SEED_EXPECTATIONS.items()}


@pytest.mark.parametrize("key", sorted(SEED_EXPECTATIONS))
def test_seed_metadata(cleaned, key):
    article, expected = cleaned[key], SEED_EXPECTATIONS[key]
    assert article.title == expected["title"]
    assert article.site_name == expected["site_name"]
    assert article.authors == expected["authors"]
    assert article.published_at is None  # the dates these dumps show are scrape dates
    assert article.language == expected["language"]


@pytest.mark.parametrize("key", sorted(SEED_EXPECTATIONS))
def test_seed_body_starts_and_ends_with_the_article(cleaned, key):
    text, expected = cleaned[key].text, SEED_EXPECTATIONS[key]
    assert text.startswith(expected["first"])
    assert text.endswith(expected["last"])


@pytest.mark.parametrize("key", sorted(SEED_EXPECTATIONS))
def test_seed_boilerplate_is_gone(cleaned, key):
    text, expected = cleaned[key].text, SEED_EXPECTATIONS[key]
    present = [phrase for phrase in expected["absent"] if phrase in text]
    assert present == []
    repeated = [phrase for phrase in expected["once"] if text.count(phrase) != 1]
    assert repeated == []


@pytest.mark.parametrize("key", sorted(SEED_EXPECTATIONS))
def test_seed_paragraphs_are_separated_by_one_blank_line(cleaned, key):
    text = cleaned[key].text
    paragraphs = text.split("\n\n")
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
    assert len(paragraphs) >= 10
