"""The rows of a table in a text dump (standings, results, prices) that sit inside the article's
prose: text, although each of their lines is short, number-heavy and unpunctuated, like a menu's.

A dump prints a table in one of two ways:
- a row a line (html-text): "1 Kyle Busch 5040 5 1 17 27", "2 Martin Truex Jr. 5035 7 0 15 24":
  a run of lines of one shape, each as many numbers as the others and about as many words;
- a cell a line (get_text-style): "1", "Kyle Busch", "5040", ..., "2", "Martin Truex Jr.", ...:
  a run of short lines whose pattern of number cells and word cells repeats with the row's width.
A header row of words right above the rows belongs to the table. Only a table with prose a few
lines above it and a few lines below it, and no boilerplate between (a share bar, "About us"), is
the article's: a table under the article's last paragraph (a sidebar's standings, teasers after
it), or over its first (a box of the quotes it names), stays what it was. Menus are lines of words
(a number in a few of them: "Formula 1"), and archive lists count posts in brackets ("May 2016
(4)"): neither is a table here.
The thresholds are TextDumpThresholds' (worker/config/cleaning.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from ..config.cleaning import TextDumpThresholds
from .text_lines import TEXT, phrase_kind
from .text_shapes import HAS_LETTER

_NUMBER: Final = 1  # a cell of digits (and signs, units, separators): "5040", "-5.44%", "4.2.7/4.3.3"
_WORDS: Final = 2  # a cell with a letter: "Kyle Busch", "April 2014", "1a"
_OTHER: Final = 0  # neither: "-", "*"
_DIGIT: Final = re.compile(r"\d")


def table_lines(lines: list[str], scores: list[float], t: TextDumpThresholds) -> list[int]:
    """The indexes of the lines of every table inside prose (a line scoring above zero, not one of
    a table, at most table_prose_gap_lines lines above it and as far below it), in order."""
    # The lines that may be a row (short, a digit) or a column's value (a digit, no letter): a long
    # line's letters rule it out at its first word, before its characters are searched for a digit.
    row_max = t.table_row_max_chars
    numeric = [(len(line) <= row_max or HAS_LETTER.search(line) is None) and _DIGIT.search(line) is not None
               for line in lines]
    if sum(numeric) < t.table_min_rows:
        return []
    blocks = _merged(_row_blocks(lines, numeric, t) + _cell_blocks(lines, numeric, scores, t))
    found: list[int] = []
    gap = t.table_prose_gap_lines
    inside = [False] * len(lines)
    for start, end in blocks:
        for i in range(start, end):
            inside[i] = True
    for start, end in blocks:
        if _prose_near(range(start - 1, max(-1, start - gap - 2), -1), lines, scores, inside) and \
                _prose_near(range(end, min(len(lines), end + gap + 1)), lines, scores, inside):
            found.extend(range(start, end))
    return found


def _prose_near(around: range, lines: list[str], scores: list[float], inside: list[bool]) -> bool:
    """A prose line among these lines (nearest first), with no boilerplate ("Share", a section's
    end) between it and the table: a table under the share bar is the template's."""
    for i in around:
        if inside[i]:
            return False
        if scores[i] > 0:
            return True
        # (A fragment of no letters, "*" or "1", is a footnote's mark, as in text._Dump.kind.)
        if phrase_kind(lines[i]) != TEXT and HAS_LETTER.search(lines[i]) is not None:
            return False
    return False


