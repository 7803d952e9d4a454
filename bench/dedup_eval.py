"""Precision and recall of the dedup stage per kind of copy, on the labelled set built by
bench/build_dedup_eval.py (bench/data/dedup_eval.jsonl.gz).

Two inputs:
- text:  the article body as a perfect cleaner returns it (measures dedup alone);
- pages: the text/plain page with its site boilerplate, through worker.stages.clean.CleanStage
         first (measures cleaning + dedup, as the worker runs).
A copy counts as found when it is marked duplicate of its original; marked duplicate of another
article it is a false positive (and a miss). Thresholds come from the DEDUP_* environment
variables (worker/config/dedup.py), so a setting can be tried without editing code.

Run: .venv/bin/python bench/dedup_eval.py [--input text|pages|both] [--misses]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import orjson

from dedup_stream import Outcome, decide_stream
from worker.config import DedupSettings
from worker.models import Article, RawPage, page_id, parse_time

DATA = Path(__file__).resolve().parent / "data"
NEGATIVE_KINDS = ("original", "template", "same_story", "short")


def load() -> tuple[list[dict], dict[str, dict[str, str]]]:
    with gzip.open(DATA / "dedup_eval.jsonl.gz") as handle:
        records = [orjson.loads(line) for line in handle]
    templates = json.loads((DATA / "dedup_eval_templates.json").read_text())
    return records, templates


def page_body(record: dict, templates: dict[str, dict[str, str]]) -> str:
    template = templates.get(record["template"] or "", {"header": "", "footer": ""})
    return "\n\n".join(part for part in (template["header"], record["title"], record["text"], template["footer"]) if part)


def run(records: list[dict], templates: dict, mode: str, settings: DedupSettings,
        family: str | None = None) -> tuple[list[Outcome], float]:
    def to_input(record: dict) -> Article | RawPage:
        fetched_at = parse_time(record["fetched_at"])
        if mode == "text":
            return Article(article_id=page_id(record["url"], fetched_at), url=record["url"],
                           canonical_url=record["url"], fetched_at=fetched_at, text=record["text"],
                           title=record["title"])
        return RawPage(url=record["url"], fetched_at=fetched_at, content_type="text/plain",
                       body=page_body(record, templates))

    return decide_stream(records, to_input, settings, family)


def score(records: list[dict], outcomes: list, show_misses: bool) -> dict:
    ids = [page_id(r["url"], parse_time(r["fetched_at"])) for r in records]
    per_kind: dict[str, Counter] = defaultdict(Counter)
    similarity: dict[str, list[float]] = defaultdict(list)
    methods: dict[str, Counter] = defaultdict(Counter)
    for record, decision, _, _ in outcomes:
        kind = per_kind[record["kind"]]
        kind["n"] += 1
        expect_duplicate = record["expect"] == "duplicate"
        if decision is None:
            kind["rejected"] += 1
            kind["fn"] += expect_duplicate
            continue
        if decision.is_duplicate:
            methods[record["kind"]][decision.method] += 1
            similarity[record["kind"]].append(decision.similarity)
            correct = expect_duplicate and decision.duplicate_of == ids[record["original"]]
            kind["tp" if correct else "fp"] += 1
            kind["fn"] += expect_duplicate and not correct
            if not correct and show_misses:
                print(f"  FALSE POSITIVE {record['kind']} #{record['seq']} {record['url']} -> "
                      f"{decision.method} {decision.similarity} of #{ids.index(decision.duplicate_of)}")
        elif expect_duplicate:
            kind["fn"] += 1
            if show_misses:
                print(f"  MISSED {record['kind']} #{record['seq']} {record['url']} (original #{record['original']})")
    return {"per_kind": per_kind, "similarity": similarity, "methods": methods}


def report(result: dict, mode: str, seconds: float, n: int) -> float:
    print(f"\ninput={mode}: {n} pages in {seconds:.2f}s (clean+fingerprint+decide: {n / seconds:,.0f} pages/s)")
    print(f"{'kind':12s} {'pages':>5s} {'expect':>9s} {'marked dup':>10s} {'precision':>9s} {'recall':>7s} "
          f"{'FP':>3s} {'miss':>4s}  methods / similarity min-median")
    totals = Counter()
    for kind_name in sorted(result["per_kind"], key=lambda k: (k in NEGATIVE_KINDS, k)):
        kind = result["per_kind"][kind_name]
        totals.update(kind)
        marked = kind["tp"] + kind["fp"]
        expected_dups = kind["tp"] + kind["fn"]
        precision = kind["tp"] / marked if marked else float("nan")
        recall = kind["tp"] / expected_dups if expected_dups else float("nan")
        sims = result["similarity"].get(kind_name, [])
        detail = ", ".join(f"{m} {c}" for m, c in result["methods"][kind_name].most_common())
        if sims:
            detail += f" / {min(sims):.2f}-{statistics.median(sims):.2f}"
        if kind["rejected"]:
            detail += f" / rejected by cleaning {kind['rejected']}"
        print(f"{kind_name:12s} {kind['n']:5d} {'duplicate' if expected_dups else 'unique':>9s} {marked:10d} "
              f"{_fmt(precision):>9s} {_fmt(recall):>7s} {kind['fp']:3d} {kind['fn']:4d}  {detail}")
    precision = totals["tp"] / (totals["tp"] + totals["fp"])
    recall = totals["tp"] / (totals["tp"] + totals["fn"])
    f1 = 2 * precision * recall / (precision + recall)
    print(f"{'ALL':12s} {totals['n']:5d} {'':>9s} {totals['tp'] + totals['fp']:10d} {precision:9.4f} {recall:7.4f} "
          f"{totals['fp']:3d} {totals['fn']:4d}  duplicate F1 {f1:.4f}")
    return f1


def _fmt(value: float) -> str:
    return "-" if value != value else f"{value:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", choices=("text", "pages", "both"), default="both")
    parser.add_argument("--misses", action="store_true", help="list every false positive and missed copy")
    parser.add_argument("--families", type=int, default=0,
                        help="also count errors under N other random permutation families (input text)")
    args = parser.parse_args()
    settings = DedupSettings.from_env(os.environ)
    print(f"settings: num_perm={settings.num_perm} bands={settings.lsh_bands}x{settings.lsh_rows} "
          f"min_shingles={settings.min_shingles} near_jaccard={settings.near_jaccard} "
          f"near_containment={settings.near_containment} containment_min_shingles={settings.containment_min_shingles} "
          f"containment_min_jaccard={settings.containment_min_jaccard}")
    records, templates = load()
    for mode in (("text", "pages") if args.input == "both" else (args.input,)):
        outcomes, seconds = run(records, templates, mode, settings)
        report(score(records, outcomes, args.misses), mode, seconds, len(records))
    for number in range(args.families):
        outcomes, _ = run(records, templates, "text", settings, family=f"evaluation-{number}")
        per_kind = score(records, outcomes, False)["per_kind"]
        errors = {name: (kind["fp"], kind["fn"]) for name, kind in per_kind.items() if kind["fp"] or kind["fn"]}
        print(f"permutation family evaluation-{number}, input=text: "
              f"{sum(k['fp'] for k in per_kind.values())} false positives, "
              f"{sum(k['fn'] for k in per_kind.values())} misses {errors or ''}")


if __name__ == "__main__":
    main()
