"""The article's authors in a text dump: an explicit byline ("By ...") near the headline, else a
line that is only a person's name just under it (or in the article's first lines); a name over a
reading time comes first, and failing all these, an explicit byline above the headline, under
another copy of it or further into the article (_authors says in which order).
They are read under the header line text_title.py chose, in the window text_meta_lines.py gives
(_meta_window), stepping over the date lines text_date.py recognizes (_dateish). A byline line
found under the headline, under a copy of it or over a reading time is marked BYLINE, so that the
body (text_body.py) leaves it out.
The methods are a mixin of text._Dump: they read its lines, kinds and readings of bylines.
"""
from __future__ import annotations

import re
from typing import Final

from .meta.bylines import goes_on, holds_byline_word, is_byline_word, opens_like_byline
from .meta.hosts import names_host
from .text_lines import BOILER, BYLINE, CREDIT, TEXT
from .text_shapes import LONGEST_BYLINE_WORD_LINE

# A reading time ("8 min read", "5 minute read", "Lesezeit: 4 Min.", "3 min de lecture").
_READING_TIME: Final = re.compile(r"(?i)\b\d+\s*(?:min(?:ute)?s?\.?\s*(?:read|de lecture|de leitura|di lettura|de lectura)"
                                  r"|min\.?\s*lesezeit)\b|lesezeit:?\s*\d+\s*min")


class BylineReading:
    """Authors of a text._Dump (a mixin: self is the dump)."""

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
                elif names and i + 1 < len(self.lines) and self.refined(i + 1) == CREDIT:
                    names = None  # a caption over its photo's credit names who is pictured
            elif names and len(names) == 1 and " " not in names[0] and names_host(names[0], self.host):
                names = None  # "By Vortex": a one-word byline naming the site
            # (The kind only of a line that names someone: a line's first kind() looks its phrase up,
            # and the run is settled, so lines above it need no lookup otherwise.)
            if names and self._names_kind(i):
                # ("Alex Wong | Getty Images" names the photographer)
                self._mark_byline(i)
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
                    self._mark_byline(i)
                    return names
        return []

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
        """The names of the byline on line i, or on lines i and i + 1 (byline_in)."""
        return self.byline_in(self.lines, i)

    def byline_in(self, lines: list[str], i: int) -> list[str] | None:
        """The names of the byline on lines[i], or on lines i and i + 1 when line i is only the
        byline word ("By", then "Jamelle Bouie": get_text-style dumps split them) or its names go
        on there (goes_on)."""
        line = lines[i]
        if _split_byline(lines, i):
            return self._byline(f"{line} {lines[i + 1]}")
        names = self._byline(line)
        if names and i + 1 < len(lines) and goes_on(line):
            # ("By Tariq Malik," / "Mike Wall": the next line holds the names that follow.)
            more = self._byline(f"{line} {lines[i + 1]}")
            if more and len(more) > len(names):
                return more
        return names

    def _mark_byline(self, i: int) -> None:
        """Line i is the byline (BYLINE: the body leaves it out), and so is the next line when line
        i is only the byline word: the names under a lone "By" are no article text either."""
        self.kinds[i] = BYLINE
        if _split_byline(self.lines, i):
            self.kinds[i + 1] = BYLINE


def _split_byline(lines: list[str], i: int) -> bool:
    """Line i is only the byline word ("By", "Par", "Von") and a line follows it."""
    line = lines[i]
    return i + 1 < len(lines) and len(line) <= LONGEST_BYLINE_WORD_LINE and is_byline_word(line)
