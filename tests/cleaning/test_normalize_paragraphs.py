"""normalize_paragraphs normalizes each paragraph alone and drops the empty ones; the quick guard
of the stray-period repair never skips a text the repair would change."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from worker.cleaning.normalize import _STRAY_PERIOD, _STRAY_PERIOD_PIECE, normalize_paragraphs


def test_a_repair_among_clean_paragraphs_changes_only_its_paragraph():
    paragraphs = ["The council voted on Tuesday.", "Trailing space ", " a leading one", "", "The café owner.",
                  "Doubled  space.", "Spun last year. ,", "Done."]
    assert normalize_paragraphs(paragraphs) == [
        "The council voted on Tuesday.", "Trailing space", "a leading one", "The café owner.", "Doubled space.",
        "Spun last year.", "Done."]


@given(st.lists(st.sampled_from([" ", "  ", "\t", "\xa0", ".", " .", "  .", "\xa0.", "a.", "b!", "?", "does",
                                 "x" * 13, ","]), max_size=8).map("".join))
@settings(max_examples=1000, deadline=None)
def test_every_stray_period_holds_the_piece_looked_for_first(text):
    if _STRAY_PERIOD.search(text) is not None:
        assert _STRAY_PERIOD_PIECE.search(text) is not None
