"""Text normalization that keeps the text faithful: Unicode NFC, mojibake repair where it is
detectable, invisible characters and odd spaces, doubled typewriter quotes, and the artifacts
that article "spinners" leave (stray " ," after a sentence, ". does." fragments).

Costs were measured: ftfy.fix_text takes about 3 ms on a 6 KB article and its own badness check
1.4 ms, so a character-class regex (microseconds) decides whether ftfy runs at all.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Final

import ftfy

# Scripts written without spaces between words, whose characters the quality gate counts as words:
# CJK ideographs (and their extensions), kana, Thai, Lao, Myanmar, Khmer.
SPACELESS_SCRIPTS = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u31f0-\u31ff"
                     "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\ua9e0-\ua9ff\uaa60-\uaa7f"
                     "\U00020000-\U0003134f")
_SPACELESS = re.compile(f"[{SPACELESS_SCRIPTS}]")
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
# byte-order mark, soft hyphen, bidirectional marks, embeddings, overrides and isolates, and C0/C1
# controls other than tab and newline. The text path reads dumps without them (_FORMAT_MARKS), so
# an article cleaned from its HTML is written as from its dump. (Zero-width joiner and non-joiner
# stay: they change how Persian, Indic scripts and emoji are written.)
# (A regex, not str.translate: translate looks every character up in a dict, 10x slower here.)
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u061c\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad"
                        "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A C1 control in text is nearly always a Windows-1252 punctuation byte read as Latin-1 (a page
# without a charset decoded the way HTTP once defaulted): "it\x92s", "\x93quoted\x94", "wait\x85".
# Written as the character it stands for, not removed ("its", "quoted"): the words stay as written,
# and the text hashes as a correctly decoded copy of it does. (ftfy does the same, but runs only
# where mojibake is seen.) The five bytes Windows-1252 leaves undefined are removed.
_C1 = re.compile("[\x80-\x9f]")
_CP1252_OF_C1: Final = {chr(code): bytes([code]).decode("cp1252", "ignore") for code in range(0x80, 0xA0)}
# Format characters that are neither words nor spaces nor line breaks, which a text dump's line
# reading must not see: a line's first or last character decides its shape there (a sentence's
# end, a lower-case continuation), and right-to-left text often closes each sentence with a
# right-to-left mark ("...\u200f"), so no line read as prose. Bidirectional marks, embeddings,
# overrides and isolates; zero-width space, word joiner, byte-order mark and soft hyphen (which
# normalization removes anyway); NUL, which is never text (a UTF-16 page read as an 8-bit charset
# has one after every ASCII letter). (Zero-width joiner and non-joiner stay: they are inside words.)
_FORMAT_MARKS = re.compile("[\x00\u200b\u200e\u200f\u061c\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad]")
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


def looks_like_mojibake(text: str) -> bool:
    return _MOJIBAKE.search(text) is not None


def normalize_text(text: str) -> str:
    """One paragraph (or a title) in its normal form: what a reader sees, spaced once."""
    for _ in range(_MAX_REPAIRS):
        text = _normalize_characters(text)
        if "''" in text or "``" in text:
            text = _DOUBLED_QUOTES.sub('"', text)
        cleaned = remove_spinner_artifacts(text)
        # A removed fragment can leave mojibake whole ("Â\x80ä» ," -> "Â€ä»"): repaired again,
        # so that normalizing again changes nothing.
        if cleaned == text or not _may_be_mojibake(cleaned):
            return cleaned
        text = cleaned
    return text


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
            if _C1.search(text) is not None:
                text = _C1.sub(lambda c1: _CP1252_OF_C1[c1.group()], text)
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
        text = _without_stray_verbs(text)
    return text


def _without_stray_verbs(text: str) -> str:
    """The text without the stray verbs at its end: each one of _STRAY_VERBS after whitespace that
    follows a sentence's end, again while one more is left ("year. Is. Is. Is." -> "year."; the
    whitespace goes with it). Walked back from the end: removed one per round of
    remove_spinner_artifacts (a search of the whole text each, the other repairs' too), a run of
    them cost its square."""
    end = len(text)
    while text.endswith(_STRAY_VERBS, 0, end):
        start = text.rindex(" ", 0, end)  # the verb has no space: this is the one before it
        while start > 0 and text[start - 1].isspace():  # (\s is exactly str.isspace())
            start -= 1
        if start == 0 or text[start - 1] not in ".!?":
            break
        end = start
    return text[:end]


def without_format_marks(text: str) -> str:
    """The text without the characters of _FORMAT_MARKS (bidirectional controls, zero-width
    marks, NUL); their absence changes no word, space or line break."""
    if text.isascii():
        return text.replace("\x00", "") if "\x00" in text else text
    return _FORMAT_MARKS.sub("", text)


def normalize_paragraphs(paragraphs: list[str]) -> list[str]:
    """Normalized paragraphs, empty ones dropped."""
    return [paragraph for paragraph in map(normalize_text, paragraphs) if paragraph]


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


def article_word_count(text: str) -> int:
    """The word count an article event carries: count_words where a script written without spaces
    occurs (a Chinese article is not a handful of "words"), else the space-separated tokens, which
    agree with it but for lone marks (a dash between spaces) at a tenth of its cost."""
    if text.isascii() or _SPACELESS.search(text) is None:
        return len(text.split())
    return count_words(text)


def _may_be_mojibake(text: str) -> bool:
    # Every mojibake lead character (U+00C2-U+00EF) is encoded with a 0xC3 byte: encoding is 3x
    # faster than the pattern's search, which most non-ASCII texts (curly quotes, dashes) skip then.
    return not text.isascii() and b"\xc3" in text.encode("utf-8", "surrogatepass") and looks_like_mojibake(text)
