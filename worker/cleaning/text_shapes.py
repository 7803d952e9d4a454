"""The lines of a text dump and their shapes: what extract_text reads, and the cheap structural
tests the scoring of worker/cleaning/text.py asks of a line (no phrase lists: those are in
text_lines).

- joined_lines: the dump's non-empty lines, with a sentence that the dump broke over lines (at a
  link, at the page source's wrapping) put back together, so that each line is one block;
- line shapes: a navigation menu flattened into one long line, an item of a bulleted list, a line
  of HTML source;
- CJK: whether a dump is mostly Chinese, Japanese or Korean (its characters then weigh cjk_weight
  times a Latin one), and the regular expressions of those scripts.
The thresholds are TextDumpThresholds' defaults (T: free functions, called per line).
"""
from __future__ import annotations

import re
from typing import Final

from ..config.cleaning import TextDumpThresholds
from .meta.bylines import is_byline_word
from .text_lines import SENTENCE_END

# A character of Chinese, Japanese or Korean text, and runs of them.
CJK_CHAR: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
CJK_RUNS: Final = re.compile(CJK_CHAR.pattern + "+")
# Two runs of Chinese or Japanese text with a space between them: clauses of one sentence. (Not
# Korean: it puts a space between words.)
HAN_CLAUSES: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2} "
                                "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2}")
# (text._Dump.kind: a fragment of no letters; text_run: the words around a share bar's button)
HAS_LETTER: Final = re.compile(r"[^\W\d_]")
_COUNT: Final = re.compile(r"\(\d+\)")  # (is_flattened_menu) a count in brackets: "(12)"
# A line starting with one of these goes on with the sentence of the line before (joined_lines),
# attached without a space. (Not dashes: they open list items.)
_CLOSING: Final = ",.;:!?)]}»”’%"
LONGEST_BYLINE_WORD_LINE: Final = 12  # (_lone_byline_word: a cheap test first)
# A list item's first character, followed by a space (is_bulleted; text._Dump._score_lines inlines it)
BULLETS: Final = "-•*·▪►+–"
# An HTML tag of the kinds that never stand in prose: the line is page source, not text.
_MARKUP: Final = re.compile(r"</?(?:div|span|img|a|p|br|script|iframe|noscript|style|link|meta|input|ins)\b[^<>]*>",
                            re.IGNORECASE)
T: Final = TextDumpThresholds()  # the numbers, named and explained in worker/config/cleaning.py


def joined_lines(body: str) -> list[str]:
    """The dump's non-empty lines, stripped, with a sentence broken over lines put back together.

    Dumps that print every text node on its own line (get_text-style) or keep the page source's
    line wrapping break sentences: at each link, and every 80 characters or so. A line that does not
    end a sentence is joined with the next when that one goes on with the sentence (starts with a
    lower-case letter or with punctuation that never opens one), and so is a short line between
    them (the text of a link inside the sentence), when no blank line came between
    them (a blank line ends a block in every dump style, so the output, paragraphs separated by
    blank lines, is never joined again)."""
    link_max = T.link_text_max_chars  # (get_text-style dumps put every text node, a link's too, on its own line)
    long_line = T.long_line_chars
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
        # (The dump's first line, a <title> or the site's name, goes on with no link's few words
        # unless it is as long as prose: get_text-style dumps put the site's lower-case menu items
        # under it, "Jump to", "content", "sign up".)
        if joinable and (line[0].islower() or line[0] in _CLOSING) and \
                (len(lines) > 1 or pieces or len(line) > link_max or len(lines[0]) >= long_line) \
                and (pieces[-1] if pieces else lines[-1])[-1] not in SENTENCE_END and not _lone_byline_word(line):
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
            inside = joinable and len(line) <= link_max and lines[-1][-1] not in SENTENCE_END and (
                len(lines) > 1 or len(lines[0]) >= long_line)
            lines.append(line)
        joinable = True
    if pieces:
        lines[-1] = "".join(pieces)
    return lines


def is_flattened_menu(line: str, share: float, counts: int) -> bool:
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
    return len(line) <= LONGEST_BYLINE_WORD_LINE and " " not in line and is_byline_word(line)


def is_bulleted(line: str) -> bool:
    """An item of a bulleted list: a bullet character, then a space."""
    return len(line) > 2 and line[0] in BULLETS and line[1] == " "


# A page's <title> and its visible headline often differ only in their quotes and dashes ("France’s"
# in one, "France's" in the other): one character for one, so that lengths stay comparable.
_PLAIN_PUNCTUATION: Final = str.maketrans("‘’‛ʼ“”„–—", "''''\"\"\"--")


def headline_key(line: str) -> str:
    """line casefolded, its typographic quotes and dashes written plain (as long as line.casefold())."""
    key = line.casefold()
    return key if key.isascii() else key.translate(_PLAIN_PUNCTUATION)  # (translate looks up every character)


def is_markup(line: str) -> bool:
    return "<" in line and _MARKUP.search(line) is not None


def paragraphs_cjk(paragraphs: list[str]) -> bool:
    return is_cjk("\n\n".join(paragraphs))


def is_cjk(body: str) -> bool:
    """More than a fifth of the first cjk_sample_chars characters are CJK."""
    if body.isascii():
        return False
    sample = body[:T.cjk_sample_chars]
    # A CJK character takes three bytes in UTF-8: a sample whose UTF-8 form is not much longer than
    # itself holds too few of them (encoding costs a fraction of the search).
    if (len(sample.encode("utf-8", "surrogatepass")) - len(sample)) * 5 <= 2 * len(sample):
        return False
    return sum(map(len, CJK_RUNS.findall(sample))) * 5 > len(sample)
