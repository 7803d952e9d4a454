"""Title, author and publication-date accuracy of the HTML path on the labelled benchmark pages.

Labels: bench/data/metadata_labels.json (how they were made: its "_about"). Matching rules:
- title: equal after normalization (NFKC, case folded, every run of non-word characters -> one
  space), so quotes, dashes and ellipses written differently still match;
- authors: the same set of names after the same normalization ("Sarah E. Needleman" ==
  "sarah e needleman"); a page labelled [] needs [] (no invented author);
- date: the same calendar day. Labels are the publisher's local day, and published_at keeps the
  offset the page states, so its own calendar day is compared (no conversion to UTC, which would
  move an evening article in New York to the next day); "+-1 day" shows how many misses are only a
  day off. A page labelled null needs None.
Accuracy is over all labelled pages; the "stated"/"not stated" columns split pages by whether the
label has a value. --compare adds trafilatura's own metadata extraction (its dates are the
publisher's local day from htmldate). The
HTML path's heuristics were adjusted on these same pages: there is no held-out set.

    .venv/bin/python bench/metadata.py [--shared PATH] [--errors] [--compare]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LABELS = REPO / "bench" / "data" / "metadata_labels.json"
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str | None) -> str:
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def title_matches(label: str | None, found: str | None) -> bool:
    return normalize(label) == normalize(found)


def authors_match(label: list[str], found: list[str]) -> bool:
    return {normalize(a) for a in label} == {normalize(a) for a in found}


def day_difference(label: str | None, found: date | None) -> int | None:
    """0 when equal (both absent counts as equal), None when only one of them is there."""
    if label is None or found is None:
        return 0 if label is None and found is None else None
    return abs((date.fromisoformat(label) - found).days)


def ours(html: str, url: str) -> tuple[str | None, list[str], date | None]:
    from worker.cleaning.html import extract_html

    found = extract_html(html, url)  # published_at in the page's own offset: .date() is its local day
    return found.title, found.authors, found.published_at.date() if found.published_at else None


def trafilatura_metadata(html: str, url: str) -> tuple[str | None, list[str], date | None]:
    """trafilatura's own metadata extraction (fast mode), for comparison."""
    import trafilatura

    found = trafilatura.bare_extraction(html, url=url, fast=True, with_metadata=True, include_comments=False)
    authors = [a.strip() for a in (found.author or "").split(";") if a.strip()]
    return found.title, authors, date.fromisoformat(found.date) if found.date else None


def evaluate(extractor, labels, pages: Path, errors: list[str]) -> dict[str, list[tuple[bool, bool]]]:
    rows: dict[str, list[tuple[bool, bool]]] = {"title": [], "authors": [], "date": [], "date +-1 day": []}
    for key, label in sorted(labels.items()):
        html = gzip.decompress((pages / f"{key}.html.gz").read_bytes()).decode("utf-8", errors="replace")
        title, authors, day = extractor(html, label["url"])
        gap = day_difference(label["published"], day)
        results = {
            "title": (label["title"] is not None, title_matches(label["title"], title)),
            "authors": (bool(label["authors"]), authors_match(label["authors"], authors)),
            "date": (label["published"] is not None, gap == 0),
            "date +-1 day": (label["published"] is not None, gap is not None and gap <= 1),
        }
        for field, result in results.items():
            rows[field].append(result)
        for field, value, expected in (("title", title, label["title"]), ("authors", authors, label["authors"]),
                                       ("date", day and day.isoformat(), label["published"])):
            if not results[field][1]:
                errors.append(f"{key[:10]} {field:7} got {value!r} want {expected!r}  {label['url'][:70]}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--errors", action="store_true", help="list every mismatch of the HTML path")
    parser.add_argument("--compare", action="store_true", help="also score trafilatura's metadata extraction")
    args = parser.parse_args()

    labels = {k: v for k, v in json.loads(LABELS.read_text(encoding="utf-8")).items() if not k.startswith("_")}
    pages = args.shared / "benchmarks" / "article-extraction" / "html"
    errors: list[str] = []
    extractors = {"ours": ours}
    if args.compare:
        extractors["trafilatura 2.3.1 fast"] = trafilatura_metadata
    print(f"{len(labels)} labelled pages ({LABELS.relative_to(REPO)})")
    print("| extractor              | field        | accuracy | stated (n)      | not stated (n)  |")
    print("|------------------------|--------------|----------|-----------------|-----------------|")
    for name, extractor in extractors.items():
        rows = evaluate(extractor, labels, pages, errors if name == "ours" else [])
        for field, results in rows.items():
            stated = [ok for has, ok in results if has]
            unstated = [ok for has, ok in results if not has]
            print(f"| {name:<22} | {field:<12} | {sum(ok for _, ok in results) / len(results):8.3f} | "
                  f"{_share(stated)} | {_share(unstated)} |")
    if args.errors:
        print("\n" + "\n".join(errors))


def _share(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f} ({len(values):3d})    " if values else f"{'-':>5} (  0)    "


if __name__ == "__main__":
    main()
