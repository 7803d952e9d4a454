"""The text/plain path: the article in a naive scraper's text dump (all visible text of a page, one
block per line), with the title, byline and date the page shows.

How it works, in order:
1. Each line gets a kind (text_lines: text, boilerplate, section end, photo credit, byline, date)
   and a score: prose lines (long, ending like a sentence) weigh their length; short lines,
   headline lists and boilerplate weigh against.
2. The article is the run of lines with the largest total score (a maximum-sum segment): it starts
   and ends on prose and steps over the short lines inside it (subheadings, list items).
3. Inside the run, lines that are never article text go (boilerplate, credits and their captions,
   bylines, date lines, a repeat of the title, repeated paragraphs, a summary list repeated by the
   body); before it, the title, byline and date are read.
Lines a site prints on many pages (SiteLineMemory, optional) count as boilerplate.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from .site_lines import SiteLineMemory
from .text_dates import find_date
from .text_lines import BOILER, BYLINE, COMMENTS, CREDIT, DATELINE, SECTION_END, SENTENCE_END, TEXT, phrase_kind, refine_kind
from .text_meta import may_be_byline, parse_byline, split_site_suffix
from .types import Extraction

# Scores of a line in the segment search (in characters of prose, roughly).
PROSE_MIN_CHARS = 40  # a sentence-ended line shorter than this is not counted as prose
LONG_LINE_CHARS = 150  # a line this long counts as prose even without final punctuation
SHORT_LINE_PENALTY = 8  # a short line (menu item, headline, label) costs this plus a quarter of its length
BOILER_PENALTY = 40
SECTION_END_PENALTY = 150
# The run after the visible headline is the article if it scores at least this share of the best run.
ANCHORED_SHARE = 0.25
# The comment section's heading ends the article once this much prose came before it.
PROSE_BEFORE_COMMENTS = 200
# Where the title, byline and date are looked for: this many lines before the article...
HEADER_WINDOW = 25
# ...and this many at its start (bylines and dates often sit under the first paragraph's image).
BODY_META_WINDOW = 4
# A longest line worth classifying word by word; longer lines are prose or junk by length alone.
TITLE_MAX_WORDS = 30
# A summary list before the body goes when this share of its items is repeated by the body.
SUMMARY_REPEAT_SHARE = 0.5
SUMMARY_ITEM_CONTAINED = 0.6  # share of an item's words found in the body for it to count as repeated

_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_SAMPLE = 2000
_CJK_WEIGHT = 3  # one CJK character carries about as much as three Latin ones
_BULLET = re.compile(r"^[-•*·▪►]\s+")
_WORD = re.compile(r"\w+")


def extract_text(body: str, url: str, memory: SiteLineMemory | None = None) -> Extraction:
    """The article in a text dump. `memory`, when given, is read (lines this site repeats are
    boilerplate) and then updated with this page's lines."""
    host = (urlsplit(url).hostname or "").lower()
    lines = [line for line in map(str.strip, body.splitlines()) if line]
    if not lines:
        return Extraction(paragraphs=[])
    weight = _CJK_WEIGHT if _is_cjk(body) else 1
    kinds, scores = _score_lines(lines, weight)
    if memory is not None:
        repeated = memory.repeated_lines(host, lines)
        if repeated:
            _apply_site_memory(kinds, scores, repeated)
        memory.remember(host, url, lines)
    start, end = _article_run(lines, kinds, scores, host)
    if end < start:
        return Extraction(paragraphs=[])

    title_index, title, site_name = _title(lines, kinds, start, host)
    meta_from = title_index + 1 if title_index is not None else max(0, start - HEADER_WINDOW)
    for i in range(start, end + 1):
        # Prose lines are left alone: a credit or a link line is short and scores below zero.
        if kinds[i] == TEXT and scores[i] <= 0:
            kinds[i] = refine_kind(lines[i])
    meta_lines = range(meta_from, min(end + 1, start + BODY_META_WINDOW))
    authors = _authors(lines, kinds, meta_lines)
    published = _published(lines, kinds, meta_lines, host)
    return Extraction(paragraphs=_body(lines, kinds, start, end, title), title=title, authors=authors,
                      published_at=published, site_name=site_name)


