"""The text dumps naive scrapers make of a page, in several styles (real scrapers differ).

Styles, each built by independent means (html-text or lxml, never our own cleaning code):
- html-text: html-text's extract_text with its default layout guessing: the <title> first, blank
  lines around paragraphs and headings, menus, captions, footers and comment forms all kept. The
  article-extraction benchmark's SOURCE.md scores these dumps at F1 0.665 uncleaned.
- html-text-no-title: the same without the <title> line (the dump opens with the site's menus).
- get-text: BeautifulSoup-style get_text("\\n", strip=True): every text node of the document on its
  own line (a link inside a sentence splits it), no blank lines; scripts, styles and comments left out.
- seeds-like: like the seed pages: a site header (the site's name, a blank line, the day the page
  was fetched), then html-text-no-title.

    from make_text_dumps import STYLES, dump
    dump(html, "get-text", url)
    .venv/bin/python bench/make_text_dumps.py [--shared PATH] [--set NAME] [--style STYLE] [--out DIR]

make_dumps() gives the html-text dumps of the article-extraction set (bench/text_cleaning.py and
bench/text_outputs.py use them).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sets import DEFAULT_SHARED, SET_NAMES, load_set

REPO = Path(__file__).resolve().parents[1]
STYLES = ("html-text", "html-text-no-title", "get-text", "seeds-like")
# Bump when a style's output changes: cached dumps (bench/cache.py) are keyed by it.
STYLES_VERSION = "1"
_SKIPPED_TAGS = ("script", "style", "noscript", "template")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True, slots=True)
class DumpPage:
    key: str
    url: str
    dump: str  # what a naive scraper would send as text/plain
    truth: str  # the benchmark's hand-checked article body


def benchmark_dir(shared: Path) -> Path:
    return shared / "benchmarks" / "article-extraction"


def make_dumps(shared: Path = DEFAULT_SHARED) -> list[DumpPage]:
    import html_text  # bench-only dependency (pyproject extra "bench")

    benchmark = benchmark_dir(shared)
    truth = json.loads((benchmark / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((benchmark / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages.append(DumpPage(key=key, url=item["url"], dump=html_text.extract_text(html), truth=item["articleBody"]))
    return pages


def dump(html: str, style: str, url: str) -> str:
    """The page as a scraper of this style sends it."""
    if style == "html-text":
        import html_text

        return html_text.extract_text(html)
    if style == "html-text-no-title":
        return _html_text_without_title(html)
    if style == "get-text":
        return _get_text(html)
    if style == "seeds-like":
        return f"{_site_name(html, url)}\n\n{_fetch_day(url)}\n\n{_html_text_without_title(html)}"
    raise ValueError(f"unknown dump style {style!r} (one of {', '.join(STYLES)})")


def dumps_version() -> str:
    from importlib.metadata import version

    return f"html-text{version('html-text')}-lxml{version('lxml')}-styles{STYLES_VERSION}"


def _html_text_without_title(html: str) -> str:
    import html_text

    tree = html_text.parse_html(html)
    for title in tree.xpath("//title"):
        title.drop_tree()
    return html_text.extract_text(tree)


def _document(html: str):
    import lxml.html

    return lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))


def _get_text(html: str) -> str:
    from lxml import etree

    try:
        tree = _document(html)
    except (etree.ParserError, ValueError):
        return ""
    for node in list(tree.iter(etree.Comment, etree.ProcessingInstruction, *_SKIPPED_TAGS)):
        node.drop_tree()  # keeps the tail text, which belongs to the parent
    lines = []
    for text in tree.itertext():
        for line in text.splitlines():
            line = _SPACES.sub(" ", line).strip()
            if line:
                lines.append(line)
    return "\n".join(lines)


def _site_name(html: str, url: str) -> str:
    """og:site_name where the page states one, else the host's name ("www.nytimes.com" -> "Nytimes")."""
    try:
        for content in _document(html).xpath('//meta[@property="og:site_name"]/@content'):
            if content.strip():
                return content.strip()
    except ValueError:
        pass
    labels = (urlsplit(url).hostname or "example.com").removeprefix("www.").split(".")
    return (labels[-2] if len(labels) > 1 else labels[0]).capitalize()


def _fetch_day(url: str) -> str:
    """A fetch day in 2024, fixed per page, written as the seeds' headers write it ("Saturday, Apr 27, 2024")."""
    offset = int.from_bytes(hashlib.sha1(url.encode()).digest()[:4], "big") % 366
    return (date(2024, 1, 1) + timedelta(days=offset)).strftime("%A, %b %d, %Y")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--set", choices=SET_NAMES, default="article-extraction")
    parser.add_argument("--style", choices=STYLES, default="html-text")
    parser.add_argument("--out", type=Path, default=Path("/tmp/text-dumps"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = load_set(args.shared, args.set)
    for page in pages:
        (args.out / f"{page.key}.txt").write_text(dump(page.html, args.style, page.url), encoding="utf-8")
    print(f"{len(pages)} {args.style} dumps of {args.set} written to {args.out}")


if __name__ == "__main__":
    main()
