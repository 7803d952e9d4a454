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

With input pages, every run also scores the anchor on the same pages in the same order, through the
same tables: the naive glue of bench/naive_glue.py (trafilatura fast mode on HTML, text dumps as
they are, datasketch MinHashLSH at Jaccard 0.8 over word 5-grams, a duplicate of the first key LSH
returns; a page with no text rejected). The summed tables print ours, then "anchor naive glue".

    .venv/bin/python bench/dedup_eval_independent.py [--input text|pages|both] [--split tuning|held-out|both]
                                                     [--misses] [--families N] [--seed N | --seeds 1,2,3,4]

--seed N scores the set drawn with another seed (bench/build_dedup_eval_independent.py --seed, built
when missing); the split is the same for every seed. --seeds scores each seed listed (its own
report, as --seed) and then every kind summed over them, tuning and held-out apart: one seed's
dozen copies of a kind cannot tell a one-off miss from a class.

--families N runs each input again under N other MinHash permutation families and counts the
errors per kind: a figure that holds in one family only is luck.

--misses lists the errors of the tuning part only, unless --split held-out is asked for explicitly
(look at held-out errors only to report them, never to tune). With input pages, each error says
where it comes from: the pair (the page and its original, or the page it was wrongly matched
with) decided on the bodies a perfect cleaner returns ("bodies: near 0.61", "same text" or "not a
duplicate") and on the cleaned texts, and how much of each page's cleaned text is its body (bench/
metric.py's precision P and recall R); "cause cleaning" when the bodies alone are decided right,
"cause dedup" when not, "cause cascade" for a copy matched with another copy of its original (the
original was missed before). A count of each closes the list.
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
from types import SimpleNamespace

import orjson
import trafilatura
from datasketch import MinHash, MinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.build_dedup_eval_independent import COPY_KINDS, SEED, out_path  # noqa: E402
from bench.dedup_stream import decide_stream  # noqa: E402
from bench.metric import page_score, precision, recall  # noqa: E402
from bench.naive_glue import NUM_PERM, THRESHOLD, shingles  # noqa: E402
from bench.splits import HELD_OUT, TUNING  # noqa: E402
from worker.config import DedupSettings  # noqa: E402
from worker.dedup.fingerprint import Fingerprinter  # noqa: E402
from worker.dedup.similarity import NearThresholds, matches, near_similarity  # noqa: E402
from worker.models import Article, RawPage, page_id, parse_time  # noqa: E402

POSITIVE_KINDS = COPY_KINDS + ("spun_real", "brief_copy")


def load(seed: int = SEED) -> list[dict]:
    path = out_path(seed)
    if not path.exists():
        subprocess.run([sys.executable, str(Path(__file__).with_name("build_dedup_eval_independent.py")),
                        "--seed", str(seed)], check=True)
    with gzip.open(path) as handle:
        return [orjson.loads(line) for line in handle]


def run(records: list[dict], mode: str, settings: DedupSettings, family: str | None = None) -> tuple[list, float]:
    def to_input(record: dict) -> Article | RawPage:
        fetched_at = parse_time(record["fetched_at"])
        if mode == "text":
            return Article(article_id=page_id(record["url"], fetched_at), url=record["url"],
                           canonical_url=record["url"], fetched_at=fetched_at, text=record["text"],
                           title=record["title"])
        return RawPage(url=record["url"], fetched_at=fetched_at, content_type=record["content_type"],
                       body=record["page"])

    return decide_stream(records, to_input, settings, family)


def run_glue(records: list[dict]) -> tuple[list, float]:
    """The anchor: bench/naive_glue.py's decisions over the same pages in the same order, as outcomes
    score() reads. Like the glue: trafilatura fast mode on HTML, text dumps as they are, a page with
    no text its only rejection, a duplicate of the first key LSH returns (only uniques are inserted),
    no URL or exact-text step."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    inserted: dict[str, tuple[str, MinHash]] = {}  # LSH key -> (page id, signature)
    outcomes = []
    started = time.perf_counter()
    for record in records:
        if record["content_type"].startswith("text/plain"):
            text = record["page"]
        else:
            text = trafilatura.extract(record["page"], url=record["url"], fast=True, favor_precision=False,
                                       include_comments=False)
        if not text or not text.strip():
            outcomes.append((record, None, "no_content", None))
            continue
        signature = MinHash(num_perm=NUM_PERM)
        signature.update_batch(shingles(text))
        candidates = lsh.query(signature)
        if candidates:
            original_id, original = inserted[candidates[0]]
            decision = SimpleNamespace(is_duplicate=True, duplicate_of=original_id, method="minhash_lsh",
                                       similarity=round(signature.jaccard(original), 2), reason=None)
        else:
            key = f"a{len(inserted)}"
            lsh.insert(key, signature)
            inserted[key] = (page_id(record["url"], parse_time(record["fetched_at"])), signature)
            decision = SimpleNamespace(is_duplicate=False, duplicate_of=None, method=None, similarity=None,
                                       reason=None)
        outcomes.append((record, decision, None, None))
    return outcomes, time.perf_counter() - started


def score(records: list[dict], outcomes: list, show: bool, causes: Causes | None = None) -> dict[str, Counter]:
    ids = {r["seq"]: page_id(r["url"], parse_time(r["fetched_at"])) for r in records}
    by_id = {v: k for k, v in ids.items()}
    kinds: dict[str, Counter] = defaultdict(Counter)
    for record, decision, rejected, _ in outcomes:
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
            if positive and show:
                print(f"  MISSED {record['kind']} #{record['seq']} {record['content_type']} {record['url']} "
                      f"(original #{record['original']}) rejected by cleaning: {rejected}")
                if causes is not None:
                    causes.rejected()
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
                if causes is not None:
                    causes.explain(record["seq"], by_id.get(decision.duplicate_of), should_match=False)
        elif positive:
            kind["fn"] += 1
            if show:
                print(f"  MISSED {record['kind']} #{record['seq']} {record['content_type']} {record['url']} "
                      f"(original #{record['original']}){' reason ' + reason if reason else ''}")
                if causes is not None:
                    causes.explain(record["seq"], record["original"], should_match=True)
    if causes is not None and show:
        causes.close()
    return kinds


class Causes:
    """Where the errors of a run with input pages come from (see --misses above)."""

    def __init__(self, records: list[dict], outcomes: list, settings: DedupSettings):
        self.records = {r["seq"]: r for r in records}
        self.cleaned = {record["seq"]: article for record, _, _, article in outcomes}
        self.fingerprinter = Fingerprinter(settings)
        self.thresholds = NearThresholds.from_settings(settings)
        self.num_perm = settings.num_perm
        self.count: Counter = Counter()

    def explain(self, seq: int, other: int | None, should_match: bool) -> None:
        if other is None or other not in self.records:
            return
        on_bodies = self._pair(self._body(seq), self._body(other))
        cleaned = self._pair(self.cleaned.get(seq), self.cleaned.get(other))
        if not should_match and self._cluster(seq) == self._cluster(other):
            cause = "cascade"  # matched with another copy of its original: that original was missed
        else:
            cause = "cleaning" if (on_bodies is not None) == should_match else "dedup"
        self.count[cause] += 1
        print(f"      bodies: {_said(on_bodies)}; cleaned: {_said(cleaned)}; "
              f"#{seq} {self._quality(seq)}, #{other} {self._quality(other)}; cause {cause}")

    def rejected(self) -> None:
        """A copy that cleaning rejected: its cause is cleaning."""
        self.count["cleaning"] += 1

    def close(self) -> None:
        print(f"  causes: cleaning {self.count['cleaning']}, dedup {self.count['dedup']}, "
              f"cascade {self.count['cascade']}")

    def _cluster(self, seq: int) -> int:
        record = self.records[seq]
        return record["original"] if record["expect"] == "duplicate" else seq

    def _body(self, seq: int) -> Article:
        record = self.records[seq]
        return Article(article_id=f"body-{seq}", url=record["url"], canonical_url=record["url"],
                       fetched_at=parse_time(record["fetched_at"]), text=record["text"], title=record["title"])

    def _pair(self, a: Article | None, b: Article | None) -> float | None:
        """The pair's similarity as dedup decides it alone (1.0 exact), None when not a duplicate."""
        if a is None or b is None:
            return None
        fa, fb = self.fingerprinter.fingerprint(a), self.fingerprinter.fingerprint(b)
        if fa.not_compared or fb.not_compared:
            return None
        if fa.content_hash == fb.content_hash:
            return EXACT
        if not fa.signature or not fb.signature:
            return None
        return near_similarity(matches(fa.signature, fb.signature), self.num_perm, fa.shingle_count,
                               fb.shingle_count, self.thresholds)

    def _quality(self, seq: int) -> str:
        article = self.cleaned.get(seq)
        if article is None:
            return "rejected"
        score = page_score(self.records[seq]["text"], article.text)
        return f"P {precision(*score):.2f} R {recall(*score):.2f}"


EXACT = 2.0  # (a similarity no near pair has)


def _said(similarity: float | None) -> str:
    if similarity is None:
        return "not a duplicate"
    return "same text" if similarity == EXACT else f"near {similarity:.2f}"


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
                        help="also count errors under N other hash families, per input and split")
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, default=SEED, help=f"score the set drawn with this seed (default {SEED})")
    seeds.add_argument("--seeds", type=lambda text: [int(seed) for seed in text.split(",")],
                       help="score each of these seeds (comma-separated), then every kind summed over them")
    args = parser.parse_args()
    settings = DedupSettings.from_env(os.environ)
    print(f"settings: num_perm={settings.num_perm} bands={settings.lsh_bands}x{settings.lsh_rows} "
          f"min_shingles={settings.min_shingles} near_jaccard={settings.near_jaccard} "
          f"near_containment={settings.near_containment} containment_min_jaccard={settings.containment_min_jaccard}")
    splits = (TUNING, HELD_OUT) if args.split == "both" else (args.split,)
    modes = ("text", "pages") if args.input == "both" else (args.input,)
    seeds = args.seeds or [args.seed]
    summed: dict[tuple[str, str], dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for seed in seeds:
        records = load(seed)
        for mode in modes:
            for split in splits:
                part = [r for r in records if r["split"] == split]
                outcomes, seconds = run(part, mode, settings)
                show = args.misses and (split == TUNING or args.split == HELD_OUT)
                causes = Causes(part, outcomes, settings) if show and mode == "pages" else None
                kinds = score(part, outcomes, show, causes)
                report(kinds, f"seed={seed} input={mode} split={split}: {len(part)} pages in {seconds:.1f}s")
                for name, counts in kinds.items():
                    summed[mode, split][name].update(counts)
                if mode == "pages":
                    outcomes, seconds = run_glue(part)
                    kinds = score(part, outcomes, False)
                    report(kinds, f"seed={seed} anchor naive glue, input={mode} split={split}: "
                                  f"{len(part)} pages in {seconds:.1f}s")
                    for name, counts in kinds.items():
                        summed["anchor naive glue", split][name].update(counts)
        # The default family's figures are one draw: under other permutations a pair near a threshold
        # falls on the other side (with input pages, pairs of one template's leftovers often are).
        for mode in modes:
            for number in range(args.families):
                for split in splits:
                    part = [r for r in records if r["split"] == split]
                    outcomes, _ = run(part, mode, settings, family=f"evaluation-{number}")
                    kinds = score(part, outcomes, False)
                    errors = {name: (k["fp"], k["fn"]) for name, k in kinds.items() if k["fp"] or k["fn"]}
                    negatives = sum(k["fp"] for name, k in kinds.items()
                                    if name not in POSITIVE_KINDS and not name.startswith("copies as"))
                    print(f"seed={seed} hash family evaluation-{number}, input={mode}, split={split}: "
                          f"{sum(k['fp'] for k in kinds.values())} false positives ({negatives} on negatives), "
                          f"{sum(k['fn'] for k in kinds.values())} misses {errors or ''}")
    if len(seeds) > 1:
        for (mode, split), kinds in summed.items():
            if mode == "anchor naive glue":
                continue
            report(kinds, f"summed over seeds {','.join(map(str, seeds))}: input={mode} split={split}")
            if mode == "pages" and ("anchor naive glue", split) in summed:
                report(summed["anchor naive glue", split],
                       f"summed over seeds {','.join(map(str, seeds))}: anchor naive glue, input=pages split={split}")


if __name__ == "__main__":
    main()
