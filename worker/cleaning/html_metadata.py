"""Metadata an HTML page states about itself: title, authors, publication date, site, language, URL.

Sources: JSON-LD (schema.org Article types), meta tags (OpenGraph, article:*, citation_*, Dublin
Core, parse.ly, sailthru), microdata (itemprop), and what a reader sees: the <h1> (preferred to the
declared title when they agree on the subject), bylines (preferred when they name at least the
declared authors), <time> elements and datelines next to the headline, and last the URL
(/2019/11/19/). Modification dates are never taken for publication dates. Must run before
html_content prunes the tree: it reads scripts and bylines that pruning removes.
Measured on labelled benchmark pages by bench/metadata.py. The thresholds are HtmlMetadataThresholds
in worker/config/cleaning.py (T).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config.cleaning import HtmlMetadataThresholds
from .meta.dates import date_in_url, find_date, local_day_differs, parse_date, plausible
from .meta.hosts import site_words as words_of_site
from .meta.names import has_byline_lead, split_authors
from .meta.titles import is_site_text, loose, strip_site_name, title_parts

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "liveblogposting",
    "report", "scholarlyarticle", "techarticle", "review", "webpage", "creativework", "videoobject",
})
TITLE_KEYS = ("og:title", "twitter:title", "citation_title", "dc.title", "parsely-title", "sailthru.title",
              "headline")
DATE_KEYS = ("article:published_time", "og:published_time", "og:article:published_time", "datepublished",
             "citation_publication_date", "citation_date", "dc.date.issued", "dc.date", "dcterms.created",
             "date", "pubdate", "publishdate", "publish-date", "publish_date", "publication_date",
             "parsely-pub-date", "sailthru.date", "article.published", "published-date", "date.release",
             "cxenseparse:recs:publishtime")
AUTHOR_KEYS = ("author", "article:author", "citation_author", "dc.creator", "parsely-author",
               "sailthru.author", "byl", "twitter:creator:name", "creator")
SITE_KEYS = ("og:site_name", "application-name", "publisher", "twitter:site:name")
# Where a visible byline may be.
BYLINE_SELECTORS = ('[rel="author"], [itemprop="author"], [class*="byline"], [class*="Byline"], '
                    '[class*="author"], [class*="Author"]')

T: Final = HtmlMetadataThresholds()  # the numbers, named and explained in worker/config/cleaning.py

# A byline line that ends (or a next line that starts) with a separator: more names follow.
_NAMES_GO_ON = re.compile(r"(?:[,&]|\s(?:and|und|et|y|e|i|en))\s*$")
_NAMES_GO_ON_NEXT = re.compile(r"^\s*(?:[,&]|(?:and|und|et|y|e|i|en)\s)")


class _Headline:
    """The page's visible text lines just before and after its headline, computed once when needed."""

    def __init__(self, tree: LexborHTMLParser, title: str | None):
        self._tree, self._title = tree, title
        self._around: tuple[list[str], list[str]] | None = None

    def _compute(self) -> tuple[list[str], list[str]]:
        if self._around is None:
            self._around = ([], [])
            body = self._tree.body
            if body is not None and self._title:
                text = body.text(deep=True, separator="\n")
                # The title (whitespace-collapsed) as the text holds it: its words with any run of
                # whitespace between them. Only the lines near it are collapsed, not the whole text.
                found = re.search(r"\s+".join(map(re.escape, self._title.split())), text)
                if found:
                    start = text.rfind("\n", 0, found.start()) + 1  # of the title's first line
                    end = text.find("\n", found.end())  # of its last line
                    before = _lines(reversed(text[:start].split("\n")))
                    after = _lines(text[end + 1:].split("\n")) if end >= 0 else ()
                    self._around = (_within(before), _within(after))
        return self._around

    @property
    def before(self) -> str:
        return " ".join(reversed(self._compute()[0]))

    @property
    def after(self) -> str:
        return " ".join(self._compute()[1])

    @property
    def lines_after(self) -> list[str]:
        return self._compute()[1]


