"""Speed and accuracy of the language detector (worker.cleaning.language) on the benchmark pages.

The label of each page is the language its HTML declares (<html lang>), read from the 181 pages
of <shared>/benchmarks/article-extraction; pages that declare none are left out. The text is the
benchmark's true article body, so this measures the detector, not extraction. Declarations can be
wrong (templates declare "en" on pages in other languages): the disagreements are listed.

    .venv/bin/python bench/language_detection.py [--shared PATH] [--sample 500]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

_HTML_LANG = re.compile(r"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sample", type=int, default=500, help="characters the detector reads")
    args = parser.parse_args()

    from worker.cleaning.language import LanguageDetector

    benchmark = args.shared / "benchmarks" / "article-extraction"
    truth = json.loads((benchmark / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((benchmark / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        match = _HTML_LANG.search(html[:5000])
        if match:
            pages.append((key, match.group(1).lower(), item["articleBody"].split("\n")))
    detector = LanguageDetector(sample_chars=args.sample)
    detector.detect(pages[0][2])  # warm up
    start = time.perf_counter()
    found = [detector.detect(paragraphs) for _, _, paragraphs in pages]
    seconds = time.perf_counter() - start
    right = sum(f == lang for f, (_, lang, _) in zip(found, pages))
    unsure = sum(f is None for f in found)
    print(f"{len(pages)} pages with a declared language; sample {args.sample} chars")
    print(f"agree with declaration: {right / len(pages):.3f}; unsure (None): {unsure}; "
          f"{len(pages) / seconds:.0f} pages/s ({seconds / len(pages) * 1e3:.2f} ms/page)")
    for f, (key, lang, paragraphs) in zip(found, pages):
        if f != lang:
            print(f"  {key[:10]} declared {lang} detected {f}: {' '.join(paragraphs)[:70]!r}")


if __name__ == "__main__":
    main()
