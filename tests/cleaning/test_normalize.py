"""Normalization keeps the text as written, and repairs only what is broken."""
from __future__ import annotations

import unicodedata

import pytest

from worker.cleaning.normalize import looks_like_mojibake, normalize_paragraphs, normalize_text
from worker.models import content_hash


def test_decomposed_accents_become_composed():
    decomposed = unicodedata.normalize("NFD", "Zürich, São Paulo, Kraków")
    assert normalize_text(decomposed) == "Zürich, São Paulo, Kraków"


def test_mojibake_is_repaired_and_typographic_quotes_stay():
    broken = "â€œIt was a very good year,â€\x9d said the cafÃ© owner in MÃ¼nchen."
    assert looks_like_mojibake(broken)
    assert normalize_text(broken) == "“It was a very good year,” said the café owner in München."


@pytest.mark.parametrize("text", [
    "“Wir sind bereit“, sagte die Ministerin – und verließ den Saal.",
    "« Nous sommes prêts », a déclaré la ministre à Besançon.",
    "El presidente dijo: «Estamos preparados», según fuentes del Ministerio.",
    "Prezydent powiedział: „Jesteśmy gotowi”, jak podała Łódź.",
    "Ærøskøbing, Ålesund, Øresund, ÑANDÚ, ÄRGER, Ćwierć",
    "日本語の文章、「引用」と全角の記号！",
])
def test_correct_text_in_other_languages_is_left_as_written(text):
    assert not looks_like_mojibake(text)
    assert normalize_text(text) == text


def test_spaces_are_normalized_and_invisible_characters_removed():
    assert normalize_text("  two\u00a0words\u2009and\tmore  \u200bhidden\u00adhyphen\ufeff ") == \
        "two words and more hiddenhyphen"


def test_zero_width_joiners_stay():
    persian = "می\u200cخواهم"  # the non-joiner is part of how the word is written
    assert normalize_text(persian) == persian


@pytest.mark.parametrize("spun, clean", [
    ("the number of flights tripled from the same period last year. Is. ,",
     "the number of flights tripled from the same period last year."),
    ("“This is our main goal,” Reznikov told CNN. ,", "“This is our main goal,” Reznikov told CNN."),
    ("sanctions in the event of a Russian military attack. . does.",
     "sanctions in the event of a Russian military attack."),
    ("remain near the border with Ukraine.” ”, After several Russian military exercises.",
     "remain near the border with Ukraine.” After several Russian military exercises."),
])
def test_spinner_artifacts_are_removed(spun, clean):
    assert normalize_text(spun) == clean


@pytest.mark.parametrize("text", [
    "And then . . . nothing happened.",
    "Prices rose 3 , 4 and 5 percent.",
    "See section 4. . .",
    "The U.S. and the U.K. signed it.",
    "He asked: is it true? It is.",
])
def test_text_that_only_looks_like_an_artifact_stays(text):
    assert normalize_text(text) == text


def test_normalization_is_idempotent_and_drops_empty_paragraphs():
    paragraphs = ["  first\u00a0paragraph. ,", "\u200b", "second “quoted” one"]
    once = normalize_paragraphs(paragraphs)
    assert once == ["first paragraph.", "second “quoted” one"]
    assert normalize_paragraphs(once) == once


def test_windows_1252_punctuation_read_as_c1_controls_is_written_as_meant():
    """A page without a charset decoded as Latin-1: its curly quotes, apostrophes, dashes and
    ellipses arrive as C1 controls. Removed, they changed the words ("it's" -> "its") and the
    content hash against a correctly decoded copy."""
    read_as_latin1 = "He said \x93a good start\x94 but it\x92s early\x85 \x96 really"
    assert normalize_text(read_as_latin1) == "He said “a good start” but it’s early… – really"
    assert content_hash(normalize_text(read_as_latin1)) == content_hash(
        "He said “a good start” but it’s early… – really")
    assert normalize_text("a\x81b\x9dc") == "abc"  # (bytes Windows-1252 leaves undefined)
