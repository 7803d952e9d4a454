"""The header of the article in a text dump: its title, byline and publication date, read around
the article run worker/cleaning/text_run.py found (the lines above it and its first lines).

- title: the first line of a dump is the page's <title>, often with the site name; the visible
  headline is further down, just before the article, and may be worded differently (_title says
  in which order the candidates are asked); a dump without the <title> line has its lines before
  the article scored as headlines (_scored_title);
- authors: an explicit byline ("By ...") near the headline, else a line that is only a person's
  name just under it (or in the article's first lines);
- date: a date line near the headline (above it only with a time or "Published": a bare date
  there is the site header's scrape day), else the URL's date, else one in the title line.
The methods are a mixin of text._Dump: they read its lines, kinds and scores.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from datetime import datetime
from typing import Final

from .meta.bylines import goes_on, holds_byline_word, is_byline_word, opens_like_byline
from .meta.dates import HAS_YEAR, MONTH_NAMES, WEEKDAY_NAMES, date_in_url, find_date, year_in_url
from .meta.hosts import names_host, path_words
from .meta.titles import is_furniture
from .text_lines import (BOILER, BYLINE, CREDIT, DATELINE, SENTENCE_END, TEXT, is_captioned, refine_kind,
                         split_words)

_CJK: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_DIGIT: Final = re.compile(r"\d")
_TIME: Final = re.compile(r"\b[0-2]?\d[:.h][0-5]\d\b")
_PUBLISHED: Final = re.compile(r"(?i)publi|updated|posted|veröffentlicht|aktualisiert|mis à jour|actualizado|aggiornato"
                        r"|opublikowano|aktualizacja|gepubliceerd|bijgewerkt|опубликовано|обновлено")
_POSTED: Final = re.compile(r"(?i)\b(?:posted|published|publié|veröffentlicht|publicado|pubblicato|opublikowano)\b")
# A piece of each of their words, found in line.lower() wherever they match: case-insensitive
# alternations are slow in re (_PUBLISHED 5 us a line), and few lines hold a piece. (No i, s, k, о, в:
# re's ignore-case also matches ı, İ, ſ, K, ᲂ, ᲀ there, which lower() keeps.)
_PUBLISHED_PIECES: Final = ("pub", "upd", "ted", "ffentl", "tual", "jour", "rnat", "gewer", "публ", "бн")
_POSTED_PIECES: Final = ("pub", "ted", "ffentl")
# A long line opening with a date (_published: its first date_opening_chars characters), the date
# first in them (after a separator or a word like "Published on").
_OPENS_WITH_DATE: Final = re.compile(r"[\s|•·–—-]*(?:(?i:published|posted|updated|publié|publicado|veröffentlicht)"
                                     r"(?:\s+(?i:on|am|le|el))?\s*:?\s*)?(?:\d|(?i:" + MONTH_NAMES + "|" + WEEKDAY_NAMES
                                     + r")\b)")
# A reading time ("8 min read", "5 minute read", "Lesezeit: 4 Min.", "3 min de lecture").
_READING_TIME: Final = re.compile(r"(?i)\b\d+\s*(?:min(?:ute)?s?\.?\s*(?:read|de lecture|de leitura|di lettura|de lectura)"
                                  r"|min\.?\s*lesezeit)\b|lesezeit:?\s*\d+\s*min")
# A date's label alone on its line ("Published", "Updated:") is at most this long.
_DATE_LABEL_MAX_CHARS: Final = 16
# Hosts whose numeric dates put the month first (03/04/2019 is March 4th).
_MONTH_FIRST_SUFFIXES: Final = (".com", ".us", ".org", ".net", ".gov", ".edu")


class HeaderReading:
    """Title, authors and date of a text._Dump (a mixin: self is the dump)."""

    def _title(self, headline: int | None, start: int,
               first_stripped: str) -> tuple[int | None, str | None, int | None]:
        """(line index, title, header line). The first line of a dump is the page's <title>, often
        with the site name; the visible headline (what readers, and our labels, call the title) is
        further down, just before the article, and may be worded differently. In order of
        preference: the <title> printed again; the line before the article the URL's slug names;
        the one most like the <title>; the best scored of the lines before the article
        (_scored_title) when one is right above a byline or date or printed twice; the <title>
        without the site name. Without a <title> line, the lines before the article are scored.
        The header line is the one the byline and date are read under (_authors, _published): the
        title's, or when the lines were scored the headline-like line over a byline or date
        (_unmatched_title, _header_line)."""
        lines, t = self.lines, self.t
        if headline is not None and headline < start:
            if not self._title_shape(0) or not self._slug_names(headline):
                # A dump without the <title> line may open with a menu item ("News", "Business")
                # or the site's name ("New York Post") that the page prints again: a line the URL's
                # slug names beats that copy, unless the slug names the copy too.
                slugged = self._slug_title(self._shaped_above(start))
                if slugged is not None:
                    return slugged, lines[slugged], slugged
            if not self._site_header():
                if not self._title_shape(0) and not self._names_article(headline, start):
                    # No <title> line: the dump opens with a menu item or the site's name
                    # ("Business", "TVN24") that the page prints again near the article, and the
                    # headline is chosen as in a dump without that copy (the byline and date are
                    # still read under the copy, as before).
                    found, title = self._scored_title(start, self._shaped_above(start))
                    if title is not None:
                        return found, title, headline
                return headline, _better_cased(lines[headline], first_stripped), headline
            # The site's name printed again (its logo): the headline is looked for below it, and the
            # byline and date under that copy as before.
            found = self._title(None, start, first_stripped)[1] if headline + 1 < start else None
            return headline, found, headline
        # Cheap tests first; the costlier ones (a date? a name? a byline?) only on the lines chosen.
        shaped = self._shaped_above(start)
        # (Not the article's first line; nor a name right over a bare date, the day the page was
        # fetched: a site header, whatever the name, as the seeds open.)
        first_is_title = start > 0 and self._title_shape(0) and self._title_like(0) and not (
            start > 1 and self.refined(1) == DATELINE and not self._stamped(1))
        # The line that says most of what the URL's slug says ("/republicans-trump-nowhere"): the
        # page's own name for its article, which the <title> line (when there is one) may dress up.
        # The article's run may open with its headline (one ending in a quote or "?", or long
        # enough to count as prose): the slug names it there too.
        opening = [start] if 0 < start < len(lines) and self._title_shape(start) else []
        slugged = self._slug_title(shaped + opening)
        if slugged is not None:
            return slugged, lines[slugged], slugged
        if not first_is_title:
            found, title = self._scored_title(start, shaped)
            return found, title, self._header_line(shaped, start)
        title_words = _title_words(first_stripped)
        ranked = []
        for i in shaped:
            words = _title_words(lines[i])
            shared = len(words & title_words)
            if words and shared / len(words) >= t.title_match_share:
                # Most words in common first (a short label shares a bigger part of fewer
                # words); on ties the later line, nearer the article.
                ranked.append((shared, shared / len(words), i))
        for _, _, i in sorted(ranked, reverse=True):
            if self._title_like(i):
                return i, lines[i], i
        index, title = self._unmatched_title(shaped, start, first_stripped)
        if index != 0:
            # No line before the article is worded like the <title> (a <title> written apart from
            # the headline, or a menu row opening a dump without one): the line over a byline or
            # date is no surer a headline than without a <title>, so the lines are scored as
            # there (that line still heads the byline and date).
            found, scored = self._scored_title(start, shaped)
            if scored is not None:
                return found, scored, index
        return index, title, index

    def _shaped_above(self, start: int) -> list[int]:
        """The title-shaped lines of the header_window lines above the article (not the first line)."""
        return [i for i in range(max(1, start - self.t.header_window), start) if self._title_shape(i)]

    def _glued_byline(self, title: str | None) -> tuple[str | None, list[str]]:
        """(title, authors) when the title line ends with its byline, else (title, []).
        get_text-style dumps put the byline's link on its own line, and the line joiner takes it
        for a link inside a sentence going on: "10 things in tech you need to know today",
        "Charlie Wood", "," become one line, and so do "... for his torture" and "by Spencer S.
        Hsu, The Washington Post,". A headline ends with no comma: one ending so ends with the
        byline's names (after "by", or its last words); "by:" sets off a byline anywhere."""
        if not title or (title[-1] != "," and " by: " not in title.lower()):
            return title, []
        body = title.rstrip(" ,")
        at = body.lower().rfind(" by")
        if at > 0 and body[at + 3:at + 4] in (" ", ":"):
            names = self._byline(body[at + 1:])
            if names and enough_words(body[:at]):
                return body[:at], names
            return title, []
        words = body.split()
        for k in (3, 2):  # ("Tanza Loudenback", "Trevor J. Mitchell")
            if len(words) - k >= 3 and title[-1] == ",":
                names = self._readings.bare_name(" ".join(words[-k:]))
                if names:
                    return " ".join(words[:-k]), names
        return title, []

    def _unmatched_title(self, shaped: list[int], start: int, first_stripped: str) -> tuple[int, str]:
        """(line index, title) when no line before the article is worded like the <title>: the
        headline-like line right above a byline or date, else a line printed twice, else the
        <title> itself (index 0)."""
        lines = self.lines
        for i in reversed(shaped):  # the headline sits right above its byline or date
            if self._above_meta(i, start) and self._title_like(i) and not self._stamped(i):
                key = lines[i].casefold()  # printed twice, in two spellings: the better cased one
                twins = [j for j in shaped if j != i and lines[j].casefold() == key]
                return i, _better_cased(lines[twins[0]], lines[i]) if twins else lines[i]
        seen: dict[str, int] = {}
        for i in shaped:
            key = lines[i].casefold()
            if key in seen and self._title_like(i):
                return seen[key], _better_cased(lines[seen[key]], lines[i])
            seen[key] = i
        return 0, first_stripped

    def _header_line(self, shaped: list[int], start: int) -> int | None:
        """In a dump without the <title> line, the line the byline and date are read under: the
        headline-like line nearest the article with a byline or date under it (among the article's
        first lines too: it may come after the standfirst, which opens the run), else a line
        printed twice, else the headline-like line nearest the article. (The headline itself may
        stand apart from them: printed over a share bar, a gallery, the author's box.)"""
        lines, t = self.lines, self.t
        for i in reversed(shaped):
            if self._above_meta(i, start, t.body_meta_window) and self._title_like(i) and not self._stamped(i):
                return i
        seen: set[str] = set()
        for i in shaped:
            key = lines[i].casefold()
            if key in seen and self._title_like(i):
                return next(j for j in shaped if lines[j].casefold() == key)
            seen.add(key)
        for i in reversed(shaped):
            if start - i > t.headline_max_gap:
                break
            if self._title_like(i):
                return i
        return None

    def _scored_title(self, start: int, shaped: list[int]) -> tuple[int | None, str | None]:
        """(line index, title) of the best headline among the title-shaped lines `shaped` before the
        article, in a dump without the <title> line: without it, the first headline-like line found
        (over a byline, nearest the article) was as often a menu item, a label or a teaser's
        headline. Each line is scored (TextDumpThresholds: headline_words_cap and the others): its
        words, its distance to the article, a byline or date under it, and the share of its words
        that the article's lead uses. (The costly byline and date test last, only on the lines it
        could put first.)"""
        lines, t = self.lines, self.t
        first = bisect_left(self.positives, start)
        lead: set[str] = set().union(*[self._stems(j) for j in self.positives[first:first + t.headline_article_lines]])
        ranked = []
        for i in shaped:
            line = lines[i]
            if not self._title_like(i) or is_captioned(line) or (
                    HAS_YEAR.search(line) is not None and find_date(line) is not None):
                continue  # (a caption, a teaser with its date: no headline holds a date)
            words = line.count(" ") + 1
            if words <= 2 and not line.isascii() and _CJK.search(line):
                words = max(words, len(line) // t.cjk_weight)  # (CJK: no spaces between words)
            stems = self._stems(i)
            shared = len(stems & lead) / len(stems) if stems else 0.0
            ranked.append((min(words, t.headline_words_cap) - t.headline_line_cost * (start - i)
                           + t.headline_shared_bonus * shared, i))
        best, found = float("-inf"), None
        into = t.body_meta_window  # (the byline or date may come after a standfirst opening the run)
        for score, i in sorted(ranked, reverse=True):
            if score + t.headline_meta_bonus <= best:
                break
            if self._above_meta(i, start, into):
                score += t.headline_meta_bonus
            if score > best or (score == best and found is not None and i > found):
                best, found = score, i
        if found is None:
            return None, None
        key = lines[found].casefold()  # printed twice, in two spellings: the better cased one
        twins = [j for j in shaped if j != found and lines[j].casefold() == key]
        return found, _better_cased(lines[twins[0]], lines[found]) if twins else lines[found]

    def _stems(self, i: int) -> set[str]:
        """The stems of line i's words (TextDumpThresholds.headline_stem_chars), pairs of
        characters in CJK."""
        line, t = self.lines[i], self.t
        if not line.isascii() and _CJK.search(line):
            chars = [ch for ch in line if ch.isalnum()]
            return {a + b for a, b in zip(chars, chars[1:])}
        return {word[:t.headline_stem_chars] for word in split_words(line.casefold())
                if len(word) >= t.headline_stem_min_chars and not word.isdigit()}

    def _names_article(self, i: int, start: int) -> bool:
        """Line i names the article's subject: a word of it is in the article's first lines (a
        short headline, "Mozilla"; a menu item or the site's name seldom is)."""
        stems = self._stems(i)
        first = bisect_left(self.positives, start)
        return bool(stems) and any(stems & self._stems(j)
                                   for j in self.positives[first:first + self.t.headline_article_lines])

    def _slug_names(self, i: int) -> bool:
        """Line i shares slug_match_words words or more with the URL's path."""
        words = {word for word in _title_words(self.lines[i]) if len(word) >= 3}
        return len(words & path_words(self.url)) >= self.t.slug_match_words

    def _slug_title(self, shaped: list[int]) -> int | None:
        """The first of the title-shaped lines sharing the most words with the URL's path, when
        they are at least slug_match_words and slug_match_share of the line's words (of three
        letters or more). A line ending with another candidate is that one with a breadcrumb
        printed before it ("Home News Business News Headline": the path holds those words too),
        so the shorter one is the headline."""
        slug = path_words(self.url)
        if len(slug) < self.t.slug_match_words:
            return None
        best, found = self.t.slug_match_words - 1, None
        for i in shaped:
            words = {word for word in _title_words(self.lines[i]) if len(word) >= 3}
            shared = len(words & slug)
            if shared > best and shared >= self.t.slug_match_share * len(words) and self._title_like(i) \
                    and not self._stamped(i):
                best, found = shared, i
        if found is not None:
            line = self.lines[found]
            for i in shaped:
                if i != found and len(self.lines[i]) < len(line) and line.endswith(" " + self.lines[i]) \
                        and self._slug_names(i) and self._title_like(i):
                    return i
        return found

    def _site_header(self) -> bool:
        """The dump opens with a site header, not the page's <title>: the site's name, then within
        a few lines a line that is only a date (the day the page was fetched), as the seeds do."""
        lines = self.lines
        return names_host(lines[0], self.host, strict=True) and any(
            self.refined(j) == DATELINE for j in range(1, min(self.t.header_lines, len(lines))))

    def _above_meta(self, i: int, start: int, into: int = 0) -> bool:
        """A byline or a date line among the few lines under line i (before the article, or
        among its first `into` lines when line i is not itself under such a line: a standfirst
        between the headline's date and the article is no headline)."""
        for j in range(i + 1, min(i + 1 + self.t.headline_meta_lines, start + into, len(self.lines))):
            if self._meta_line(j, self._names_under(i)):
                return j < start or not self._meta_line(i - 1, i >= 2 and self._names_under(i - 2))
        return False

    def _meta_under(self, i: int, end: int) -> bool:
        """A byline or a date line among the few lines under line i, before line `end`."""
        return any(self._meta_line(j) for j in range(i + 1, min(i + 1 + self.t.headline_meta_lines, end)))

    def _names_under(self, i: int) -> bool:
        """A line that is only a name is a byline under line i: one of headline_name_min_words
        words or more. Under a shorter one it is the next item of a menu of names ("South Jersey
        Times", "Hunterdon County Democrat"; "NHL LIVE", "Hometown Hockey")."""
        return self.lines[i].count(" ") + 1 >= self.t.headline_name_min_words

    def _meta_line(self, j: int, names: bool = True) -> bool:
        """Line j is a byline, a person's name (with `names`) or a date line."""
        line = self.lines[j]
        if len(line) > self.t.meta_line_max_chars:
            return False
        return (self._byline(line) is not None or opens_like_byline(line)
                or (names and self._readings.bare_name(line) is not None) or (
            HAS_YEAR.search(line) is not None and find_date(line) is not None))

    def _title_shape(self, i: int) -> bool:
        """Cheap part of _title_like: kind, length, no final period, three words or more (or a
        CJK phrase). (The kind last: a line's first kind() looks its phrase up; lines above the
        article no longer change the run, so which of them are looked up does not matter.)"""
        line = self.lines[i]
        if len(line) > self.t.headline_max_chars or line.endswith("."):
            return False
        spaces = line.count(" ")  # (once: str.count costs as much as a casefold on most lines)
        return (spaces < self.t.title_max_words and (spaces >= 2 or (len(line) >= 6 and not line.isascii()
                                                                    and _CJK.search(line) is not None))
                and self.kind(i) == TEXT)

    def _title_like(self, i: int) -> bool:
        """A line of title shape that is not a date, a credit, a link, a person's name or a byline."""
        line = self.lines[i]
        return (self.refined(i) == TEXT and not opens_like_byline(line) and self._readings.bare_name(line) is None
                and self._byline(line) is None and not is_furniture(line))

    def _site_name_line(self) -> str | None:
        """A short first line that the page prints again (the site's name in its header and
        footer), when the title came from elsewhere."""
        first = self.lines[0]
        if first.count(" ") > 2 or len(first) > 40 or self.kind(0) != TEXT:
            return None
        return first if first in self.lines[1:] else None

    def _meta_window(self, title_index: int | None, start: int, end: int, body_lines: int) -> range:
        """Lines after the headline, through the first `body_lines` lines of the article."""
        begin = title_index + 1 if title_index is not None and title_index <= start else max(
            0, start - self.t.header_window)
        return range(begin, min(end + 1, start + body_lines))

    def _authors(self, title_index: int | None, start: int, end: int, title: str | None = None) -> list[str]:
        """The first byline after the headline; a line that is only a name counts when it is
        right under the headline or among the article's first lines. Failing these, an explicit
        byline just above the headline, then a byline under another copy of it (_copy_byline)."""
        return (self._reading_time_byline(start) or self._window_byline(title_index, start, end)
                or self._byline_above(title_index) or self._copy_byline(title_index, start, title)
                or self._body_byline(start, end))

    def _reading_time_byline(self, start: int) -> list[str]:
        """A byline or a line that is only a person's name right over the reading time ("Jane Roe", "Follow",
        "Oct 18, 2019 · 8 min read"), before the article: blog platforms print the author so,
        above or beside the headline, where no bare name is looked for otherwise."""
        lines, t = self.lines, self.t
        for i in range(max(1, start - t.header_window), start):
            line = lines[i]
            if len(line) > t.meta_line_max_chars or "min" not in line.lower() or _READING_TIME.search(line) is None:
                continue
            for j in range(i - 1, max(0, i - 1 - t.reading_time_name_lines), -1):
                names = self._byline(lines[j]) or self._readings.bare_name(lines[j])
                if names and not any(names_host(name, self.host) for name in names) and self._names_kind(j):
                    self.kinds[j] = BYLINE
                    return names
        return []

    def _body_byline(self, start: int, end: int) -> list[str]:
        """An explicit byline further into the article's first lines than a bare name is looked
        for (under the lead image, its caption and credit: "Image", "<caption>", "Credit", "<credit>",
        "By", "<name>"): TextDumpThresholds.body_byline_window lines. The line is not marked as
        the byline, so the body keeps it as it was: the article cleaned again starts further
        down, and a line marked there only would leave the second cleaning's output shorter
        than the first (the text path must be a fixed point on its own output)."""
        t = self.t
        for i in range(start + t.body_meta_window, min(end + 1, start + t.body_byline_window)):
            names = self._byline_at(i)
            if names and self._names_kind(i):
                return names
        return []

    def _window_byline(self, title_index: int | None, start: int, end: int) -> list[str]:
        window = self._meta_window(title_index, start, end, self.t.body_meta_window)
        # An explicit byline ("By ...") anywhere in the window before a bare name: the lines
        # under a headline also hold labels shaped like names ("Resize Text", "Tag Cloud").
        explicit = next((i for i in window if self._byline_at(i)
                         and self._names_kind(i)), None)
        dated = 0  # date lines under the headline so far: a bare name under them is still right under it
        for i in window:
            line = self.lines[i]
            names = self._byline_at(i)
            near = (title_index is not None and 0 < i - title_index - dated <= self.t.bare_name_lines) or (
                i < start and start - i <= self.t.bare_name_lines)
            if names is None and i < start and self._dateish(i):
                dated += 1
            if names is None and near and line[-1] not in ".!?" and explicit is None:
                names = self._readings.bare_name(line)
                if names and any(names_host(name, self.host) for name in names):
                    names = None  # the site's own account ("Practical Horseman"), not a person
            elif names and len(names) == 1 and " " not in names[0] and names_host(names[0], self.host):
                names = None  # "By Vortex": a one-word byline naming the site
            # (The kind only of a line that names someone: a line's first kind() looks its phrase up,
            # and the run is settled, so lines above it need no lookup otherwise.)
            if names and self._names_kind(i):
                # ("Alex Wong | Getty Images" names the photographer)
                self.kinds[i] = BYLINE
                return names
        return []

    def _byline_above(self, title_index: int | None) -> list[str]:
        """Some sites print the byline above the headline ("Von Moritz Bachmann publiziert am ..."):
        there only an explicit byline counts, not a bare name (a menu's, a section's), in the
        byline_above_lines lines over it that are not its date ("By" / "Jane Roe" / "Published" /
        "May 14, 2020" / "1:34 pm" / the headline: get_text-style dumps split them so)."""
        if not title_index:
            return []
        left = self.t.byline_above_lines
        for i in range(title_index - 1, 0, -1):
            names = self._byline_at(i)
            if names and self._names_kind(i):
                return names
            if self._dateish(i):
                continue  # (the date, its time, its label: the byline may be over them)
            left -= 1
            if not left:
                break
        return []

    def _copy_byline(self, title_index: int | None, start: int, title: str | None) -> list[str]:
        """The byline under another copy of the header line or of the title in the lines before
        the article: pages print the headline again over a gallery or a share bar, and the byline
        stays under the copy that is not the one chosen (an explicit byline among the few lines
        under it, a line that is only a name right under it when the copy is long enough to be
        no menu item: _names_under)."""
        lines, t = self.lines, self.t
        keys = {text.casefold() for text in (title, lines[title_index] if title_index else None) if text}
        lengths = {len(key) for key in keys}
        copies = [j for j in range(max(1, start - t.header_window), start)
                  if j != title_index and len(lines[j]) in lengths and lines[j].casefold() in keys]
        for j in copies:
            for i in range(j + 1, min(j + 1 + t.headline_meta_lines, start)):
                if i in copies:
                    break
                names = self._byline_at(i)
                if names is None and i - j <= t.bare_name_lines and lines[i][-1] not in ".!?" and self._names_under(j):
                    names = self._readings.bare_name(lines[i])
                    if names and any(names_host(name, self.host) for name in names):
                        names = None  # the site's own account, not a person
                if names and self._names_kind(i):
                    self.kinds[i] = BYLINE
                    return names
        return []

    def _dateish(self, i: int) -> bool:
        """Line i is a date, a time or a date's label alone ("Published", "7:05 AM EST"):
        get_text-style dumps split a header's date line into such lines."""
        line = self.lines[i]
        return self.refined(i) == DATELINE or self._stamped(i) or (
            len(line) <= _DATE_LABEL_MAX_CHARS and _PUBLISHED.match(line) is not None)

    def _names_kind(self, i: int) -> bool:
        """Line i is of a kind that may name the article's authors: text or a byline, not a photo
        credit ("Alex Wong | Getty Images" names the photographer) unless a byline word names the
        authors; boilerplate only when it opens with a byline word ("By Jane Roe | jroe@paper.example | Bay Area News Group": the address
        makes it a link line)."""
        kind = self.kind(i)
        if kind == BOILER:
            return opens_like_byline(self.lines[i]) and self.refined(i) != CREDIT
        if kind == CREDIT or self.refined(i) == CREDIT:
            # A wire byline ends with its agency as a photo credit does ("Von Britta Schultejans,
            # dpa", "By Jane Roe, AP"): with a byline word it is the byline.
            return holds_byline_word(self.lines[i])
        return kind in (TEXT, BYLINE)

    def _byline_at(self, i: int) -> list[str] | None:
        """The names of the byline on line i, or on lines i and i + 1 when line i is only the
        byline word ("By", then "Jamelle Bouie": get_text-style dumps split them) or its names go
        on there (goes_on)."""
        line = self.lines[i]
        if i + 1 < len(self.lines) and len(line) <= 12 and is_byline_word(line):
            return self._byline(f"{line} {self.lines[i + 1]}")
        names = self._byline(line)
        if names and i + 1 < len(self.lines) and goes_on(line):
            # ("By Tariq Malik," / "Mike Wall": the next line holds the names that follow.)
            more = self._byline(f"{line} {self.lines[i + 1]}")
            if more and len(more) > len(names):
                return more
        return names

    def _published(self, title_index: int | None, start: int, end: int) -> datetime | None:
        """The first date after the headline (not inside a sentence). Just above the headline, a
        date counts only with a time or a word like "Published": a bare "Saturday, June 3, 2023"
        there is the site header's date of the day the page was scraped. Failing these, the date
        in the URL's path (/2019/11/19/)."""
        month_first = self.host.endswith(_MONTH_FIRST_SUFFIXES)
        year = year_in_url(self.url)
        # (Through the article's first lines even when the run ends sooner: a short run, a
        # standfirst alone, may end above the date under it.)
        window = list(self._meta_window(title_index, start, len(self.lines) - 1, self.t.body_date_window))
        # The dump opens with a name (the site's, not a <title>), and no headline under it was
        # found (or that name was taken for one): its first lines are a site header, as the seeds'.
        header = title_index in (None, 0) and self.lines[0].count(" ") < self.t.site_name_max_words
        if title_index is not None:
            above = range(max(0, title_index - 2), title_index)
            # A bare date just above the headline, below the site header (or in the first lines
            # of a dump that opens with a <title>, not a name), is the article's when none is
            # under the headline (else it is more likely the day the page was fetched).
            titled = self.lines[0].count(" ") >= self.t.site_name_max_words
            window = [i for i in above if self._stamped(i)] + window + [
                i for i in above if (i >= self.t.header_lines or titled)
                and not self._stamped(i) and self.refined(i) == DATELINE]
        meta_max = self.t.meta_line_max_chars
        for i in window:
            line = self.lines[i]
            if len(line) > meta_max or (line[-1] in SENTENCE_END and len(line) >= 2 * self.t.prose_min_chars):
                # A date inside a sentence is about something else; one opening the line is the
                # article's, its text glued after it ("July 9, 2020 at 6:40 PM EDT With the
                # number of ...", "Published on Apr 13, 2020 <the description>").
                opening = line[:self.t.date_opening_chars]
                if _OPENS_WITH_DATE.match(opening) is None or HAS_YEAR.search(opening) is None:
                    continue
                moment = find_date(opening, month_first=month_first, default_year=year)
                if moment is not None:
                    return moment
                continue
            if _DIGIT.search(line) is None:
                continue  # (find_date finds no date without a digit: one search, not its two and ours)
            kind = self.kind(i)  # (after the digit: kind() may look a phrase up)
            dateline = self._dateline(i)
            if kind == BOILER and dateline:
                # "08:22, 24.11.2020": no letters, so phrase_kind calls it boilerplate; "PTI | July
                # 9, 2020 | Updated 08:24 IST": separated like a menu.
                kind = DATELINE
            if kind not in (TEXT, DATELINE, BYLINE):
                continue
            if i < self.t.header_lines and header and dateline and not self._stamped(i):
                continue  # a bare date under the site's name: the site header's scrape day
            # "Updated Nov 19, 6:55 AM; Posted Nov 18, 8:19 PM"
            posted = _POSTED.search(line) if _holds_piece(line, _POSTED_PIECES) else None
            if posted is not None:
                moment = find_date(line[posted.end():], month_first=month_first, default_year=year)
                if moment is not None:
                    return moment
            moment = find_date(line, month_first=month_first, default_year=year)
            if moment is not None:
                return moment
        # Else the URL's date, else one in the <title> line ("... - 21/12/2018 - Esporte - Folha"),
        # unless that line is only a date (a site header's scrape day: the seeds open so).
        title_line = self.lines[0]
        in_title = (len(title_line) <= self.t.headline_max_chars and _DIGIT.search(title_line)
                    and self.refined(0) == TEXT)
        return date_in_url(self.url) or (find_date(title_line, month_first=month_first) if in_title else None)

    def _dateline(self, i: int) -> bool:
        """Line i is a date line, or a line of parts separated by " | " one of which is (an
        agency, the date and the update time)."""
        if self.refined(i) == DATELINE:
            return True
        line = self.lines[i]
        return " | " in line and any(refine_kind(part) == DATELINE for part in line.split(" | "))

    def _stamped(self, i: int) -> bool:
        line = self.lines[i]
        # (A line without a digit holds no date, and _published skips it: one search spares the two.)
        if len(line) > self.t.meta_line_max_chars:
            return False
        return _DIGIT.search(line) is not None and (_TIME.search(line) is not None or (
            _holds_piece(line, _PUBLISHED_PIECES) and _PUBLISHED.search(line) is not None))


def _holds_piece(line: str, pieces: tuple[str, ...]) -> bool:
    """One of `pieces` is in the lower-cased line (a cheap test before a case-insensitive regex)."""
    low = line.lower()
    return any(piece in low for piece in pieces)


def _better_cased(line: str, other: str) -> str:
    """Of two spellings of one headline, the one with more capitals ("Russia Sends More Troops"
    over "russia sends more troops"); the first on ties."""
    if line == other:  # (the usual case: the <title> printed again as it was)
        return line
    return line if sum(map(str.isupper, line)) >= sum(map(str.isupper, other)) else other


def _title_words(text: str) -> set[str]:
    """Words of a title for comparing two wordings; characters for CJK, which has no spaces."""
    if not text.isascii() and _CJK.search(text):  # (isascii: a flag of the str)
        return {ch for ch in text if ch.isalnum()}
    return set(split_words(text.casefold()))


def enough_words(title: str) -> bool:
    """Three words or more, or a CJK phrase (as _title_shape tests it)."""
    return title.count(" ") >= 2 or (len(title) >= 6 and not title.isascii() and _CJK.search(title) is not None)
