"""Properties of cleaning on any input: it never crashes, the text path is a fixed point on its own
output, and pathological pages finish (bounded by the stage's time limit, which must not fire)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.cleaning.normalize import count_words, normalize_text
from worker.cleaning.text import extract_text
from worker.cleaning.text_run import series_lines
from worker.config import CleaningSettings
from worker.errors import PageRejected, Reason
from worker.stages.clean import CleanStage

from .conftest import raw_page

URL = "https://paper.example/story"

# Lines like the ones dumps are made of: prose, headlines, menus, boilerplate, bylines, dates,
# bullets, credits, and anything at all.
PROSE = st.sampled_from([
    "The council voted on Tuesday to build two new schools in the northern district, ending a long debate.",
    "Construction is expected to begin next spring, and the first pupils could move in next autumn.",
    "« Nous sommes prêts », a déclaré la ministre mardi soir devant le conseil municipal de Besançon.",
    "Der Stadtrat hat am Dienstag beschlossen, zwei neue Schulen im nördlichen Bezirk zu bauen.",
    "市議会は火曜日、北部地区に新しい学校を二校建設することを決定し、議論に終止符を打った。",
    "It was, he said, \"a very good year\" . . . for everyone involved , really.",
])
FURNITURE = st.sampled_from([
    "Home", "Share", "Related Articles", "Comments", "LEAVE A REPLY", "Advertisement", "By Jane Doe",
    "Jane Doe | Associated Press", "Saturday, June 3, 2023", "Nov. 20, 2019 5:52 AM EST", "Photo: AFP",
    "- a bullet item", "• Another bullet", "Council approves two schools – Daily Example", ".", "×", "0:00",
    "https://paper.example/about", "Read more: another story", "12 Comments", "Source link",
    "- The council voted on Tuesday to build two new schools in the northern district.", "Jane Doe",
    "By Jane Doe, a reporter who wrote this long byline line that ends with a period.", "Desk",
    "Jane Doe | AFP | Getty Images", "Council approves two schools", "北部地区に新しい学校", "text ,",
    "The Daily Example is an independent newspaper covering the city since 1901, every day.",
])
LINE = st.one_of(PROSE, FURNITURE, st.text(max_size=200))
DUMP = st.lists(LINE, max_size=40).map("\n".join)


# Fragments that normalization repairs: mojibake, odd spaces, spinner artifacts, doubled quotes.
BROKEN = st.sampled_from(["Ã©", "â€™", "Â\x80", "Ã\xa0", "Ð¿", "\x8d", "\xa0", "\u200b", " ,", ". . does.", "” ”,",
                          " Is.", "''", "``"])


@given(st.lists(st.one_of(st.text(max_size=20), BROKEN), max_size=12).map("".join))
@settings(max_examples=1000, deadline=None)
def test_normalization_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.text(max_size=300), st.integers(min_value=1, max_value=40))
@settings(max_examples=500, deadline=None)
def test_word_count_stops_at_enough_and_never_exceeds_the_characters(text, enough):
    words = count_words(text)
    assert count_words(text, enough=enough) == min(words, enough)
    assert words <= len(text) and words >= sum(1 for token in text.split() if token.isalnum() and token.isascii())


def clean(body: str) -> list[str]:
    return extract_text(body, URL).paragraphs


@given(st.text(max_size=3000))
@settings(max_examples=300, deadline=None)
def test_text_path_never_raises_on_any_unicode(body):
    extraction = extract_text(body, URL)
    assert all(isinstance(p, str) and p for p in extraction.paragraphs)


@given(DUMP)
@settings(max_examples=400, deadline=None)
def test_text_path_is_a_fixed_point_on_its_own_output(body):
    once = clean(body)
    assert clean("\n\n".join(once)) == once


@given(st.one_of(st.text(max_size=2000), DUMP), st.sampled_from(["text/plain", "text/html"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_stage_gives_an_article_or_no_content_for_any_input(clean_stage, body, content_type):
    try:
        article = clean_stage(raw_page(body, content_type=content_type))
    except PageRejected as rejected:
        assert rejected.reason is Reason.NO_CONTENT, rejected.message
    else:
        assert article.text.strip() and count_words(article.text) >= clean_stage.settings.min_words


SENTENCE = "The council voted on Tuesday to build two new schools in the northern district. "


@pytest.mark.parametrize("name, body, content_type", [
    ("1 MB single line", SENTENCE * (1_000_000 // len(SENTENCE)), "text/plain"),
    ("100k short lines", "Home\nNews\n" * 50_000, "text/plain"),
    ("100k prose lines", (SENTENCE + "\n") * 100_000, "text/plain"),
    ("1 MB without spaces", "x" * 1_000_000, "text/plain"),
    ("deeply nested html", "<div>" * 5000 + "<p>" + SENTENCE * 5 + "</p>" + "</div>" * 5000, "text/html"),
    ("unbalanced tags", "<p><b><i>" * 20000 + SENTENCE * 10 + "</table></td>" * 20000, "text/html"),
    ("html as text/plain", "<div>" * 5000 + SENTENCE * 5, "text/plain"),
])
def test_pathological_pages_finish_within_the_stage_time_limit(name, body, content_type):
    # A generous limit: if the stage needed more, the page would go to the DLQ as stage_timeout and
    # this test would fail (no timing assertion of our own).
    stage = CleanStage(CleaningSettings(), timeout_seconds=60.0)
    try:
        stage(raw_page(body, content_type=content_type))
    except PageRejected as rejected:
        assert rejected.reason is Reason.NO_CONTENT, f"{name}: {rejected.reason.value} {rejected.message}"


def test_a_list_item_kept_without_its_neighbour_is_read_again():
    # (Found by the property above: the second item was too short to be text, so the first was
    # kept alone, and alone it is no list item: the first reading's result was not a fixed point.)
    once = clean("- a bullet item\na000\n- a bullet item")
    assert clean("\n\n".join(once)) == once


def test_mojibake_left_whole_by_a_removed_fragment_is_repaired_in_the_same_pass():
    # (Found by test_normalization_is_idempotent: the spinner fragment " ," went after the
    # repair, leaving "Â€" that a second normalization repaired.)
    once = normalize_text("Â\x80ä» ,")
    assert normalize_text(once) == once


def test_a_byline_split_over_two_lines_is_read_again_once_the_credit_above_it_goes():
    # (Found on a benchmark dump: the first reading found "By" / "Jane Doe" past the article's
    # first lines, beyond the photo credit, and kept both; the credit gone, the second reading
    # found them among the first lines and dropped them. Both lines go now, in the first result.)
    dump = ["Home", "News", "Council approves two new schools",
            "Tuesday's vote ends a long debate about the northern district.", "Image",
            "Parents gathered outside the town hall before the vote.", "Credit", "Credit",
            "Jeon Heon-Kyun/EPA, via Shutterstock", "By", "Jane Doe", "Sept. 25, 2018",
            "The council voted on Tuesday to build two new schools in the northern district, ending a long debate.",
            "Construction is expected to begin next spring, and the first pupils could move in next autumn.",
            "The mayor said the decision was the most important of her term, and thanked the parents."]
    once = clean("\n".join(dump))
    assert "By" not in once and "Jane Doe" not in once
    assert clean("\n\n".join(once)) == once


def test_series_lines_are_the_runs_of_close_candidates_long_enough():
    assert series_lines([1, 3, 5, 20, 21, 40], max_gap=2, min_lines=3) == [1, 3, 5]
    assert series_lines([1, 4, 7], max_gap=2, min_lines=3) == []
    assert series_lines([10, 11, 12, 13], max_gap=1, min_lines=3) == [10, 11, 12, 13]
