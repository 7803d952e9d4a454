"""The text/plain path: the article in a naive scraper's text dump (all visible text of a page, one
block per line), with the title, byline and date the page shows.

How it works, in order (the modules named do each step; this one holds the flow and the scores):
1. The dump's lines are split, with a sentence broken over lines put back together (text_shapes.py).
   Every line gets a kind (text_lines: text, boilerplate, section end, comments heading) and a
   score: prose lines (long, ending like a sentence) weigh their length; short lines (menus,
   headline lists, labels) and boilerplate weigh against. No regex in this loop: it is the cost.
2. The article is the run of lines with the largest total score (text_run.py: a maximum-sum
   segment): it starts and ends on prose and steps over the short lines inside it (subheadings,
   list items). When the dump's first line (the page's <title>) is printed again further down,
   that is the visible headline and the run is searched right after it; a comments heading ends
   the run, and a small last block cut off by a gap of non-prose lines (an author box, a site
   blurb) is dropped.
3. Inside the run, lines that are never article text go (text_body.py): boilerplate, photo
   credits and their captions, bylines, date lines, a repeat of the title, repeated paragraphs, a
   summary list the body repeats. Around the run's start, the title, byline and date are read:
   the title from the <title> line and the visible headline (text_title.py), the byline under it
   (text_byline.py), the date (text_date.py: above the headline only with a time or "Published": a
   bare date there is the site header's scrape day); the byline and date lines under a line are
   found by text_meta_lines.py.
4. The paragraphs are normalized (normalize.py) and read again until nothing changes, so that the
   text path is a fixed point on its own output (text_body.py: settled says when it already is).
The thresholds are in worker/config/cleaning.py (TextDumpThresholds); accuracy and speed are
measured by bench/text_cleaning.py.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import Final

from ..config.cleaning import TextDumpThresholds
from .meta.bylines import may_be_byline, parse_bare_name, parse_byline
from .meta.hosts import host as _host
from .meta.hosts import names_host
from .meta.titles import split_site_suffix
from .normalize import normalize_paragraphs, without_format_marks
from .prompts import is_prompt
from .text_body import BodyAssembly
from .text_byline import BylineReading
from .text_date import DateReading
from .text_lines import (BOILER, COMMENTS, SECTION_END, SENTENCE_END, TEXT, is_captioned, is_comments_title,
                         phrase_kind, refine_kind)
from .text_meta_lines import MetaLines
from .text_run import UNRESOLVED, RunSearch, gallery_lines, series_lines
from .text_shapes import (BULLETS, CJK_RUNS, HAN_CLAUSES, HAS_LETTER, is_cjk, is_flattened_menu, is_markup,
                          joined_lines, paragraphs_cjk)
from .text_tables import table_lines
from .text_title import TitleReading, enough_words
from .types import Extraction

DEFAULT_THRESHOLDS: Final = TextDumpThresholds()
# A sentence's end inside a line ("... over and over. [15] This movie"): prose, not one headline.
_SENTENCE_INSIDE: Final = re.compile(r"\w[.!?]['\"”’]?\s")
# A line cut short with an ellipsis right after a word or a mark ("... visit Pakistan...", "hopes …",
# "[…]", "Rekhi, 41,...", "numbered...."): a teaser cut at a length, wherever that falls.
_TRUNCATED: Final = re.compile(r"(?:[\w,;:.] ?(?:\.\.\.|…)|\[(?:…|\.\.\.)\])$")
_ELLIPSES: Final = ("...", "…", "…]", "...]")


def extract_text(body: str, url: str, thresholds: TextDumpThresholds = DEFAULT_THRESHOLDS,
                 fetched_at: datetime | None = None) -> Extraction:
    """The article in a text dump, its paragraphs normalized (normalize.py): a function of the page
    alone, so that a replay, or another replica, cleans it the same. fetched_at: when the page was
    fetched (a date after it, or before DateLimits.earliest_year, is not its publication date, as
    on the HTML path); None: now.

    The result is a fixed point: cleaning the returned paragraphs again returns them unchanged.
    Removing lines (duplicates, captions) can leave a run that would be read differently on its
    own, so the paragraphs are read again until they settle (one more round, rarely two)."""
    host = _host(url)
    lines = joined_lines(without_format_marks(body))
    if not lines:
        return Extraction(paragraphs=[])
    readings = _Readings()
    dump = _Dump(lines, url, host, thresholds, thresholds.cjk_weight if is_cjk(body) else 1, readings, fetched_at)
    extraction = dump.extract()
    paragraphs = normalize_paragraphs(extraction.paragraphs)
    for _ in range(0 if dump.settled(paragraphs) else thresholds.settle_max_rounds):
        # The paragraphs are the lines of the text "\n\n".join(paragraphs) (normalized, so they
        # come back as they went in, or not at all).
        if not paragraphs:
            break
        weight = thresholds.cjk_weight if paragraphs_cjk(paragraphs) else 1
        reading = _Dump(paragraphs, url, host, thresholds, weight, readings)
        again = reading.extract(metadata=False).paragraphs
        if again == paragraphs:
            break
        paragraphs = again
        # (The next round would read `again` and return it unchanged: it is not run. Lines of the
        # normalized paragraphs, they need no normalization.)
        if reading.settled(again):
            break
    extraction.paragraphs = paragraphs
    return extraction


class _Readings:
    """What was read of a line's text, kept for every reading of one page (a line printed twice
    and the reading of the result ask again): its refine_kind, its byline's names and its bare
    name's (the title search and the byline search ask about the lines under the headline)."""

    def __init__(self) -> None:
        self.refined: dict[str, int] = {}
        self.bylines: dict[str, list[str] | None] = {}
        self.bare_names: dict[str, list[str] | None] = {}

    def bare_name(self, line: str) -> list[str] | None:
        """parse_bare_name(line)."""
        bare_names = self.bare_names
        if line in bare_names:
            return bare_names[line]
        names = bare_names[line] = parse_bare_name(line)
        return names

    def byline(self, line: str) -> list[str] | None:
        """parse_byline(line), after the cheap test may_be_byline."""
        bylines = self.bylines
        if line in bylines:
            return bylines[line]
        names = bylines[line] = parse_byline(line) if may_be_byline(line) else None
        return names