def _score_lines(lines: list[str], weight: int) -> tuple[list[int], list[float]]:
    """Kind and score of every line. The hot loop of the text path: no regex here."""
    kinds: list[int] = []
    penalties = {SECTION_END: -SECTION_END_PENALTY, COMMENTS: -SECTION_END_PENALTY, BOILER: -BOILER_PENALTY}
    scores: list[float] = []
    prose_min, long_line = PROSE_MIN_CHARS, LONG_LINE_CHARS
    for line in lines:
        size = len(line)
        if size <= 60:
            kind = phrase_kind(line)
            if kind != TEXT:
                kinds.append(kind)
                scores.append(penalties[kind])
                continue
        kinds.append(TEXT)
        size *= weight
        if size >= prose_min and line[-1] in SENTENCE_END:
            scores.append(size - prose_min / 2)
        elif size >= long_line:
            scores.append(size / 2)
        else:
            scores.append(-(SHORT_LINE_PENALTY + min(size, 120) / 4))
    return kinds, scores


def _is_cjk(body: str) -> bool:
    if not _CJK.search(body, 0, _CJK_SAMPLE):
        return False
    return len(_CJK.findall(body, 0, _CJK_SAMPLE)) * 5 > min(len(body), _CJK_SAMPLE)


def _apply_site_memory(kinds: list[int], scores: list[float], repeated: set[int]) -> None:
    """Mark lines the site repeats as boilerplate, unless that would take most of the prose: then
    the page itself is a repeat (a syndicated or re-posted article), not boilerplate."""
    prose = sum(s for s in scores if s > 0)
    repeated_prose = sum(scores[i] for i in repeated if scores[i] > 0)
    if prose and repeated_prose > prose / 2:
        return
    for i in repeated:
        if kinds[i] == TEXT:
            kinds[i] = BOILER
            scores[i] = -BOILER_PENALTY


def _article_run(lines: list[str], kinds: list[int], scores: list[float], host: str) -> tuple[int, int]:
    """First and last line of the article: the best-scoring run, searched after the page's visible
    headline when the dump repeats its <title> further down, and ended by the comment section."""
    best, start, end = _best_segment(scores, 0, len(scores))
    headline = _headline_index(lines, kinds, host)
    if headline is not None:
        anchored, a_start, a_end = _best_segment(scores, headline + 1, len(scores))
        if anchored >= ANCHORED_SHARE * best:
            start, end = a_start, a_end
    prose = 0.0
    for i in range(start, end + 1):
        if kinds[i] == COMMENTS and prose >= PROSE_BEFORE_COMMENTS:
            _, start, end = _best_segment(scores, start, i)
            break
        if scores[i] > 0:
            prose += scores[i]
    return start, end


def _headline_index(lines: list[str], kinds: list[int], host: str) -> int | None:
    """Where the first line (the page's <title>) is printed again as the visible headline."""
    first = lines[0]
    if len(first) > 300 or len(lines) < 3:
        return None
    wanted = {first.casefold(), split_site_suffix(first, host)[0].casefold()}
    for i in range(1, len(lines) - 1):
        line = lines[i]
        if len(line) <= len(first) and kinds[i] == TEXT and line.casefold() in wanted:
            return i
    return None


def _best_segment(scores: list[float], lo: int, hi: int) -> tuple[float, int, int]:
    """(score, first, last) of the run of consecutive lines in [lo, hi) with the largest sum of
    scores (first one on ties); (0, lo, lo - 1) when no line scores above zero."""
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


