"""Hot LSH bands: the cost of a decision when many indexed pages are candidates of each new one.

Pages of one auto-generated series (weather or stock reports per city or company, results, a
template's notices) share much of their wording: at Jaccard 0.15-0.25 two of them share one of
the 64 bands of 2 rows with probability 1-(1-J^2)^64 = 75-98%, yet stay below the near-duplicate
threshold, so all are kept as unique and every later page of the series
is a candidate of the earlier ones. This feeds N pages of such a series (an independent, simple
generator: a pool of template sentences, each page a random subset of them with its own place,
names and numbers) through the stage's own Fingerprinter and both backends (Redis: a redis-server
started here, as bench/dedup_redis.py does), and the same number of ordinary news-like pages
(bench/dedup_redis.py's stream: random Zipf texts with 30% copies) for comparison, and reports:
- the pairwise Jaccard of the series (the LSH bands' bigrams: every word bigram but those of two
  function words; and all word bigrams, what the signature sees), on sampled pairs;
- candidates per decision: the indexed pages sharing a band key with a page (computed here from
  the band keys, independently of the backends), sampled in the last quarter of the stream, and
  how many of them a decision verifies under DedupSettings.max_near_candidates;
- decisions/s in batches (decide_many, as the stage calls it), per quarter of the stream, and the
  CPU time (memory: this process; redis: the server's used_cpu_user + sys);
- the slowest decision: memory, the slowest batch per page in it; redis, the slowest decide script
  inside the server (SLOWLOG), which blocks every replica while it runs;
- whether both backends took the same decisions;
- redis: how many batches took longer than the worker's default socket timeout (the bench's own
  client waits longer, to measure them).
A run stops after --budget seconds per backend (the decisions so far are reported).

    .venv/bin/python bench/dedup_hot_bands.py --sizes 1000,5000,20000
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_redis import fingerprints as news_fingerprints, start_server  # noqa: E402

from worker.config import DedupSettings  # noqa: E402
from worker.config.redis import RedisSettings  # noqa: E402
from worker.dedup.fingerprint import Fingerprinter  # noqa: E402
from worker.dedup.shingles import bigrams, tokenize, word_hashes  # noqa: E402
from worker.models import Article, page_id  # noqa: E402
from worker.state import Fingerprint, MemoryIndex  # noqa: E402
from worker.state.redis import RedisIndex  # noqa: E402

START = datetime(2026, 12, 1, tzinfo=timezone.utc)

# The series' template: POOL sentences of 10-16 words from a small vocabulary (a template's
# wording), each with one or two slots for the page's own values; a page takes PER_PAGE of them.
POOL = 240
PER_PAGE = 84
SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vo", "dun", "pel", "sar", "qui", "bor", "fen", "hal", "nor", "tri"]
GLUE = ["the", "of", "in", "and", "to", "for", "with", "on", "at", "by", "from", "is", "was", "will", "be"]


def _word(rng: np.random.Generator) -> str:
    return "".join(rng.choice(SYLLABLES, int(rng.integers(2, 4))))


def series_texts(count: int, seed: int) -> list[str]:
    """Pages of one series: each a random subset of the template's sentences, in the template's
    order, with its own place and numbers in the slots and a line naming it."""
    rng = np.random.default_rng(seed)
    vocabulary = sorted({_word(rng) for _ in range(400)})
    pool = []
    for _ in range(POOL):
        words = [str(w) for w in rng.choice(vocabulary, int(rng.integers(10, 17)))]
        for position in sorted(rng.choice(len(words), 3, replace=False))[::-1]:
            words.insert(int(position), str(rng.choice(GLUE)))
        slots = sorted(rng.choice(range(1, len(words)), int(rng.integers(1, 3)), replace=False))
        pool.append((words, slots))
    texts = []
    for _ in range(count):
        place = f"{_word(rng).capitalize()} {_word(rng).capitalize()}"
        chosen = sorted(rng.choice(POOL, PER_PAGE, replace=False))
        sentences = [f"Report for {place}, edition {int(rng.integers(1, 10_000))}."]
        for n in chosen:
            words, slots = pool[n]
            words = list(words)
            for slot in slots[::-1]:
                words.insert(slot, str(rng.choice([place.split()[0], str(int(rng.integers(0, 1000))),
                                                   f"{int(rng.integers(0, 100))}.{int(rng.integers(0, 10))}"])))
            sentences.append(" ".join(words).capitalize() + ".")
        texts.append("\n".join(" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)))
    return texts


def series_fingerprints(count: int, seed: int, settings: DedupSettings) -> tuple[list[Fingerprint], list[str]]:
    fingerprinter = Fingerprinter(settings)
    texts = series_texts(count, seed)
    pages = []
    for n, text in enumerate(texts):
        address = f"https://weather.example.com/reports/{seed}/{n}"
        fetched_at = START + timedelta(seconds=n)
        article = Article(article_id=page_id(address, fetched_at), url=address, canonical_url=address,
                          fetched_at=fetched_at, text=text)
        pages.append(fingerprinter.fingerprint(article))
    return pages, texts


def jaccards(texts: list[str], pairs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Jaccard of sampled pairs: on the LSH bands' bigrams and on all word bigrams (the signature)."""
    sets = []
    for text in texts[:500]:
        all_pairs, lsh_pairs = bigrams(*word_hashes(tokenize(text)))
        sets.append((set(lsh_pairs.tolist()), set(all_pairs.tolist())))
    lsh, words = [], []
    for _ in range(pairs):
        a, b = rng.choice(len(sets), 2, replace=False)
        for result, (x, y) in ((lsh, (sets[a][0], sets[b][0])), (words, (sets[a][1], sets[b][1]))):
            result.append(len(x & y) / len(x | y))
    return np.array(lsh), np.array(words)


