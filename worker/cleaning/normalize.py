"""Text normalization that keeps the text faithful: Unicode NFC, mojibake repair where it is
detectable, invisible characters and odd spaces, doubled typewriter quotes, and the artifacts
that article "spinners" leave (stray " ," after a sentence, ". does." fragments).

Costs were measured: ftfy.fix_text takes about 3 ms on a 6 KB article and its own badness check
1.4 ms, so a character-class regex (microseconds) decides whether ftfy runs at all.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import compress, count
from typing import Final

import ftfy

# Scripts written without spaces between words, whose characters the quality gate counts as words:
# CJK ideographs (and their extensions), kana, Thai, Lao, Myanmar, Khmer.
SPACELESS_SCRIPTS = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u31f0-\u31ff"
                     "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\ua9e0-\ua9ff\uaa60-\uaa7f"
                     "\U00020000-\U0003134f")
_COUNTED = re.compile(f"(?P<spaceless>[{SPACELESS_SCRIPTS}])|[^\\s{SPACELESS_SCRIPTS}]+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")

# UTF-8 read as Latin-1/cp1252: a lead byte shown as Â-Å, Î, Ï, Ð, Ñ, ×, Ø, Ù (2-byte sequences) or
# â-ï followed by two continuation bytes (3-byte sequences: â€™), each continuation byte shown as a
# C1 control, a cp1252 punctuation sign or a Latin-1 symbol. Legitimate text almost never has these
# pairs, so a match is worth ftfy's full (slow) look.
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014" \
                "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
# Written as one lead class, then "a 2-byte lead (seen behind) or a continuation", then a
# continuation: a pattern that opens with a character class lets re skip ahead to the next lead in
# C, where an alternation of two classes tries both at every character (3-4x slower on French text,
# whose é and è are 3-byte leads).
_MOJIBAKE = re.compile(f"[ÂÃÄÅÎÏÐÑ×ØÙâ-ï](?:(?<=[ÂÃÄÅÎÏÐÑ×ØÙ])|[{_CONTINUATION}])[{_CONTINUATION}]")
_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # typographic quotes are the text as written
    fix_character_width=False,  # full-width forms are normal in CJK text
    fix_line_breaks=False,
    normalization="NFC",
    explain=False,
)

# Characters with no visible form that scrapers leave in text: zero-width space, word joiner,
# byte-order mark, soft hyphen, and C0/C1 controls other than tab and newline. (Zero-width joiner
# and non-joiner stay: they change how Persian, Indic scripts and emoji are written.)
# (A regex, not str.translate: translate looks every character up in a dict, 10x slower here.)
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DOUBLED_QUOTES = re.compile(r"``|''")
_MAX_REPAIRS = 3

# Spinner artifacts, only in forms normal text never has:
# "... last year. ," -> "... last year."   (a comma alone after the end of a sentence)
_STRAY_COMMA = re.compile(r"(?<=[.!?…”\"’»)])(?:\s+,)+(?=\s|$)")
# "... attack. . does." -> "... attack."    (a lone period after a sentence, and a verb left behind)
_STRAY_PERIOD = re.compile(r"(?<=\w[.!?])\s+\.(?!\s*\.)(?:\s+\w{1,12}\.)?(?=\s|$)")
# What every match of _STRAY_PERIOD holds: a period after one whitespace character behind [.!?], or
# after two. The pattern above opens with a lookbehind, so re tries it at every character (~20 ns
# each); this one opens with the period, which re skips to in a tight C loop: an article's " ..."
# costs no search.
_STRAY_PERIOD_PIECE: Final = re.compile(r"\.(?:(?<=[.!?]\s\.)|(?<=\s\s\.))")
# "... the border with Ukraine.” ”, After" -> "... the border with Ukraine.” After"
_STRAY_QUOTE = re.compile(r"(?<=[.!?][”\"])\s+[”\"]\s*,(?=\s)")
# "... from the same period last year. Is." (an auxiliary verb left as a sentence of its own)
_STRAY_VERBS = (" Is.", " Are.", " Was.", " Were.", " Does.", " Do.", " Did.", " Has.", " Have.", " Had.")
# The start of _STRAY_COMMA's and _STRAY_PERIOD's artifacts, " ," and " .": each found from its
# comma or period (re skips from one to the next in a tight C loop; a space a word apart would stop
# it at every word), then the space behind it checked. (_odd_spacing)
_SPACE_BEFORE_COMMA: Final = re.compile(r",(?<= ,)")
_SPACE_BEFORE_PERIOD: Final = re.compile(r"\.(?<= \.)")
_STRAY_VERB = re.compile(r"(?<=[.!?])\s+(?:Is|Are|Was|Were|Does|Do|Did|Has|Have|Had)\.(?=\s*$)")

# What _failing_character_tests removes before it looks at a text's characters.
_PRINTABLE_ASCII: Final = bytes(range(0x20, 0x7F))
# Characters that NFC leaves as they are whatever their neighbours (quick check "yes", combining
# class 0; tests/cleaning/test_normalize_paragraphs.py checks each): Latin, Cyrillic, general
# punctuation (curly quotes, dashes), currency, symbols, kana, CJK, Hangul syllables, emoji. A
# text of only these is NFC; any other character sends the text to unicodedata.is_normalized.
NFC_STABLE_CHARACTERS: Final = ("\x00-\u02ff\u0400-\u0482\u048a-\u052f\u1e00-\u1eff\u2010-\u2027\u2030-\u205e"
                                "\u20a0-\u20c0\u2460-\u27bf\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\uac00-\ud7a3"
                                "\U0001f300-\U0001faff")
_MAY_CHANGE_IN_NFC: Final = re.compile(f"[^{NFC_STABLE_CHARACTERS}]")
# "””" in UTF-8 (a byte search of whole characters' bytes finds only whole characters).
_CLOSING_QUOTES: Final = "””".encode()


def looks_like_mojibake(text: str) -> bool:
    return _MOJIBAKE.search(text) is not None


def normalize_text(text: str) -> str:
    """One paragraph (or a title) in its normal form: what a reader sees, spaced once."""
    text = _normalize_characters(text)
    if "''" in text or "``" in text:
        text = _DOUBLED_QUOTES.sub('"', text)
    return remove_spinner_artifacts(text)


def _normalize_characters(text: str) -> str:
    """Mojibake repaired, NFC, invisible characters gone, every run of spaces one space."""
    for _ in range(_MAX_REPAIRS):
        before = text
        if not text.isascii():
            if _may_be_mojibake(text):  # (its 0xC3 test before the pattern's search)
                text = ftfy.fix_text(text, _FTFY_CONFIG)
            if not unicodedata.is_normalized("NFC", text):
                text = unicodedata.normalize("NFC", text)
        # isprintable() is False for controls, separators other than " " and format characters:
        # the only texts that need the slower work below.
        if not text.isprintable():
            text = " ".join(_INVISIBLE.sub("", text).split())
        elif "  " in text or text[:1] == " " or text[-1:] == " ":
            text = " ".join(text.split())
        # One repair can reveal another (a control character removed next to mojibake): repeat
        # while it changes something, so that normalizing again changes nothing.
        if text == before or not _may_be_mojibake(text):
            return text
    return text


def remove_spinner_artifacts(text: str) -> str:
    """The spinner fragments gone; repeated while a removal leaves another one behind (each round
    only shortens the text, so this ends)."""
    while True:
        cleaned = _remove_spinner_artifacts_once(text)
        if cleaned == text:
            return text
        text = cleaned


def _remove_spinner_artifacts_once(text: str) -> str:
    if " ," in text:
        text = _STRAY_COMMA.sub("", text)
    if " ." in text and _STRAY_PERIOD_PIECE.search(text) is not None:
        text = _STRAY_PERIOD.sub("", text)
    if "” ”" in text or '" "' in text:
        text = _STRAY_QUOTE.sub("", text)
    if text.endswith(_STRAY_VERBS):
        text = _STRAY_VERB.sub("", text)
    return text


def normalize_paragraphs(paragraphs: list[str]) -> list[str]:
    """Normalized paragraphs, empty ones dropped. Most articles need no change, and where one does,
    most of its paragraphs still need none: the tests that normalize_text's changes depend on run
    once on all paragraphs (_failing_tests), then only those that failed run on each paragraph,
    and normalize_text only on a paragraph that fails one (it returns any other unchanged)."""
    tests = _failing_tests(paragraphs)
    if tests:
        suspects: set[int] = set()
        for test in tests:  # (map and compress: no Python loop per paragraph and test)
            suspects.update(compress(count(), map(test, paragraphs)))
        paragraphs = [normalize_text(paragraph) if i in suspects else paragraph
                      for i, paragraph in enumerate(paragraphs)]
    return [paragraph for paragraph in paragraphs if paragraph]


def count_words(text: str, enough: int | None = None) -> int:
    """The words of a text, counted per script: each character of a script written without spaces
    between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) is one word; elsewhere (Latin,
    Cyrillic, Hebrew, Arabic, ...) a run of characters between spaces holding a letter or digit is
    one. With `enough`, counting stops there (the quality gate needs no more)."""
    words = 0
    for match in _COUNTED.finditer(text):
        if match.lastgroup == "spaceless" or _LETTER_OR_DIGIT.search(match.group()):
            words += 1
            if words == enough:
                break
    return words


def _failing_tests(paragraphs: list[str]) -> list[Callable[[str], bool]]:
    """The tests below that some paragraph fails; a text passing all of them is one normalize_text
    returns unchanged (each test is the guard of one of its steps). All but the last run once on
    the paragraphs joined by single spaces: a space composes with no neighbour, is printable and is
    in no pattern above except at a paragraph's edge, which shows as a doubled, leading or trailing
    space: so when some paragraph fails one of them, the joined text fails it too."""
    text = " ".join(paragraphs)
    # Its characters other than printable ASCII (a few dozen in most articles), for the tests of
    # characters: bytes.translate on the UTF-8 form, a C loop. (Deleting whole ASCII bytes leaves
    # every multi-byte sequence whole: the rest decodes.)
    unusual = text.encode("utf-8", "surrogatepass").translate(None, _PRINTABLE_ASCII)
    tests = _failing_character_tests(text, unusual) if unusual else []
    if _odd_spacing(text):
        tests.append(_odd_spacing)
    # (The curly pair "” ”" shows as "””" in the rest's bytes, where its space is gone: a short search
    # first.)
    if _doubled_ascii_quotes(text) or (_CLOSING_QUOTES in unusual
                                       and _CURLY_QUOTE_PAIR.search(text) is not None):
        tests.append(_doubled_quotes)
    if any(_ends_like_stray_verb(paragraph) for paragraph in paragraphs):
        tests.append(_ends_like_stray_verb)
    return tests


def _failing_character_tests(text: str, unusual: bytes) -> list[Callable[[str], bool]]:
    """Which of _may_be_mojibake, _not_nfc and _not_printable `text` fails, decided on its characters
    other than printable ASCII (`unusual`: their UTF-8 form), the rest: printable ASCII is
    printable, never changed by NFC and in no mojibake pattern, so removing it keeps every
    non-printable character and every mojibake match, and when the rest holds only characters NFC
    never changes whatever their neighbours, the text is NFC. (isprintable and is_normalized on the
    whole text cost 11 us on an 8 KB dump, this 5.) But a text mostly of other characters (CJK,
    Hangul, Cyrillic) is tested itself: decoding its rest and the rest's tests (the NFC pattern's
    character class looks at each character) cost twice as much then."""
    tests: list[Callable[[str], bool]] = []
    if len(unusual) > len(text):
        # (Every mojibake lead character, U+00C2-U+00EF, is encoded with a 0xC3 byte: memchr first.)
        if b"\xc3" in unusual and looks_like_mojibake(text):
            tests.append(_may_be_mojibake)
        if not unicodedata.is_normalized("NFC", text):
            tests.append(_not_nfc)
        if not text.isprintable():
            tests.append(_not_printable)
        return tests
    rest = unusual.decode("utf-8", "surrogatepass")
    if b"\xc3" in unusual and _mojibake_in(text, rest):
        tests.append(_may_be_mojibake)
    if _MAY_CHANGE_IN_NFC.search(rest) is not None and not unicodedata.is_normalized("NFC", text):
        tests.append(_not_nfc)
    if not rest.isprintable():
        tests.append(_not_printable)
    return tests


def _mojibake_in(text: str, rest: str) -> bool:
    """looks_like_mojibake(text), given `rest`, its characters other than printable ASCII in order.
    A match is two or three such characters side by side, so they are side by side in `rest` too,
    and the pattern decides on the matched characters alone (its lookbehind looks at the first):
    `text` holds a match if and only if it holds one of the strings matched in `rest` (matches at
    every start). Most of those are false (a "é" of one word and the quotes after it); each is
    looked for in `text` by str's search of a short string (~1 ns a character, where the pattern's
    character class costs 4). Past _FEW_MOJIBAKE_CANDIDATES of them, the pattern searches `text`."""
    found = _MOJIBAKE.search(rest)
    for _ in range(_FEW_MOJIBAKE_CANDIDATES):
        if found is None:
            return False
        if found.group() in text:
            return True
        found = _MOJIBAKE.search(rest, found.start() + 1)
    return found is not None and looks_like_mojibake(text)


_FEW_MOJIBAKE_CANDIDATES: Final = 4


def _may_be_mojibake(text: str) -> bool:
    # Every mojibake lead character (U+00C2-U+00EF) is encoded with a 0xC3 byte: encoding is 3x
    # faster than the pattern's search, which most non-ASCII texts (curly quotes, dashes) skip then.
    return not text.isascii() and b"\xc3" in text.encode("utf-8", "surrogatepass") and looks_like_mojibake(text)


def _not_nfc(text: str) -> bool:
    return not text.isascii() and not unicodedata.is_normalized("NFC", text)


def _not_printable(text: str) -> bool:
    return not text.isprintable()


def _odd_spacing(text: str) -> bool:
    """A leading, trailing or doubled space, or a space before a comma or a period."""
    # (One scan of " [ ,.]" stops at every space: 12 us on an 8 KB dump's article, these three 11.
    # Finding each comma and period by str.find and looking behind it saves 1 us compiled but costs
    # 10 interpreted, where a find is a Python call.)
    return (text[:1] == " " or text[-1:] == " " or _SPACE_BEFORE_COMMA.search(text) is not None
            or _SPACE_BEFORE_PERIOD.search(text) is not None or "  " in text)


def _doubled_quotes(text: str) -> bool:
    return _doubled_ascii_quotes(text) or ("”" in text and _CURLY_QUOTE_PAIR.search(text) is not None)


def _doubled_ascii_quotes(text: str) -> bool:
    """'' or `` or '" "' in text. A quote is rare (most articles hold a few at most): each is found
    by str.find (C's memchr), and a pair is a quote whose next one follows it at once (or past a
    space). Past _FEW_QUOTES of one kind, the pair's literal pattern searches the rest (re skips
    from quote to quote in a tight C loop, but it looks at every character: 2 us on an 8 KB dump's
    article)."""
    for quote, between, pair in _ASCII_QUOTE_PAIRS:
        at = text.find(quote)
        for _ in range(_FEW_QUOTES):
            if at < 0:
                break
            following = text.find(quote, at + 1)
            if following == at + 1 + len(between) and text.startswith(between, at + 1):
                return True
            at = following
        else:
            if at >= 0 and pair.search(text, at) is not None:
                return True
    return False


# The pairs _doubled_quotes looks for: the quote, what is between the pair's two quotes, and the
# pair as a literal pattern (re finds a literal by skipping to its first character in a tight C
# loop, where str's search for two or three characters checks at every few characters).
_ASCII_QUOTE_PAIRS: Final = tuple((pair[0], pair[1:-1], re.compile(re.escape(pair))) for pair in ("''", "``", '" "'))
_FEW_QUOTES: Final = 16
_CURLY_QUOTE_PAIR: Final = re.compile("” ”")


def _ends_like_stray_verb(text: str) -> bool:
    """text.endswith(_STRAY_VERBS). Each of them is a space, a word of letters and a period: the text
    ends with one only if it ends with a period and its nearest space 4 to 6 characters from the end
    starts one (characters compared one by one, which mypyc compiles to C, and one set lookup cost
    less than ten comparisons of the text's end, or a search for the space)."""
    n = len(text)
    if n < _SHORTEST_STRAY_VERB or text[n - 1] != ".":
        return False
    for back in range(_SHORTEST_STRAY_VERB, min(n, _LONGEST_STRAY_VERB) + 1):
        if text[n - back] == " ":
            return text[n - back:] in _STRAY_VERB_ENDINGS
    return False


_STRAY_VERB_ENDINGS: Final = frozenset(_STRAY_VERBS)
_SHORTEST_STRAY_VERB: Final = min(map(len, _STRAY_VERBS))
_LONGEST_STRAY_VERB: Final = max(map(len, _STRAY_VERBS))