def _title(lines: list[str], kinds: list[int], start: int, host: str) -> tuple[int | None, str | None, str | None]:
    """(line index, title, site name) from the lines before the article.

    The first line of a dump is usually the page's <title> ("Headline – Site"); the headline
    itself is usually repeated further down, as the page's visible heading. Preference: that
    visible heading, then a line printed twice before the article, then the first line without
    the site name.
    """
    candidates = range(max(1, start - HEADER_WINDOW), start)
    header = [i for i in (0, *candidates) if i < start and kinds[i] == TEXT and _title_like(lines[i])]
    if not header:
        return None, None, None
    first = header[0]
    stripped, site_name = split_site_suffix(lines[first], host)
    wanted = {lines[first].casefold(), stripped.casefold()}
    for i in header[1:]:
        if lines[i].casefold() in wanted:
            return i, lines[i] if first != 0 or i == first else _better_cased(lines[i], stripped), site_name
    seen: dict[str, int] = {}
    for i in header:
        key = lines[i].casefold()
        if key in seen:
            earlier = seen[key]
            return earlier, lines[earlier], site_name
        seen[key] = i
    if first == 0 and len(stripped.split()) >= 3:
        return first, stripped, site_name
    return None, None, None


def _better_cased(line: str, other: str) -> str:
    return line if sum(ch.isupper() for ch in line) >= sum(ch.isupper() for ch in other) else other


def _title_like(line: str) -> bool:
    words = line.count(" ") + 1
    return 1 <= words <= TITLE_MAX_WORDS and len(line) <= 300 and not line.endswith(".")


def _authors(lines: list[str], kinds: list[int], window: range) -> list[str]:
    for i in window:
        if kinds[i] in (TEXT, BYLINE, BOILER) and len(lines[i]) <= 120:
            names = parse_byline(lines[i])
            if names:
                kinds[i] = BYLINE
                return names
    return []


def _published(lines: list[str], kinds: list[int], window: range, host: str) -> datetime | None:
    month_first = host.endswith((".com", ".us", ".org", ".net"))
    for i in window:
        if kinds[i] in (DATELINE, BYLINE) or (kinds[i] == TEXT and len(lines[i]) <= 120):
            moment = find_date(lines[i], month_first=month_first)
            if moment is not None:
                if kinds[i] == TEXT and _is_prose(lines[i]):
                    continue  # a date inside a sentence is about something else
                return moment
    return None


def _is_prose(line: str) -> bool:
    return line[-1] in SENTENCE_END and len(line) >= PROSE_MIN_CHARS * 2


def _body(lines: list[str], kinds: list[int], start: int, end: int, title: str | None) -> list[str]:
    title_key = _key(title) if title else None
    seen: set[str] = set()
    kept: list[int] = []
    for i in range(start, end + 1):
        kind = kinds[i]
        if kind == CREDIT:
            if kept and kept[-1] == i - 1 and kinds[i - 1] == TEXT:
                kept.pop()  # the caption the credit belongs to
            continue
        line = lines[i]
        if kind != TEXT or (may_be_byline(line) and parse_byline(line)):
            continue
        key = line.casefold()
        if key in seen:
            continue
        if title_key is not None and len(line) <= len(title) + 20 and _key(line) == title_key:
            continue
        seen.add(key)
        kept.append(i)
    return _drop_repeated_summary([lines[i] for i in kept])


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _drop_repeated_summary(paragraphs: list[str]) -> list[str]:
    """A list of summary bullets at the top that the body then says again ("key points"): keep the
    body's version only."""
    bullets = 0
    while bullets < len(paragraphs) and _BULLET.match(paragraphs[bullets]):
        bullets += 1
    # The lead paragraph may come before the list.
    offset = 0
    if bullets == 0 and len(paragraphs) > 1 and _BULLET.match(paragraphs[1]):
        offset = 1
        while offset + bullets < len(paragraphs) and _BULLET.match(paragraphs[offset + bullets]):
            bullets += 1
    if bullets < 2:
        return paragraphs
    rest_words = set(_WORD.findall(" ".join(paragraphs[offset + bullets:]).casefold()))
    if not rest_words:
        return paragraphs
    repeated = 0
    for item in paragraphs[offset: offset + bullets]:
        words = _WORD.findall(item.casefold())
        if words and sum(w in rest_words for w in words) >= SUMMARY_ITEM_CONTAINED * len(words):
            repeated += 1
    if repeated < SUMMARY_REPEAT_SHARE * bullets:
        return paragraphs
    return paragraphs[:offset] + paragraphs[offset + bullets:]
