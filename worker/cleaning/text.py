"""The text/plain path: the article in a naive scraper's text dump (all visible text of a page, one
block per line), with the title, byline and date the page shows.

How it works, in order:
1. Every line gets a kind (text_lines: text, boilerplate, section end, comments heading) and a
   score: prose lines (long, ending like a sentence) weigh their length; short lines (menus,
   headline lists, labels) and boilerplate weigh against. No regex in this loop: it is the cost.
2. The article is the run of lines with the largest total score (a maximum-sum segment): it starts
   and ends on prose and steps over the short lines inside it (subheadings, list items). When the
   dump's first line (the page's <title>) is printed again further down, that is the visible
   headline and the run is searched right after it; a comments heading ends the run, and a small
   last block cut off by a gap of non-prose lines (an author box, a site blurb) is dropped.
3. Inside the run, lines that are never article text go: boilerplate, photo credits and their
   captions, bylines, date lines, a repeat of the title, repeated paragraphs, a summary list the
   body repeats. Around the run's start, the title, byline and date are read (text_header.py: the
   title from the <title> line and the visible headline; dates above the headline only with a
   time or "Published": a bare date there is the site header's scrape day).
4. The paragraphs are normalized (normalize.py) and read again until nothing changes, so that the
   text path is a fixed point on its own output.
The thresholds are in worker/config/cleaning.py (TextDumpThresholds); accuracy and speed are
measured by bench/text_cleaning.py.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Final

from ..config.cleaning import TextDumpThresholds
from .meta.hosts import host as _host
from .meta.names import is_byline_word, may_be_byline, parse_bare_name, parse_byline
from .meta.titles import split_site_suffix
from .normalize import normalize_paragraphs
from .prompts import is_prompt
from .text_header import HeaderReading, enough_words
from .text_lines import (BOILER, COMMENTS, CREDIT, SECTION_END, SENTENCE_END, TEXT, is_captioned, is_comments_title,
                         phrase_kind, refine_kind, split_words, word_key)
from .types import Extraction

DEFAULT_THRESHOLDS: Final = TextDumpThresholds()

_CJK_RUNS: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_HAS_LETTER: Final = re.compile(r"[^\W\d_]")  # (kind: a fragment of no letters)
# Two runs of Chinese or Japanese text with a space between them: clauses of one sentence. (Not
# Korean: it puts a space between words.)
_HAN_CLAUSES: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2} "
                                 "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2}")
_COUNT: Final = re.compile(r"\(\d+\)")  # (_is_flattened_menu) a count in brackets: "(12)"
_CJK_SAMPLE: Final = 2000
_MAX_ROUNDS: Final = 3  # of reading the result again until it settles
_CJK_WEIGHT: Final = 3  # one CJK character carries about as much as three Latin ones
UNRESOLVED: Final = -1  # kind of a short line whose phrase has not been looked up yet (_Dump.kind)
_PHRASE_MAX_CHARS: Final = 60  # longer lines are never one of the phrases of text_lines
_HEADLINE_MAX_CHARS: Final = 300  # a longer first line is not looked for again further down (_headline_indexes)
# A line starting with one of these goes on with the sentence of the line before (_joined_lines),
# attached without a space. (Not dashes: they open list items.)
_CLOSING: Final = ",.;:!?)]}»”’%"
# A line this short between an unfinished line and its continuation is a link's text inside the
# sentence (get_text-style dumps put every text node on its own line).
_LINK_TEXT_MAX_CHARS: Final = 40
_LONGEST_BYLINE_WORD_LINE: Final = 12  # (_lone_byline_word: a cheap test first)
_BULLET: Final = re.compile(r"^[-•*·▪►]\s+")
_BULLETS: Final = "-•*·▪►+–"  # a list item's first character, followed by a space (_score_lines)
# An HTML tag of the kinds that never stand in prose: the line is page source, not text.
_MARKUP: Final = re.compile(r"</?(?:div|span|img|a|p|br|script|iframe|noscript|style|link|meta|input|ins)\b[^<>]*>",
                            re.IGNORECASE)
# A line opening with a clock time ("14:44 Headline", "6:32 PM"): an entry of a news ticker.
_CLOCK: Final = re.compile(r"(\d{1,2})[:h](\d{2})(?:\s?[ap]\.?m\.?)?(?:\s|$)", re.IGNORECASE)
# A line opening with a slide's number in a gallery ("3/50 Title").
_SLIDE: Final = re.compile(r"(\d{1,3})/(\d{1,3})(?:\s|$)")


def extract_text(body: str, url: str, thresholds: TextDumpThresholds = DEFAULT_THRESHOLDS) -> Extraction:
    """The article in a text dump, its paragraphs normalized (normalize.py): a function of the page
    alone, so that a replay, or another replica, cleans it the same.

    The result is a fixed point: cleaning the returned paragraphs again returns them unchanged.
    Removing lines (duplicates, captions) can leave a run that would be read differently on its
    own, so the paragraphs are read again until they settle (one more round, rarely two)."""
    host = _host(url)
    lines = _joined_lines(body)
    if not lines:
        return Extraction(paragraphs=[])
    readings = _Readings()
    dump = _Dump(lines, url, host, thresholds, _CJK_WEIGHT if _is_cjk(body) else 1, readings)
    extraction = dump.extract()
    paragraphs = normalize_paragraphs(extraction.paragraphs)
    for _ in range(0 if dump.settled(paragraphs) else _MAX_ROUNDS):
        # The paragraphs are the lines of the text "\n\n".join(paragraphs) (normalized, so they
        # come back as they went in, or not at all).
        if not paragraphs:
            break
        weight = _CJK_WEIGHT if _paragraphs_cjk(paragraphs) else 1
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


def _joined_lines(body: str) -> list[str]:
    """The dump's non-empty lines, stripped, with a sentence broken over lines put back together.

    Dumps that print every text node on its own line (get_text-style) or keep the page source's
    line wrapping break sentences: at each link, and every 80 characters or so. A line that does not
    end a sentence is joined with the next when that one goes on with the sentence (starts with a
    lower-case letter or with punctuation that never opens one), and so is a short line between
    them (the text of a link inside the sentence), when no blank line came between
    them (a blank line ends a block in every dump style, so the output, paragraphs separated by
    blank lines, is never joined again)."""
    lines: list[str] = []
    # The pieces of the last line kept while lines continue it, joined once it ends: joining at
    # every continued line cost quadratic time on a dump of thousands of lines that all continue.
    pieces: list[str] = []
    joinable = False  # the last line kept may be continued by the next one
    inside = False  # the last line kept is short and came right after an unfinished one: a link's text
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            joinable = inside = False
            continue
        if joinable and (line[0].islower() or line[0] in _CLOSING) and \
                (pieces[-1] if pieces else lines[-1])[-1] not in SENTENCE_END and not _lone_byline_word(line):
            if not pieces:
                if inside:  # "the agency said", "Reuters", "on Tuesday": one sentence again
                    link = lines.pop()
                    pieces.extend((lines[-1], " ", link))
                else:
                    pieces.append(lines[-1])
            if line[0] not in _CLOSING:
                pieces.append(" ")
            pieces.append(line)
            inside = False
        else:
            if pieces:
                lines[-1] = "".join(pieces)
                pieces = []
            inside = joinable and len(line) <= _LINK_TEXT_MAX_CHARS and lines[-1][-1] not in SENTENCE_END
            lines.append(line)
        joinable = True
    if pieces:
        lines[-1] = "".join(pieces)
    return lines


def _is_flattened_menu(line: str, share: float, counts: int) -> bool:
    """A long line with no final punctuation whose words are nearly all capitalized: a site's
    navigation flattened into one line ("Latest News Applications OS Channel Programs Cloud ..."),
    not prose, where most words are lower case (German nouns included)."""
    words = line.split()
    capitalized = sum(1 for word in words if word[0].isupper() or not word[0].isalpha())
    if capitalized >= share * len(words):
        return True
    # An archive or category list with its counts ("March 2016 (4) February 2016 (2) ..."), in
    # any script: a count in brackets after every few words.
    return line.count("(") >= counts and len(_COUNT.findall(line)) >= counts


def _lone_byline_word(line: str) -> bool:
    """A line that is only "by" (or "von", "par", "by:"): the byline's word, its names on the next
    line (get_text-style dumps split "by <a>Name</a>"), not the rest of the headline above it.
    (Not "film by", "directed by": those go on with a sentence.)"""
    return len(line) <= _LONGEST_BYLINE_WORD_LINE and " " not in line and is_byline_word(line)


def _is_bulleted(line: str) -> bool:
    """An item of a bulleted list: a bullet character, then a space."""
    return len(line) > 2 and line[0] in _BULLETS and line[1] == " "


def _is_markup(line: str) -> bool:
    return "<" in line and _MARKUP.search(line) is not None


def _paragraphs_cjk(paragraphs: list[str]) -> bool:
    return _is_cjk("\n\n".join(paragraphs))


def _is_cjk(body: str) -> bool:
    """More than a fifth of the first _CJK_SAMPLE characters are CJK."""
    if body.isascii():
        return False
    sample = body[:_CJK_SAMPLE]
    # A CJK character takes three bytes in UTF-8: a sample whose UTF-8 form is not much longer than
    # itself holds too few of them (encoding costs a fraction of the search).
    if (len(sample.encode("utf-8", "surrogatepass")) - len(sample)) * 5 <= 2 * len(sample):
        return False
    return sum(map(len, _CJK_RUNS.findall(sample))) * 5 > len(sample)


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


class _Dump(HeaderReading):
    """One dump being read: its non-empty lines, their kinds and scores."""

    def __init__(self, lines: list[str], url: str, host: str, thresholds: TextDumpThresholds, weight: int,
                 readings: _Readings) -> None:
        self.lines = lines
        self.url = url
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
        for i in [i for i in self.positives if is_prompt(lines[i]) or _is_markup(lines[i])]:
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
        self.kept: list[int] = []  # indexes of the lines _body returned
        self._folded: dict[int, str] = {}  # line index -> its casefold, once worked out (_fold)

    def _score_lines(self, weight: int) -> tuple[list[int], list[float]]:
        """Score of every line as text: a prose line (long enough, ending like a sentence; a short
        one ending in "?" or "!" is a headline more often) weighs its length, a long line without
        final punctuation half of it (unless nearly all its words are capitalized, or it holds
        counts in brackets: a flattened menu or archive list), and so does a Chinese or Japanese
        line of clauses separated by spaces; any other line (menus, labels, headlines) weighs
        against, the more the longer (up to 120 characters). Kinds are looked up later, on need
        (kind()): a line longer than any phrase is TEXT, a shorter one is left UNRESOLVED. (The hot loop of the text
        path: the thresholds are read once, and the score is worked out inline.) Items of a bulleted
        list (two or more in a row, each at least list_item_min_chars) weigh half their length."""
        prose_min, long_line, short_penalty = self.t.prose_min_chars, self.t.long_line_chars, self.t.short_line_penalty
        kinds = [TEXT if len(line) > _PHRASE_MAX_CHARS else UNRESOLVED for line in self.lines]
        # Items of a bulleted list (two or more in a row): a changelog or a list article's lines.
        bulleted = [len(line) > 2 and line[0] in _BULLETS and line[1] == " " for line in self.lines]
        listed = [b and ((i > 0 and bulleted[i - 1]) or (i + 1 < len(bulleted) and bulleted[i + 1]))
                  for i, b in enumerate(bulleted)]
        item_min, menu_share, menu_counts = (self.t.list_item_min_chars, self.t.menu_capitalized_share,
                                             self.t.menu_counts)
        clauses_min = self.t.cjk_clauses_min_chars * weight
        scores = []
        gap = 0.0
        for i, line in enumerate(self.lines):
            size = len(line) * weight
            last = line[-1]
            if size >= prose_min and last in SENTENCE_END and (size >= 2 * prose_min or last not in "?!？！"):
                score = size - prose_min / 2
            elif size >= long_line and not _is_flattened_menu(line, menu_share, menu_counts):
                score = size / 2
            elif weight > 1 and size >= clauses_min and " " in line and _CJK_RUNS.match(last) is not None \
                    and not line[0].isdigit() and _HAN_CLAUSES.search(line) is not None:
                # Chinese blogs often write a pause as a space, and no full stop at a line's end.
                # (Teasers end in their source and date: "Headline Agency 3/9(木) 18:01"; a line
                # opening with a date or a rank is a post line or a list item.)
                score = size / 2
            elif listed[i] and size >= item_min:
                score = size / 2
            else:
                score = -(short_penalty + (size if size < 120 else 120) / 4)
            scores.append(score)
            if score > 0:
                self.positives.append(i)
                self.gaps.append(gap)
                gap = 0.0
            else:
                gap += score
        self.gaps.append(gap)
        return kinds, scores

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
                                     and _HAS_LETTER.search(line) is None):
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

    def _best_segment(self, lo: int, hi: int) -> tuple[float, int, int]:
        """_best_segment(self.scores, lo, hi), scanning the prose lines only (a seventh of a dump's
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
        title_index, title = self._title(headline, start, first_stripped)
        authors = self._authors(title_index, start, end)  # (before the body: it marks the byline line)
        extraction = Extraction(paragraphs=self._body(start, end, title), title=title, authors=authors)
        if metadata:
            extraction.published_at = self._published(title_index, start, end)
            if site_name is None and title_index not in (None, 0):
                site_name = self._site_name_line()
            extraction.site_name = site_name
        return extraction

    # -- where the article is

    def _headline_indexes(self, first_stripped: str) -> list[int]:
        """Where the first line (the page's <title>) is printed again: the visible headline, and
        perhaps its copies in teaser lists (at most three places)."""
        lines = self.lines
        first = lines[0]
        if len(first) > _HEADLINE_MAX_CHARS or len(lines) < 3:
            return []
        wanted = {first.casefold(), first_stripped.casefold()}
        # Only lines of the same length are compared (casefold keeps the length of almost every
        # text): no casefold of the others.
        one, other = len(first), len(first_stripped)
        found = []
        for i in range(1, len(lines) - 1):
            size = len(lines[i])
            if (size == one or size == other) and lines[i].casefold() in wanted and self.kind(i) == TEXT:
                found.append(i)
                if len(found) == 3:
                    break
        return found

    def _article_run(self, headlines: list[int], headline_shaped: bool) -> tuple[int, int, int | None]:
        """First and last line of the article (end < start when there is none), and which copy of
        the headline it follows: the one with a byline or date under it, else the one the article
        comes right after (not a copy in a "Most read" box inside the article). When the first line has
        fewer than three words, it is often the site's name: then a copy of it after the best run
        (the footer's) does not move the article there."""
        scores, t = self.scores, self.t
        best, start, end = self._best_run(0, len(scores))
        headline = None
        closest = (True, len(scores))
        for h in headlines:
            if h > end and not headline_shaped:
                continue
            anchored, a_start, a_end = self._best_run(h + 1, self._window_end(h + 1))
            if headline is not None and a_start == start:
                continue  # a copy of the headline (a share box) between the first one and the article
            # The copy with a byline or date under it is the headline, before copies in teaser
            # lists ("Most read", which may sit inside the article); then the one nearest its run.
            key = (not self._meta_under(h, a_start), a_start - h)
            if anchored >= t.anchored_share * best and key < closest:
                start, end, headline, closest = a_start, a_end, h, key
        prose = 0.0
        for i in range(start, end + 1) if COMMENTS in self.kinds[start:end + 1] else ():
            if self.kinds[i] == COMMENTS and prose >= t.prose_before_comments and not self._in_share_bar(i):
                _, start, end = self._best_run(start, i)
                break
            if scores[i] > 0:
                prose += scores[i]
        series = self._series_start(start, end)
        if series is not None:
            _, start, end = self._best_run(start, series)
        return start, _trim_tail(scores, start, end, t), headline

    def _in_share_bar(self, i: int) -> bool:
        """Line i sits between two boilerplate words ("Facebook", "Comments", "Print"): a button of
        a share bar, not the heading of the comment section. (Not a count: "0", "Comments".)"""
        lines = self.lines
        return (0 < i < len(lines) - 1 and self.kind(i - 1) == BOILER and self.kind(i + 1) == BOILER
                and _HAS_LETTER.search(lines[i - 1]) is not None and _HAS_LETTER.search(lines[i + 1]) is not None)

    def _series_start(self, start: int, end: int) -> int | None:
        """The first line of a news ticker ("14:44 Headline", "14:32 Headline", ...) or of a
        gallery's numbered slides ("1/50 Title", "2/50 Title", ...) inside the run, after the
        article's prose: the page's rail, not the article (a series of at least series_min_lines,
        each at most series_max_gap lines after the one before). None when there is none."""
        lines, scores, t = self.lines, self.scores, self.t
        clocks: list[int] = []
        clock_minutes: list[int] = []
        clock_direction = 0
        slides: list[int] = []
        slide_number = (0, 0)
        prose = 0.0
        for i in range(start, end + 1):
            line = lines[i]
            if line[0].isdigit():
                clock = _CLOCK.match(line)
                if clock is not None:
                    # (Times go one way, down a ticker or up a timeline: a film called "12:01"
                    # listed again and again is no ticker.)
                    minute = int(clock[1]) * 60 + int(clock[2])
                    direction = (minute > clock_minutes[-1]) - (minute < clock_minutes[-1]) if clocks else 0
                    if clocks and (i - clocks[-1] > t.series_max_gap or direction == 0 or
                                   direction == -clock_direction):
                        clocks, clock_minutes, direction = [], [], 0
                    clocks.append(i)
                    clock_minutes.append(minute)
                    clock_direction = direction
                    if len(clocks) >= t.series_min_lines:
                        return clocks[0] if prose >= t.prose_before_comments else None
                else:
                    slide = _SLIDE.match(line)
                    if slide is not None:
                        number = (int(slide[1]), int(slide[2]))
                        if slides and (i - slides[-1] > t.series_max_gap or number != (slide_number[0] + 1,
                                                                                         slide_number[1])):
                            slides = []
                        slides.append(i)
                        slide_number = number
                        if len(slides) >= t.series_min_lines:
                            return slides[0] if prose >= t.prose_before_comments else None
            if not clocks and not slides and scores[i] > 0:
                prose += scores[i]
        return None

    # -- the body

    def _body(self, start: int, end: int, title: str | None) -> list[str]:
        lines, kinds, scores = self.lines, self.kinds, self.scores
        title_key = word_key(title) if title else None
        # A line is the title again only if it holds the title's first and last words (cheap tests first).
        title_word = title_key.partition(" ")[0] if title_key else ""
        title_last = title_key.rpartition(" ")[2] if title_key else ""  # (and its last word)
        title_max = len(title) + 20 if title else 0
        # (word_key(line) is no longer than line.casefold(): as long as an ASCII line, at most three
        # times as long as another. A shorter line is not casefolded for the title test.)
        title_min = len(title_key) if title_key else 0
        # A repeat is a line with the casefold and the length of an earlier one (casefold keeps the
        # length of almost every text, as in _headline_indexes): a line is casefolded only when an
        # earlier one has its length, or when it may be the title. (Casefolding every line was an
        # eighth of the text path's time: casefold has no fast path for text with curly quotes.)
        seen: dict[int, list[int]] = {}  # length -> the lines of that length kept so far (or their captions)
        kept: list[int] = []
        for i in range(start, end + 1):
            kind = kinds[i]
            if kind != TEXT:
                if kind == CREDIT and kept and kept[-1] == i - 1:
                    kept.pop()  # the caption the credit belongs to
                continue
            line = lines[i]
            # (A byline is short and does not end like a sentence: it scores at most zero.)
            if scores[i] <= 0 and self._byline(line) is not None:
                continue
            size = len(line)
            earlier = seen.get(size)
            if earlier is not None and self._repeats(i, earlier):
                continue
            if size <= title_max and (size if line.isascii() else 3 * size) >= title_min:
                key = self._fold(i)
                if title_word in key and title_last in key and " ".join(split_words(key)) == title_key:  # (_key)
                    continue
            if earlier is None:
                seen[size] = [i]
            else:
                earlier.append(i)
            kept.append(i)
        self.kept = _drop_repeated_summary([lines[i] for i in kept], kept, self.t)
        return [lines[i] for i in self.kept]

    def _fold(self, i: int) -> str:
        """lines[i].casefold(), worked out once."""
        folded = self._folded
        key = folded.get(i)
        if key is None:
            key = folded[i] = self.lines[i].casefold()
        return key

    def _repeats(self, i: int, earlier: list[int]) -> bool:
        """Line i casefolds as one of the `earlier` lines does."""
        line, lines = self.lines[i], self.lines
        for j in earlier:
            if lines[j] == line:  # (the usual repeat: the very same text, no casefold needed)
                return True
        key = self._fold(i)
        for j in earlier:
            if self._fold(j) == key:
                return True
        return False

    def settled(self, paragraphs: list[str]) -> bool:
        """True when reading `paragraphs` (this dump's result, normalized) again would return them
        unchanged, by cheap sufficient tests of what a second reading could change: a line changed
        by normalization, another CJK weight, a run that is not all of them, a tail to trim, a copy
        of the first line (a headline anchor), a byline among the first lines, a summary list. When
        False, extract_text reads them again; it asks each reading of its rounds too (that reading's
        result, lines of normalized paragraphs), so that no last round only confirms the one before."""
        kept, lines, t = self.kept, self.lines, self.t
        if not paragraphs:
            return True  # nothing to read again
        # (C-level comparisons: normalization returns the very same strings when it changes nothing)
        if paragraphs != [lines[i] for i in kept]:
            return False
        if (_CJK_WEIGHT if _paragraphs_cjk(paragraphs) else 1) != self.weight:
            return False
        # (All prose, the usual case: then the run is all of them and there is no tail to trim.)
        scores = [self.scores[i] for i in kept]
        if min(scores) <= 0:
            last = len(scores) - 1
            if _best_segment(scores, 0, len(scores))[1:] != (0, last) or _trim_tail(scores, 0, last, t) != last:
                return False
        first = paragraphs[0]
        # A copy of the first line further down would anchor the run to the headline (_headline_indexes).
        if len(first) <= _HEADLINE_MAX_CHARS and len(paragraphs) >= 3:
            wanted = {first.casefold(), split_site_suffix(first, self.host)[0].casefold()}
            longest = max(map(len, wanted))  # (casefold never shortens a text: longer lines are not it)
            if any(len(lines[i]) <= longest and self._fold(i) in wanted for i in kept[1:]):
                return False
        if any(self._byline(p) is not None for p in paragraphs[:t.body_meta_window]):
            return False
        # A list item scores as text only beside another item (_score_lines): one kept without
        # its neighbours would score otherwise.
        bulleted = [_is_bulleted(p) for p in paragraphs]
        if any(b and not ((k > 0 and bulleted[k - 1]) or (k + 1 < len(bulleted) and bulleted[k + 1]))
               for k, b in enumerate(bulleted)):
            return False
        return _drop_repeated_summary(paragraphs, list(range(len(paragraphs))), t) == list(range(len(paragraphs)))


def _trim_tail(scores: list[float], start: int, end: int, t: TextDumpThresholds) -> int:
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


def _best_segment(scores: list[float], lo: int, hi: int) -> tuple[float, int, int]:
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
