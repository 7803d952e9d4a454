"""The HTML path never raises: whatever a scraper fetched, extract_html returns an Extraction."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.cleaning.html import extract_html
from worker.cleaning.types import Extraction

URL = "https://news.example/section/story"
PARAGRAPH = "A sentence of article text, long enough to count as a paragraph of the story. "

PATHOLOGICAL = {
    "empty": "",
    "whitespace": " \n\t ",
    "plain text": "just some words, no markup at all",
    "no body": "<html><head><title>Only a title</title></head></html>",
    "unbalanced": "<html><body><div><p>open <b>bold <i>both</div></p></b> " + PARAGRAPH * 3 + "</span></td>",
    "stray closers": "</div></p></body></html><p>" + PARAGRAPH * 3,
    "control characters": "<p>\x00\x01\x02" + PARAGRAPH + "\ufffd\ud7ff</p>",
    "10,000 nested divs": "<html><body>" + "<div>" * 10_000 + f"<p>{PARAGRAPH * 3}</p>" + "</div>" * 10_000,
    "10,000 nested divs with text": "<body>" + f"<div>{PARAGRAPH}" * 10_000,
    "nested unclosed inline tags": "<body>" + "<b><i><span>" * 5_000 + PARAGRAPH,
    # (boilerplate-named blocks that pruning spares as furniture, each inside the one before)
    "5,000 nested comment-text blocks": "<body>" + f"<div class='texto-comentarios'><p>{PARAGRAPH}</p>" * 5_000,
    "5,000 nested footers": "<body><h1>A headline</h1>" + f"<div class='footer'><p>{PARAGRAPH}</p>" * 5_000,
    "nested bylines and times": "<body>" + "<div class='author'>By Jane Doe <time>Nov 5, 2019" * 5_000,
    "1 MB single line": "<html><body><p>" + "word, " * 175_000 + "</p></body></html>",
    "20,000 tiny elements": "<div>" + "<span>x</span>" * 20_000,
    "broken JSON-LD": '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
                      f"<p>{PARAGRAPH * 3}</p>",
    "deep JSON-LD": '<script type="application/ld+json">' + "[" * 5_000 + "]" * 5_000 + "</script>",
    "JSON-LD of odd types": '<script type="application/ld+json">{"@type": ["NewsArticle"], "headline": 5, '
                            '"author": [null, 3, {"name": ["x"]}], "datePublished": {"a": 1}}</script>',
    "absurd dates": '<meta property="article:published_time" content="9999-99-99T99:99"><time datetime="0000-00-00">'
                    "31/31/2019</time>",
    # (parse_date raised on these: OverflowError from the RFC 2822 parser, ValueError from float())
    "dates past a C long": '<meta property="article:published_time" content="Mon, 1 Jan 99999999999999999999 00:00:00">'
                           '<time datetime="Mon, 1 Jan 2019 00:00:00 +99999999999999999999"></time>'
                           f"<p>{PARAGRAPH * 3}</p>",
    "superscript epoch": f'<meta property="article:published_time" content="{"²" * 10}"><p>{PARAGRAPH * 3}</p>',
    "canonical without host": '<link rel="canonical" href="javascript:void(0)"><link rel="canonical" href="//">',
    # lexbor lists an element once per hidden selector it matches: each must be removed once
    "hidden many ways, nested": ('<div hidden aria-hidden="true" style="display:none; visibility:hidden">'
                                 '<p hidden aria-hidden="true">hidden</p>' * 200 + "</div>") * 3,
}


@pytest.mark.parametrize("html", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_pages_give_an_extraction(html):
    found = extract_html(html, URL)
    assert isinstance(found, Extraction)
    assert all(isinstance(p, str) and p and p == " ".join(p.split()) for p in found.paragraphs)


def test_nested_page_keeps_its_text():
    found = extract_html(PATHOLOGICAL["10,000 nested divs"], URL)
    assert " ".join(found.paragraphs) == (PARAGRAPH * 3).strip()


def test_relative_canonical_url_is_made_absolute():
    found = extract_html('<link rel="canonical" href="../other/story?id=7#top">', URL)
    assert found.canonical_url == "https://news.example/other/story?id=7#top"
    assert extract_html('<link rel="canonical" href="javascript:void(0)">', URL).canonical_url is None


TAG_SOUP = list("<>/=\"' &;#abcdiv\x00é") + ["<p>", "</p>", "<div ", "class=author>", "<script>", "</script>",
                                             '<script type="application/ld+json">', "<h1>", "By ", "2019-11-19",
                                             "<time datetime=", "<meta property=og:title content="]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(TAG_SOUP), max_size=80).map("".join))
def test_never_raises_on_tag_soup(html):
    assert isinstance(extract_html(html, URL), Extraction)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_unicode(html):
    assert isinstance(extract_html(html, URL), Extraction)


@pytest.mark.parametrize("url", ["http://[not-ipv6/story", "https://news.example:99999/x", "", "not a url"])
def test_malformed_urls_do_not_raise(url):
    page = ('<link rel="canonical" href="http://[broken"><meta property="og:url" content="https://:0">'
            "<h1>A headline - Site</h1><ul><li>too short for the own extractor</li></ul>")
    found = extract_html(page, url)
    assert found.canonical_url is None


def test_element_names_are_matched_as_ignorecase_would():
    """Names are lower-cased for speed: the kinds must be those of the patterns with re.IGNORECASE,
    including the letters IGNORECASE matches to ASCII (İ ı ſ) and those it does not."""
    import re

    from worker.cleaning.html_prune import (BOILERPLATE_NAME, CONTENT_NAME, WEAK_BOILERPLATE_NAME,
                                            WEAK_BOILERPLATE_WORD, _name_kind)

    def kind_ignorecase(name: str) -> str:
        boilerplate, content, weak, weak_word = (
            re.compile(p.pattern, re.I)
            for p in (BOILERPLATE_NAME, CONTENT_NAME, WEAK_BOILERPLATE_NAME, WEAK_BOILERPLATE_WORD))
        identifier = name[name.rindex("#") + 1:]
        if boilerplate.search(identifier):
            return "boilerplate"
        if content.search(name):
            return "mixed" if boilerplate.search(name) else "content"
        if boilerplate.search(name):
            return "boilerplate"
        return "weak" if weak.search(name) or weak_word.search(name) else "other"

    names = ["Sidebar #", "post-body #COMMENTS", "ſhare-bar #", "Socıal #", "SOCİAL #", "Main #Nav",
             "Page-AD-margins #", "x #ADS", "Teaser Werbung #", "ſ #ı", "ß-straße #", "K-Kelvin #\u212aomment",
             "article-text #related-posts", "#", " #"]
    for name in names:
        assert _name_kind(name) == kind_ignorecase(name), name


def test_furniture_nested_in_furniture_is_one_block():
    from selectolax.lexbor import LexborHTMLParser

    from worker.cleaning.html_prune import prune

    tree = LexborHTMLParser("<body><h1>Headline</h1><p>" + PARAGRAPH + "</p>"
                            + "<div class='comments-text'><p>Be civil.</p>" * 50 + "</div>" * 50 + "</body>")
    furniture = prune(tree, tree.body)
    assert [node.attributes.get("class") for node in furniture] == ["comments-text"]
    assert furniture[0].parent.tag == "body"


def test_nul_characters_are_no_part_of_the_page():
    """A UTF-16 page read as an 8-bit charset has a NUL after every ASCII letter: its <title> was
    lost (and the headline kept as a paragraph); a NUL inside a <title> became U+FFFD there but
    vanished from the same headline in the text, so the two no longer matched."""
    from tests.helpers import article_body

    body = article_body(7)
    html = ("<html><head><title>A story here</title></head><body><article><h1>A story here</h1><p>"
            + body.replace("\n\n", "</p><p>") + "</p></article></body></html>")
    clean = extract_html(html, "https://news.example/a")
    for hostile in (html.encode("utf-16-le").decode("latin-1"), html.replace("A story", "A st\x00ory")):
        for page in (hostile, hostile.encode("utf-8")):  # (the HTML child gets UTF-8 bytes)
            found = extract_html(page, "https://news.example/a")
            assert found.title == clean.title == "A story here"
            assert found.paragraphs == clean.paragraphs
