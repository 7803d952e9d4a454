"""The body of the article run worker/cleaning/text.py found, and whether it has settled.

- the body: the run's text lines, without photo credits and their captions, bylines, a repeat of
  the title, repeated paragraphs, the links of a box of related articles inside it, the author box
  at its end, and a list of summary bullets the body says again;
- settled: cheap sufficient tests that reading the result again would return it unchanged, so
  that extract_text reads its own output again only when it could change (a fixed point).
The methods are a mixin of text._Dump: they read its lines, kinds and scores.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from ..config.cleaning import TextDumpThresholds
from .meta.titles import split_site_suffix
from .text_lines import CREDIT, SECTION_END, TEXT, split_words, word_key
from .text_run import best_segment, gallery_lines, series_lines, trim_tail
from .text_shapes import headline_key, is_bulleted, paragraphs_cjk

_BULLET: Final = re.compile(r"^[-•*·▪►]\s+")
# How a sentence or a lead-in ends, never a link's title (_body: the links of a box).
_SENTENCE_STOPS: Final = ".:"


class BodyAssembly:
    """The body of a text._Dump's article run (a mixin: self is the dump)."""

    def _body(self, start: int, end: int, title: str | None, authors: list[str] | None = None) -> list[str]:
        lines, kinds, scores = self.lines, self.kinds, self.scores
        title_key = word_key(title) if title else None
        # A line is the title again only if it holds the title's first and last words (cheap tests first).
        title_word = title_key.partition(" ")[0] if title_key else ""
        title_last = title_key.rpartition(" ")[2] if title_key else ""  # (and its last word)
        title_max = len(title) + 20 if title else 0
        # (word_key(line) is no longer than line.casefold(): as long as an ASCII line, at most three
        # times as long as another. A shorter line is not casefolded for the title test.)
        title_min = len(title_key) if title_key else 0
        seen = _KeptLines(lines, self._fold)  # the lines kept so far (or their captions)
        kept: list[int] = []
        tables = set(self.tables)
        last = -1  # the last kept line, or the line after it when that line printed it again
        # A box of links inside the run ("Related", "Read more", "More from UK"): its heading is a
        # section end the run stepped over, its links the short lines under it, up to the prose or
        # a line ending like a sentence (a link's title ends in no full stop nor colon: the line
        # leads into the article again, under a heading that closed a box above it).
        in_box = False
        for i in range(start, end + 1):
            kind = kinds[i]
            if kind == SECTION_END:
                in_box = True
            elif scores[i] > 0 or lines[i][-1] in _SENTENCE_STOPS:
                in_box = False
            elif in_box:
                continue
            if kind != TEXT:
                if kind == CREDIT and kept and last == i - 1:
                    caption = kept.pop()  # the caption the credit belongs to
                    # (Printed twice, as an image's alt text and its caption, or in full and cut
                    # short with a "more" button: both prints go.)
                    prefix = self.t.caption_repeat_prefix_chars
                    if kept and kept[-1] == caption - 1 and len(lines[caption]) >= prefix and \
                            lines[kept[-1]][:prefix] == lines[caption][:prefix]:
                        kept.pop()
                continue
            line = lines[i]
            # (A byline is short and does not end like a sentence: it scores at most zero.)
            if scores[i] <= 0 and self._byline(line) is not None:
                continue
            size = len(line)
            # (A table's cells repeat: "0", "DL".)
            if (i not in tables or size > self.t.table_cell_max_chars) and seen.repeats(i):
                if kept and last == i - 1 and lines[kept[-1]] == line:
                    last = i
                continue
            if size <= title_max and (size if line.isascii() else 3 * size) >= title_min:
                key = self._fold(i)
                if title_word in key and title_last in key and " ".join(split_words(key)) == title_key:  # (_key)
                    continue
            seen.add(i)
            kept.append(i)
            last = i
        kept = _drop_author_box(lines, kept, authors or [], self.t)
        self.kept = _drop_repeated_summary([lines[i] for i in kept], kept, self.t)
        return [lines[i] for i in self.kept]

    def _fold(self, i: int) -> str:
        """lines[i].casefold(), worked out once."""
        folded = self._folded
        key = folded.get(i)
        if key is None:
            key = folded[i] = self.lines[i].casefold()
        return key

    def settled(self, paragraphs: list[str]) -> bool:
        """True when reading `paragraphs` (this dump's result, normalized) again would return them
        unchanged, by cheap sufficient tests of what a second reading could change: a line changed
        by normalization, another CJK weight, a run that is not all of them, a tail to trim, a copy
        of the first line (a headline anchor), a byline among the first lines (on one line or two),
        a summary list, lines that stand in a row only once the lines between them are gone (a list
        of headlines or teasers, a gallery). When False, extract_text reads them again; it asks
        each reading of its rounds too (that reading's result, lines of normalized paragraphs), so
        that no last round only confirms the one before."""
        kept, lines, t = self.kept, self.lines, self.t
        if not paragraphs:
            return True  # nothing to read again
        # (C-level comparisons: normalization returns the very same strings when it changes nothing)
        if paragraphs != [lines[i] for i in kept]:
            return False
        if (t.cjk_weight if paragraphs_cjk(paragraphs) else 1) != self.weight:
            return False
        # (All prose, the usual case: then the run is all of them and there is no tail to trim.)
        scores = [self.scores[i] for i in kept]
        if min(scores) <= 0:
            last = len(scores) - 1
            if best_segment(scores, 0, len(scores))[1:] != (0, last) or trim_tail(scores, 0, last, t) != last:
                return False
        first = paragraphs[0]
        # A copy of the first line further down would anchor the run to the headline (_headline_indexes).
        if len(first) <= t.headline_max_chars and len(paragraphs) >= 3:
            stripped = split_site_suffix(first, self.host)[0]
            wanted = {headline_key(first), headline_key(stripped)}
            # (_headline_indexes compares only lines of the length of the first line or of its
            # stripped form: the others are not casefolded here either.)
            sizes = {len(first), len(stripped)}
            if any(len(lines[i]) in sizes and headline_key(lines[i]) in wanted for i in kept[1:]):
                return False
        if any(self.byline_in(paragraphs, k) is not None for k in range(min(t.body_meta_window, len(paragraphs)))):
            return False
        # Long lines without final punctuation, or teasers, that the lines left out kept apart can
        # stand in a row in the result: a list of headlines or teasers there (text._lower_series).
        position = {i: k for k, i in enumerate(kept)}
        for candidates, gap, least in ((self.unpunctuated, t.headline_list_gap, t.headline_list_lines),
                                       (self.truncated, t.teaser_series_gap, t.teaser_series_lines)):
            in_result = [position[i] for i in candidates if i in position]
            if len(in_result) >= least and series_lines(in_result, gap, least):
                return False
        # A gallery's slide counters that repeats kept apart ("1 of 4", "1 of 4", "2 of 4") count
        # up one by one in the result: a gallery there.
        if gallery_lines(paragraphs, t):
            return False
        # A list item scores as text only beside another item (_score_lines): one kept without
        # its neighbours would score otherwise.
        bulleted = [is_bulleted(p) for p in paragraphs]
        if any(b and not ((k > 0 and bulleted[k - 1]) or (k + 1 < len(bulleted) and bulleted[k + 1]))
               for k, b in enumerate(bulleted)):
            return False
        return _drop_repeated_summary(paragraphs, list(range(len(paragraphs))), t) == list(range(len(paragraphs)))


