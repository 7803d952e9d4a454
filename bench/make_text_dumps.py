"""Turn the benchmark's 181 HTML pages into the text dumps a naive scraper makes.

A naive scraper keeps all visible text, one block per line: html-text's extract_text with its
default layout guessing (the <title> first, blank lines around paragraphs and headings, menus,
captions, footers and comment forms all kept). The benchmark's SOURCE.md scores these dumps at
F1 0.665 uncleaned; bench/text_cleaning.py checks that and then cleans them with the text path.

    .venv/bin/python bench/make_text_dumps.py [--shared PATH] [--out DIR]   # writes <key>.txt per page
"""
from __future__ import annotations

import argparse
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=Path("/tmp/text-dumps"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = make_dumps(args.shared)
    for page in pages:
        (args.out / f"{page.key}.txt").write_text(page.dump, encoding="utf-8")
    print(f"{len(pages)} dumps written to {args.out}")


if __name__ == "__main__":
    main()
