"""The meta lines of a text dump's header: the byline or date lines under a line, and the window
under the headline the byline and date are read in.

One place for what the title search asks (a headline sits right over its byline or date:
_above_meta, text_title.py), the run search too (text_run.py: _meta_under), and the byline and
date searches (text_byline.py, text_date.py: _meta_window, _names_under).
The methods are a mixin of text._Dump: they read its lines and its readings of bylines and names.
"""
from __future__ import annotations

from .meta.bylines import opens_like_byline
from .meta.dates import HAS_YEAR, find_date


class MetaLines:
    """Byline and date lines under a line of a text._Dump (a mixin: self is the dump)."""

    def _meta_window(self, title_index: int | None, start: int, end: int, body_lines: int) -> range:
        """Lines after the headline, through the first `body_lines` lines of the article."""
        begin = title_index + 1 if title_index is not None and title_index <= start else max(
            0, start - self.t.header_window)
        return range(begin, min(end + 1, start + body_lines))

    def _above_meta(self, i: int, start: int, into: int = 0) -> bool:
        """A byline or a date line among the few lines under line i (before the article, or
        among its first `into` lines when line i is not itself under such a line: a standfirst
        between the headline's date and the article is no headline)."""
        for j in range(i + 1, min(i + 1 + self.t.headline_meta_lines, start + into, len(self.lines))):
            if self._meta_line(j, self._names_under(i)):
                return j < start or not self._meta_line(i - 1, i >= 2 and self._names_under(i - 2))
        return False

    def _meta_under(self, i: int, end: int, names: bool = True) -> bool:
        """A byline or a date line (with `names`, or a line that is only a name) among the few
        lines under line i, before line `end`."""
        return any(self._meta_line(j, names) for j in range(i + 1, min(i + 1 + self.t.headline_meta_lines, end)))

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
