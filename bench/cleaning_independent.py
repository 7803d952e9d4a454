"""Cleaning accuracy on every page of the independent dedup set, ours beside trafilatura.

bench/dedup_eval_independent.py --misses shows the cleaning errors that became dedup errors: a
dozen pages. This scores the cleaned text of all of the set's pages against the body each page
was made from (bench/metric.py), so that a cleaning change is measured on every page of the set
and not only on its dedup errors. Each split is cleaned as one stream in fetch order by one
cleaning stage, as the dedup evaluation does. Figures per split, per medium (HTML pages and the
text dumps of HTML pages) and per class of page:
- articles  originals, copies and template negatives (bodies of 150+ words)
- briefs    the short formulaic briefs and their reposts (40-150 words)
- walls     pages whose only text is a consent notice or a paywall teaser
trafilatura (default mode, body only) runs on the HTML pages; its outputs are cached in
.cache/bench (bench/cache.py). --worst N lists the worst TUNING pages only (held-out pages are
not looked at while tuning); --kinds limits the listing to some kinds. --seed N scores the set drawn
with another seed (bench/build_dedup_eval_independent.py --seed, built when missing): one draw's
twenty briefs cannot tell a class from a one-off.

    .venv/bin/python bench/cleaning_independent.py [--worst N] [--kinds brief,brief_copy] [--no-cache] [--seed N]
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.build_dedup_eval_independent import SEED, SET_NAME, VERSION  # noqa: E402
from bench.cache import Cache  # noqa: E402
from bench.dedup_eval_independent import load  # noqa: E402
from bench.metric import PageScore, page_score, precision, recall, summarize  # noqa: E402
from bench.splits import SPLITS, TUNING  # noqa: E402
from worker.errors import PageRejected  # noqa: E402
from worker.models import RawPage, parse_time  # noqa: E402
from worker.stages.clean import CleanStage  # noqa: E402

CLASSES = {"brief": "briefs", "brief_copy": "briefs", "consent": "walls", "paywall": "walls"}
MEDIA = {"text/html": "html", "text/plain": "dump"}


def page_class(record: dict) -> str:
    return CLASSES.get(record["kind"], "articles")


def ours(records: list[dict]) -> tuple[dict[int, str], dict[int, str]]:
    """seq -> our published text ("" when rejected), seq -> the rejection reason."""
    texts, rejected = {}, {}
    for split in SPLITS:
        stage = CleanStage()  # one stream per split, in fetch order, as the dedup evaluation runs it
        for record in (r for r in records if r["split"] == split):
            raw = RawPage(url=record["url"], fetched_at=parse_time(record["fetched_at"]),
                          content_type=record["content_type"], body=record["page"])
            try:
                texts[record["seq"]] = stage.process(raw).text
            except PageRejected as error:
                texts[record["seq"]], rejected[record["seq"]] = "", error.reason.value
    return texts, rejected


def trafilatura_texts(records: list[dict], use_cache: bool, seed: int = SEED) -> dict[int, str]:
    import trafilatura

    drawn = "" if seed == SEED else f"-seed{seed}"  # (each draw's pages under their own key)
    cache = Cache("trafilatura-independent", trafilatura.__version__, f"{SET_NAME}-v{VERSION}{drawn}", use_cache)
    texts = {r["seq"]: cache.get(str(r["seq"]), lambda r=r: trafilatura.extract(
        r["page"], url=r["url"], include_comments=False) or "") for r in records if r["content_type"] == "text/html"}
    cache.save()
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worst", type=int, default=0, help="list the N worst TUNING pages of ours")
    parser.add_argument("--kinds", default="", help="comma-separated kinds the --worst listing is limited to")
    parser.add_argument("--no-cache", action="store_true", help="recompute trafilatura's outputs")
    parser.add_argument("--seed", type=int, default=SEED, help=f"the set drawn with this seed (default {SEED})")
    args = parser.parse_args()
    records = load(args.seed)
    texts, rejected = ours(records)
    anchor = trafilatura_texts(records, not args.no_cache, args.seed)
    scored: dict[str, dict[int, PageScore]] = {
        "ours": {r["seq"]: page_score(r["text"], texts[r["seq"]]) for r in records},
        "trafilatura": {r["seq"]: page_score(r["text"], anchor[r["seq"]]) for r in records if r["seq"] in anchor}}
    groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for record in records:
        for klass in (page_class(record), "all"):
            groups[(MEDIA[record["content_type"]], klass, record["split"])].append(record)
    print(f"cleaned text against its body, {len(records)} pages "
          f"({sum(r['split'] == TUNING for r in records)} tuning)")
    print("| input | class    | split    | extractor   | pages | F1    | P     | R     | rejected | R < 0.2 |")
    print("|-------|----------|----------|-------------|-------|-------|-------|-------|----------|---------|")
    for media in ("html", "dump"):
        for klass in ("articles", "briefs", "walls", "all"):
            for split in SPLITS:
                part = groups.get((media, klass, split), [])
                if not part:
                    continue
                for name in ("ours", "trafilatura") if media == "html" else ("ours",):
                    per_page = [scored[name][r["seq"]] for r in part]
                    f1, p, r = summarize(per_page)
                    lost = sum(recall(*s) < 0.2 for s in per_page)
                    refused = sum(r["seq"] in rejected for r in part) if name == "ours" else 0
                    print(f"| {media:<5} | {klass:<8} | {split:<8} | {name:<11} | {len(part):5d} | {f1:.3f} | "
                          f"{p:.3f} | {r:.3f} | {refused:8d} | {lost:7d} |")
    if args.worst:
        kinds = {k.strip() for k in args.kinds.split(",") if k.strip()}
        tuning = [r for r in records if r["split"] == TUNING and (not kinds or r["kind"] in kinds)]
        ranked = sorted(tuning, key=lambda r: precision(*scored["ours"][r["seq"]]) + recall(*scored["ours"][r["seq"]]))
        print(f"\nworst {args.worst} tuning pages of ours (P, R; trafilatura's P, R on HTML pages):")
        for record in ranked[:args.worst]:
            s = scored["ours"][record["seq"]]
            a = scored["trafilatura"].get(record["seq"])
            theirs = f"traf P={precision(*a):.2f} R={recall(*a):.2f}" if a else " " * 19
            reason = f" dlq={rejected[record['seq']]}" if record["seq"] in rejected else ""
            print(f"  #{record['seq']:<4} {record['kind']:<11} {MEDIA[record['content_type']]:<4} "
                  f"P={precision(*s):.2f} R={recall(*s):.2f} {theirs}{reason} {urlsplit(record['url']).netloc}")


if __name__ == "__main__":
    main()
