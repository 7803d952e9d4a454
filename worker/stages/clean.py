"""Cleaning stage: a RawPage -> an Article with text and metadata (no dedup decision yet).

Extraction by content type (worker/cleaning: html.py for text/html, text.py for text/plain dumps),
then normalization, language detection and the quality gate: a page without article text goes to
the DLQ with reason no_content, never out as an empty article.
"""
from __future__ import annotations

from ..cleaning import Extraction, LanguageDetector, extract_html, extract_text
from ..cleaning.html_content import formatting_tags
from ..cleaning.scripts import without_foreign_tail
from ..cleaning.normalize import article_word_count, count_words, normalize_paragraphs, normalize_text
from ..config import CleaningSettings
from ..dedup.urls import site_of
from ..errors import PageRejected, Reason
from ..models import Article, RawPage
from ..metrics import Metrics
from .base import Stage
from .isolation import Isolated

# A first page for a fresh HTML child: too short for an article, so the extractor's fallback
# (trafilatura, a second to import) is loaded too before the child takes real pages.
_HTML_WARM_UP = ("<html><head><title>Warm-up</title></head><body><p>A first page.</p></body></html>",
                 "https://example.com/warm-up")

class CleanStage(Stage[RawPage, Article]):
    name = "clean"

    def __init__(self, settings: CleaningSettings | None = None, metrics: Metrics | None = None,
                 timeout_seconds: float = 0.0, isolate_html: bool = True):
        super().__init__(metrics, timeout_seconds)
        self.settings = settings = settings or CleaningSettings()
        self.language = LanguageDetector(sample_chars=settings.language_sample_chars,
                                         min_confidence=settings.language_min_confidence)
        # With a time limit, large HTML pages are extracted in a child process that is killed when
        # the limit is up: the parser's C code cannot be interrupted otherwise (see isolation.py).
        # isolate_html=False: this process is itself such a child, watched by another
        # (worker/parallel.py).
        self._html = Isolated(extract_html, "html-extraction", warm_up=_HTML_WARM_UP,
                              memory_limit_mb=settings.html_child_max_mb) \
            if self.timeout_seconds > 0 and isolate_html else None

    def start(self) -> None:
        """Starts the HTML child now and waits until it is ready, where pages would otherwise wait
        for its start-up on the first large page (benchmarks, before their clock)."""
        if self._html is not None:
            self._html.ensure_ready()

    def __call__(self, page: RawPage) -> Article:
        # A fresh child's start-up is not spent from this page's time. (Asked only while the child
        # is not ready: counting a page's tags is a pass over its whole body.)
        if self._html is not None and not self._html.ready and self._isolates(page):
            self._html.ensure_ready()
        return super().__call__(page)

    def _isolates(self, page: RawPage) -> bool:
        settings = self.settings
        return self._html is not None and page.content_type == "text/html" and \
            (len(page.body) > settings.html_isolate_above_chars or
             page.body.count("<") > settings.html_isolate_above_tags or
             formatting_tags(page.body) > settings.html_isolate_above_formatting_tags)

    def process(self, page: RawPage) -> Article:
        extraction = self._extract(page)
        title = _clean_field(extraction.title)
        paragraphs = extraction.paragraphs
        if paragraphs and title and paragraphs[0].casefold() == title.casefold():
            del paragraphs[0]  # the headline is the title, not the first paragraph
        paragraphs = without_foreign_tail(paragraphs, title, self.settings.foreign_script_share,
                                          self.settings.foreign_tail_min_kept)
        text = "\n\n".join(paragraphs)
        self._check_words(text)
        return Article(
            article_id=page.page_id,
            url=page.url,
            canonical_url=extraction.canonical_url or page.url,
            fetched_at=page.fetched_at,
            text=text,
            title=title,
            authors=[name for name in map(_clean_field, extraction.authors) if name],
            published_at=extraction.published_at,
            site_name=_clean_field(extraction.site_name) or site_from_host(page.url),
            language=self.language.detect(paragraphs, extraction.language),
            content_type=page.content_type,
            extra=page.extra,
            counted_words=article_word_count(text),
        )

    def _check_words(self, text: str) -> None:
        """The quality gate: too few words (counted per script, see count_words) and the page goes
        to the DLQ."""
        minimum = self.settings.min_words
        words = count_words(text, enough=minimum)
        if words < minimum:
            raise PageRejected(Reason.NO_CONTENT,
                               f"cleaned text has {words} words, fewer than {minimum} (CLEAN_MIN_WORDS)")

    def _extract(self, page: RawPage) -> Extraction:
        """The extraction, its paragraphs normalized (the text path normalizes its own)."""
        if page.content_type == "text/html":
            if self._isolates(page):
                # (UTF-8 bytes: a str would be encoded to cross the pipe and decoded again in the child)
                body = page.body.encode("utf-8", "surrogatepass")
                extraction = self._html(body, page.url, page.fetched_at, timeout=self.timeout_seconds)
            else:
                extraction = extract_html(page.body, page.url, page.fetched_at)
            extraction.paragraphs = normalize_paragraphs(extraction.paragraphs)
            return extraction
        return extract_text(page.body, page.url, self.settings.text, page.fetched_at)

    def close(self) -> None:
        if self._html is not None:
            self._html.close()


def _clean_field(value: str | None) -> str | None:
    return normalize_text(value) or None if value else None


def site_from_host(url: str) -> str | None:
    """'https://www.example.co.uk/a' -> 'example.co.uk' (worker/dedup/urls.py site_of), None without a host."""
    return site_of(url) or None
