"""HTML path of the cleaning stage: an HTML page -> its article paragraphs and metadata.

One selectolax (lexbor) parse serves both: metadata is read first (it needs the JSON-LD scripts and
bylines), then the tree is pruned and the article text extracted (html_content). When that finds
too little text for an article, trafilatura (fast mode) gets the page as a second opinion and the
longer result is kept. Figures: bench/html_extraction.py.
"""
from __future__ import annotations

import re
from datetime import datetime

from ..config.cleaning import CleaningSettings
from .html_container import collapse
from .html_content import T, article_paragraphs, parse
from .html_metadata import page_metadata
from .normalize import count_words
from .prompts import is_prompt
from .types import Extraction

# trafilatura is the safety net when the own text is short (T.fallback_below_chars; raising it
# lowered F1: trafilatura's longer text is not the better one)... unless the own text already holds
# as many words as the quality gate asks of an article (its default): then it is a short article (a
# brief), and trafilatura's longer text around it is the template (a gallery, a byline bar, a
# slideshow's labels).
FALLBACK_BELOW_WORDS = CleaningSettings.min_words
_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"\w+")


def extract_html(html: str | bytes, url: str, fetched_at: datetime | None = None) -> Extraction:
    """html: the page, or its UTF-8 bytes (what the isolating child gets: bytes cross a pipe
    without being decoded, and lexbor parses UTF-8 bytes, encoding a str to them first).
    fetched_at: when the page was fetched (dates later than that are not its publication date);
    None: now."""
    # NUL is never text: the parser drops it from text but writes U+FFFD for it in a <title> or an
    # attribute, so a headline with one no longer read as the page's title.
    if ("\x00" if isinstance(html, str) else b"\x00") in html:
        html = html.replace("\x00", "") if isinstance(html, str) else html.replace(b"\x00", b"")
    tree = parse(html)
    metadata = page_metadata(tree, url, fetched_at)
    paragraphs = article_paragraphs(tree, metadata.title)
    if sum(len(p) for p in paragraphs) < T.fallback_below_chars and \
            count_words(" ".join(paragraphs), enough=FALLBACK_BELOW_WORDS) < FALLBACK_BELOW_WORDS and \
            html.count("<" if isinstance(html, str) else b"<") <= T.fallback_max_tags:
        page = html if isinstance(html, str) else html.decode("utf-8", "surrogatepass")
        second = _trafilatura_paragraphs(page, url)
        if sum(len(p) for p in second) > sum(len(p) for p in paragraphs):
            paragraphs = second
    if metadata.title:  # the headline is metadata; repeated as a paragraph it is boilerplate
        headline = _comparable(metadata.title)
        paragraphs = [p for p in paragraphs if not _reads_as(p, headline)]
    return Extraction(
        paragraphs=paragraphs,
        title=metadata.title,
        authors=metadata.authors,
        published_at=metadata.published_at,
        site_name=metadata.site_name,
        language=metadata.language,
        canonical_url=metadata.canonical_url,
    )


def _comparable(text: str) -> str:
    return _NON_WORD.sub(" ", text).strip().casefold()


def _reads_as(paragraph: str, comparable: str) -> bool:
    """_comparable(paragraph) == comparable, deciding most paragraphs by their first word alone
    (the first word of _comparable's result)."""
    first = _WORD.search(paragraph)
    if first is not None and first.group().casefold() != comparable.partition(" ")[0]:
        return False
    return _comparable(paragraph) == comparable


def _trafilatura_paragraphs(html: str, url: str) -> list[str]:
    # Imported here: trafilatura takes about a second to import and most pages never need it.
    import trafilatura

    text = trafilatura.extract(html, url=url, fast=True, include_comments=False) or ""
    # (Its text is held to the same rule as ours: a consent notice or a newsletter call is no article.)
    return [line for line in (collapse(raw) for raw in text.split("\n")) if line and not is_prompt(line)]