def _merged(blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The blocks [start, end), overlapping ones merged, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(blocks):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _row_shape(line: str) -> tuple[int, int] | None:
    """(words, numbers) of a short line with a digit (_row_blocks asks only of those) that may be
    a table's row: two words or more, no count in brackets at its end (an archive list's "May 2016
    (4)")."""
    words = line.split()
    if len(words) < 2 or (line[-1] == ")" and line.rpartition("(")[2][:-1].isdigit()):
        return None
    return len(words), sum(1 for w in words if any(c.isdigit() for c in w))


def _row_blocks(lines: list[str], numeric: list[bool], t: TextDumpThresholds) -> list[tuple[int, int]]:
    """Runs of lines of one row shape: as many numbers each (at least table_row_min_numbers), word
    counts at most table_row_word_spread apart, more than half of them different (a teaser printed
    again and again is no table); with the header row above them (a line of about as many words)."""
    blocks: list[tuple[int, int]] = []
    # (Shapes only within runs of table_min_rows short lines with digits: a row's neighbours are
    # rows, and most lines with a digit, a date or a count, stand alone.)
    rows = [flag and len(line) <= t.table_row_max_chars for flag, line in zip(numeric, lines)]
    shapes: list[tuple[int, int] | None] = [None] * len(lines)
    for lo, hi in _runs(rows, t.table_min_rows):
        for i in range(lo, hi):
            shapes[i] = _row_shape(lines[i])
        i = lo
        while i < hi:
            shape = shapes[i]
            if shape is None:
                i += 1
                continue
            numbers = shape[1]
            least = most = shape[0]
            j = i + 1
            while j < hi:
                other = shapes[j]
                if other is None or other[1] != numbers or max(most, other[0]) - min(least, other[0]) > \
                        t.table_row_word_spread:
                    break
                least, most = min(least, other[0]), max(most, other[0])
                j += 1
            if j - i >= t.table_min_rows and numbers >= t.table_row_min_numbers and _is_label_column(lines[i:j]):
                start = i
                if i > 0 and len(lines[i - 1]) <= t.table_row_max_chars and phrase_kind(lines[i - 1]) == TEXT:
                    words = len(lines[i - 1].split())
                    if least - t.table_row_word_spread <= words <= most + t.table_row_word_spread:
                        start = i - 1  # the header row
                blocks.append((start, j))
            i = j
    return blocks


def _runs(flags: list[bool], least: int) -> list[tuple[int, int]]:
    """The runs [start, end) of at least `least` true flags in a row."""
    runs = []
    start = None
    for i, flag in enumerate(flags + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= least:
                runs.append((start, i))
            start = None
    return runs


def _cell_kind(line: str) -> int:
    if HAS_LETTER.search(line) is not None:
        return _WORDS
    if line[0] == "(" and line[-1] == ")":
        return _OTHER  # an archive's or a category's count of posts: "(4824)"
    return _NUMBER if _DIGIT.search(line) is not None else _OTHER


def _is_value_column(cells: list[str]) -> bool:
    """A column of a table's values: numbers that differ from row to row, and do not number the
    rows one by one ("1.", "2.", "3.": a ranked list of links). (A gallery prints its size over
    every slide: "4", a caption, "4", ...)"""
    if len(set(cells)) == 1:
        return False
    ranks = [cell.rstrip(".)") for cell in cells]
    return not all(rank.isdigit() for rank in ranks) or \
        any(int(b) != int(a) + 1 for a, b in zip(ranks, ranks[1:]))


def _is_label_column(cells: list[str]) -> bool:
    """A column of a table's labels (names, places, days): more than half of them different. (A
    widget of follower counts says "Followers", "Follow" on every row.)"""
    return 2 * len(set(cells)) > len(cells)


def _cell_blocks(lines: list[str], numeric: list[bool], scores: list[float],
                 t: TextDumpThresholds) -> list[tuple[int, int]]:
    """Runs of cells (short lines, or prose: a cell of notes) whose kinds repeat with a period of
    2 to table_max_columns (the row's width) for table_min_rows rows or more, with a column of
    values (_is_value_column) and one of labels (_is_label_column); with the header row above
    them (as many short cells of words)."""
    blocks: list[tuple[int, int]] = []
    cell_max = t.table_cell_max_chars
    cells = [len(line) <= cell_max or score > 0 for line, score in zip(lines, scores)]
    # (Stretches of cells long enough for the smallest table.)
    for lo, hi in _runs(cells, 2 * t.table_min_rows):
        # A column of values needs table_min_rows number cells: most stretches, a menu's or the
        # article's prose, have none (their lines with a digit have letters too).
        if sum(1 for i in range(lo, hi) if numeric[i] and _cell_kind(lines[i]) == _NUMBER) >= t.table_min_rows:
            blocks.extend(_periodic(lines, lo, hi, t))
    return blocks


def _periodic(lines: list[str], lo: int, hi: int, t: TextDumpThresholds) -> list[tuple[int, int]]:
    """The periodic runs of cells in lines[lo:hi] (_cell_blocks), the narrowest period first."""
    kinds = [_cell_kind(lines[i]) for i in range(lo, hi)]
    cell_max = t.table_cell_max_chars
    found: list[tuple[int, int]] = []
    covered = [False] * len(kinds)
    for width in range(2, t.table_max_columns + 1):
        start = 0
        k = width
        while k <= len(kinds):
            if k < len(kinds) and kinds[k] == kinds[k - width]:
                k += 1
                continue
            # kinds[start:k] repeats with this width
            rows = (k - start) // width
            row = kinds[start:start + width]
            if rows >= t.table_min_rows and not all(covered[start:k]) and \
                    _columns(lines, lo + start, rows, row, _NUMBER, _is_value_column) and \
                    _columns(lines, lo + start, rows, row, _WORDS, _is_label_column):
                end = start + rows * width
                while end < k and len(lines[lo + end]) <= cell_max:
                    end += 1  # a last row cut short (the rows found may start inside the header)
                first = start
                if first >= width and all(kinds[h] == _WORDS and len(lines[lo + h]) <= cell_max and
                                          phrase_kind(lines[lo + h]) == TEXT for h in range(first - width, first)):
                    first -= width  # the header row
                for h in range(first, end):
                    covered[h] = True
                found.append((lo + first, lo + end))
            start = k - width + 1
            k += 1
    return found


def _columns(lines: list[str], first: int, rows: int, row: list[int], kind: int,
             test: Callable[[list[str]], bool]) -> bool:
    """Some column of cells of this kind passes the test (the rows start at lines[first])."""
    width = len(row)
    return any(test([lines[first + r * width + c] for r in range(rows)]) for c in range(width) if row[c] == kind)