class _Dump(TitleReading, BylineReading, DateReading, MetaLines, RunSearch, BodyAssembly):
    """One dump being read: its non-empty lines, their kinds and scores. (Where the article is, its
    title, byline, date and body are read by the mixins of text_run, text_title, text_byline,
    text_date and text_body; text_meta_lines finds the byline and date lines under a line.)"""

    def __init__(self, lines: list[str], url: str, host: str, thresholds: TextDumpThresholds, weight: int,
                 readings: _Readings, fetched_at: datetime | None = None) -> None:
        self.lines = lines
        self.url = url
        self.fetched_at = fetched_at
        self.host = host
        self.t = thresholds
        self._penalties = {SECTION_END: -thresholds.section_end_penalty, COMMENTS: -thresholds.section_end_penalty,
                           BOILER: -thresholds.boiler_penalty}
        self.weight = weight
        # The prose lines (score > 0) in order, and the sum of the scores of the lines around each
        # (gaps[k]: those before positives[k], after positives[k - 1]; the last: those after all).
        self.positives: list[int] = []
        self.gaps: list[float] = []
        self.kinds, self.scores = self._score_lines(weight)
        if len(self.unpunctuated) >= thresholds.headline_list_lines:
            self._lower_headline_lists()
        self._lower_teaser_series()
        for i in gallery_lines(lines, thresholds):
            # A gallery's slides: no part of the article, wherever it sits, but no end of it either
            # (an article goes on under a gallery inside it): they weigh nothing.
            self.kinds[i] = BOILER
            self._lower_score(i, 0.0)
        for i in [i for i in self.positives if is_prompt(lines[i]) or is_markup(lines[i])]:
            # A cookie notice or a newsletter call written as a sentence; HTML source that leaked
            # into the dump (a <noscript> tracking pixel, an escaped widget).
            self.kinds[i] = BOILER
            self._lower_score(i, -thresholds.boiler_penalty)
        for i in [i for i in self.positives if is_comments_title(lines[i])]:
            # "12 thoughts on “Headline”": a comments heading longer than any phrase, ending in a quote.
            self.kinds[i] = COMMENTS
            self._lower_score(i, -thresholds.section_end_penalty)
        self._refined = readings.refined
        self._readings = readings
        for i in [i for i in self.positives if i > 0 and self._bio_under_byline(i)]:
            # An author box: a bio opening with the name of the byline just above it.
            self.kinds[i] = BOILER
            self._lower_score(i, -thresholds.boiler_penalty)
        self.kept: list[int] = []  # indexes of the lines _body returned
        self._folded: dict[int, str] = {}  # line index -> its casefold, once worked out (_fold)

    def _bio_under_byline(self, i: int) -> bool:
        """Line i opens with the first name (or the full name) of the byline on the line above it
        ("By Devindra Hardawar @devindra", then "Devindra has been obsessed with technology ...")."""
        above = self.lines[i - 1]
        if len(above) > self.t.meta_line_max_chars or not may_be_byline(above):
            return False
        names = self._readings.byline(above)
        if not names:
            return False
        line = self.lines[i]
        for name in names:
            first = name.split()[0]
            if len(first) > 1 and line.startswith(first) and not line[len(first):len(first) + 1].isalnum():
                return True
        return False

    def _score_lines(self, weight: int) -> tuple[list[int], list[float]]:
        """Score of every line as text: a prose line (long enough, ending like a sentence; a short
        one ending in "?" or "!" is a headline more often) weighs its length, a long line without
        final punctuation half of it (unless nearly all its words are capitalized, or it holds
        counts in brackets: a flattened menu or archive list), and so does a Chinese or Japanese
        line of clauses separated by spaces; any other line (menus, labels, headlines) weighs
        against, the more the longer (up to short_penalty_max_chars). Kinds are looked up later,
        on need (kind()): a line longer than any phrase is TEXT, a shorter one is left UNRESOLVED.
        (The hot loop of the text path: the thresholds are read once, and the score is worked out
        inline.) Items of a bulleted list (two or more in a row, each at least list_item_min_chars)
        weigh half their length."""
        prose_min, long_line, short_penalty = self.t.prose_min_chars, self.t.long_line_chars, self.t.short_line_penalty
        penalty_max = self.t.short_penalty_max_chars
        phrase_max = self.t.phrase_max_chars  # (a longer line is never one of the phrases of text_lines)
        kinds = [TEXT if len(line) > phrase_max else UNRESOLVED for line in self.lines]
        # Items of a bulleted list (two or more in a row): a changelog or a list article's lines.
        bulleted = [len(line) > 2 and line[0] in BULLETS and line[1] == " " for line in self.lines]
        listed = [b and ((i > 0 and bulleted[i - 1]) or (i + 1 < len(bulleted) and bulleted[i + 1]))
                  for i, b in enumerate(bulleted)]
        item_min, menu_share, menu_counts = (self.t.list_item_min_chars, self.t.menu_capitalized_share,
                                             self.t.menu_counts)
        clauses_min = self.t.cjk_clauses_min_chars * weight
        scores = []
        unpunctuated: list[int] = []  # the long lines without final punctuation
        gap = 0.0
        for i, line in enumerate(self.lines):
            size = len(line) * weight
            last = line[-1]
            if size >= prose_min and last in SENTENCE_END and (size >= 2 * prose_min or last not in "?!？！"):
                score = size - prose_min / 2
            elif size >= long_line and not is_flattened_menu(line, menu_share, menu_counts):
                score = size / 2
                if _SENTENCE_INSIDE.search(line) is None:
                    unpunctuated.append(i)
            elif weight > 1 and size >= clauses_min and " " in line and CJK_RUNS.match(last) is not None \
                    and not line[0].isdigit() and HAN_CLAUSES.search(line) is not None:
                # Chinese blogs often write a pause as a space, and no full stop at a line's end.
                # (Teasers end in their source and date: "Headline Agency 3/9(木) 18:01"; a line
                # opening with a date or a rank is a post line or a list item.)
                score = size / 2
            elif listed[i] and size >= item_min:
                score = size / 2
            else:
                score = -(short_penalty + (size if size < penalty_max else penalty_max) / 4)
            scores.append(score)
        self.tables = table_lines(self.lines, scores, self.t)
        row_weight = self.t.table_row_weight
        for i in self.tables:
            # A table's rows next to the article's prose are its text (standings, results, prices).
            # (Quarters, as every score: the run's sums stay exact.)
            kinds[i] = TEXT
            if scores[i] <= 0:
                scores[i] = max(0.25, round(len(self.lines[i]) * weight * row_weight * 4) / 4)
        for i, score in enumerate(scores):
            if score > 0:
                self.positives.append(i)
                self.gaps.append(gap)
                gap = 0.0
            else:
                gap += score
        self.gaps.append(gap)
        self.unpunctuated = unpunctuated
        return kinds, scores

    def _lower_headline_lists(self) -> None:
        """Long lines without final punctuation nor a sentence's end inside, in a row
        (headline_list_lines of them or more, at most one other line between two), are a list of
        long headlines (a tabloid's teasers), not prose: they score as the longest short lines."""
        self._lower_series(self.unpunctuated, max_gap=self.t.headline_list_gap, min_lines=self.t.headline_list_lines)

    def _lower_teaser_series(self) -> None:
        """Prose lines cut short with an ellipsis ("... the agency said on...", "... become […]"),
        teaser_series_lines of them or more, each at most teaser_series_gap lines after the one
        before, are a list of teasers (a rail of other articles' first lines, a blog's archive),
        not prose: they score as the longest short lines. (One such line is an article's
        trailing-off sentence.)"""
        lines = self.lines
        # (endswith first, and the regex on the line's last characters only: most prose ends with ".")
        self.truncated = [i for i in self.positives if lines[i].endswith(_ELLIPSES)
                          and _TRUNCATED.search(lines[i], len(lines[i]) - 7) is not None]
        self._lower_series(self.truncated, max_gap=self.t.teaser_series_gap, min_lines=self.t.teaser_series_lines)

    def _lower_series(self, candidates: list[int], max_gap: int, min_lines: int) -> None:
        """Each line of the series among candidates (series_lines) scores as the longest short lines."""
        t = self.t
        for j in series_lines(candidates, max_gap, min_lines):
            self._lower_score(j, -(t.short_line_penalty + t.short_penalty_max_chars / 4))

    def _lower_score(self, i: int, score: float) -> None:
        """Line i scores `score` (a penalty: at most zero) from now on; positives and gaps follow."""
        old = self.scores[i]
        self.scores[i] = score
        if old > 0:
            k = bisect_left(self.positives, i)
            del self.positives[k]
            self.gaps[k:k + 2] = [self.gaps[k] + score + self.gaps[k + 1]]
        else:
            self.gaps[bisect_right(self.positives, i)] += score - old

    def kind(self, i: int) -> int:
        """The kind of line i, its phrase looked up (and its score lowered) on first need.

        Phrase lookups only ever lower a score, so the best run found with some lines unresolved
        is the best run once every line inside it is resolved (_best_run): lines far from the
        article never need the lookup."""
        kind = self.kinds[i]
        if kind == UNRESOLVED:
            line = self.lines[i]
            kind = self.kinds[i] = phrase_kind(line)
            # A fragment of no letters ("1", "=", "[") goes, but costs no more than a short line:
            # get_text-style dumps split formulas, footnote marks and list numbers out of the
            # article's sentences, and the boilerplate penalty of each one cut the article there.
            if kind != TEXT and not (kind == BOILER and len(line) <= self.t.fragment_max_chars
                                     and HAS_LETTER.search(line) is None):
                self._lower_score(i, self._penalties[kind])
        return kind

    def _byline(self, line: str) -> list[str] | None:
        """The names of the byline `line` (_Readings.byline)."""
        return self._readings.byline(line)

    def refined(self, i: int) -> int:
        """refine_kind of line i, computed once (the run, the title and the byline search ask)."""
        line = self.lines[i]
        kind = self._refined.get(line)
        if kind is None:
            kind = self._refined[line] = refine_kind(line)
        return kind

    def _short_title_line(self, first_stripped: str) -> bool:
        """The dump's first line is a <title> of a word or two ("RTL Test", "linux video"), too short
        for the title search (enough_words), when no other line names the article: text, not a menu
        word nor a person's name, not the site's name nor a site header over the day's date, not
        printed again further down (a menu item)."""
        lines = self.lines
        first = lines[0]
        return (bool(first_stripped) and not enough_words(first_stripped) and self.kind(0) == TEXT
                and self.refined(0) == TEXT and not self._site_header() and not names_host(first, self.host)
                and first not in lines[1:] and self._readings.bare_name(first) is None)

    def extract(self, metadata: bool = True) -> Extraction:
        """The article's paragraphs, title and authors; with `metadata`, also the date and site name
        (which do not change the paragraphs)."""
        lines, kinds = self.lines, self.kinds
        first_stripped, site_name = split_site_suffix(lines[0], self.host)
        start, end, headline = self._article_run(self._headline_indexes(first_stripped),
                                                 enough_words(first_stripped))
        if end < start:
            return Extraction(paragraphs=[])
        for i in range(start, end + 1):
            # Prose lines are left alone: credits, links and date lines are short and score below
            # zero. A caption holding its credit at its end goes alone (the line before it is
            # not its caption, as it is for a credit line).
            if kinds[i] == TEXT and is_captioned(lines[i]):
                kinds[i] = BOILER
            elif kinds[i] == TEXT and self.scores[i] <= 0:
                kinds[i] = self.refined(i)
        _, title, header = self._title(headline, start, first_stripped)
        if title is None and start > 0 and self._short_title_line(first_stripped):
            title = first_stripped
        title, glued = self._glued_byline(title)
        # (Before the body: it marks the byline line.)
        authors = glued or self._authors(header, start, end, title)
        extraction = Extraction(paragraphs=self._body(start, end, title, authors), title=title, authors=authors)
        if metadata:
            extraction.published_at = self._published(header, start, end)
            if site_name is None and header not in (None, 0):
                site_name = self._site_name_line()
            extraction.site_name = site_name
        return extraction