def candidates_per_decision(pages: list[Fingerprint], indexed: list[bool], samples: int) -> np.ndarray:
    """For pages of the last quarter, the indexed pages before each sharing a 32-bit band key
    (the low half of the 8-byte key: what both backends look up)."""
    signed = [i for i, fp in enumerate(pages) if fp.signature]
    bands = np.array([np.frombuffer(b"".join(pages[i].band_keys), "<u4")[::2] for i in signed])
    position = {page: row for row, page in enumerate(signed)}
    kept = np.array([indexed[i] for i in signed])
    last = [i for i in signed if i >= len(pages) * 3 // 4]
    chosen = np.linspace(0, len(last) - 1, min(samples, len(last))).astype(int) if last else []
    counts = []
    for k in chosen:
        row = position[last[k]]
        shared = np.isin(bands[:row], bands[row]).any(axis=1) & kept[:row]
        counts.append(int(shared.sum()))
    return np.array(counts)


def run(label: str, index, pages: list[Fingerprint], batch: int, budget: float, client: redis.Redis | None):
    decisions = []
    quarter = max(1, len(pages) // 4)
    rates, slowest_batch, over_timeout = [], 0.0, 0
    cpu0 = time.process_time()
    server_cpu0 = _server_cpu(client) if client else 0.0
    if client is not None:
        client.config_set("slowlog-log-slower-than", 0)
        client.config_set("slowlog-max-len", 1_000_000)
        client.slowlog_reset()
    started = lap = time.perf_counter()
    lap_start = 0
    stopped = False
    for offset in range(0, len(pages), batch):
        chunk = pages[offset:offset + batch]
        t = time.perf_counter()
        decisions += index.decide_many(chunk)
        now = time.perf_counter()
        slowest_batch = max(slowest_batch, (now - t) / len(chunk))
        over_timeout += now - t > RedisSettings().socket_timeout_seconds
        if len(decisions) - lap_start >= quarter or len(decisions) == len(pages):
            rates.append((len(decisions), (len(decisions) - lap_start) / (now - lap)))
            lap, lap_start = now, len(decisions)
        if now - started > budget and len(decisions) < len(pages):
            stopped = True
            rates.append((len(decisions), (len(decisions) - lap_start) / (now - lap)) if len(decisions) > lap_start
                         else (len(decisions), float("nan")))
            break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    slowest = slowest_batch
    slowest_what = "slowest batch, per page"
    if client is not None:
        cpu = _server_cpu(client) - server_cpu0
        entries = client.slowlog_get(1_000_000)
        durations = [e["duration"] for e in entries if bytes(e.get("command", b"")).upper().startswith(b"EVALSHA")]
        slowest = max(durations) / 1e6 if durations else float("nan")
        slowest_what = "slowest decide script in Redis"
    methods = Counter(d.method or "unique" for d in decisions)
    quarters = ", ".join(f"{n:,}: {r:,.0f}/s" for n, r in rates)
    print(f"  {label:<7} {len(decisions):>6,} decided{' (budget reached)' if stopped else ''} in {elapsed:6.1f}s "
          f"= {len(decisions) / elapsed:7,.0f} decisions/s; {'server ' if client else ''}CPU {cpu:6.1f}s; "
          f"{slowest_what} {slowest * 1000:,.1f} ms; {dict(methods)}")
    print(f"          by quarter (pages decided: rate): {quarters}")
    if client is not None:
        print(f"          batches longer than the default REDIS_SOCKET_TIMEOUT_SECONDS "
              f"({RedisSettings().socket_timeout_seconds:g} s, the worker then pauses and retries): {over_timeout}")
    return decisions


def _server_cpu(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,20000", help="stream lengths N")
    parser.add_argument("--batch", type=int, default=100, help="pages per decide_many call")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per backend and stream before stopping")
    parser.add_argument("--backends", default="memory,redis")
    parser.add_argument("--kinds", default="series,news")
    parser.add_argument("--samples", type=int, default=100, help="pages sampled for the candidate counts")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    server = url = workdir = None
    if "redis" in backends:
        server, url, workdir = start_server(appendonly=False)
    try:
        settings = DedupSettings(backend="redis", redis_url=url) if url else DedupSettings()
        print(f"num_perm={settings.num_perm}, {settings.lsh_bands} bands of {settings.lsh_rows} rows, "
              f"near_jaccard={settings.near_jaccard}, max_near_candidates="
              f"{getattr(settings, 'max_near_candidates', 'none')}, batches of {args.batch}, budget {args.budget:.0f}s")
        series_pages, texts = series_fingerprints(max(sizes), seed=7, settings=settings)
        lsh, words = jaccards(texts, 2000, np.random.default_rng(3))
        print(f"series: Jaccard of {len(lsh)} sampled pairs: the bands' bigrams mean {lsh.mean():.3f} "
              f"(p5 {np.percentile(lsh, 5):.3f}, p95 {np.percentile(lsh, 95):.3f}, max {lsh.max():.3f}); "
              f"word bigrams mean {words.mean():.3f} (max {words.max():.3f}); "
              f"P(share a band) at the mean {1 - (1 - lsh.mean() ** 2) ** settings.lsh_bands:.2f}")
        news_pages = news_fingerprints(max(sizes), seed=1, settings=settings) if "news" in args.kinds else []
        cap = getattr(settings, "max_near_candidates", None)
        for kind, all_pages in (("series", series_pages), ("news", news_pages)):
            if kind not in args.kinds:
                continue
            for size in sizes:
                pages = all_pages[:size]
                print(f"\n[{kind}, N={size:,}]")
                results = {}
                for backend in backends:
                    if backend == "memory":
                        results[backend] = run(backend, MemoryIndex(DedupSettings()), pages, args.batch, args.budget,
                                               None)
                    else:
                        client = redis.Redis.from_url(url)
                        client.flushall()
                        # A long socket timeout, to measure slow batches rather than fail on them.
                        index = RedisIndex(settings, RedisSettings(prefix=f"hot:{time.time_ns()}:",
                                                                   socket_timeout_seconds=600.0))
                        results[backend] = run(backend, index, pages, args.batch, args.budget, client)
                        index.close()
                first = next(iter(results.values()))
                decided = min(len(d) for d in results.values())
                if len(results) == 2:
                    same = sum(a == b for a, b in zip(*(d[:decided] for d in results.values())))
                    print(f"  same decisions in both backends: {same:,} of {decided:,}")
                indexed = [d.method is None for d in first[:decided]] + [False] * (len(pages) - decided)
                counts = candidates_per_decision(pages[:decided], indexed[:decided], args.samples)
                if len(counts):
                    verified = np.minimum(counts, cap) if cap else counts
                    print(f"  candidates per decision in the last quarter ({len(counts)} sampled): mean "
                          f"{counts.mean():,.0f}, max {counts.max():,}; verified at most {verified.mean():,.0f} "
                          f"(mean)")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
            workdir.cleanup()


if __name__ == "__main__":
    main()
