"""What the text path's cross-page line memory (SiteLineMemory) buys, on every shared set.

Each set's pages become naive text dumps (html-text, as bench/make_text_dumps.py) and are cleaned
by extract_text without the memory and with it (the worker's settings), in two stream orders: the
set's own key order, and grouped by host (every page of a site in a row: the memory's best case).
Reported per set and per split (bench/splits.py): body F1 (bench/metric.py) where the set has
bodies, the day of published_at where it has dates, and how many outputs the memory changed.

    .venv/bin/python bench/site_memory.py [--shared PATH]
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from make_text_dumps import DEFAULT_SHARED  # noqa: E402
from metric import page_score, summarize  # noqa: E402
from splits import SPLITS, split_of  # noqa: E402

SETS = ("article-extraction", "readability-pages", "dates-mediacloud")


def load(shared: Path, name: str) -> list[dict]:
    import html_text  # bench-only dependency (pyproject extra "bench")

    root = shared / "benchmarks" / name
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages.append({"key": key, "url": item["url"], "dump": html_text.extract_text(html),
                      "body": item.get("articleBody"), "date": _day(item.get("date") or item.get("published")),
                      "split": split_of(name, key)})
    return pages


def clean(pages: list[dict], memory) -> dict[str, object]:
    from worker.cleaning.text import extract_text

    return {p["key"]: extract_text(p["dump"], p["url"], memory) for p in pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    from worker.cleaning import SiteLineMemory
    from worker.config import CleaningSettings

    settings = CleaningSettings()

    def memory():
        return SiteLineMemory(max_sites=settings.site_memory_sites, max_lines_per_site=settings.site_memory_lines,
                              min_pages=settings.site_memory_min_pages)

    print("| set | order | split | pages | body F1 without | body F1 with | date without | date with "
          "| outputs changed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in SETS:
        pages = load(args.shared, name)
        without = clean(pages, None)
        for order, ordered in (("key", pages),
                               ("by host", sorted(pages, key=lambda p: (urlsplit(p["url"]).hostname or "", p["key"])))):
            with_memory = clean(ordered, memory())
            for split in SPLITS:
                part = [p for p in pages if p["split"] == split]
                cells = []
                for found in (without, with_memory):
                    bodies = [page_score(p["body"], "\n".join(found[p["key"]].paragraphs)) for p in part if p["body"]]
                    cells.append(f"{summarize(bodies)[0]:.3f}" if bodies else "-")
                for found in (without, with_memory):
                    dated = [p for p in part if p["date"]]
                    right = sum(1 for p in dated if found[p["key"]].published_at is not None
                                and found[p["key"]].published_at.date().isoformat() == p["date"])
                    cells.append(f"{right / len(dated):.3f}" if dated else "-")
                changed = sum(1 for p in part if _output(without[p["key"]]) != _output(with_memory[p["key"]]))
                print(f"| {name} | {order} | {split} | {len(part)} | {' | '.join(cells)} | {changed} |")


def _day(value) -> str | None:
    """The labelled day (YYYY-MM-DD), or None where the set states none."""
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _output(extraction) -> tuple:
    return (extraction.paragraphs, extraction.title, extraction.authors, extraction.published_at)


if __name__ == "__main__":
    main()
