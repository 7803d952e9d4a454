"""Redis dedup backend: decisions per second from one worker process, and Redis memory per article.

Starts its own redis-server (Debian package) on a free port unless --url is given, decides a stream
of synthetic English-like articles (10% exact copies, 10% recrawls, 10% near copies) fingerprinted
by the dedup stage's code, and reports:
- decisions/s one by one (decide(): one EVALSHA round trip per page), and in batches
  (decide_many(): a pipeline of scripts, what DedupStage.process_batch uses), per quarter of the
  run (the rate falls when the index grows if LSH brings random candidates to verify);
- Redis memory per article: INFO used_memory before and after, divided by the articles stored, and
  MEMORY USAGE of each kind of key for one article, and of one LSH band entry.

    .venv/bin/python bench/dedup_redis.py --articles 20000
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
from worker.state import Fingerprint  # noqa: E402
from worker.state.redis import BAND_FIELD_BYTES, HANDLE_BYTES, RedisIndex  # noqa: E402


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

        single = RedisIndex(settings, RedisSettings(prefix=f"bench:{time.time_ns()}:single:"))
        subset = pages[:args.single]
        single.decide(subset[0])  # load the script, open the connection
        started = time.perf_counter()
        expected = [single.decide(page) for page in subset[1:]]
        elapsed = time.perf_counter() - started
        print(f"decide(), one round trip per page, first {len(subset)} pages: "
              f"{len(expected) / elapsed:,.0f} decisions/s")
        single.close()

        batched = RedisIndex(settings, RedisSettings(prefix=f"bench:{time.time_ns()}:batched:"))
        batched.decide(pages[0])
        client.config_resetstat()
        before = client.info("memory")["used_memory"]
        decisions: list = []
        quarter = max(1, (len(pages) - 1) // 4)
        started = lap = time.perf_counter()
        for offset in range(1, len(pages), args.batch):
            decisions += batched.decide_many(pages[offset:offset + args.batch])
            if len(decisions) % quarter < args.batch and len(decisions) >= quarter:
                now = time.perf_counter()
                rate = min(quarter, len(decisions)) / (now - lap)
                print(f"  pages up to {len(decisions):>7,}: {rate:,.0f} decisions/s")
                lap = now
        elapsed = time.perf_counter() - started
        after = client.info("memory")["used_memory"]
        assert decisions[:len(expected)] == expected, "decide_many must decide exactly as decide()"
        methods = Counter(d.method or "unique" for d in decisions)
        print(f"decide_many(), {args.batch} pages per round trip: {len(decisions) / elapsed:,.0f} decisions/s "
              f"over {len(decisions):,} pages ({dict(methods)}); script time inside Redis "
              f"{client.info('commandstats')['cmdstat_evalsha']['usec_per_call']:.0f} us per decision")
        print(f"  LSH candidates to verify per page (sampled at the end): {_candidates(client, batched, pages):.1f}")
        print(f"Redis used_memory delta: {(after - before) / len(pages):,.0f} bytes per article")
        sample = pages[len(pages) // 2]
        for kind, key in _keys_of(batched, sample).items():
            print(f"  MEMORY USAGE of one {kind}: {client.memory_usage(key, samples=0)} bytes")
        for key in client.scan_iter(match=f"{batched.prefix}g:*"):
            fields = client.hlen(key)
            print(f"  LSH generation hash: {fields:,} band entries, {client.memory_usage(key, samples=0) / fields:.0f} "
                  f"bytes per entry, {settings.lsh_bands} entries per unique article")
        batched.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait()
            workdir.cleanup()


def _candidates(client: redis.Redis, index: RedisIndex, pages: list[Fingerprint], sample: int = 300) -> float:
    """Average number of other indexed articles sharing a band with a page (what the script fetches
    and verifies), over the last pages with a signature."""
    generations = list(client.scan_iter(match=f"{index.prefix}g:*"))
    counts = []
    for page in pages[-sample:]:
        if not page.band_keys:
            continue
        keys, args = index.script_input(page)
        own = keys[0][len(index.prefix) + 2:]  # the page's own handle: it was indexed after its decision
        bands, width = args[-1], BAND_FIELD_BYTES
        fields = [bands[i:i + width] for i in range(0, len(bands), width)]
        handles = set()
        for generation in generations:
            for bucket in client.hmget(generation, fields):
                if bucket:
                    handles.update(bucket[i:i + HANDLE_BYTES] for i in range(0, len(bucket), HANDLE_BYTES))
        counts.append(len(handles - {own}))
    return sum(counts) / max(1, len(counts))


def _keys_of(index: RedisIndex, page: Fingerprint) -> dict[str, bytes]:
    keys, _ = index.script_input(page)
    return dict(zip(["article record", "URL claim", "hash claim"], keys))


if __name__ == "__main__":
    main()