def _drop_author_box(lines: list[str], kept: list[int], authors: list[str], t: TextDumpThresholds) -> list[int]:
    """`kept` without the author box at its end: a last paragraph opening with the full name of the
    byline's author ("Jane Roe is a freelance writer ...", "Jane Roe covers ..."), with the line
    above it when that line is the name and a few words ("Jane Roe", "About Jane Roe"); or a last
    paragraph naming the author anywhere under such a heading ("Über Jane Roe", "Als Redakteurin
    schreibt Jane Roe ..."). Two articles by one author share the box word for word, and it is no
    part of either."""
    if len(kept) < 2:
        return kept
    last = lines[kept[-1]].casefold()
    above = lines[kept[-2]].casefold()
    names = [key for key in (name.strip().casefold() for name in authors) if " " in key]
    cut = len(kept) - 1
    for name in names:
        headed = cut > 1 and name in above and \
            len(split_words(above)) <= len(split_words(name)) + t.author_box_heading_extra_words
        if last.startswith(name) and not last[len(name):len(name) + 1].isalnum():
            return kept[:cut - 1] if headed else kept[:cut]
        if headed and name in last[:t.author_box_name_chars]:
            return kept[:cut - 1]
    return kept


def _drop_repeated_summary(paragraphs: list[str], indexes: list[int], t: TextDumpThresholds) -> list[int]:
    """`indexes` (of `paragraphs`, one each) without a list of summary bullets at the top (after
    the lead, perhaps) that the body then says again ("key points"): the body's version stays."""
    offset = 1 if len(paragraphs) > 1 and not _BULLET.match(paragraphs[0]) else 0
    bullets = 0
    while offset + bullets < len(paragraphs) and _BULLET.match(paragraphs[offset + bullets]):
        bullets += 1
    if bullets < 2:
        return indexes
    rest = set(split_words(" ".join(paragraphs[offset + bullets:]).casefold()))
    repeated = 0
    for item in paragraphs[offset:offset + bullets]:
        words = split_words(item.casefold())
        if words and sum(w in rest for w in words) >= t.summary_item_contained * len(words):
            repeated += 1
    if repeated < t.summary_repeat_share * bullets:
        return indexes
    return indexes[:offset] + indexes[offset + bullets:]


class _KeptLines:
    """The lines a body kept so far, to tell a line printed again: the same text, or the same
    casefold. A line is casefolded only when a kept line has its length (casefold keeps the length
    of almost every text, as in _headline_indexes; casefolding every line was an eighth of the text
    path's time: casefold has no fast path for text with curly quotes), and each line at most once,
    so that a dump of many lines of one length costs linear time."""

    def __init__(self, lines: list[str], fold: Callable[[int], str]):
        self._lines = lines
        self._fold = fold
        self._texts: set[str] = set()
        self._unfolded: dict[int, list[int]] = {}  # length -> kept lines of that length not casefolded yet
        self._folds: dict[int, set[str]] = {}  # length -> casefolds of kept lines of that length

    def add(self, i: int) -> None:
        line = self._lines[i]
        self._texts.add(line)
        self._unfolded.setdefault(len(line), []).append(i)

    def repeats(self, i: int) -> bool:
        """Line i is a kept line again, or casefolds as one does."""
        line = self._lines[i]
        if line in self._texts:  # (the usual repeat: the very same text, no casefold needed)
            return True
        size = len(line)
        unfolded = self._unfolded.pop(size, None)
        if unfolded:
            self._folds.setdefault(size, set()).update(self._fold(j) for j in unfolded)
        folds = self._folds.get(size)
        return folds is not None and self._fold(i) in folds
