"""The text path's fast forms give the answers of the plain forms they replace: the host of a URL
(urlsplit), the CJK test (a regex count), the best run over prose lines only (a line-by-line scan,
while phrase lookups lower scores), the grouped credit/copyright pattern (a
plain alternation) and the pieces looked for before it, the
characters looked for before the link pattern, the prefixes of a line's first character
(all prefixes), the substring tests before HAS_YEAR (the regex), the CJK test of the paragraphs'
first characters (all of them joined), _positions (a scan), the digit test before find_date, the
substring test before split_site_suffix in settled() and the pieces of a line it looks for before a
casefold, and split_words (the word regex's findall). The site name, the weighting of CJK text,
dates, the article run and the second reading depend on them."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from worker.cleaning.text import DEFAULT_THRESHOLDS, _Dump, _host, _Readings
from worker.cleaning.text_run import best_segment
from worker.cleaning.text_shapes import T, is_cjk
from worker.cleaning.text_shapes import CJK_CHAR as _CJK
from worker.cleaning.meta.dates import HAS_YEAR, find_date
from worker.cleaning.text_lines import _NOT_WORD_ENDS, _WORD, split_words
from worker.cleaning.text_lines import (_COPYRIGHT, _CREDIT_NAMES, _CREDIT_OR_COPYRIGHT, _CREDIT_OR_COPYRIGHT_PIECES,
                                        _CREDIT_STARTS, _CREDIT_STARTS_BY_FIRST, _LINK, _POINTER_STARTS,
                                        _POINTER_STARTS_BY_FIRST)
from worker.cleaning.meta.titles import split_site_suffix

URL_PARTS = st.sampled_from(["http", "https", "HTTPS", "h+t.t-p", "1x", ":", "//", "/", "news", "Example", ".", "com",
                             "-", "_", "~", ":8080", "@", "user", "[", "]", "::1", "?", "#", "q=1", "%", " ", "\t",
                             "\n", "é", "٣", "\x00", "www."])


@settings(max_examples=400, deadline=None)
@given(st.lists(URL_PARTS, max_size=9).map("".join), st.sampled_from(["", "http://", "https://", " http://"]))
def test_host_is_urlsplits_hostname(rest, scheme):
    url = scheme + rest
    try:
        expected = (urlsplit(url).hostname or "").lower()
    except ValueError:  # (an unbalanced IPv6 bracket: urlsplit rejects the URL, and so does _host)
        return
    assert _host(url) == expected


def _counted_cjk(text: str) -> bool:
    return len(_CJK.findall(text, 0, T.cjk_sample_chars)) * 5 > min(len(text), T.cjk_sample_chars)


# Characters at the edges of _CJK's ranges and of the UTF-8 first bytes is_cjk counts (U+3000-DFFF).
CJK_EDGES = ["\u2fff", "\u3000", "\u303f", "\u3040", "\u30ff", "\u3100", "\u33ff", "\u3400", "\u4dbf", "\u4dc0",
             "\u4dff", "\u4e00", "\u9fff", "\ua000", "\uabff", "\uac00", "\ud7af", "\ud7b0", "\udfff", "\ue000"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "é", "’", "ж", "中", "한", "か", "\ud800", "😀"] + CJK_EDGES),
                max_size=2600).map("".join))
def test_cjk_test_is_the_count_of_cjk_characters(text):
    assert is_cjk(text) == _counted_cjk(text)


def test_cjk_test_counts_every_character_of_the_basic_plane_as_the_regex_does():
    # Three of a character among 14: CJK exactly when that one character is (3 * 5 > 14).
    for code in range(0x80, 0x10000):
        text = chr(code) * 3 + "a" * 11
        assert is_cjk(text) == _counted_cjk(text), hex(code)


LINES = st.sampled_from([
    "Home", "Share", "Related", "Comments", "12 Comments", "A short headline here", "Please enter your comment! " * 2,
    "This is a sentence of prose, long enough to count as article text.", "x" * 70, "y" * 160,
    "Another line of prose that ends the way a sentence ends, with a period.", "Was it a question of any length?",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=40), st.sampled_from([1, 3]), st.data())
def test_best_run_over_prose_lines_is_the_line_by_line_best_run(lines, weight, data):
    dump = _Dump(lines, "https://news.example/a", "news.example", DEFAULT_THRESHOLDS, weight, _Readings())
    indexes = st.integers(0, len(lines) - 1)
    for _ in range(3):
        lo = data.draw(st.integers(0, len(lines)))
        hi = data.draw(st.integers(lo, len(lines)))
        assert dump._best_segment(lo, hi) == best_segment(dump.scores, lo, hi)
        for i in data.draw(st.lists(indexes, max_size=4)):
            dump.kind(i)  # a phrase lookup: may lower the line's score
    assert dump._best_segment(0, len(lines)) == best_segment(dump.scores, 0, len(lines))
    assert dump.positives == [i for i, score in enumerate(dump.scores) if score > 0]


PLAIN_MARKS = re.compile("|".join(map(re.escape, _CREDIT_NAMES + _COPYRIGHT)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(_CREDIT_NAMES + _COPYRIGHT) + ["a", " ", "photo", "ima", "/", "re", "©x"]),
                max_size=6).map("".join))
def test_grouped_marks_pattern_finds_what_the_plain_alternation_finds(text):
    assert (_CREDIT_OR_COPYRIGHT.search(text) is None) == (PLAIN_MARKS.search(text) is None)


def test_every_credit_and_copyright_mark_holds_a_piece_refine_kind_looks_for_first():
    for mark in _CREDIT_NAMES + _COPYRIGHT:
        assert any(piece in mark for piece in _CREDIT_OR_COPYRIGHT_PIECES), mark


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["http", "https", "://", "/", ":", "www", "www.", ".", "@", "a", "x1", "_", " ", "é",
                                 "٣"]), max_size=8).map("".join))
def test_link_pattern_needs_the_characters_refine_kind_tests_first(text):
    if _LINK.search(text):
        assert ("/" in text and "http" in text) or ("." in text and ("www." in text or "@" in text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["1", "2", "9", "0", "19", "20", "/", " ", "a", "٢", "٠", "１"]), max_size=8).map("".join))
def test_year_pattern_needs_a_substring_refine_kind_tests_first(text):
    if HAS_YEAR.search(text):
        assert "19" in text or "20" in text or "/" in text


@given(st.lists(st.sampled_from(["Nov", "November", "19th", "Posted", "Updated", " ", ",", ".", "/", "-", ":", "am",
                                 "Monday", "2019", "3", "٣", "年", "月", "日", "de", "mars"]), max_size=8).map("".join),
       st.sampled_from([None, 2019]), st.booleans())
def test_find_date_finds_no_date_in_a_text_without_a_digit(text, default_year, month_first):
    # _published skips such lines without asking find_date.
    if not re.search(r"\d", text):
        assert find_date(text, month_first=month_first, default_year=default_year) is None


TITLE_PARTS = st.sampled_from(["The", "Space", "Review", "example", "Example.com", "News", "Opinion", "Straße", "STRASSE",
                               "İstanbul", "ſ", "K", " ", "  ", ": ", " - ", " | ", " – ", " — ", "/", " · ", " » ",
                               "~", "-", "|", "Seeking", "a", "new", "path", "today", "Live"])


@settings(max_examples=400, deadline=None)
@given(st.lists(TITLE_PARTS, max_size=12).map("".join), st.sampled_from(["example.com", "www.spacereview.com", ""]))
def test_site_suffix_split_leaves_a_piece_of_the_title(title, host):
    # settled() works the split out only for a line whose casefold lies within the title's.
    stripped = split_site_suffix(title, host)[0]
    assert stripped in title
    assert stripped.casefold() in title.casefold()


@given(st.lists(st.sampled_from([*_POINTER_STARTS, *_CREDIT_STARTS, "r", "p", "(", "c", "é", "ź", " ", ":", "x", ""]),
                max_size=3).map("".join))
def test_prefixes_of_the_first_character_are_the_prefixes_a_line_starts_with(low):
    assert low.startswith(_POINTER_STARTS_BY_FIRST.get(low[:1], ())) == low.startswith(_POINTER_STARTS)
    assert low.startswith(_CREDIT_STARTS_BY_FIRST.get(low[:1], ())) == low.startswith(_CREDIT_STARTS)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "Zé", "_", "1", "٣", "½", " ", "\t", "\n", "\xa0", "\u2003", "'", "’", "-", "—", ".",
                                 ",", "“", "”", "中", "ß", "\x1c", "\x00", "|", "\u0301", "😀"]), max_size=40).map("".join))
def test_words_are_the_word_regexs_matches(text):
    assert split_words(text) == _WORD.findall(text)


def test_words_split_every_character_as_the_regex_does():
    # No whitespace character is a word character, and none of the stripped ends is either.
    for code in range(0x110000):
        ch = chr(code)
        text = f"a{ch}b {ch} {ch}a. “{ch}{ch}”,"
        assert split_words(text) == _WORD.findall(text), hex(code)
    assert not _WORD.search(_NOT_WORD_ENDS) and not any(ch.isspace() for ch in _NOT_WORD_ENDS)


def test_casefold_works_character_by_character_and_keeps_ascii_in_lower_case():
    # settled() rules a line out by a piece of it (ASCII, lower case) that first's casefold lacks.
    for code in range(0x110000):
        ch = chr(code)
        text = f"Σ{ch}aΣ{ch} "  # (and a final sigma: casefold has no context)
        assert text.casefold() == "".join(c.casefold() for c in text), hex(code)
        assert len(ch.casefold()) <= 3  # (_body's title test: a line's casefold is at most 3 times as long)
    for code in range(128):
        ch = chr(code)
        assert not (ch + "a").islower() or (ch + "a").casefold() == ch + "a"
