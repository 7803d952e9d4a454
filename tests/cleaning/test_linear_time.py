"""The text path and the HTML extractor's own work cost linear time on hostile shapes (a first
line of thousands of title separators was quadratic in split_site_suffix: 66 s for 300 KB)."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import article_body, distinct_word
from worker.cleaning.html import extract_html
from worker.cleaning.text import extract_text
from worker.cleaning.meta.names import split_authors
from worker.cleaning.meta.titles import _enough_title, _first_enough, strip_site_name, title_parts
from worker.cleaning.normalize import normalize_text

URL = "https://news.example.com/a"


PART = st.sampled_from(["", "-", "News", "Opinion", "a b", "Word", "1", "News Example", "é", "ÀB", "x y z", "12345"])


@given(st.lists(PART, max_size=12), st.integers(0, 3), st.integers(1, 4))
@settings(max_examples=300, deadline=None)
def test_first_enough_is_the_first_prefix_that_makes_enough_title(parts, start, words):
    expected = next((end for end in range(start + 1, len(parts) + 1)
                     if _enough_title(parts[start:end], words)), len(parts) + 1)
    assert _first_enough(parts, start, words) == expected


@pytest.mark.parametrize("unit", [" - ", " — ", " -", "| ", "1 - ", "News - ", "Ab | "])
def test_a_first_line_of_repeated_separators_costs_linear_time(unit):
    # 100,000 repeats (300-500 KB): about 0.1 s in linear time; the quadratic version took 10-40 s.
    body = unit * 100_000 + "\n\n" + article_body(1)
    took = _seconds(extract_text, body, URL)
    assert took < 1.5, f"{unit!r}: {took:.1f}s"


def _seconds(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


@pytest.mark.parametrize("line", ["word", "and so on", ")", "...1\u200bCopyright Home"])
def test_thousands_of_lines_that_continue_one_sentence_cost_linear_time(line):
    # 100,000 lines that each continue the one before: 0.1 s; joined line by line, 40 s and more.
    took = _seconds(extract_text, (line + "\n") * 100_000, URL)
    assert took < 1.5, f"{line!r}: {took:.1f}s"


def test_thousands_of_different_lines_of_one_length_cost_linear_time():
    # 30,000 kept lines of one length, none the same: each was compared with all the earlier ones
    # as a possible repeat (over 20 s); looked up by text and casefold, 0.2 s.
    body = "\n".join(f"© 2024 Example {i:06d}. All rights reserved." for i in range(30_000))
    took = _seconds(extract_text, body, URL)
    assert took < 1.5, f"{took:.1f}s"


@pytest.mark.parametrize("text", [" " * 200_000, "a" + " " * 200_000 + "b", ("x " * 100_000) + "| Site"])
def test_title_separators_in_long_runs_of_spaces_cost_linear_time(text):
    # Each space of a run was a start from which the run was read to its end: 276 s for 200,000.
    assert _seconds(title_parts, text) < 0.5
    assert _seconds(strip_site_name, text, "Site", URL) < 0.5


@pytest.mark.parametrize("text", ["1" * 200_000, "-" * 200_000, "John Smith, " * 20_000])
def test_a_long_author_field_costs_linear_time_and_names_no_one(text):
    # "\S+@\S+" read a long word to its end from each of its characters: 31 s for 200,000 digits.
    took = _seconds(split_authors, text)
    assert took < 0.5 and split_authors(text) == []


STRAY_VERB_RUNS = {  # (a paragraph's end -> what normalizing leaves of "The last sentence." and it)
    " Is." * 20_000: "",
    " Had.\t" * 20_000 + "Do.": "",  # (tabs are spaces once normalized)
    " Is." * 20_000 + " x Is.": " Is." * 20_000 + " x Is.",  # (the last is no sentence of its own)
}


@pytest.mark.parametrize("ending", STRAY_VERB_RUNS, ids=["verbs", "tabbed verbs", "verbs and a word"])
def test_a_paragraph_ending_in_a_run_of_stray_verbs_costs_linear_time(ending):
    # A spinner's verb left as a sentence ("... last year. Is.") went one per round of repairs,
    # each round a search of the whole paragraph: 16,000 of them (64 KB) took 14 s, 20,000 22-29 s.
    text = "The last sentence." + ending
    took = _seconds(normalize_text, text)
    assert took < 0.5, f"{took:.1f}s"
    assert normalize_text(text) == "The last sentence." + STRAY_VERB_RUNS[ending]


PARAGRAPH = "A sentence of article text, long enough to count as a paragraph of the story. "
# Broken markup no tag closes: <pre> nests in <pre>, <p> in a <marquee> in a <p>.
NESTED_PARAGRAPHS = {
    "pre in pre": "<pre>" + PARAGRAPH,
    "p in marquee in p": "<p>" + PARAGRAPH + "<marquee>",
    "weak-named p in marquee in p": "<p class='sidebar'>" + PARAGRAPH + "<marquee>",
    "linked p in marquee in p": "<p><a href='/a'>A link</a> and words<marquee>",
}


@pytest.mark.parametrize("unit", NESTED_PARAGRAPHS.values(), ids=NESTED_PARAGRAPHS.keys())
def test_paragraphs_nested_in_paragraphs_cost_linear_time(unit):
    # 4,000 levels (90-420 KB): 0.05-0.1 s; when each paragraph's full text was read (the inner
    # ones' again), 3-10 s.
    html = "<body><h1>A headline</h1>" + unit * 4_000
    took = _seconds(extract_html, html, URL)
    assert took < 1.5, f"{took:.1f}s"
    assert len(extract_html(html, URL).paragraphs) == 4_000


def test_a_page_of_too_many_tags_for_the_fallback_is_left_at_the_own_extraction():
    # 250,000 empty paragraphs (1 MB): no article text, so trafilatura was asked as well and spent
    # 7 s on them, where the own extractor takes 0.3 s.
    html = "<body>" + "<p> " * 250_000
    took = _seconds(extract_html, html, URL)
    assert took < 1.5, f"{took:.1f}s"
    assert extract_html(html, URL).paragraphs == []


def test_a_long_json_ld_author_list_is_read_to_a_bound():
    # 40,000 persons (1.8 MB): each name was looked up in the list of those kept before it, 6 s,
    # and the event carried all 40,000 as the article's authors.
    import json

    from worker.config.cleaning import HtmlMetadataThresholds

    persons = [{"@type": "Person", "name": f"Anna {distinct_word(n).capitalize()}son"} for n in range(40_000)]
    html = ('<script type="application/ld+json">' + json.dumps({"@type": "NewsArticle", "author": persons})
            + "</script><p>" + PARAGRAPH * 5 + "</p>")
    took = _seconds(extract_html, html, URL)
    assert took < 1.5, f"{took:.1f}s"
    authors = extract_html(html, URL).authors
    assert len(authors) == HtmlMetadataThresholds.max_linked_authors and authors[0] == "Anna Aason"
