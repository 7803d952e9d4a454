"""The article's publication date in a text dump: a date line near the headline (above it only
with a time or "Published": a bare date there is the site header's scrape day), else the URL's
date, else one in the title line (_published). Also the tests of one line that the title and
byline searches ask too: _stamped (a date with a time or a word like "Published"), _dateish (a
date, a time or a date's label alone) and _dateline.
The methods are a mixin of text._Dump: they read its lines and kinds, under the header line
text_title.py chose, in the window text_meta_lines.py gives (_meta_window).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from .meta.dates import HAS_YEAR, MONTH_NAMES, WEEKDAY_NAMES, date_in_url, find_date, plausible, year_in_url
from .text_lines import BOILER, BYLINE, DATELINE, SENTENCE_END, TEXT, refine_kind

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
# A date's label alone on its line ("Published", "Updated:") is at most this long.
_DATE_LABEL_MAX_CHARS: Final = 16
# Hosts whose numeric dates put the month first (03/04/2019 is March 4th).
_MONTH_FIRST_SUFFIXES: Final = (".com", ".us", ".org", ".net", ".gov", ".edu")


class DateReading:
    """Publication date of a text._Dump (a mixin: self is the dump)."""

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
                moment = self._date(opening, month_first, year)
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
                moment = self._date(line[posted.end():], month_first, year)
                if moment is not None:
                    return moment
            moment = self._date(line, month_first, year)
            if moment is not None:
                return moment
        # Else the URL's date, else one in the <title> line ("... - 21/12/2018 - Esporte - Folha"),
        # unless that line is only a date (a site header's scrape day: the seeds open so).
        title_line = self.lines[0]
        in_title = (len(title_line) <= self.t.headline_max_chars and _DIGIT.search(title_line)
                    and self.refined(0) == TEXT)
        in_url = date_in_url(self.url, self.fetched_at)
        if in_url is not None:
            return in_url
        return self._date(title_line, month_first, None) if in_title else None

    def _date(self, text: str, month_first: bool, year: int | None) -> datetime | None:
        """The first date written in text (find_date) if it can be the page's publication date, judged
        against the page's fetch as on the HTML path (meta.dates.plausible); else None, and the
        reading goes on to the next line."""
        found = find_date(text, month_first=month_first, default_year=year)
        return plausible(found, self.fetched_at) if found is not None else None

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

    def _dateish(self, i: int) -> bool:
        """Line i is a date, a time or a date's label alone ("Published", "7:05 AM EST"):
        get_text-style dumps split a header's date line into such lines."""
        line = self.lines[i]
        return self.refined(i) == DATELINE or self._stamped(i) or (
            len(line) <= _DATE_LABEL_MAX_CHARS and _PUBLISHED.match(line) is not None)


def _holds_piece(line: str, pieces: tuple[str, ...]) -> bool:
    """One of `pieces` is in the lower-cased line (a cheap test before a case-insensitive regex)."""
    low = line.lower()
    return any(piece in low for piece in pieces)
