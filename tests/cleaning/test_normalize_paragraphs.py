"""normalize_paragraphs gives what normalize_text gives for each paragraph (empty results dropped),
however the repairs an article needs are spread over its paragraphs: it tests all paragraphs at
once and then repairs only those that fail a test, so a paragraph needing a repair must never pass
for a clean one, nor a clean one be changed."""
from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from worker.cleaning.normalize import (_FEW_QUOTES, _PRINTABLE_ASCII, _STRAY_PERIOD,
                                       _STRAY_PERIOD_PIECE, _STRAY_VERBS, NFC_STABLE_CHARACTERS,
                                       _doubled_ascii_quotes, _ends_like_stray_verb, _mojibake_in, _odd_spacing,
                                       looks_like_mojibake, normalize_paragraphs, normalize_text)

CLEAN = st.sampled_from([
    "The council voted on Tuesday to build two new schools.",
    "« Nous sommes prêts », a déclaré la ministre à Besançon.",
    "He said “it is done” and left. The U.S. agreed.",
    "市議会は火曜日、北部地区に新しい学校を建設する。",
])
# What normalize_text repairs, including what only shows at a paragraph's edge once the paragraphs
# are put together (a trailing space, a combining accent at the start).
BROKEN = st.sampled_from(["Ã©", "â€™", "Â\x80", "Ð¿", "\x8d", "\xa0", "\u200b", "\u0301", " ", "  ", " ,", " .",
                          ". . does.", "” ”,", '" "', " Is.", "''", "``", "\t", "e\u0301"])
PARAGRAPH = st.one_of(CLEAN, st.lists(st.one_of(CLEAN, BROKEN, st.text(max_size=12)), max_size=6).map("".join))


@given(st.lists(PARAGRAPH, max_size=10))
@settings(max_examples=1500, deadline=None)
def test_paragraphs_are_normalized_as_each_one_alone(paragraphs):
    assert normalize_paragraphs(paragraphs) == [text for text in map(normalize_text, paragraphs) if text]


@given(st.lists(st.one_of(st.just("市議会は火曜日、北部地区に新しい学校を建設する。"), BROKEN), max_size=8).map("".join))
@settings(max_examples=300, deadline=None)
def test_mostly_cjk_text_whose_characters_are_tested_themselves_is_normalized_as_alone(broken):
    """(A text of more UTF-8 bytes other than printable ASCII than characters skips the rest.)"""
    paragraphs = ["北部地区に新しい学校を建設する。", broken]
    assert normalize_paragraphs(paragraphs) == [text for text in map(normalize_text, paragraphs) if text]


def test_a_repair_among_clean_paragraphs_changes_only_its_paragraph():
    paragraphs = ["The council voted on Tuesday.", "Trailing space ", " a leading one", "", "The café owner.",
                  "Doubled  space.", "Spun last year. ,", "Done."]
    assert normalize_paragraphs(paragraphs) == [
        "The council voted on Tuesday.", "Trailing space", "a leading one", "The café owner.", "Doubled space.",
        "Spun last year.", "Done."]


def _nfc_stable_ranges() -> list[tuple[int, int]]:
    spec = NFC_STABLE_CHARACTERS
    return [(ord(spec[k]), ord(spec[k + 2])) for k in range(0, len(spec), 3)]


def test_the_characters_nfc_leaves_alone_are_starters_no_composition_takes():
    """normalize_paragraphs takes a text made only of NFC_STABLE_CHARACTERS as NFC without asking
    unicodedata: each must have combining class 0, be its own NFC and never be the second character of
    a canonical decomposition (or a Hangul vowel or final, which compose by rule), so that NFC keeps it
    whatever stands before or after it."""
    composed_onto = {int(code, 16) for cp in range(0x110000)
                     for decomposition in [unicodedata.decomposition(chr(cp))]
                     if decomposition and not decomposition.startswith("<") for code in decomposition.split()[1:]}
    hangul_vowels_and_finals = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for low, high in _nfc_stable_ranges():
        for cp in range(low, high + 1):
            ch = chr(cp)
            assert unicodedata.combining(ch) == 0 and unicodedata.normalize("NFC", ch) == ch, hex(cp)
            assert cp not in composed_onto and cp not in hangul_vowels_and_finals, hex(cp)