def _lines(lines):
    """The non-empty lines, whitespace-collapsed."""
    for line in lines:
        line = " ".join(line.split())
        if line:
            yield line


def _within(lines) -> list[str]:
    """The lines nearest the headline, up to T.dateline_chars characters."""
    kept, size = [], 0
    for line in lines:
        if size >= T.dateline_chars:
            break
        kept.append(line)
        size += len(line) + 1
    return kept


@dataclass
class PageMetadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    site_name: str | None = None
    language: str | None = None
    canonical_url: str | None = None


def page_metadata(tree: LexborHTMLParser, url: str, fetched_at: datetime | None = None) -> PageMetadata:
    """fetched_at: when the page was fetched, what its dates are judged against (meta.dates.plausible)."""
    meta = _meta_tags(tree)
    linked = _json_ld_articles(tree)
    site_name = _first_text(meta.get(k) for k in SITE_KEYS) or _first_text(
        _name_of(item.get("publisher")) for item in linked)
    language = _language(tree, meta, linked)
    title = _title(tree, meta, linked, site_name, url)
    context = _Headline(tree, title)
    return PageMetadata(
        title=title,
        authors=_authors(tree, meta, linked, site_name, url, context),
        published_at=_published(tree, meta, linked, url, context, language, fetched_at),
        site_name=site_name,
        language=language,
        canonical_url=_canonical(tree, meta, url),
    )


