"""What an extractor returns: the article's paragraphs and the metadata the page states.

Both extraction paths (HTML in html.py, text dumps in text.py) return an Extraction; the cleaning
stage then normalizes it, detects the language and applies the quality gate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Extraction:
    paragraphs: list[str]  # main text, one entry per paragraph, boilerplate removed
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    # Timezone-aware, in the UTC offset the page states (UTC when it states none), so that .date() is
    # the calendar day readers see; None when the page does not state a date.
    published_at: datetime | None = None
    site_name: str | None = None
    language: str | None = None  # declared by the page (html lang, og:locale), ISO 639-1; may be None
    canonical_url: str | None = None  # <link rel=canonical> / og:url, absolute; None when absent
