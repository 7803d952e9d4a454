"""Redis dedup backend: decisions per second from one worker process, and Redis memory per article.

Starts its own redis-server (Debian package) on a free port unless --url is given, decides a stream
of synthetic English-like articles (10% exact copies, 10% recrawls, 10% near copies) fingerprinted
by the dedup stage's code, and reports:
- decisions/s one by one (decide(): one EVALSHA round trip per page), and in batches
  (decide_many(): a pipeline of scripts, what DedupStage.process_batch uses), per quarter of the
  run (the rate falls when the index grows if LSH brings random candidates to verify);
- whether every decision is the memory backend's on the same stream;
- Redis memory per article: INFO used_memory before and after, divided by the articles stored, and
  MEMORY USAGE of the keys of each kind (the letter after the prefix: worker/state/redis.py;
  sampled, an estimate).
To compare with an older commit, run this script in a worktree of it (`git worktree add DIR REV`)
right after this tree's run: the backend's files (redis.py, the Lua script, rules.py) only work as
a set, so one of them cannot be loaded from history beside the others.

    .venv/bin/python bench/dedup_redis.py --articles 100000
"""
from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worker.config import DedupSettings  # noqa: E402
from worker.config.redis import RedisSettings  # noqa: E402
from worker.dedup.fingerprint import Fingerprinter  # noqa: E402
from worker.dedup.shingles import FUNCTION_WORDS  # noqa: E402
from worker.models import Article, page_id  # noqa: E402
from worker.state import Fingerprint, MemoryIndex  # noqa: E402
from worker.state.redis import RedisIndex  # noqa: E402


def start_server(appendonly: bool) -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server), or pass --url")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tempfile.TemporaryDirectory(prefix="bench-redis-")
    persistence = ["--appendonly", "yes", "--appendfsync", "everysec"] if appendonly else ["--appendonly", "no"]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir.name,
                                *persistence], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(500):
        try:
            if redis.Redis.from_url(url).ping():
                return process, url, workdir
        except redis.ConnectionError:
            time.sleep(0.01)
    process.kill()
    sys.exit("redis-server did not start")


# English-like text: function words at their usual share (about 45% of running words), content
# words drawn from a 50,000-word vocabulary with Zipf-Mandelbrot frequencies p(r) ~ 1/(r + 30):
# the most frequent content word is about 0.3% of the content words, as in news text. (A steeper
# head makes every text share its commonest bigrams, an LSH worst case real text does not have.)
FUNCTION_SHARE = 0.45
VOCABULARY = 50_000
ZIPF_SHIFT = 30


def synthetic_texts(count: int, rng: np.random.Generator) -> list[list[str]]:
    function_words = sorted(w for w in FUNCTION_WORDS if w.isascii() and len(w) > 1)[:120]
    weights = 1.0 / (np.arange(1, VOCABULARY + 1) + ZIPF_SHIFT)
    weights /= weights.sum()
    texts = []
    for _ in range(count):
        length = int(rng.integers(250, 700))
        content = rng.choice(VOCABULARY, length, p=weights).astype(str)
        is_function = rng.random(length) < FUNCTION_SHARE
        words = np.where(is_function, rng.choice(function_words, length), np.char.add("w", content))
        texts.append(words.tolist())
    return texts


def spun(words: list[str], rng: np.random.Generator, share: float) -> list[str]:
    """A near copy: `share` of the words replaced (synonym swaps), sometimes truncated."""
    copy = list(words)
    for position in rng.choice(len(copy), int(len(copy) * share), replace=False):
        copy[position] = f"s{int(rng.integers(VOCABULARY))}"
    if rng.random() < 0.3:
        copy = copy[: int(len(copy) * rng.uniform(0.5, 0.9))]
    return copy


