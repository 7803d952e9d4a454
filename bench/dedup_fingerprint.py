"""Per-page fingerprint time (tokens, shingles, MinHash, LSH bands) now and at a baseline commit,
in one run, passes interleaved so that the load of a shared machine falls on both alike; CPU time
of this process (time.process_time), which waiting for a busy core does not inflate.

Texts: the bodies of the shared article-extraction and readability sets (what cleaning returns for a
text page). The baseline's worker/dedup/{shingles,minhash,fingerprint}.py are read from git at
--baseline and imported beside the current ones. rensa (PyPI, Rust) is timed too when installed, on
the same word bigrams built as strings (what it needs as input), for scale.

    .venv/bin/python bench/dedup_fingerprint.py [--baseline REV] [--repeat 5] [--shared PATH]
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from worker.config import DedupSettings  # noqa: E402
from worker.dedup.fingerprint import Fingerprinter  # noqa: E402
from worker.models import Article  # noqa: E402

FILES = ("shingles", "minhash", "comparable", "fingerprint")


def load_baseline(revision: str):
    """The Fingerprinter class of worker/dedup at a git revision, as package baseline_dedup."""
    directory = Path(tempfile.mkdtemp(prefix="fingerprint-baseline-")) / "baseline_dedup"
    directory.mkdir()
    (directory / "__init__.py").write_text("")
    for name in FILES:
        source = subprocess.run(["git", "show", f"{revision}:worker/dedup/{name}.py"], cwd=REPO, check=True,
                                capture_output=True, text=True).stdout
        for old, new in (("from ..", "from worker."), ("from .urls", "from worker.dedup.urls")):
            source = source.replace(old, new)
        (directory / f"{name}.py").write_text(source)
    sys.path.insert(0, str(directory.parent))
    return importlib.import_module("baseline_dedup.fingerprint").Fingerprinter


def texts(shared: Path) -> list[str]:
    bodies = []
    for set_name in ("article-extraction", "readability-pages"):
        truth = json.loads((shared / "benchmarks" / set_name / "ground-truth.json").read_text())
        bodies += [item["articleBody"] for _, item in sorted(truth.items()) if item["articleBody"]]
    return bodies


def time_per_page(fingerprint, articles: list[Article]) -> float:
    started = time.process_time()
    for article in articles:
        fingerprint(article)
    return (time.process_time() - started) / len(articles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="a90070c", help="git revision of the old fingerprinting")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("SHARED_DATA", "/work/shared")))
    args = parser.parse_args()
    at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    articles = [Article(article_id=str(i), url=f"https://a.example/{i}", canonical_url="", fetched_at=at, text=text)
                for i, text in enumerate(texts(args.shared))]
    settings = DedupSettings()
    contenders = {"baseline " + args.baseline: load_baseline(args.baseline)(settings).fingerprint,
                  "current": Fingerprinter(settings).fingerprint}
    try:
        import rensa

        from worker.dedup.shingles import tokens

        def rensa_minhash(article: Article) -> None:
            words = tokens(article.text)
            hasher = rensa.RMinHash(num_perm=settings.num_perm, seed=42)
            hasher.update([f"{a} {b}" for a, b in zip(words, words[1:])])
            hasher.digest()
        contenders["rensa RMinHash (our tokens, bigram strings)"] = rensa_minhash
    except ImportError:
        pass
    for fingerprint in contenders.values():  # warm-up: tables, caches, first-call costs
        time_per_page(fingerprint, articles[:20])
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeat):
        for name, fingerprint in contenders.items():
            times[name].append(time_per_page(fingerprint, articles))
    words = statistics.mean(len(a.text.split()) for a in articles)
    print(f"{len(articles)} texts ({words:.0f} words on average), {args.repeat} interleaved passes, "
          f"num_perm={settings.num_perm}, bands={settings.lsh_bands}x{settings.lsh_rows}")
    base = min(times[next(iter(times))])
    steps = _steps(articles, settings)
    for name, values in times.items():
        best = min(values)
        print(f"  {name:48s} {best * 1e6:8.0f} us/page (best pass; median {statistics.median(values) * 1e6:.0f})"
              f"  {base / best:5.1f}x the baseline")
    print("current, per step: " + ", ".join(f"{name} {seconds * 1e6:.0f} us" for name, seconds in steps.items()))


def _steps(articles: list[Article], settings: DedupSettings) -> dict[str, float]:
    """Where the current fingerprint's time goes, step by step (each step timed over all texts)."""
    from worker.dedup.comparable import not_comparable
    from worker.dedup.shingles import bigrams, tokenize, word_hashes

    fingerprinter = Fingerprinter(settings)
    minhasher = fingerprinter.minhasher
    texts = [a.text for a in articles]
    steps: dict[str, float] = {}

    def step(name, function, inputs):
        started = time.process_time()
        outputs = [function(x) for x in inputs]
        steps[name] = (time.process_time() - started) / len(articles)
        return outputs
    spans = step("tokenize", tokenize, texts)
    hashed = step("word hashes", word_hashes, spans)
    step("comparable?", lambda sh: not_comparable(sh[0], sh[1][0], settings), list(zip(spans, hashed)))
    pairs = step("bigrams", lambda h: bigrams(*h), hashed)
    shingles = step("shingle set", lambda p: minhasher.shingles(p[0]), pairs)
    step("signature", lambda s: minhasher.signature(minhasher.minhash(s)) if len(s) else b"", shingles)
    step("bands", lambda p: minhasher.band_keys(minhasher.lsh_shingles(p[1])), pairs)
    step("content hash", lambda a: a.content_hash, articles)
    return steps


if __name__ == "__main__":
    main()
