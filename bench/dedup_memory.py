"""Memory backend at scale: decisions per second and resident memory per indexed article.

The stream: N distinct articles written by a word-bigram Markov chain trained on the 181
benchmark bodies (so common word pairs are as common as in real news, which is what loads LSH
buckets), plus copies of some of them: recrawls (same URL), syndicated (same text), spun (every
sixth word swapped). Fetch times advance so that the whole stream sits in one 14-day window.

Measured separately:
- fingerprinting (tokens, shingles, MinHash, bands) per article, on a sample;
- index decisions on prepared fingerprints (only the index calls are timed), in batches
  (decide_many, as DedupStage.process_batch calls it) and one by one (decide);
- resident memory (VmRSS) of a fresh process after loading the prepared stream and after N
  decisions (the delta is the index), and the bytes held in the index's arrays;
- checkpoint cost: appending a batch to the log, and a full snapshot;
- for comparison, datasketch's MinHash (same shingles, num_perm) on the sample.

Run: .venv/bin/python bench/dedup_memory.py [--articles 100000] [--baseline COMMIT] [--runs 500,1,500c]
"""
from __future__ import annotations

import argparse
import importlib.util
import gc
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from worker.config import DedupSettings
from worker.dedup.fingerprint import Fingerprinter
from worker.dedup.shingles import bigrams, tokens, word_hashes
from worker.models import Article
from worker.state.base import Fingerprint
from worker.state.memory import MemoryIndex

GROUND_TRUTH = Path("/work/shared/benchmarks/article-extraction/ground-truth.json")
T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def markov_texts(count: int, words: int, seed: int) -> list[str]:
    """Distinct article texts from a word-bigram chain over the benchmark bodies, vectorized."""
    corpus = [tokens(page["articleBody"]) for page in json.loads(GROUND_TRUTH.read_text()).values()]
    vocabulary = sorted({w for text in corpus for w in text})
    index = {w: i for i, w in enumerate(vocabulary)}
    pairs = np.array([(index[a], index[b]) for text in corpus for a, b in zip(text, text[1:])], dtype=np.int64)
    pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
    starts = np.searchsorted(pairs[:, 0], np.arange(len(vocabulary) + 1))
    rng = np.random.default_rng(seed)
    state = rng.choice(pairs[:, 0], size=count)
    out = np.empty((count, words), dtype=np.int64)
    for step in range(words):
        out[:, step] = state
        begin, end = starts[state], starts[state + 1]
        dead = end == begin  # a word never followed by another: jump anywhere
        pick = begin + (rng.random(count) * np.maximum(end - begin, 1)).astype(np.int64)
        state = np.where(dead, rng.choice(pairs[:, 0], size=count), pairs[np.minimum(pick, len(pairs) - 1), 1])
    words_array = np.array(vocabulary, dtype=object)
    return [" ".join(words_array[row]) for row in out]


def spin(text: str) -> str:
    return " ".join(f"swapped{i}" if i % 6 == 0 else w for i, w in enumerate(text.split(" ")))


