"""Text normalization that keeps the text faithful: Unicode NFC, mojibake repair where it is
detectable, invisible characters and odd spaces, doubled typewriter quotes, and the artifacts
that article "spinners" leave (stray " ," after a sentence, ". does." fragments).

Costs were measured: ftfy.fix_text takes about 3 ms on a 6 KB article and its own badness check
1.4 ms, so a character-class regex (microseconds) decides whether ftfy runs at all.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import repeat

import ftfy

# UTF-8 read as Latin-1/cp1252: a lead byte shown as Â-Å, Î, Ï, Ð, Ñ, ×, Ø, Ù (2-byte sequences) or
# â-ï followed by two continuation bytes (3-byte sequences: â€™), each continuation byte shown as a
# C1 control, a cp1252 punctuation sign or a Latin-1 symbol. Legitimate text almost never has these
# pairs, so a match is worth ftfy's full (slow) look.
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014" \
                "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE = re.compile(f"[ÂÃÄÅÎÏÐÑ×ØÙ][{_CONTINUATION}]|[â-ï][{_CONTINUATION}]{{2}}")
_MOJIBAKE_LEAD = re.compile("[ÂÃÄÅÎÏÐÑ×ØÙâ-ï]")  # 4x cheaper than the full pattern, which runs only after it
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
# "... the border with Ukraine.” ”, After" -> "... the border with Ukraine.” After"
_STRAY_QUOTE = re.compile(r"(?<=[.!?][”\"])\s+[”\"]\s*,(?=\s)")
# "... from the same period last year. Is." (an auxiliary verb left as a sentence of its own)
_STRAY_VERBS = (" Is.", " Are.", " Was.", " Were.", " Does.", " Do.", " Did.", " Has.", " Have.", " Had.")
# A doubled space, and the start of _STRAY_COMMA's and _STRAY_PERIOD's artifacts: one scan for all.
_SPACE_BEFORE = re.compile(r" [ ,.]")
_STRAY_VERB = re.compile(r"(?<=[.!?])\s+(?:Is|Are|Was|Were|Does|Do|Did|Has|Have|Had)\.(?=\s*$)")


def looks_like_mojibake(text: str) -> bool:
    return _MOJIBAKE_LEAD.search(text) is not None and _MOJIBAKE.search(text) is not None


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
            if looks_like_mojibake(text):
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
        if text == before or text.isascii() or not looks_like_mojibake(text):
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
    if " ." in text:
        text = _STRAY_PERIOD.sub("", text)
    if "” ”" in text or '" "' in text:
        text = _STRAY_QUOTE.sub("", text)
    if text.endswith(_STRAY_VERBS):
        text = _STRAY_VERB.sub("", text)
    return text


def normalize_paragraphs(paragraphs: list[str]) -> list[str]:
    """Normalized paragraphs, empty ones dropped. Most articles need no change: _needs_no_change
    says so for all their paragraphs at once (73 us against 91 one by one, per benchmark dump)."""
    if _needs_no_change(paragraphs):
        return [paragraph for paragraph in paragraphs if paragraph]
    out = []
    for paragraph in paragraphs:
        paragraph = normalize_text(paragraph)
        if paragraph:
            out.append(paragraph)
    return out


def count_words(paragraphs: list[str]) -> int:
    """The whitespace-separated words of normalize_paragraphs' output (len(text.split()) of the
    text they make), at a third of split's cost: a normalized paragraph is not empty and its only
    whitespace is single spaces between words, so it holds one word more than spaces."""
    return sum(map(str.count, paragraphs, repeat(" "))) + len(paragraphs)


def _needs_no_change(paragraphs: list[str]) -> bool:
    """True only when normalize_text returns every paragraph unchanged: its tests, run once on the
    paragraphs joined by single spaces. A space composes with no neighbour, is printable and is in
    no pattern above except at a paragraph's edge, which shows as a doubled, leading or trailing
    space: so the joined text passes a test exactly when every paragraph does."""
    text = " ".join(paragraphs)
    if not text.isascii():
        # Every mojibake lead character (U+00C2-U+00EF) is encoded with a 0xC3 byte: when none is
        # there, the slower character-class search is not needed.
        if b"\xc3" in text.encode("utf-8", "surrogatepass") and looks_like_mojibake(text):
            return False
        if not unicodedata.is_normalized("NFC", text):
            return False
    if not text.isprintable() or text[:1] == " " or text[-1:] == " " or _SPACE_BEFORE.search(text):
        return False
    # (A one-character test first: two-character searches scan the text far more slowly.)
    for needle in ("''", "``", "” ”", '" "'):
        if needle[0] in text and needle in text:
            return False
    return not any(paragraph.endswith(_STRAY_VERBS) for paragraph in paragraphs)
