"""Language of an article: Google's CLD2 (pycld2: C++, tables compiled into the library, 80+
languages) on a sample of the text, with the page's declared language as a tie-breaker.

Measured on this project's machine (bench/language_detection.py, 147 benchmark pages that declare
a language; the disagreements left are mostly wrong declarations), on 500 characters from the
middle paragraphs (the start often holds a dateline or a quote in another language):
- CLD2: agrees with the declarations on 0.959 of the pages, about 40 us per page;
- py3langid (used before): 0.946, about 300 us alone and about 500 us inside the cleaning stage: it
  walks the text byte by byte in Python through a 39 MB automaton and scores with a 28 MB float16
  table, both read at random, so the CPU caches miss once extraction has run in between; it also
  took about a second and 60-90 MB to load per stage.
Returns an ISO 639-1 code, or None when the detector is not sure.
"""
from __future__ import annotations

import pycld2

# CLD2 codes that are not (or no longer) ISO 639-1.
_ALIASES = {"iw": "he", "jw": "jv", "in": "id", "ji": "yi"}
_UNKNOWN = "un"
# CLD2 names a script without a language "xx-<script>" ("xx-Yiii", "xx-Runr"): no language code.
_SCRIPT_ONLY = "xx-"


class LanguageDetector:
    """Detects the language of an article's paragraphs. Holds no model of its own (CLD2's tables are
    part of the library), so one per stage instance costs nothing."""

    def __init__(self, *, sample_chars: int = 500, min_confidence: float = 0.5, min_chars: int = 40) -> None:
        self.sample_chars = sample_chars
        # The share of the sample that CLD2 must attribute to the language (besides calling its
        # answer reliable): below it, the page mixes languages too much to name one.
        self.min_confidence = min_confidence
        self.min_chars = min_chars

    def detect(self, paragraphs: list[str], declared: str | None = None) -> str | None:
        """The language of these paragraphs. The declared language (html lang, og:locale) wins
        only when the detector agrees or is unsure; a sure detection overrides a wrong declaration
        (templates often declare "en" on every page)."""
        declared = _iso639_1(declared)
        sample = sample_text(paragraphs, self.sample_chars)
        if len(sample) < self.min_chars:
            return declared
        try:
            reliable, _, languages = pycld2.detect(sample.encode("utf-8", "replace"))
        except pycld2.error:  # bytes CLD2 refuses (it says where); the declaration is all we have
            return declared
        _, code, percent, _ = languages[0]
        if not reliable or code == _UNKNOWN or code.startswith(_SCRIPT_ONLY) or percent < 100 * self.min_confidence:
            return declared
        return _iso639_1(_ALIASES.get(code, code)) or declared


def sample_text(paragraphs: list[str], limit: int) -> str:
    """About `limit` characters from the middle of the article, whole paragraphs where possible."""
    total = sum(len(p) for p in paragraphs)
    if total <= limit:
        return " ".join(paragraphs)
    skip = (total - limit) // 2
    parts: list[str] = []
    taken = 0
    for paragraph in paragraphs:
        if skip >= len(paragraph):
            skip -= len(paragraph)
            continue
        piece = paragraph[skip:] if skip else paragraph
        skip = 0
        parts.append(piece[: limit - taken])
        taken += len(parts[-1])
        if taken >= limit:
            break
    return " ".join(parts)


def _iso639_1(code: str | None) -> str | None:
    """'en-US', 'en_GB', 'EN', 'zh-Hant' -> 'en', 'en', 'en', 'zh'; None for anything that is not a
    two-letter code."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if len(primary) == 2 and primary.isalpha() else None
