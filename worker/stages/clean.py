"""Cleaning stage: a RawPage -> an Article with text and metadata (no dedup decision yet).

First version: visible text of HTML (script/style/nav dropped), paragraphs of text dumps with
lines repeated inside the page removed, first heading or line as the title. The cleaning issue
replaces the internals (worker/cleaning/); the stage's contract stays.
"""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

from ..config import CleaningSettings
from ..errors import PageRejected, Reason
from ..models import Article, RawPage
from ..service.metrics import Metrics
from .base import Stage

_SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg"}
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr",
               "blockquote", "pre", "title"}


class CleanStage(Stage[RawPage, Article]):
    name = "clean"

    def __init__(self, settings: CleaningSettings | None = None, metrics: Metrics | None = None,
                 timeout_seconds: float = 0.0):
        super().__init__(metrics, timeout_seconds)
        self.settings = settings or CleaningSettings()

    def process(self, page: RawPage) -> Article:
        body = unicodedata.normalize("NFC", page.body)
        if page.content_type == "text/html":
            title, blocks = _html_blocks(body)
        else:
            title, blocks = None, [line.strip() for line in body.splitlines()]
        paragraphs = _unique_paragraphs(blocks)
        if title is None and paragraphs and len(paragraphs[0].split()) <= 25:
            title = paragraphs.pop(0)
        text = "\n\n".join(paragraphs)
        if len(text.split()) < self.settings.min_words:
            raise PageRejected(Reason.NO_CONTENT,
                               f"cleaned text has {len(text.split())} words, fewer than {self.settings.min_words}")
        return Article(article_id=page.page_id, url=page.url, canonical_url=page.url,
                       fetched_at=page.fetched_at, text=text, title=title,
                       site_name=urlsplit(page.url).hostname, content_type=page.content_type,
                       extra=page.extra)


def _unique_paragraphs(blocks: list[str]) -> list[str]:
    seen: set[str] = set()
    paragraphs = []
    for block in blocks:
        block = re.sub(r"\s+", " ", block).strip()
        key = block.casefold()
        if block and key not in seen:
            seen.add(key)
            paragraphs.append(block)
    return paragraphs


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]
        self.title: str | None = None
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK_TAGS:
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in _BLOCK_TAGS:
            self.blocks.append("")

    def handle_data(self, data):
        if self._in_title:
            self.title = ((self.title or "") + data).strip() or None
        elif not self._skip:
            self.blocks[-1] += data


def _html_blocks(html: str) -> tuple[str | None, list[str]]:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.title, parser.blocks
