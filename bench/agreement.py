"""Where two extractors disagree on pages without body truth: a probe for what the sets with truth miss.

dates-mediacloud's 200 news pages (many languages and templates) state their publication day but
not their article text, so bench/body.py can only count what they publish. This script compares
texts instead, with bench/metric.py's shingle score, one text taken as the reference:
- html: ours (the cleaning stage on the HTML) against trafilatura's text;
- every text-dump style: the text path against our own HTML path's text (the better of our two
  paths on every set with truth, so a disagreement there is usually the dump's reading).
"covered" is the mean share of the reference's shingles the text holds, "within" the mean share of
the text's shingles the reference holds; "apart" counts the pages where the two share under a fifth
of the reference (one of them took another block, or the page has no article). It is agreement, not
accuracy: trafilatura is sometimes the one that is wrong (teasers, an ad, obituaries around a short
article). --worst lists the TUNING pages that disagree most, to look at; held-out pages are only
counted.

    .venv/bin/python bench/agreement.py [--sets dates-mediacloud] [--styles html,html-text,...] [--worst N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from body import HTML, our_texts, page_inputs, trafilatura_texts  # noqa: E402
from make_text_dumps import STYLES  # noqa: E402
from metric import page_score, precision, recall  # noqa: E402
from sets import DEFAULT_SHARED, load_set  # noqa: E402
from splits import SPLITS, TUNING, split_of  # noqa: E402

APART = 0.2  # the text holds less than this share of the reference's shingles


def compare(references: dict[str, str], texts: dict[str, str]) -> dict[str, tuple[float, float]]:
    """key -> (covered, within) of each page whose reference is not empty."""
    scores = {}
    for key, reference in references.items():
        if reference.strip():
            score = page_score(reference, texts.get(key, ""))
            scores[key] = (recall(*score), precision(*score) if texts.get(key, "").strip() else 0.0)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--sets", default="dates-mediacloud")
    parser.add_argument("--styles", default=",".join((HTML,) + STYLES))
    parser.add_argument("--worst", type=int, default=0, help="list the N most different TUNING pages per style")
    args = parser.parse_args()
    for set_name in args.sets.split(","):
        pages = load_set(args.shared, set_name)
        ours_html = our_texts(pages, HTML, page_inputs(pages, HTML, True)).texts
        print(f"\n## {set_name}: agreement ({len(pages)} pages)")
        print("| text | reference | split | pages | covered | within | apart |")
        print("|---|---|---|---|---|---|---|")
        for style in args.styles.split(","):
            if style == HTML:
                reference_name, references, texts = "trafilatura", trafilatura_texts(pages, True).texts, ours_html
            else:
                reference_name, references = "ours (html)", ours_html
                texts = our_texts(pages, style, page_inputs(pages, style, True)).texts
            scores = compare(references, texts)
            for split in SPLITS:
                part = [scores[p.key] for p in pages if p.key in scores and split_of(set_name, p.key) == split]
                apart = sum(covered < APART for covered, _ in part)
                print(f"| ours ({style}) | {reference_name} | {split} | {len(part)} | "
                      f"{statistics.mean(c for c, _ in part):.3f} | {statistics.mean(w for _, w in part):.3f} | "
                      f"{apart} ({apart / len(part):.1%}) |")
            worst = sorted((covered, within, key) for key, (covered, within) in scores.items()
                           if split_of(set_name, key) == TUNING)[:args.worst]
            for covered, within, key in worst:
                url = next(p.url for p in pages if p.key == key)
                print(f"    {style:18s} {key:14s} covered {covered:.2f} within {within:.2f} {url[:90]}")


if __name__ == "__main__":
    main()
