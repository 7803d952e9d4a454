"""Where the article is in a text dump: the run of lines with the largest total score, read over
the scores worker/cleaning/text.py gave the lines.

- the run is a maximum-sum segment (best_segment), scanned over the prose lines only;
- when the dump's first line (the page's <title>) is printed again further down, that is the
  visible headline, and the run is searched right after it, up to where the article is over at
  the latest (_window_end: a costly gap holding a section end);
- a section end ("Read more") after a brief right under its headline's byline or date ends
  the run after that headline (_brief_end);
- a comments heading ends the run (not a "Comments" button in a share bar), and so do the site's
  rights notice (_footer_start) and a news ticker after the article's prose (_ticker_start); when
  the best run comes after a comments heading, the article is the run before it
  (_before_comments); a gallery's numbered slides are no prose wherever they sit (gallery_lines);
- a small last block cut off by a gap of non-prose lines (an author box, a site blurb) is dropped
  (trim_tail).
Short lines' phrases are looked up only inside the runs found (UNRESOLVED until then): lookups
only ever lower a score, so the run does not move. The methods are a mixin of text._Dump: they
read its lines, kinds and scores.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import Final

from ..config.cleaning import TextDumpThresholds
from .text_lines import BOILER, COMMENTS, SECTION_END, TEXT, is_rights_line
from .text_shapes import HAS_LETTER, headline_key

UNRESOLVED: Final = -1  # kind of a short line whose phrase has not been looked up yet (text._Dump.kind)
# A line opening with a clock time ("14:44 Headline", "6:32 PM"): an entry of a news ticker.
_CLOCK: Final = re.compile(r"(\d{1,2})[:h](\d{2})(?:\s?[ap]\.?m\.?)?(?:\s|$)", re.IGNORECASE)
# A gallery's slide counter opening a line, in any of its usual forms: "3/50 Title", "3 / 8",
# "3 of 4 A caption ...", "Image 3 of 5", "Bild 3 von 5", "Photo 3 sur 5", "Foto 3 de 5".
_COUNTER_WORDS: Final = frozenset("image photo picture slide bild foto imagen immagine".split())
_COUNTER: Final = re.compile(r"(?:(?:image|photo|picture|slide|bild|foto|imagen|immagine)\s+)?(\d{1,3})\s*"
                             r"(?:/|of|von|sur|de|di|van|z)\s*(\d{1,3})(?:\s|$)", re.IGNORECASE)


class RunSearch:
    """Where the article of a text._Dump is (a mixin: self is the dump)."""

    def _best_segment(self, lo: int, hi: int) -> tuple[float, int, int]:
        """best_segment(self.scores, lo, hi), scanning the prose lines only (a seventh of a dump's
        lines): a run of lines at most zero between two of them is one step of the scan, its sum
        (gaps). The scores are multiples of a quarter (lengths, their halves and quarters, the
        thresholds' whole penalties), so these sums are exact: the same result."""
        positives, gaps, scores = self.positives, self.gaps, self.scores
        first, stop = bisect_left(positives, lo), bisect_left(positives, hi)
        if first == stop:
            return 0.0, lo, lo - 1
        # (The lines before the first prose line cannot start the run: the scan starts afresh there.)
        start = positives[first]
        total = best = scores[start]
        best_start = best_end = start
        for k in range(first + 1, stop):
            i = positives[k]
            total += gaps[k]
            if total <= 0:
                total, start = scores[i], i
            else:
                total += scores[i]
            if total > best:
                best, best_start, best_end = total, start, i
        return best, best_start, best_end

    def _window_end(self, lo: int) -> int:
        """Where the article starting after line lo is over at the latest: at the first prose line
        after a gap that costs more than the prose before it (the scan of _best_segment starts
        afresh there) and holds a section end or comments heading ("Recommended", "Comments").
        A short article's template (teasers with summaries, author boxes, the footer) often holds
        more prose than the article: the best run after the headline would be that."""
        scores, kinds = self.scores, self.kinds
        total = prose = 0.0
        heading = False
        for i in range(lo, len(scores)):
            if kinds[i] == UNRESOLVED:
                self.kind(i)
            score = scores[i]
            if score > 0:
                if total <= 0:
                    if heading:
                        return i
                    total = 0.0
                total += score
                prose += score
                heading = False
            elif prose:
                total += score
                # (After less prose, a standfirst or a lead sentence, the heading is a box inside
                # the article or a comments link in its share bar.)
                heading = heading or (kinds[i] in (SECTION_END, COMMENTS) and prose >= self.t.prose_before_comments)
        return len(scores)

    def _brief_end(self, h: int) -> int | None:
        """Where a brief under headline h ends: a section end ("Read more", "More stories") after
        less prose than prose_before_comments, when that prose starts right under the headline and
        its byline or date (at most headline_meta_lines + 1 lines under it). None otherwise.
        (_window_end bridges such a heading after so little prose, a lead sentence and a box inside
        the article; under the headline's byline, that prose is all of a brief, and the teasers
        under the heading would outweigh it.)"""
        scores, t = self.scores, self.t
        first = bisect_left(self.positives, h + 1)
        if first == len(self.positives) or self.positives[first] - h > t.headline_meta_lines + 1 \
                or not self._meta_under(h, self.positives[first]):
            return None
        prose = 0.0
        for i in range(self.positives[first], len(scores)):
            if scores[i] > 0:
                prose += scores[i]
                if prose >= t.prose_before_comments:
                    return None
            elif self.kind(i) in (SECTION_END, COMMENTS):
                return i
        return None

    def _best_run(self, lo: int, hi: int) -> tuple[float, int, int]:
        """_best_segment over [lo, hi) with every line of the result resolved (see kind())."""
        kinds = self.kinds
        while True:
            best, start, end = self._best_segment(lo, hi)
            unresolved = _positions(kinds, UNRESOLVED, start, end + 1)
            if not unresolved:
                return best, start, end
            for i in unresolved:
                self.kind(i)

    def _headline_indexes(self, first_stripped: str) -> list[int]:
        """Where the first line (the page's <title>) is printed again: the visible headline, and
        perhaps its copies in teaser lists (the first three places). When none of these has a
        byline or date under it, a later copy that has one is the visible headline too: the
        template printed the title in its breadcrumbs, share box and menus above it."""
        lines = self.lines
        first = lines[0]
        if len(first) > self.t.headline_max_chars or len(lines) < 3:
            return []
        wanted = {headline_key(first), headline_key(first_stripped)}
        # Only lines of the same length are compared (casefold keeps the length of almost every
        # text): no casefold of the others.
        one, other = len(first), len(first_stripped)
        found: list[int] = []
        for i in range(1, len(lines) - 1):
            size = len(lines[i])
            if (size == one or size == other) and headline_key(lines[i]) in wanted and self.kind(i) == TEXT:
                if len(found) < 3:
                    found.append(i)
                    if len(found) == 3 and any(self._meta_under(h, len(lines)) for h in found):
                        break
                elif self._meta_under(i, len(lines)):
                    found.append(i)
                    break
        return found

    def _article_run(self, headlines: list[int], headline_shaped: bool) -> tuple[int, int, int | None]:
        """First and last line of the article (end < start when there is none), and which copy of
        the headline it follows: the one with a byline or date under it, else the one the article
        comes right after (not a copy in a "Most read" box inside the article). When the first line has
        fewer than three words, it is often the site's name: then a copy of it after the best run
        (the footer's) does not move the article there."""
        scores, t = self.scores, self.t
        best, start, end = self._before_comments(*self._best_run(0, len(scores)))
        headline = None
        closest = (True, len(scores))
        for h in headlines:
            if h > end and not headline_shaped:
                continue
            brief_end = self._brief_end(h)
            if brief_end is not None:
                anchored, a_start, a_end = self._best_run(h + 1, brief_end)
                if a_start - h > t.headline_meta_lines + 1 or anchored < t.anchored_brief_min:
                    brief_end = None
            if brief_end is None:
                anchored, a_start, a_end = self._best_run(h + 1, self._window_end(h + 1))
            # The copy with a byline or date under it is the headline, before copies in teaser
            # lists ("Most read", which may sit inside the article); then the one nearest its run.
            key = (not self._meta_under(h, a_start), a_start - h)
            if headline is not None and a_start == start and (
                    key[0] >= closest[0] or not self._meta_under(h, a_start, names=False)):
                # A copy of the headline (a share box) between the first one and the article; not
                # the copy with a byline or date under it when the first one (breadcrumbs) has
                # none: that is the headline, which a later copy (over the comments) must not
                # displace. (A line that is only a name is not enough here: a menu's item.)
                continue
            # (A brief right under its headline, byline and date is the article however short,
            # and however much prose the template holds elsewhere.)
            brief = not key[0] and key[1] <= t.headline_meta_lines + 1 and anchored >= t.anchored_brief_min
            if (brief or anchored >= t.anchored_share * best) and key < closest:
                start, end, headline, closest = a_start, a_end, h, key
        prose = 0.0
        for i in range(start, end + 1) if COMMENTS in self.kinds[start:end + 1] else ():
            if self.kinds[i] == COMMENTS and prose >= t.prose_before_comments and not self._in_share_bar(i):
                _, start, end = self._best_run(start, i)
                break
            if scores[i] > 0:
                prose += scores[i]
        footer = self._footer_start(start, end)
        if footer is not None:
            _, start, end = self._best_run(start, footer)
        ticker = self._ticker_start(start, end)
        if ticker is not None:
            _, start, end = self._best_run(start, ticker)
        return start, trim_tail(scores, start, end, t), headline

    def _before_comments(self, best: float, start: int, end: int) -> tuple[float, int, int]:
        """The best run before a comments heading, when the best run of the page comes after it:
        a long comment thread, or the teasers under it, outweigh a short article (the article
        comes before its comments). Not when less prose comes before the heading (a "Comments"
        link in the site's header), nor for a "Comments" button in a share bar, nor for a heading
        far below that run (a field of a form: that run is a banner at the top, not the article)."""
        if start <= 0:
            return best, start, end
        earlier, e_start, e_end = self._best_run(0, start)
        if earlier < self.t.prose_before_comments or earlier < self.t.anchored_share * best:
            return best, start, end
        for i in range(e_end + 1, min(start, e_end + 1 + self.t.comments_after_article_lines)):
            if self.kind(i) == COMMENTS and not self._in_share_bar(i):
                return earlier, e_start, e_end
        return best, start, end

    def _footer_start(self, start: int, end: int) -> int | None:
        """The site's rights notice inside the run ("© 2019 X. All rights reserved."): the footer
        starts there. None when there is none, or when less prose than prose_before_comments, or
        than comes after it, comes before it."""
        scores, lines = self.scores, self.lines
        total = sum(score for score in scores[start:end + 1] if score > 0)
        # The prose lines after prose_before_comments of prose: those with less prose before them
        # than after them (early), and the others (late).
        early: list[int] = []
        late: list[int] = []
        prose = 0.0
        for i in range(start, end + 1):
            score = scores[i]
            if score > 0:
                if prose >= self.t.prose_before_comments:
                    (late if prose >= total - prose else early).append(i)
                prose += score
        # The first rights notice among them is the footer's when it is a late one. (A rights
        # notice in front of more prose than the article's is a document's own front matter: an
        # RFC's "Copyright Notice".) The late lines are read first: most runs hold no notice there,
        # and then the early ones need no reading.
        footer = next((i for i in late if is_rights_line(lines[i])), None)
        if footer is None or any(is_rights_line(lines[i]) for i in early):
            return None
        return footer

    def _in_share_bar(self, i: int) -> bool:
        """Line i sits between two boilerplate words ("Facebook", "Comments", "Print"): a button of
        a share bar, not the heading of the comment section. (Not a count: "0", "Comments".)"""
        lines = self.lines
        return (0 < i < len(lines) - 1 and self.kind(i - 1) == BOILER and self.kind(i + 1) == BOILER
                and HAS_LETTER.search(lines[i - 1]) is not None and HAS_LETTER.search(lines[i + 1]) is not None)

    def _ticker_start(self, start: int, end: int) -> int | None:
        """The first line of a news ticker ("14:44 Headline", "14:32 Headline", ...) inside the run,
        after the article's prose: the page's rail, not the article (a series of at least
        series_min_lines, each at most series_max_gap lines after the one before). None when there
        is none. (A gallery's numbered slides are boilerplate already: gallery_lines.)"""
        lines, scores, t = self.lines, self.scores, self.t
        clocks: list[int] = []
        clock_minutes: list[int] = []
        clock_direction = 0
        prose = 0.0
        for i in range(start, end + 1):
            clock = _CLOCK.match(lines[i]) if lines[i][0].isdigit() else None
            if clock is not None:
                # (Times go one way, down a ticker or up a timeline: a film called "12:01" listed
                # again and again is no ticker.)
                minute = int(clock[1]) * 60 + int(clock[2])
                direction = (minute > clock_minutes[-1]) - (minute < clock_minutes[-1]) if clocks else 0
                if clocks and (i - clocks[-1] > t.series_max_gap or direction == 0 or direction == -clock_direction):
                    clocks, clock_minutes, direction = [], [], 0
                clocks.append(i)
                clock_minutes.append(minute)
                clock_direction = direction
                if len(clocks) >= t.series_min_lines:
                    return clocks[0] if prose >= t.prose_before_comments else None
            if not clocks and scores[i] > 0:
                prose += scores[i]
        return None


def gallery_lines(lines: list[str], t: TextDumpThresholds) -> list[int]:
    """The lines of a gallery's numbered slides: a series of slide counters counting up one by one
    to the same total ("1 of 5", "2 of 5", ...; at least series_min_lines of them, each at most
    series_max_gap lines after the one before), the captions between them, and the last slide's
    (as many lines as the slide before it). Its captions are prose, and a few of them outweigh a
    short article around them; none is the article's text."""
    found: list[int] = []
    counters: list[int] = []
    last = (0, 0)
    for i, line in enumerate(lines):
        first = line[0]
        if not first.isdigit() and (first not in "IiPpSsBbFf" or line.split(None, 1)[0].lower() not in _COUNTER_WORDS):
            continue
        counter = _COUNTER.match(line)
        if counter is None:
            continue
        number = (int(counter[1]), int(counter[2]))
        if counters and (i - counters[-1] > t.series_max_gap or number != (last[0] + 1, last[1])):
            found += _slides(counters, len(lines), t)
            counters = []
        if number[0] <= number[1]:
            counters.append(i)
        last = number
    return found + _slides(counters, len(lines), t)


def _slides(counters: list[int], size: int, t: TextDumpThresholds) -> list[int]:
    """The lines of the slides the counters open, when they are a gallery (gallery_lines)."""
    if len(counters) < t.series_min_lines:
        return []
    end = min(size, counters[-1] + counters[-1] - counters[-2])
    return list(range(counters[0], end))


def series_lines(candidates: list[int], max_gap: int, min_lines: int) -> list[int]:
    """The candidates (ascending line numbers) in series of min_lines or more, each line of a
    series at most max_gap lines after the one before."""
    found: list[int] = []
    series: list[int] = []
    for i in candidates:
        if series and i - series[-1] > max_gap:
            if len(series) >= min_lines:
                found += series
            series = []
        series.append(i)
    if len(series) >= min_lines:
        found += series
    return found


def trim_tail(scores: list[float], start: int, end: int, t: TextDumpThresholds) -> int:
    """The run's new last line: a small last block of prose cut off from the article by a gap of
    non-prose lines (an author box: "Desk", a link, then "X is a digital news portal ...") goes,
    and again."""
    total: float | None = None  # the run's prose, summed once a tail is found
    while True:
        gap_end = end
        while gap_end > start and scores[gap_end] > 0:
            gap_end -= 1
        gap_start = gap_end
        while gap_start > start and scores[gap_start - 1] <= 0:
            gap_start -= 1
        if gap_start <= start or gap_end - gap_start + 1 < t.tail_gap_lines:
            return end
        if total is None:
            total = sum(s for s in scores[start:end + 1] if s > 0)
        tail = sum(s for s in scores[gap_end + 1:end + 1] if s > 0)
        if tail > t.tail_share * total:
            return end
        end = gap_start - 1


def best_segment(scores: list[float], lo: int, hi: int) -> tuple[float, int, int]:
    """(score, first, last) of the run of consecutive lines in [lo, hi) with the largest sum of
    scores (the first such run on ties); (0, lo, lo - 1) when no line scores above zero."""
    best, best_start, best_end = 0.0, lo, lo - 1
    total, start = 0.0, lo
    for i in range(lo, hi):
        score = scores[i]
        if total <= 0:
            total, start = score, i
        else:
            total += score
        if total > best:
            best, best_start, best_end = total, start, i
    return best, best_start, best_end


def _positions(values: list[int], wanted: int, lo: int, hi: int) -> list[int]:
    """Indexes in [lo, hi) of `values` equal to `wanted`, in order."""
    return [i for i in range(lo, hi) if values[i] == wanted]