def _clean(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    if "&" in text:  # escaped twice by the page ("Australian &#039;megablaze&#039;")
        text = html.unescape(text)
    return " ".join(text.split())


def _first_text(values) -> str | None:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        text = _clean(value)
        if text:
            return text
    return None


def _meta_tags(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """Lower-cased name/property/itemprop -> the content values, in page order."""
    found: dict[str, list[str]] = {}
    for node in tree.css("meta[content], [itemprop][datetime], [itemprop][content]"):
        attributes = node.attributes
        content = attributes.get("content") or attributes.get("datetime")
        if not content:
            continue
        for name_attr in ("property", "name", "itemprop", "http-equiv"):
            name = attributes.get(name_attr)
            if name:
                found.setdefault(name.strip().lower(), []).append(content)
    return found


def _json_ld_articles(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """The JSON-LD objects describing an article (or the page), most specific types first."""
    found: list[tuple[int, dict[str, Any]]] = []
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = orjson.loads(_unwrapped(script.text(deep=True)).encode())
        except orjson.JSONDecodeError:
            continue
        pending = [data]
        while pending:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    pending.append(item["@graph"])
                if isinstance(item.get("mainEntity"), dict):
                    pending.append(item["mainEntity"])
                kinds = item.get("@type")
                kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
                kinds = {k.lower() for k in kinds if isinstance(k, str)}
                if kinds & ARTICLE_TYPES:
                    rank = 1 if kinds <= {"webpage", "creativework", "videoobject"} else 0
                    found.append((rank, item))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def _unwrapped(text: str) -> str:
    """A script's JSON without the wrappers XHTML-era pages put around it: an HTML comment or a
    CDATA section, either perhaps behind a JavaScript line comment ("//<![CDATA[ ... //]]>")."""
    text = text.strip()
    for opening, closing in (("<![CDATA[", "]]>"), ("<!--", "-->")):
        start = text.find(opening, 0, len(opening) + 2)
        if start != -1 and text[:start].strip() in ("", "//") and text.endswith(closing):
            text = text[start + len(opening):-len(closing)].strip()
            text = text[:-2].rstrip() if text.endswith("//") else text
    return text


def _name_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    text = _clean(value)
    return text or None


def _title(tree, meta, linked, site_name, url) -> str | None:
    """The headline a reader sees: an <h1> the declared titles confirm, else the declared title."""
    declared = [_clean(v) for k in TITLE_KEYS for v in meta.get(k, [])]
    declared += [_clean(item.get("headline") or item.get("name")) for item in linked]
    html_title = tree.css_first("title")
    declared.append(_clean(html_title.text(deep=True)) if html_title is not None else "")
    declared = [t for t in declared if t and len(t) <= T.title_max_chars]
    headings = [_clean(node.text(deep=True)) for node in tree.css("h1")[:T.max_headings]]
    # The page's <title> ends with the site's name: an <h1> equal to that part is the logo.
    site_parts = [loose(part) for part in title_parts(declared[-1])[1:][-1:]] if declared else []
    headings = [h for h in headings if T.heading_min_chars <= len(h) <= T.title_max_chars
                and not is_site_text(h, site_name, url) and loose(h) not in site_parts]
    for heading in headings:  # quoted in a declared title: "Opinion | <h1>", "<h1> - WSJ"
        if len(heading.split()) >= T.quoted_heading_min_words and any(loose(heading) in loose(t) for t in declared):
            return heading
    for heading in headings[:1]:  # reworded for search engines, but about the same thing
        if any(_shared_words(heading, t) >= T.shared_title_words for t in declared):
            return heading
    for text in declared:
        stripped = strip_site_name(text, site_name, url)
        if not is_site_text(stripped, site_name, url):
            return stripped
    return headings[0] if headings else None


def _shared_words(a: str, b: str) -> int:
    words = {w for w in loose(a).split() if len(w) >= T.shared_word_min_chars}
    return len(words & {w for w in loose(b).split() if len(w) >= T.shared_word_min_chars})


def _authors(tree, meta, linked, site_name, url, context: _Headline) -> list[str]:
    """Persons named as authors.

    JSON-LD first, then meta tags; a visible byline replaces them when it names at least the same
    persons (JSON-LD and meta often list only the first of several), and replaces meta tags when it
    is an explicit "By ..." byline (a page's meta author is sometimes its web producer).
    """
    site_words = words_of_site(site_name, url)
    declared: list[str] = []
    for item in linked:
        declared = _linked_authors(item.get("author") or item.get("creator"), site_words)
        if declared:
            break
    from_meta = not declared
    for value in (v for key in AUTHOR_KEYS for v in meta.get(key, [])) if from_meta else ():
        declared = split_authors(value, site_words)
        if declared:
            break
    visible, explicit = _byline(tree, site_words)
    if not visible and not declared:
        visible, explicit = _byline_after_headline(context, site_words), True
    if visible and ({loose(n) for n in declared} <= {loose(n) for n in visible} or (from_meta and explicit)):
        return visible
    return declared or visible


def _byline(tree: LexborHTMLParser, site_words: frozenset[str]) -> tuple[list[str], bool]:
    """Names in the first byline-like element that has any, and whether it says "By ..."."""
    for node in tree.css(BYLINE_SELECTORS)[:T.max_byline_elements]:
        text = node.text(deep=True)
        if len(text) <= T.byline_max_chars:
            names = split_authors(text, site_words)
            if names:
                return names, has_byline_lead(_clean(text))
    return [], False


def _byline_after_headline(context: _Headline, site_words: frozenset[str]) -> list[str]:
    """ "By | Matthew Digby | , | Minh Do | on Monday...": a line under the headline that starts as a
    byline, joined with the next lines while the names continue (markup often splits them)."""
    lines = context.lines_after[:T.byline_lines]
    for index, line in enumerate(lines):
        if has_byline_lead(line):
            text, end = line, index + 1
            while end < len(lines) and end - index < T.byline_lines and (
                    not split_authors(text, site_words) or _NAMES_GO_ON.search(text)
                    or _NAMES_GO_ON_NEXT.match(lines[end])):
                text, end = f"{text} {lines[end]}", end + 1
            return split_authors(text[:T.byline_max_chars], site_words)
    return []


def _linked_authors(value: Any, site_words: frozenset[str]) -> list[str]:
    values = value[:T.max_linked_authors] if isinstance(value, list) else [value]
    names: dict[str, None] = {}  # (in order, each once)
    for item in values:
        if isinstance(item, dict):
            if str(item.get("@type", "")).lower() != "person" and "@type" in item:
                continue  # Organization, NewsMediaOrganization...
            item = item.get("name")
        names.update(dict.fromkeys(split_authors(item, site_words)))
    return list(names)


def _published(tree, meta, linked, url, context: _Headline, language: str | None,
               fetched_at: datetime | None) -> datetime | None:
    """The publication date, from the most to the least reliable source: what the page declares
    (JSON-LD, meta tags, <time> elements), the URL, a date written next to the headline."""
    month_first = language in (None, "en")  # outside the US, 05/10/2018 is the 5th of October
    in_url = date_in_url(url, fetched_at)
    declared = _declared_date(tree, meta, linked, month_first, fetched_at)
    if declared is not None:
        # A CMS writes the URL's date in the publisher's local time: one day off from a time
        # stated in UTC, and reachable from it by a publisher's offset, the URL has the reader's day.
        if in_url is not None and local_day_differs(declared, in_url):
            return in_url
        return declared
    return in_url or _dateline(tree, context, month_first, fetched_at)


def _declared_date(tree, meta, linked, month_first: bool, fetched_at: datetime | None) -> datetime | None:
    """JSON-LD, then meta tags, then <time> elements."""
    for item in linked:
        found = parse_date(item.get("datePublished") or item.get("dateCreated"), fetched_at=fetched_at)
        if found:
            return found
    for key in DATE_KEYS:
        for value in meta.get(key, []):
            found = parse_date(value, fetched_at=fetched_at)
            if found:
                return found
    for node in tree.css("time")[:T.max_byline_elements]:
        found = parse_date(node.attributes.get("datetime") or "", fetched_at=fetched_at) or \
            _written_date(node.text(deep=True), month_first, fetched_at)
        if found:
            return found
    return None


def _written_date(text: str, month_first: bool, fetched_at: datetime | None) -> datetime | None:
    found = find_date(text, month_first=month_first)
    return plausible(found, fetched_at) if found else None


def _dateline(tree: LexborHTMLParser, context: _Headline, month_first: bool,
              fetched_at: datetime | None) -> datetime | None:
    """A date written next to the headline (after it, else before it), or in a date-like element."""
    found = _written_date(context.after, month_first, fetched_at) or \
        _written_date(context.before, month_first, fetched_at)
    if found:
        return found
    for node in tree.css('[class*="date"], [class*="Date"], [class*="publish"], [class*="created"], [id*="date"]')[:T.max_byline_elements]:
        text = node.text(deep=True)
        if len(text) <= T.byline_max_chars:
            found = _written_date(text, month_first, fetched_at)
            if found:
                return found
    return None


def _language(tree, meta, linked) -> str | None:
    root = tree.css_first("html")
    candidates = [root.attributes.get("lang") or root.attributes.get("xml:lang")] if root is not None else []
    candidates += meta.get("content-language", []) + meta.get("og:locale", []) + meta.get("language", [])
    candidates += [item.get("inLanguage") for item in linked]
    for value in candidates:
        if isinstance(value, str):
            code = re.split(r"[-_,;\s]", value.strip(), maxsplit=1)[0].lower()
            if len(code) == 2 and code.isalpha():
                return code
    return None


def _canonical(tree: LexborHTMLParser, meta, url: str) -> str | None:
    node: LexborNode | None = tree.css_first('link[rel="canonical"][href]')
    candidates = [node.attributes.get("href")] if node is not None else []
    candidates += meta.get("og:url", [])
    for href in candidates:
        href = (href or "").strip()
        if not href:
            continue
        try:
            absolute = urljoin(url, href)
            parts = urlsplit(absolute)
            if parts.scheme in ("http", "https") and parts.hostname:
                return absolute
        except ValueError:  # "http://[not-an-ipv6", ports out of range
            continue
    return None


