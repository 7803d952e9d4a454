"""Title, author and publication-date accuracy on every shared set that has truth for them, HTML
pages and text dumps of them, ours side by side with trafilatura (and htmldate for dates) in one
run, tuning and held-out parts apart (bench/splits.py).

Sets and their truth:
- article-extraction: bench/data/metadata_labels.json (hand-checked; how it was made: its "_about"),
  title, authors and date of all 181 pages;
- readability-pages: readability's expected title, byline and date (its output, not hand labels:
  a byline there is one string, sometimes with a role or a date in it);
- dates-mediacloud: the publication day of 200 news pages (htmldate's evaluation data).

Matching rules:
- title: equal after normalization (NFKC, case folded, every run of non-word characters -> one
  space), so quotes, dashes and ellipses written differently still match; a label's site-name part
  at its end, set off by a separator, may be missing (readability keeps some: "... | eHow");
- authors: with a list of names (article-extraction), the same set of names after the same
  normalization ("Sarah E. Needleman" == "sarah e needleman"), and a page labelled [] needs [];
  with a byline string (readability-pages), at least one name found and every name found inside
  the byline;
- date: the same calendar day. Labels are the publisher's local day, and published_at keeps the
  offset the page states, so its own calendar day is compared (no conversion to UTC).
"stated" is the accuracy over pages whose label has a value (the issue's targets: "of the pages
that state them"), "all" also counts pages labelled with nothing (they need nothing found).
For text dumps, "shown" is the accuracy over the stated pages whose dump holds the value at all:
many pages state their date or byline only in meta tags or JSON-LD, which a text dump does not
carry (see `shown_in_dump` for the test; it does not use our parsers). "shown share" (n shown / n
stated) is the most "stated" can reach on that path: a value the dump does not hold is not found
(readability-pages' title label is readability's reading of the page's <title>, which a dump
without the <title> line holds only where the page prints the same words as its headline; its
byline and date labels come from meta tags as often as from the page's text).

Title agreement, for text dumps of the pages of a set without title truth (dates-mediacloud: many
languages and templates): the share of the pages with an HTML title where the text path's title
matches our own HTML path's title (title_matches, the HTML title as the label). The HTML path is
right far more often on every set with truth, so a disagreement is usually the dump's title (a menu
item, a label, a teaser); it is agreement, not accuracy. --errors SET lists the tuning pages that
disagree.
Author agreement, likewise: over the pages of such a set where our HTML path finds authors and the
dump shows every one of them (whole words after normalization), the share where the text path
finds the same names (authors_match's rule for lists). The HTML path also reads meta tags and
JSON-LD and is right far more often on article-extraction, but where it names an organisation or
a wrong person a disagreement is the text path's credit: this too is agreement, not accuracy.

"No-authors" agreement, likewise: over the pages of such a set where our HTML path finds no
authors, the share where the text path finds none either. A name found there is most often a menu
item, an organisation or a person pictured or written about (the HTML path misses few bylines on
article-extraction): a probe of the text path's author precision, agreement, not accuracy.

Text dumps are made from each page's HTML by bench/make_text_dumps.py (html-text and lxml, not our
code) in its four styles: html-text with its <title> line, without it, get_text style (one text
node per line) and seeds-like (a site header and the fetch day instead of the <title>). trafilatura
has no text path: its HTML figures stand beside ours as the anchor.

    .venv/bin/python bench/metadata.py [--sets a,b] [--paths html,text] [--errors SET] [--shared PATH]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))  # (make_text_dumps imports its siblings by name)

from bench.splits import SPLITS, TUNING, split_of  # noqa: E402
from make_text_dumps import STYLES, dump  # noqa: E402
from sets import DEFAULT_SHARED  # noqa: E402

LABELS = REPO / "bench" / "data" / "metadata_labels.json"
SETS = ("article-extraction", "readability-pages", "dates-mediacloud")
FIELDS = ("title", "authors", "date")
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Truth:
    key: str
    url: str
    html: str
    title: str | None  # None: the set has no title truth, or the page states none
    authors: list[str] | str | None  # names (hand labels) or a byline string (readability)
    day: str | None  # YYYY-MM-DD
    has: frozenset[str]  # the fields this set has truth for


@dataclass(frozen=True)
class Found:
    title: str | None
    authors: list[str]
    day: date | None


def normalize(text: str | None) -> str:
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


_GLUED_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_SUFFIX_SEPARATOR = re.compile(r"\s+(?:[|\-–—_»·•]|::)\s+")


def title_matches(label: str | None, found: str | None) -> bool:
    """Equal after normalization, or equal to the label without the site-name part a separator
    sets off at its end (readability keeps some: "How to Build a Terrarium | eHow")."""
    if normalize(label) == normalize(found):
        return True
    parts = _SUFFIX_SEPARATOR.split(label or "")
    return bool(found) and any(normalize(" ".join(parts[:k])) == normalize(found) for k in range(1, len(parts)))


def authors_match(label: list[str] | str | None, found: list[str]) -> bool:
    if isinstance(label, str):  # a byline as written: the names found must be in it
        byline = f" {normalize(_GLUED_DIGITS.sub(' ', label))} "  # ("by Lucas Nolan22 Dec 2016")
        return bool(found) and all(f" {normalize(name)} " in byline for name in found)
    return {normalize(a) for a in label or []} == {normalize(a) for a in found}


def day_difference(label: str | None, found: date | None) -> int | None:
    """0 when equal (both absent counts as equal), None when only one of them is there."""
    if label is None or found is None:
        return 0 if label is None and found is None else None
    return abs((date.fromisoformat(label) - found).days)


def pages(shared: Path, set_name: str) -> Iterator[Truth]:
    root = shared / "benchmarks" / set_name
    if set_name == "article-extraction":
        labels = {k: v for k, v in json.loads(LABELS.read_text(encoding="utf-8")).items() if not k.startswith("_")}
        items = {k: (v["url"], v["title"], v["authors"], v["published"]) for k, v in labels.items()}
        has = frozenset(FIELDS)
    else:
        truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
        if set_name == "readability-pages":
            items = {k: (v["url"], v["title"], v["byline"], (v["published"] or "")[:10] or None)
                     for k, v in truth.items()}
            has = frozenset(FIELDS)
        else:  # dates-mediacloud: NaN where the page has no date
            items = {k: (v["url"], None, None, v["date"] if isinstance(v["date"], str) else None)
                     for k, v in truth.items()}
            has = frozenset({"date"})
    for key, (url, title, authors, day) in sorted(items.items()):
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        yield Truth(key, url, html, title, authors, day, has)


def shown_in_dump(page: Truth, dump_text: str) -> dict[str, bool]:
    """field -> whether the dump holds the labelled value: the title (or its part before a site
    separator), every labelled name (a byline's leading "By" aside), or the labelled day's year
    with its day number within 40 characters (a generous test, written without our date parser)."""
    text = normalize(dump_text)
    shown = {}
    if page.title:
        shown["title"] = normalize(page.title) in text or normalize(_TITLE_SITE.split(page.title)[0]) in text
    if page.authors:
        names = [page.authors] if isinstance(page.authors, str) else page.authors
        shown["authors"] = all(normalize(_BY.sub("", name)) in text for name in names)
    if page.day:
        day = date.fromisoformat(page.day)
        year = str(day.year)
        number = re.compile(rf"(?<!\d)0?{day.day}(?!\d)")
        shown["date"] = any(number.search(dump_text[max(0, m.start() - 40):m.end() + 40].replace(year, " "))
                            for m in re.finditer(year, dump_text))
    return shown


def authors_shown(names: list[str], dump_text: str) -> bool:
    """Every name is in the dump (normalized, as shown_in_dump tests a label's)."""
    text = f" {normalize(dump_text)} "
    return all(f" {normalize(name)} " in text for name in names)


_TITLE_SITE = re.compile(r" [-|–—:] ")
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)


# -- extractors

def ours_html(page: Truth) -> Found:
    from worker.cleaning.html import extract_html

    found = extract_html(page.html, page.url)  # published_at in the page's own offset
    return Found(found.title, found.authors, found.published_at.date() if found.published_at else None)


def ours_text(dump: str, url: str) -> Found:
    from worker.cleaning.text import extract_text

    found = extract_text(dump, url)
    return Found(found.title, found.authors, found.published_at.date() if found.published_at else None)


def trafilatura_html(page: Truth) -> Found:
    """trafilatura's own metadata extraction (fast mode; its date is htmldate's, extensive search)."""
    import trafilatura

    found = trafilatura.bare_extraction(page.html, url=page.url, fast=True, with_metadata=True,
                                        include_comments=False)
    if found is None:
        return Found(None, [], None)
    authors = [a.strip() for a in (found.author or "").split(";") if a.strip()]
    return Found(found.title, authors, date.fromisoformat(found.date) if found.date else None)


def htmldate_html(page: Truth) -> Found:
    """htmldate alone, as trafilatura calls it (original date, extensive search)."""
    import htmldate

    day = htmldate.find_date(page.html, url=page.url, original_date=True, extensive_search=True)
    return Found(None, [], date.fromisoformat(day) if day else None)


# -- scoring

def score(page: Truth, found: Found) -> dict[str, tuple[bool, bool]]:
    """field -> (the label states a value, the found value matches)."""
    results = {}
    if "title" in page.has:
        results["title"] = (page.title is not None, title_matches(page.title, found.title))
    if "authors" in page.has:
        if isinstance(page.authors, str) or page.authors is None:  # readability: stated pages only
            results["authors"] = (page.authors is not None,
                                  authors_match(page.authors, found.authors) if page.authors else not found.authors)
        else:
            results["authors"] = (bool(page.authors), authors_match(page.authors, found.authors))
    if "date" in page.has:
        results["date"] = (page.day is not None, day_difference(page.day, found.day) == 0)
    return results


def run(shared: Path, sets: list[str], paths: list[str], errors_in: str | None) -> None:
    # (set, path, field, split, extractor) -> [(stated, ok, shown)]; shown: in the text dump (True on HTML)
    table: dict[tuple[str, str, str, str, str], list[tuple[bool, bool, bool]]] = defaultdict(list)
    # (set, style, split) -> [agrees] over the pages with an HTML title, on sets without title truth
    agreement: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    # (set, style, split) -> [agrees] over the pages whose dump shows the HTML path's authors (all
    # of them), on sets without author truth
    author_agreement: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    # (set, style, split) -> [finds none too] over the pages where our HTML path finds no authors, on
    # sets without author truth
    no_author_agreement: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    errors: list[str] = []
    for set_name in sets:
        for page in pages(shared, set_name):
            split = split_of(set_name, page.key)
            runs: list[tuple[str, str, Callable[[], Found], dict[str, bool] | None]] = []
            html_title = None  # the reference of title agreement (sets without title truth)
            html_authors: list[str] = []  # the reference of author agreement (sets without author truth)
            html_read = "text" in paths and "title" not in page.has
            if html_read:
                html = ours_html(page)
                html_title, html_authors = html.title, html.authors
            if "html" in paths:
                runs.append(("HTML", "ours", lambda: ours_html(page), None))
                runs.append(("HTML", "trafilatura", lambda: trafilatura_html(page), None))
                if "date" in page.has:
                    runs.append(("HTML", "htmldate", lambda: htmldate_html(page), None))
            if "text" in paths:
                for style in STYLES:
                    text = dump(page.html, style, page.url)
                    shown = shown_in_dump(page, text)
                    if html_authors:
                        shown["HTML authors"] = authors_shown(html_authors, text)
                    runs.append((f"text {style}", "ours", lambda text=text: ours_text(text, page.url), shown))
            for path, extractor, call, shown in runs:
                found = call()
                if html_title and path != "HTML":
                    agrees = title_matches(html_title, found.title)
                    agreement[(set_name, path.removeprefix("text "), split)].append(agrees)
                    if not agrees and errors_in == set_name and split == TUNING:
                        errors.append(f"{page.key[:18]:18} {path:24} title~  got {found.title!r} "
                                      f"HTML {html_title!r}")
                if shown and shown.get("HTML authors"):
                    agrees = {normalize(a) for a in html_authors} == {normalize(a) for a in found.authors}
                    author_agreement[(set_name, path.removeprefix("text "), split)].append(agrees)
                    if not agrees and errors_in == set_name and split == TUNING:
                        errors.append(f"{page.key[:18]:18} {path:24} authors~ got {found.authors!r} "
                                      f"HTML {html_authors!r}")
                if html_read and not html_authors and path != "HTML":
                    no_author_agreement[(set_name, path.removeprefix("text "), split)].append(not found.authors)
                    if found.authors and errors_in == set_name and split == TUNING:
                        errors.append(f"{page.key[:18]:18} {path:24} authors0 got {found.authors!r} HTML []")
                for field, (stated, ok) in score(page, found).items():
                    if extractor == "htmldate" and field != "date":
                        continue
                    in_dump = shown is None or shown.get(field, False)
                    table[(set_name, path, field, split, extractor)].append((stated, ok, in_dump))
                    if not ok and extractor == "ours" and errors_in == set_name and split == TUNING:
                        got = {"title": found.title, "authors": found.authors, "date": found.day}[field]
                        want = {"title": page.title, "authors": page.authors, "date": page.day}[field]
                        where = "" if shown is None or not stated else (" (in the dump)" if in_dump else " (not in the dump)")
                        errors.append(f"{page.key[:18]:18} {path:24} {field:7} got {got!r} want {want!r}{where}")
    print_table(table)
    if agreement:
        print_agreement(agreement)
    if author_agreement:
        print_agreement(author_agreement, "authors", "the HTML path's authors, where the dump shows them all")
    if no_author_agreement:
        print_agreement(no_author_agreement, "no-authors", "the HTML path, where it finds no authors (the text "
                        "path finds none either: menu items, organisations, people pictured are not taken)")
    if errors:
        print("\nmismatches of ours on the tuning part:\n" + "\n".join(errors))


def print_table(table) -> None:
    print("| set | path | field | part | n stated | ours stated | trafilatura stated | htmldate stated "
          "| ours all | trafilatura all | htmldate all | n shown | ours shown | shown share |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    keys = sorted({k[:4] for k in table}, key=lambda k: (SETS.index(k[0]), k[1] != "HTML", k[1],
                                                           FIELDS.index(k[2]), SPLITS.index(k[3])))
    for set_name, path, field, split in keys:
        cells_stated, cells_all, stated_n, cells_shown = [], [], 0, ["", "", ""]
        for extractor in ("ours", "trafilatura", "htmldate"):
            rows = table.get((set_name, path, field, split, extractor))
            if not rows:
                cells_stated.append("")
                cells_all.append("")
                continue
            stated = [ok for has, ok, _ in rows if has]
            stated_n = len(stated)
            cells_stated.append(f"{sum(stated) / len(stated):.3f}" if stated else "-")
            cells_all.append(f"{sum(ok for _, ok, _ in rows) / len(rows):.3f}")
            if path != "HTML":
                shown = [ok for has, ok, in_dump in rows if has and in_dump]
                cells_shown = [str(len(shown)), f"{sum(shown) / len(shown):.3f}" if shown else "-",
                               f"{len(shown) / stated_n:.3f}" if stated_n else "-"]
        print(f"| {set_name} | {path} | {field} | {split} | {stated_n} | " + " | ".join(cells_stated) + " | "
              + " | ".join(cells_all) + " | " + " | ".join(cells_shown) + " |")


def print_agreement(agreement, field: str = "title", reference: str = "our HTML path's title (pages with an "
                    "HTML title)") -> None:
    print(f"\n{field} agreement of the text path with {reference}")
    print("| set | style | part | pages | agree | share |")
    print("|---|---|---|---|---|---|")
    for (set_name, style, split), rows in sorted(agreement.items(), key=lambda item: (
            SETS.index(item[0][0]), STYLES.index(item[0][1]), SPLITS.index(item[0][2]))):
        print(f"| {set_name} | {style} | {split} | {len(rows)} | {sum(rows)} | {sum(rows) / len(rows):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--paths", default="html,text")
    parser.add_argument("--errors", metavar="SET", help="list the mismatches of ours on SET's tuning part")
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)  # trafilatura and htmldate log every page they find little on
    run(args.shared, args.sets.split(","), args.paths.split(","), args.errors)


if __name__ == "__main__":
    main()
