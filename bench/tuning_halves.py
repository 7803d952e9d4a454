"""Text-dump body F1 on two halves of the TUNING part of each body set, to check that a rule found on
one half carries over to the other before it is kept (and before the held-out part is asked).

A tuning page is in half A or B by the MD5 of "<set>/<key>" (another hash than bench/splits.py's, so
the halves cut across the tuning/held-out split's classes). Held-out pages are dropped before anything
runs on them.
--losses lists half A's pages by loss class (wrong block: recall < 0.2; cut short: recall below
--low; boilerplate kept: precision below --low), to develop on; half B is reported only in sums.

    .venv/bin/python bench/tuning_halves.py [--sets readability-pages,article-extraction]
        [--styles html-text,...] [--losses] [--low 0.8]
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from body import our_texts, page_inputs  # noqa: E402
from make_text_dumps import STYLES  # noqa: E402
from metric import page_score, precision, recall, summarize  # noqa: E402
from sets import BODY_SETS, DEFAULT_SHARED, load_set  # noqa: E402
from splits import TUNING  # noqa: E402

HALVES = ("A", "B")
WRONG_BLOCK_RECALL = 0.2


def half_of(set_name: str, key: str) -> str:
    return HALVES[hashlib.md5(f"{set_name}/{key}".encode()).digest()[0] % 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--sets", default=",".join(BODY_SETS))
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--losses", action="store_true", help="list half A's pages by loss class")
    parser.add_argument("--low", type=float, default=0.8, help="recall or precision below this is a loss")
    args = parser.parse_args()
    styles = [s for s in args.styles.split(",") if s]
    print("| set | style | half | pages | F1 | P | R |")
    print("|-----|-------|------|-------|----|---|---|")
    for set_name in (s for s in args.sets.split(",") if s):
        pages = [p for p in load_set(args.shared, set_name) if p.split == TUNING]
        for style in styles:
            run = our_texts(pages, style, page_inputs(pages, style, True))
            scores = {p.key: page_score(p.truth, run.texts[p.key]) for p in pages}
            for half in HALVES:
                part = [p for p in pages if half_of(set_name, p.key) == half]
                f1, p, r = summarize(scores[page.key] for page in part)
                print(f"| {set_name} | {style} | {half} | {len(part)} | {f1:.3f} | {p:.3f} | {r:.3f} |")
            if args.losses:
                for page in pages:
                    if half_of(set_name, page.key) != "A":
                        continue
                    s = scores[page.key]
                    p, r = precision(*s), recall(*s)
                    kind = ("wrong block" if r < WRONG_BLOCK_RECALL else "cut short" if r < args.low
                            else "boilerplate kept" if p < args.low else None)
                    if kind:
                        print(f"    {kind:<16} P={p:.2f} R={r:.2f} {page.key} {page.url[:70]}")


if __name__ == "__main__":
    main()