class PreparedStream:
    """Fingerprints of the stream kept in numpy arrays (compact, outside the index)."""

    def __init__(self, fps: list[Fingerprint]):
        self.ids = [fp.article_id for fp in fps]
        self.urls = [fp.url_key for fp in fps]
        self.hashes = [fp.content_hash for fp in fps]
        self.times = [fp.fetched_at for fp in fps]
        self.counts = [fp.shingle_count for fp in fps]
        self.signatures = [fp.signature for fp in fps]
        self.bands = [b"".join(fp.band_keys) for fp in fps]
        self.sites = [(fp.site_key, fp.title_key, fp.site, fp.title_words) for fp in fps]

    def __len__(self) -> int:
        return len(self.ids)

    def fingerprint(self, i: int) -> Fingerprint:
        bands = self.bands[i]
        site_key, title_key, site, title_words = self.sites[i]
        return Fingerprint(self.ids[i], self.urls[i], self.hashes[i], self.times[i], self.signatures[i],
                           tuple(bands[k:k + 8] for k in range(0, len(bands), 8)), self.counts[i],
                           site_key=site_key, title_key=title_key, site=site, title_words=title_words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--copies", type=float, default=0.2, help="share of the stream that are copies")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)  # internal: one measured run
    parser.add_argument("--batch", type=int, default=500, help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", metavar="COMMIT",
                        help="also run the memory backend as it was at this git commit, in the same run")
    parser.add_argument("--runs", default="500,1,500c",
                        help="the measured runs: batch sizes, 'c' for checkpoints every 500 decisions")
    args = parser.parse_args()
    if args.run:
        run_index(args.run, args.batch, args.checkpoint, args.baseline)
        return
    settings = DedupSettings()
    fingerprinter = Fingerprinter(settings)
    print(f"settings: num_perm={settings.num_perm} bands={settings.lsh_bands}x{settings.lsh_rows}; "
          f"{os.cpu_count()} cpus (shared machine)")

    started = time.perf_counter()
    originals = int(args.articles / (1 + args.copies))
    texts = markov_texts(originals, args.words, seed=7)
    print(f"generated {originals:,} distinct texts of {args.words} words in {time.perf_counter() - started:.1f}s")

    # Fingerprinting, on a sample.
    sample = [Article(article_id=f"s{i}", url=f"https://s.example/{i}", canonical_url="", fetched_at=T0, text=t)
              for i, t in enumerate(texts[:3000])]
    started = time.perf_counter()
    for a in sample:
        fingerprinter.fingerprint(a)
    per_fp = (time.perf_counter() - started) / len(sample)
    print(f"fingerprint: {per_fp * 1e6:.0f} us/article ({1 / per_fp:,.0f} articles/s per core), "
          f"{args.words} words")
    _datasketch_comparison(texts[:500], settings)

    # The stream: originals, with copies interleaved after their original.
    rng = np.random.default_rng(11)
    step = timedelta(days=13) / args.articles
    fps: list[Fingerprint] = []
    kinds = ["recrawl", "syndicated", "spun"]
    n_copies = args.articles - originals
    copy_of = np.sort(rng.choice(originals, size=n_copies, replace=True))
    c = 0
    for i, text in enumerate(texts):
        article = Article(article_id=f"a{i:07d}", url=f"https://site{i % 500}.example/news/{i}", canonical_url="",
                          fetched_at=T0 + step * len(fps), text=text)
        base = fingerprinter.fingerprint(article)
        fps.append(base)
        while c < n_copies and copy_of[c] == i:
            kind = kinds[c % 3]
            at = T0 + step * len(fps)
            if kind == "spun":
                copy = fingerprinter.fingerprint(replace(article, article_id=f"c{c:07d}", text=spin(text),
                                                         url=f"https://spin.example/{c}", fetched_at=at))
            else:
                copy = replace(base, article_id=f"c{c:07d}", fetched_at=at,
                               url_key=base.url_key if kind == "recrawl" else f"https://wire.example/{c}",
                               content_hash=base.content_hash if kind == "syndicated" else f"new{c}")
            fps.append(copy)
            c += 1
    stream = PreparedStream(fps)
    del fps, texts, sample
    print(f"stream: {len(stream):,} fingerprints ({n_copies:,} copies) prepared")
    work = Path(tempfile.mkdtemp(prefix="dedup-bench-"))
    try:
        with open(work / "stream.pickle", "wb") as handle:
            pickle.dump(stream, handle, protocol=pickle.HIGHEST_PROTOCOL)
        del stream
        # Each run in a fresh process: its RSS before the index exists is the stream alone.
        for run in args.runs.split(","):
            for baseline in ([args.baseline] if args.baseline else []) + [None]:
                command = [sys.executable, __file__, "--run", str(work), "--batch", run.rstrip("c")]
                if run.endswith("c"):
                    command.append("--checkpoint")
                if baseline:
                    command += ["--baseline", baseline]
                result = subprocess.run(command, check=True, capture_output=True, text=True)
                print(f"\n{'baseline ' + baseline if baseline else 'this tree'}:", result.stdout, end="")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_index(work: Path, batch: int, checkpoint: bool, baseline: str | None = None) -> None:
    """One measured run over the prepared stream, in this (fresh) process."""
    index_class = _baseline_index(baseline) if baseline else MemoryIndex
    with open(work / "stream.pickle", "rb") as handle:
        stream: PreparedStream = pickle.load(handle)
    settings = DedupSettings(state_dir=str(work / "state") if checkpoint else None)
    shutil.rmtree(work / "state", ignore_errors=True)
    calibration = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000
    gc.collect()
    rss_before = rss_bytes()
    index = index_class(settings)
    methods: dict[str | None, int] = {}
    checkpoint_seconds = elapsed = cpu = 0.0
    for start in range(0, len(stream), batch):
        fingerprints = [stream.fingerprint(i) for i in range(start, min(start + batch, len(stream)))]
        t, c = time.perf_counter(), time.process_time()
        decisions = index.decide_many(fingerprints) if batch > 1 else [index.decide(fingerprints[0])]
        if checkpoint and (start // batch) % max(1, 500 // batch) == 0:
            t_checkpoint = time.perf_counter()
            index.checkpoint()
            checkpoint_seconds += time.perf_counter() - t_checkpoint
        elapsed += time.perf_counter() - t
        cpu += time.process_time() - c
        for decision in decisions:
            methods[decision.method] = methods.get(decision.method, 0) + 1
    gc.collect()
    rss_delta = rss_bytes() - rss_before
    label = f"{'decide_many, batches of ' + str(batch) if batch > 1 else 'decide, one by one'}" + \
            (", checkpoint every 500" if checkpoint else "")
    print(f"\n[{label}] {len(stream):,} decisions in {elapsed:.2f}s wall: {len(stream) / elapsed:,.0f} decisions/s "
          f"({elapsed / len(stream) * 1e6:.1f} us each{f', checkpoints {checkpoint_seconds:.2f}s' if checkpoint else ''}); "
          f"{cpu:.2f}s CPU: {len(stream) / cpu:,.0f} decisions per CPU second; methods {methods}")
    print(f"  machine: sum(range(1000)) took {calibration * 1e6:.1f} us in this process (shared machine)")
    print(f"  index holds {index.size():,} articles: arrays {index.nbytes / index.size():.0f} B/article, "
          f"RSS delta {rss_delta / 2**20:.1f} MiB = {rss_delta / index.size():.0f} B/article")
    if checkpoint:
        t = time.perf_counter()
        index._snapshot()
        snapshot_seconds = time.perf_counter() - t
        size = (work / "state" / "dedup-memory.npz").stat().st_size
        t = time.perf_counter()
        restored = index_class(settings)
        restore_seconds = time.perf_counter() - t
        assert restored.size() == index.size()
        print(f"  full snapshot: {size / 2**20:.1f} MiB in {snapshot_seconds:.2f}s; restore {restore_seconds:.2f}s; "
              f"log append + fsync per 500 decisions: {checkpoint_seconds / (len(stream) / 500) * 1e3:.1f} ms")


def _baseline_index(commit: str):
    """MemoryIndex as it was at `commit` (worker/state/memory.py and memory_tables.py then), loaded
    beside this tree's under worker.state."""
    root = Path(__file__).resolve().parents[1]

    def load(name: str, path: str):
        source = subprocess.run(["git", "show", f"{commit}:{path}"], check=True, capture_output=True, text=True,
                                cwd=root).stdout
        spec = importlib.util.spec_from_loader(f"worker.state.{name}", loader=None)
        module = importlib.util.module_from_spec(spec)
        module.__package__ = "worker.state"
        sys.modules[spec.name] = module
        exec(compile(source, f"{commit}:{path}", "exec"), module.__dict__)
        return module

    load("memory_tables", "worker/state/memory_tables.py")
    index_class = load("_baseline_memory", "worker/state/memory.py").MemoryIndex
    return index_class


def _datasketch_comparison(texts: list[str], settings: DedupSettings) -> None:
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch not installed: no comparison")
        return
    fingerprinter = Fingerprinter(settings)
    shingle_sets = []
    for text in texts:
        words = tokens(text)
        shingle_sets.append([f"{a} {b}".encode() for a, b in zip(words, words[1:])])
    started = time.perf_counter()
    for shingles in shingle_sets:
        m = MinHash(num_perm=settings.num_perm)
        m.update_batch(shingles)
    theirs = (time.perf_counter() - started) / len(texts)
    started = time.perf_counter()
    for text in texts:
        fingerprinter.minhasher.minhash(fingerprinter.minhasher.shingles(bigrams(*word_hashes(text))[0]))
    ours = (time.perf_counter() - started) / len(texts)
    print(f"MinHash only, {settings.num_perm} values: datasketch {theirs * 1e6:.0f} us/article "
          f"(shingles given), ours {ours * 1e6:.0f} us/article (shingling included)")


if __name__ == "__main__":
    main()