STABLE = st.sampled_from([chr(cp) for low, high in _nfc_stable_ranges() for cp in (low, (low + high) // 2, high)])


@given(st.lists(st.lists(st.one_of(CLEAN, BROKEN, STABLE), max_size=8).map("".join), max_size=6))
@settings(max_examples=500, deadline=None)
def test_texts_of_characters_nfc_keeps_are_normalized_as_each_paragraph_alone(paragraphs):
    assert normalize_paragraphs(paragraphs) == [text for text in map(normalize_text, paragraphs) if text]


# Texts dense in the marks the quick tests look for: quotes, more of them than _doubled_ascii_quotes
# finds one by one before the pattern takes over (_FEW_QUOTES), commas and periods, with a piece
# they look for put in anywhere or not.
WORDS = st.lists(st.sampled_from(["a,", "b.", "it's", '"d"', "'e'", "1,000", "U.S.", "f`g", "“h”", "é,", "x.y,z"]),
                 min_size=_FEW_QUOTES, max_size=3 * _FEW_QUOTES).map(" ".join)
MARKED = st.builds(lambda text, piece, at: text[:at % (len(text) + 1)] + piece + text[at % (len(text) + 1):],
                   WORDS, st.sampled_from(["", " ", "  ", " ,", " .", "''", "``", '" "', ",", "'", '"']),
                   st.integers(0, 10**4))


@given(MARKED)
@settings(max_examples=500, deadline=None)
def test_quick_spacing_and_quote_tests_answer_as_substring_tests(text):
    assert _odd_spacing(text) == (text[:1] == " " or text[-1:] == " " or any(
        piece in text for piece in ("  ", " ,", " .")))
    assert _doubled_ascii_quotes(text) == any(pair in text for pair in ("''", "``", '" "'))


@given(st.lists(st.sampled_from([*_STRAY_VERBS, " ", ".", "s", "I", "Was", "Do", "Were", "é"]),
                max_size=4).map("".join), st.integers(0, 6))
@settings(max_examples=2000, deadline=None)
def test_stray_verb_ending_is_endswith(text, cut):
    text = text[cut:]
    assert _ends_like_stray_verb(text) == text.endswith(_STRAY_VERBS)


# Mojibake's lead and continuation characters, others and ASCII between them, after a number of
# false matches of the rest (a word's "é" and quotes after it), more than _mojibake_in looks up.
MOJIBAKE_PIECES = st.lists(st.sampled_from(["Ã", "©", "â", "€", "™", "é", "’", "“", "Â", "\x80", "ä", "Ï", "Ð", "¿",
                                            "ï", "Ù", " ", "a", ",", "Ã©", "â€™"]), max_size=30).map("".join)


@given(st.integers(0, 6), MOJIBAKE_PIECES)
@settings(max_examples=1000, deadline=None)
def test_mojibake_found_from_the_rest_is_the_patterns_search(false_matches, pieces):
    text = "café “a” ’b’ " * false_matches + pieces
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PRINTABLE_ASCII).decode("utf-8", "surrogatepass")
    assert _mojibake_in(text, rest) == looks_like_mojibake(text)


@given(st.lists(st.sampled_from([" ", "  ", "\t", "\xa0", ".", " .", "  .", "\xa0.", "a.", "b!", "?", "does",
                                 "x" * 13, ","]), max_size=8).map("".join))
@settings(max_examples=1000, deadline=None)
def test_every_stray_period_holds_the_piece_looked_for_first(text):
    if _STRAY_PERIOD.search(text) is not None:
        assert _STRAY_PERIOD_PIECE.search(text) is not None
