"""Metadata an HTML page states about itself: title, authors, publication date, site, language, URL.

Sources, in the order they are trusted: JSON-LD (schema.org Article types), meta tags (OpenGraph,
article:*, citation_*, Dublin Core, parse.ly, sailthru), microdata (itemprop), then what a reader
sees (the <h1>, a byline element, a <time> element) and last the URL (/2019/11/19/). Must run
before html_content prunes the tree: it reads scripts and bylines that pruning removes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .html_dates import date_in_url, parse_date, parse_prose_date

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
             "cxenseparse:recs:publishtime", "og:updated_time", "article:modified_time", "datemodified")
AUTHOR_KEYS = ("author", "article:author", "citation_author", "dc.creator", "parsely-author",
               "sailthru.author", "byl", "twitter:creator:name", "creator")
SITE_KEYS = ("og:site_name", "application-name", "publisher", "twitter:site:name")
MAX_TITLE_CHARS = 400
MAX_AUTHOR_CHARS = 80
MAX_AUTHOR_WORDS = 6

# "By Jane Doe", "Von ...", "Par ...", "Por ...", "Przez ...", "Door ...", "Av ...", "Автор: ..."
# (not "de"/"di"/"da": they start names too, as in "De Souza", "Di Maio").
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|reported|story|text|words|texto|tekst|text und fotos)\s+)?"
    r"(?:by|von|par|por|przez|door|av|af|autor(?:a|in)?|author|auteur|redakcja|автор)\b[:\s]*",
    re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bi\b|\be\b|\ben\b|\boch\b|\bog\b|\|)\s*",
                           re.I)
_AUTHOR_NOISE = re.compile(r"https?://|www\.|@|\d{3}|\b(?:staff|reporter|writer|editor|correspondent|"
                           r"associated press|reuters|updated|published|photo)\b", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—:·•»]|::)\s+")
_SPACES = re.compile(r"\s+")


@dataclass
class PageMetadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    site_name: str | None = None
    language: str | None = None
    canonical_url: str | None = None


def page_metadata(tree: LexborHTMLParser, url: str) -> PageMetadata:
    meta = _meta_tags(tree)
    linked = _json_ld_articles(tree)
    site_name = _first_text(meta.get(k) for k in SITE_KEYS) or _first_text(
        _name_of(item.get("publisher")) for item in linked)
    return PageMetadata(
        title=_title(tree, meta, linked, site_name, url),
        authors=_authors(tree, meta, linked),
        published_at=_published(tree, meta, linked, url),
        site_name=site_name,
        language=_language(tree, meta, linked),
        canonical_url=_canonical(tree, meta, url),
    )


def _clean(text: Any) -> str:
    return _SPACES.sub(" ", text).strip() if isinstance(text, str) else ""


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
            data = orjson.loads(script.text(deep=True).strip().encode())
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


def _name_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    text = _clean(value)
    return text or None


def _title(tree, meta, linked, site_name, url) -> str | None:
    h1 = None
    for node in tree.css("h1"):
        text = _clean(node.text(deep=True))
        if 3 <= len(text) <= MAX_TITLE_CHARS:
            h1 = text
            break
    declared = [_clean(v) for k in TITLE_KEYS for v in meta.get(k, [])]
    declared += [_clean(item.get("headline") or item.get("name")) for item in linked]
    declared = [t for t in declared if t and len(t) <= MAX_TITLE_CHARS]
    html_title = tree.css_first("title")
    page_title = _clean(html_title.text(deep=True)) if html_title is not None else ""
    # The visible headline wins when the page's declared titles confirm it is the article's.
    if h1 and any(_loose(h1) in _loose(t) for t in declared + [page_title] if t):
        return h1
    for text in declared + [page_title]:
        if text:
            return _strip_site_name(text, site_name, url)
    return h1


def _loose(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _strip_site_name(title: str, site_name: str | None, url: str) -> str:
    """'Headline - The New York Times' -> 'Headline': drop a separated part naming the site."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    host_words = _loose(host.replace(".", " "))
    site = _loose(site_name or "")

    def names_site(part: str) -> bool:
        words = _loose(part)
        squashed = words.replace(" ", "")
        return bool(words) and (words == site or (squashed and squashed in host_words.replace(" ", ""))
                                or (site and (words in site or site in words)))

    while len(parts) > 1 and names_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and names_site(parts[0]):
        parts.pop(0)
    if len(parts) == len(_TITLE_SEPARATORS.split(title)):
        return title
    # Rebuild from the original text so separators inside the headline survive.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else title


def _authors(tree, meta, linked) -> list[str]:
    for item in linked:
        names = _linked_authors(item.get("author") or item.get("creator"))
        if names:
            return names
    for key in AUTHOR_KEYS:
        for value in meta.get(key, []):
            names = split_authors(value)
            if names:
                return names
    for node in tree.css('[rel="author"], [itemprop="author"], [class*="byline"], [class*="author-name"], '
                         '[class*="author"] a, .author'):
        names = split_authors(node.text(deep=True))
        if names:
            return names
    return []


def _linked_authors(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        if isinstance(item, dict):
            if str(item.get("@type", "")).lower() == "organization":
                continue
            item = item.get("name")
        for name in split_authors(item) if isinstance(item, str) else []:
            if name not in names:
                names.append(name)
    return names


def split_authors(text: Any) -> list[str]:
    """'By Jane Doe and John Roe' -> ['Jane Doe', 'John Roe']; [] for anything not a person's name."""
    text = _clean(text)
    if not text or len(text) > 3 * MAX_AUTHOR_CHARS:
        return []
    text = _BYLINE_PREFIX.sub("", text)
    names = []
    for part in _AUTHOR_SPLIT.split(text):
        part = _BYLINE_PREFIX.sub("", part).strip(" .,:;-–—|")
        words = part.split()
        if not part or len(part) > MAX_AUTHOR_CHARS or len(words) > MAX_AUTHOR_WORDS:
            continue
        if _AUTHOR_NOISE.search(part) or not any(ch.isalpha() for ch in part):
            continue
        if part not in names:
            names.append(part)
    return names


def _published(tree, meta, linked, url) -> datetime | None:
    for item in linked:
        found = parse_date(item.get("datePublished") or item.get("dateCreated"))
        if found:
            return found
    for key in DATE_KEYS:
        for value in meta.get(key, []):
            found = parse_date(value)
            if found:
                return found
    for node in tree.css("time"):
        found = parse_date(node.attributes.get("datetime") or "") or parse_prose_date(node.text(deep=True))
        if found:
            return found
    return date_in_url(url) or _visible_date(tree)


def _visible_date(tree: LexborHTMLParser) -> datetime | None:
    for node in tree.css('[class*="date"], [class*="time"], [class*="publish"], [id*="date"]'):
        text = node.text(deep=True)
        if len(text) <= 200:
            found = parse_prose_date(text)
            if found:
                return found
    return None


def _language(tree, meta, linked) -> str | None:
    html = tree.css_first("html")
    candidates = [html.attributes.get("lang") or html.attributes.get("xml:lang")] if html is not None else []
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
        absolute = urljoin(url, href)
        if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).hostname:
            return absolute
    return None
