"""normalize_paragraphs gives what normalize_text gives for each paragraph (empty results dropped),
however the repairs an article needs are spread over its paragraphs: it tests all paragraphs at
once and then repairs only those that fail a test, so a paragraph needing a repair must never pass
for a clean one, nor a clean one be changed."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from worker.cleaning.normalize import normalize_paragraphs, normalize_text

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


def test_a_repair_among_clean_paragraphs_changes_only_its_paragraph():
    paragraphs = ["The council voted on Tuesday.", "Trailing space ", " a leading one", "", "The café owner.",
                  "Doubled  space.", "Spun last year. ,", "Done."]
    assert normalize_paragraphs(paragraphs) == [
        "The council voted on Tuesday.", "Trailing space", "a leading one", "The café owner.", "Doubled space.",
        "Spun last year.", "Done."]