def fingerprints(count: int, seed: int, settings: DedupSettings) -> list[Fingerprint]:
    """Articles with 10% exact copies, 10% recrawls of earlier URLs (edited text) and 10% near
    copies (10-25% of words swapped, some truncated), the rest unique; fingerprinted by the dedup
    stage's own code (worker/dedup/fingerprint.py)."""
    rng = np.random.default_rng(seed)
    texts = synthetic_texts(count, rng)
    fingerprinter = Fingerprinter(settings)
    start = datetime.now(timezone.utc) - timedelta(days=1)
    pages = []
    for n in range(count):
        words, url = texts[n], n
        roll = rng.random()
        if n and roll < 0.1:
            words = texts[int(rng.integers(n))]
        elif n and roll < 0.2:
            url = int(rng.integers(n))
        elif n and roll < 0.3:
            words = spun(texts[int(rng.integers(n))], rng, rng.uniform(0.1, 0.25))
        texts[n] = words
        address = f"https://news{url % 97}.example.com/2026/11/21/section/a-fairly-long-article-slug-{url}"
        fetched_at = start + timedelta(seconds=n)
        article = Article(article_id=page_id(address, fetched_at), url=address, canonical_url=address,
                          fetched_at=fetched_at, text=" ".join(words))
        pages.append(fingerprinter.fingerprint(article))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000, help="pages decided in batches")
    parser.add_argument("--batch", type=int, default=500, help="pages per decide_many round trip")
    parser.add_argument("--single", type=int, default=5_000, help="pages decided one by one with decide()")
    parser.add_argument("--appendonly", action="store_true",
                        help="start the server with the production persistence (AOF, fsync every second)")
    parser.add_argument("--url", help="an existing Redis (default: start one); the bench writes under fresh prefixes")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        server, url, workdir = start_server(args.appendonly)
    try:
        settings = DedupSettings(backend="redis", redis_url=url)
        client = redis.Redis.from_url(url)
        pages = fingerprints(args.articles, seed=1, settings=settings)
        print(f"num_perm={settings.num_perm}, {settings.lsh_bands} LSH bands of {settings.lsh_rows} rows, "
              f"redis-server {client.info('server')['redis_version']}; one client process")
        memory = MemoryIndex(DedupSettings())
        expected = [d for offset in range(0, len(pages), args.batch)
                    for d in memory.decide_many(pages[offset:offset + args.batch])]
        _run(RedisIndex, settings, client, pages, expected, args)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
            workdir.cleanup()


def _run(index_class, settings: DedupSettings, client: redis.Redis, pages: list[Fingerprint], expected: list,
         args: argparse.Namespace) -> None:
    single = index_class(settings, RedisSettings(prefix=f"bench:{time.time_ns()}:single:"))
    subset = pages[:args.single]
    single.decide(subset[0])  # load the script, open the connection
    started = time.perf_counter()
    one_by_one = [single.decide(page) for page in subset[1:]]
    elapsed = time.perf_counter() - started
    print(f"decide(), one round trip per page, first {len(subset)} pages: {len(one_by_one) / elapsed:,.0f} decisions/s")
    single.close()

    prefix = f"bench:{time.time_ns()}:batched:"
    batched = index_class(settings, RedisSettings(prefix=prefix))
    batched.decide(pages[0])
    client.config_resetstat()
    before = client.info("memory")["used_memory"]
    decisions = [expected[0]]
    quarter = max(1, (len(pages) - 1) // 4)
    started = lap = time.perf_counter()
    for offset in range(1, len(pages), args.batch):
        decisions += batched.decide_many(pages[offset:offset + args.batch])
        if (len(decisions) - 1) % quarter < args.batch and len(decisions) > quarter:
            now = time.perf_counter()
            print(f"  pages up to {len(decisions):>7,}: {min(quarter, len(decisions)) / (now - lap):,.0f} decisions/s")
            lap = now
    elapsed = time.perf_counter() - started
    after = client.info("memory")["used_memory"]
    assert decisions[1:len(one_by_one) + 1] == one_by_one, "decide_many must decide exactly as decide()"
    same = sum(a == b for a, b in zip(decisions, expected))
    methods = Counter(d.method or "unique" for d in decisions)
    print(f"decide_many(), {args.batch} pages per round trip: {(len(decisions) - 1) / elapsed:,.0f} decisions/s "
          f"over {len(decisions):,} pages ({dict(methods)}); script time inside Redis "
          f"{client.info('commandstats')['cmdstat_evalsha']['usec_per_call']:.0f} us per decision")
    print(f"  same decisions as the memory backend: {same:,} of {len(expected):,}")
    by_kind: Counter = Counter()
    keys = 0
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        keys += 1
        rest = key[len(prefix):]
        by_kind[chr(rest[0]) if rest else "?"] += client.memory_usage(key) or 0  # big hashes: estimated from samples
    print(f"Redis used_memory delta: {(after - before) / len(pages):,.0f} bytes per article ({keys:,} keys)")
    for kind, total in sorted(by_kind.items()):
        print(f"  MEMORY USAGE of keys {kind!r}: {total / len(pages):,.0f} bytes per article")
    batched.close()


if __name__ == "__main__":
    main()
