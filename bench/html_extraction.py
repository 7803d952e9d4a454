"""Article-text accuracy and speed of the HTML path, side by side with trafilatura.

Runs worker.cleaning.html.extract_html and trafilatura (fast mode and default) over the 181 pages of
<shared>/benchmarks/article-extraction and scores each with that benchmark's metric (SOURCE.md),
implemented once in bench/metric.py.

Speed is the extraction call alone: pages are decompressed and decoded before any timing, and the
extractors run interleaved page by page (in rotating order), so a noisy, shared machine slows them
alike.

    .venv/bin/python bench/html_extraction.py [--shared PATH] [--set readability-pages] [--only "ours,trafilatura fast"]
                                              [--worst N] [--repeat N] [--baseline DIR]
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from metric import PageScore, page_score, precision, recall, summarize  # noqa: E402
from sets import DEFAULT_SHARED  # noqa: E402


def load_pages(benchmark: Path) -> list[tuple[str, str, str, str]]:
    """(key, html, url, true body) per page; pages are UTF-8 (checked: all 181)."""
    truth = json.loads((benchmark / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        raw = gzip.decompress((benchmark / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, raw.decode("utf-8", errors="replace"), item["url"], item["articleBody"]))
    return pages


def extractors(baseline: Path | None = None) -> dict[str, Callable[[str, str], str]]:
    import trafilatura

    from worker.cleaning.html import extract_html

    chosen = {"ours (worker.cleaning.html)": lambda html, url: "\n".join(extract_html(html, url).paragraphs)}
    if baseline is not None:
        base_extract = _baseline_extract_html(baseline)
        chosen["ours at the baseline tree"] = lambda html, url: "\n".join(base_extract(html, url).paragraphs)
    return chosen | {
        # Body only, as in SOURCE.md's figures: comments are not article text.
        "trafilatura fast": lambda html, url: trafilatura.extract(
            html, url=url, fast=True, include_comments=False) or "",
        "trafilatura default": lambda html, url: trafilatura.extract(html, url=url, include_comments=False) or "",
    }


def _baseline_extract_html(tree: Path) -> Callable:
    """extract_html of another checkout of the project (`git archive REV | tar -x -C DIR`), imported
    beside this tree's (bench/text_cleaning.py's _import_tree does the same for the text path)."""
    import importlib

    ours = {name: module for name, module in sys.modules.items() if name == "worker" or name.startswith("worker.")}
    for name in ours:
        del sys.modules[name]
    sys.path.insert(0, str(tree.resolve()))
    try:
        return importlib.import_module("worker.cleaning.html").extract_html
    finally:
        sys.path.remove(str(tree.resolve()))
        for name in [n for n in sys.modules if n == "worker" or n.startswith("worker.")]:
            del sys.modules[name]
        sys.modules.update(ours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--only", help="comma-separated name prefixes of the extractors to run")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages of each extractor")
    parser.add_argument("--repeat", type=int, default=1, help="time N passes over the pages (scores from the first)")
    parser.add_argument("--set", default="article-extraction",
                        help="shared set with body truth: article-extraction or readability-pages")
    parser.add_argument("--baseline", type=Path,
                        help="also run extract_html of this tree of the project (another revision), interleaved")
    args = parser.parse_args()

    pages = load_pages(args.shared / "benchmarks" / args.set)
    chosen = extractors(args.baseline)
    if args.only:
        prefixes = [p.strip() for p in args.only.split(",")]
        chosen = {n: f for n, f in chosen.items() if any(n.startswith(p) for p in prefixes)}
    names = list(chosen)
    for name in names:  # warm up: imports and lazy initialisation stay out of the timing
        chosen[name](pages[0][1], pages[0][2])

    seconds = dict.fromkeys(names, 0.0)
    scores: dict[str, list[PageScore]] = {n: [] for n in names}
    for run in range(args.repeat):
        for index, (_key, html, url, truth) in enumerate(pages):
            order = names[index % len(names):] + names[:index % len(names)]
            for name in order:
                start = time.process_time()
                text = chosen[name](html, url)
                seconds[name] += time.process_time() - start
                if run == 0:
                    scores[name].append(page_score(truth, text))

    print(f"{len(pages)} pages x {args.repeat} passes, {args.shared / 'benchmarks' / args.set}; pages/s in CPU time")
    print(f"| {'extractor':<28} | F1    | precision | recall | pages/s |")
    print(f"|{'-' * 30}|-------|-----------|--------|---------|")
    for name in names:
        f1, p, r = summarize(scores[name])
        print(f"| {name:<28} | {f1:.3f} | {p:.3f}     | {r:.3f}  | {args.repeat * len(pages) / seconds[name]:7.1f} |")
    for name in names if args.worst else []:
        print(f"\nworst pages of {name} (key, precision, recall):")
        ranked = sorted(zip(pages, scores[name]), key=lambda ps: precision(*ps[1]) + recall(*ps[1]))
        for (key, _h, url, _t), s in ranked[:args.worst]:
            print(f"  {key[:12]} P={precision(*s):.2f} R={recall(*s):.2f} {url}")


if __name__ == "__main__":
    main()
