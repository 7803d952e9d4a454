"""Precision and recall of dedup per kind on the independent evaluation set, tuning and held-out apart.

The set (how its copies and hard negatives are made: bench/build_dedup_eval_independent.py) is
built on demand into bench/.cache. Each split is its own stream through a fresh memory index, in
fetch order, so no held-out page is ever compared with a tuning one.

Two inputs:
- text:  the body as a perfect cleaner returns it (dedup alone);
- pages: the page as published (HTML, or a naive scraper's text dump, in a real site's template)
         through worker.stages.clean.CleanStage first (cleaning + dedup, as the worker runs).
A copy counts as found when it is marked duplicate of its original; marked duplicate of anything
else it is a false positive and a miss. A negative marked duplicate is a false positive. Pages the
stage did not compare (dedup.reason) and pages cleaning rejected are counted per kind.

    .venv/bin/python bench/dedup_eval_independent.py [--input text|pages|both] [--split tuning|held-out|both]
                                                     [--misses] [--families N]

--misses lists the errors of the tuning part only, unless --split held-out is asked for explicitly
(look at held-out errors only to report them, never to tune).
"""
from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.build_dedup_eval_independent import COPY_KINDS, OUT  # noqa: E402
from bench.splits import HELD_OUT, TUNING  # noqa: E402
from worker.config import DedupSettings  # noqa: E402
from worker.dedup.fingerprint import Fingerprinter  # noqa: E402
from worker.errors import PageRejected  # noqa: E402
from worker.models import Article, RawPage, page_id, parse_time  # noqa: E402
from worker.metrics import Metrics  # noqa: E402
from worker.stages.clean import CleanStage  # noqa: E402
from worker.stages.dedup import DedupStage  # noqa: E402
from worker.state.memory import MemoryIndex  # noqa: E402

POSITIVE_KINDS = COPY_KINDS + ("spun_real", "brief_copy")


def load() -> list[dict]:
    if not OUT.exists():
        subprocess.run([sys.executable, str(Path(__file__).with_name("build_dedup_eval_independent.py"))], check=True)
    with gzip.open(OUT) as handle:
        return [orjson.loads(line) for line in handle]


def run(records: list[dict], mode: str, settings: DedupSettings, family: str | None = None) -> tuple[list, float]:
    metrics = Metrics()
    stage = DedupStage(MemoryIndex(settings), metrics, settings)
    if family is not None:
        stage.fingerprinter = Fingerprinter(settings, family)
    clean = CleanStage(metrics=metrics)
    outcomes = []
    started = time.perf_counter()
    for record in records:
        fetched_at = parse_time(record["fetched_at"])
        if mode == "text":
            article = Article(article_id=page_id(record["url"], fetched_at), url=record["url"],
                              canonical_url=record["url"], fetched_at=fetched_at, text=record["text"],
                              title=record["title"])
        else:
            page = RawPage(url=record["url"], fetched_at=fetched_at, content_type=record["content_type"],
                           body=record["page"])
            try:
                article = clean(page)
            except PageRejected as rejected:
                outcomes.append((record, None, rejected.reason.value))
                continue
        outcomes.append((record, stage(article).dedup, None))
    return outcomes, time.perf_counter() - started


def score(records: list[dict], outcomes: list, show: bool) -> dict[str, Counter]:
    ids = {r["seq"]: page_id(r["url"], parse_time(r["fetched_at"])) for r in records}
    by_id = {v: k for k, v in ids.items()}
    kinds: dict[str, Counter] = defaultdict(Counter)
    for record, decision, rejected in outcomes:
        kind = kinds[record["kind"]]
        kind["n"] += 1
        positive = record["expect"] == "duplicate"
        if positive:  # copies found, by how the copy was published (HTML page or text dump)
            media = "html" if record["content_type"] == "text/html" else "dump"
            kinds[f"copies as {media}"]["n"] += 1
            kinds[f"copies as {media}"]["found"] += bool(
                decision is not None and decision.is_duplicate and decision.duplicate_of == ids[record["original"]])
        if decision is None:
            kind["rejected"] += 1
            kind["fn"] += positive
            continue
        reason = getattr(decision, "reason", None)
        if reason:
            kind[f"not compared: {reason}"] += 1
        if decision.is_duplicate:
            correct = positive and decision.duplicate_of == ids[record["original"]]
            kind["tp" if correct else "fp"] += 1
            kind["fn"] += positive and not correct
            kind[decision.method] += 1
            if not correct and show:
                print(f"  FALSE POSITIVE {record['kind']} #{record['seq']} {record['url']} -> {decision.method} "
                      f"{decision.similarity} of #{by_id.get(decision.duplicate_of)} "
                      f"({next((r['kind'] for r in records if r['seq'] == by_id.get(decision.duplicate_of)), '?')})")
        elif positive:
            kind["fn"] += 1
            if show:
                print(f"  MISSED {record['kind']} #{record['seq']} {record['content_type']} {record['url']} "
                      f"(original #{record['original']}){' reason ' + reason if reason else ''}")
    return kinds


