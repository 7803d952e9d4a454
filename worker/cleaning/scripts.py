"""Which script a text is written in, and the paragraphs at an article's end written in another
script than its title: a template's sidebar (a Russian site's list of diets under an English
article it carries), not the article.

Scripts are told by code point blocks (no per-character Unicode name lookups): Latin, Greek,
Cyrillic, Armenian, Hebrew, Arabic, Devanagari and the other Indic scripts, Thai, Georgian, Hangul,
and Chinese with Japanese kana as one ("CJK": a Japanese title is mostly Han characters).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from typing import Final

# (first code point of a block, its script); a code point belongs to the last block starting at or
# before it. None: no script of its own (punctuation, symbols, digits are not letters anyway).
_BLOCKS: Final = ((0x0000, "latin"), (0x0370, "greek"), (0x0400, "cyrillic"), (0x0530, "armenian"),
                  (0x0590, "hebrew"), (0x0600, "arabic"), (0x0780, None), (0x0900, "indic"), (0x0E00, "thai"),
                  (0x0E80, None), (0x10A0, "georgian"), (0x1100, "hangul"), (0x1200, None), (0x1E00, "latin"),
                  (0x1F00, "greek"), (0x2000, None), (0x2E80, "cjk"), (0x3130, "hangul"), (0x3190, "cjk"),
                  (0xA000, None), (0xAC00, "hangul"), (0xD7B0, None), (0xF900, "cjk"), (0xFB00, None))
_STARTS: Final = [start for start, _ in _BLOCKS]


def script_of(text: str, share: float) -> str | None:
    """The script of at least `share` of the text's letters, or None (mixed, or no letters)."""
    if text.isascii():  # (most text: no letter-by-letter pass)
        return "latin" if any(character.isalpha() for character in text) else None
    counts: Counter[str | None] = Counter()
    for character in text:
        if character.isalpha():
            counts[_BLOCKS[bisect_right(_STARTS, ord(character)) - 1][1]] += 1
    total = sum(counts.values())
    if not total:
        return None
    script, count = counts.most_common(1)[0]
    return script if count >= share * total else None


def without_foreign_tail(paragraphs: list[str], title: str | None, share: float, min_kept: int) -> list[str]:
    """`paragraphs` without the run at their end written in another script than the title, when
    at least min_kept paragraphs in the title's script come before it. (A title in one script over
    an article in another, an English <title> over a Russian article, keeps everything: its
    paragraphs are not in the title's script.)"""
    if not title or len(paragraphs) <= min_kept:
        return paragraphs
    wanted = script_of(title, share)
    if wanted is None:
        return paragraphs
    end = len(paragraphs)
    while end > 0 and script_of(paragraphs[end - 1], share) not in (wanted, None):
        end -= 1
    if end == len(paragraphs):
        return paragraphs  # (the usual end: one paragraph read)
    kept = 0
    for paragraph in paragraphs[:end]:
        kept += script_of(paragraph, share) == wanted
        if kept >= min_kept:
            return paragraphs[:end]
    return paragraphs
