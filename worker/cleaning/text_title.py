"""The article's title in a text dump, read around the article run worker/cleaning/text_run.py
found (the lines above it and its first lines).

The first line of a dump is the page's <title>, often with the site name; the visible headline is
further down, just before the article, and may be worded differently (_title says in which order
the candidates are asked); a dump without the <title> line has its lines before the article scored
as headlines (_scored_title). _title also gives the header line, the one the byline
(text_byline.py) and the date (text_date.py) are read under. A title ending with its byline is
split from it (_glued_byline); a short first line the page prints again is the site's name
(_site_name_line).
The methods are a mixin of text._Dump: they read its lines, kinds and scores, ask
text_meta_lines.py whether a byline or date is under a line and text_date.py whether a line is
stamped (_stamped).
"""
from __future__ import annotations

from bisect import bisect_left

from .meta.bylines import opens_like_byline
from .meta.dates import HAS_YEAR, find_date
from .meta.hosts import names_host, path_words
from .meta.titles import is_furniture
from .text_lines import DATELINE, TEXT, is_captioned, split_words
from .text_shapes import CJK_CHAR


class TitleReading:
    """Title of a text._Dump (a mixin: self is the dump)."""

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
            if words <= 2 and not line.isascii() and CJK_CHAR.search(line):
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
        if not line.isascii() and CJK_CHAR.search(line):
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

    def _title_shape(self, i: int) -> bool:
        """Cheap part of _title_like: kind, length, no final period, three words or more (or a
        CJK phrase). (The kind last: a line's first kind() looks its phrase up; lines above the
        article no longer change the run, so which of them are looked up does not matter.)"""
        line = self.lines[i]
        if len(line) > self.t.headline_max_chars or line.endswith("."):
            return False
        spaces = line.count(" ")  # (once: str.count costs as much as a casefold on most lines)
        return (spaces < self.t.title_max_words and (spaces >= 2 or (len(line) >= 6 and not line.isascii()
                                                                    and CJK_CHAR.search(line) is not None))
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


def _better_cased(line: str, other: str) -> str:
    """Of two spellings of one headline, the one with more capitals ("Russia Sends More Troops"
    over "russia sends more troops"); the first on ties."""
    if line == other:  # (the usual case: the <title> printed again as it was)
        return line
    return line if sum(map(str.isupper, line)) >= sum(map(str.isupper, other)) else other


def _title_words(text: str) -> set[str]:
    """Words of a title for comparing two wordings; characters for CJK, which has no spaces."""
    if not text.isascii() and CJK_CHAR.search(text):  # (isascii: a flag of the str)
        return {ch for ch in text if ch.isalnum()}
    return set(split_words(text.casefold()))


def enough_words(title: str) -> bool:
    """Three words or more, or a CJK phrase (as _title_shape tests it)."""
    return title.count(" ") >= 2 or (len(title) >= 6 and not title.isascii() and CJK_CHAR.search(title) is not None)