def report(kinds: dict[str, Counter], title: str) -> dict[str, float]:
    print(f"\n{title}")
    print(f"{'kind':12s} {'pages':>5s} {'marked dup':>10s} {'precision':>9s} {'recall':>7s} {'FP':>3s} {'miss':>4s}  "
          "methods / not compared / rejected by cleaning")
    totals: Counter = Counter()
    negatives_fp = negatives = 0
    for name in sorted((k for k in kinds if not k.startswith("copies as")), key=lambda k: (k not in POSITIVE_KINDS, k)):
        kind = kinds[name]
        totals.update({k: kind[k] for k in ("n", "tp", "fp", "fn")})
        if name not in POSITIVE_KINDS:
            negatives += kind["n"]
            negatives_fp += kind["fp"]
        marked = kind["tp"] + kind["fp"]
        expected = kind["tp"] + kind["fn"]
        detail = ", ".join(f"{k} {v}" for k, v in sorted(kind.items())
                           if k not in ("n", "tp", "fp", "fn") and v)
        print(f"{name:12s} {kind['n']:5d} {marked:10d} {_ratio(kind['tp'], marked):>9s} "
              f"{_ratio(kind['tp'], expected):>7s} {kind['fp']:3d} {kind['fn']:4d}  {detail}")
    by_media = [f"{name} {kinds[name]['found']}/{kinds[name]['n']}" for name in sorted(kinds)
                if name.startswith("copies as")]
    precision = totals["tp"] / max(1, totals["tp"] + totals["fp"])
    recall = totals["tp"] / max(1, totals["tp"] + totals["fn"])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{'ALL':12s} {totals['n']:5d} {totals['tp'] + totals['fp']:10d} {precision:9.4f} {recall:7.4f} "
          f"{totals['fp']:3d} {totals['fn']:4d}  duplicate F1 {f1:.4f}; false positives on negatives "
          f"{negatives_fp} of {negatives}")
    print("found: " + ", ".join(by_media))
    return {"f1": f1, "precision": precision, "recall": recall, "negative_fp": negatives_fp}


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.4f}" if denominator else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", choices=("text", "pages", "both"), default="both")
    parser.add_argument("--split", choices=(TUNING, HELD_OUT, "both"), default="both")
    parser.add_argument("--misses", action="store_true", help="list the errors (tuning part unless --split held-out)")
    parser.add_argument("--families", type=int, default=0,
                        help="also count errors under N other hash families (input text), per split")
    args = parser.parse_args()
    settings = DedupSettings.from_env(os.environ)
    print(f"settings: num_perm={settings.num_perm} bands={settings.lsh_bands}x{settings.lsh_rows} "
          f"min_shingles={settings.min_shingles} near_jaccard={settings.near_jaccard} "
          f"near_containment={settings.near_containment} containment_min_jaccard={settings.containment_min_jaccard}")
    records = load()
    splits = (TUNING, HELD_OUT) if args.split == "both" else (args.split,)
    for mode in (("text", "pages") if args.input == "both" else (args.input,)):
        for split in splits:
            part = [r for r in records if r["split"] == split]
            outcomes, seconds = run(part, mode, settings)
            show = args.misses and (split == TUNING or args.split == HELD_OUT)
            kinds = score(part, outcomes, show)
            report(kinds, f"input={mode} split={split}: {len(part)} pages in {seconds:.1f}s")
    for number in range(args.families):
        for split in splits:
            part = [r for r in records if r["split"] == split]
            outcomes, _ = run(part, "text", settings, family=f"evaluation-{number}")
            kinds = score(part, outcomes, False)
            errors = {name: (k["fp"], k["fn"]) for name, k in kinds.items() if k["fp"] or k["fn"]}
            print(f"hash family evaluation-{number}, input=text, split={split}: "
                  f"{sum(k['fp'] for k in kinds.values())} false positives, "
                  f"{sum(k['fn'] for k in kinds.values())} misses {errors or ''}")


if __name__ == "__main__":
    main()
