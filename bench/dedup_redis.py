"""Redis dedup backend: decisions per second from one worker process, and Redis memory per article.

Starts its own redis-server (Debian package) on a free port unless --url is given, decides a stream
of synthetic fingerprints (10% exact copies, 10% recrawls, 10% near copies; 8-bit MinHash values
as the stage makes them), and reports:
- decisions/s one by one (decide(): one EVALSHA round trip per page), and in batches
  (decide_many(): a pipeline of scripts, what DedupStage.process_batch uses), per quarter of the
  run: the rate falls as the index grows (random LSH candidates, printed);
- Redis memory per article: INFO used_memory before and after, divided by the articles stored, and
  MEMORY USAGE of each kind of key for one article, and of one LSH band entry.

    .venv/bin/python bench/dedup_redis.py --articles 20000
"""
from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import struct
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worker.config import DedupSettings  # noqa: E402
from worker.config.redis import RedisSettings  # noqa: E402
from worker.state import Fingerprint  # noqa: E402
from worker.state.redis import RedisIndex  # noqa: E402


def start_server() -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server), or pass --url")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tempfile.TemporaryDirectory(prefix="bench-redis-")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", workdir.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(500):
        try:
            if redis.Redis.from_url(url).ping():
                return process, url, workdir
        except redis.ConnectionError:
            time.sleep(0.01)
    process.kill()
    sys.exit("redis-server did not start")


def signature_of(story: int, rng: random.Random, changed: int, settings: DedupSettings) -> tuple[bytes, tuple[bytes, ...]]:
    """A MinHash signature of `story`, with `changed` positions altered (a near copy), and its band keys."""
    values = random.Random(story).choices(range(2**8), k=settings.num_perm)  # b-bit MinHash: 8 bits
    for position in rng.sample(range(settings.num_perm), changed):
        values[position] = (values[position] + rng.randrange(1, 2**8)) % 2**8
    signature = struct.pack(f"<{settings.num_perm}I", *values)
    width = settings.lsh_rows * 4
    bands = tuple(hashlib.blake2b(struct.pack("<I", band) + signature[band * width:(band + 1) * width],
                                  digest_size=8).digest() for band in range(settings.lsh_bands))
    return signature, bands


def fingerprints(count: int, seed: int, settings: DedupSettings) -> list[Fingerprint]:
    """Unique articles with 10% exact copies, 10% recrawls of earlier URLs and 10% near copies;
    every article long enough for a signature."""
    rng = random.Random(seed)
    start = datetime.now(timezone.utc) - timedelta(days=1)
    pages = []
    for n in range(count):
        article_id = hashlib.blake2b(f"page {n}".encode(), digest_size=16).hexdigest()
        body, url, story, changed = n, n, n, 0
        roll = rng.random()
        if n and roll < 0.1:
            body = story = rng.randrange(n)
        elif n and roll < 0.2:
            url = rng.randrange(n)
        elif n and roll < 0.3:
            story, changed = rng.randrange(n), rng.randrange(4, 24)
        signature, bands = signature_of(story, rng, changed, settings)
        pages.append(Fingerprint(
            article_id=article_id,
            url_key=f"https://news{url % 97}.example.com/2026/11/21/section/a-fairly-long-article-slug-{url}",
            content_hash=hashlib.blake2b(f"body {body}".encode(), digest_size=16).hexdigest(),
            fetched_at=start + timedelta(seconds=n), signature=signature, band_keys=bands,
            shingle_count=rng.randrange(100, 2000)))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000, help="pages decided in batches")
    parser.add_argument("--batch", type=int, default=500, help="pages per decide_many round trip")
    parser.add_argument("--single", type=int, default=5_000, help="pages decided one by one with decide()")
    parser.add_argument("--url", help="an existing Redis (default: start one); the bench writes under fresh prefixes")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        server, url, workdir = start_server()
    try:
        settings = DedupSettings(backend="redis", redis_url=url)
        client = redis.Redis.from_url(url)
        pages = fingerprints(args.articles, seed=1, settings=settings)
        print(f"num_perm={settings.num_perm}, {settings.lsh_bands} LSH bands of {settings.lsh_rows} rows, "
              f"8-bit values; redis-server {client.info('server')['redis_version']}; one client process")

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
                print(f"  pages up to {len(decisions):>7,}: {min(quarter, len(decisions)) / (now - lap):,.0f} decisions/s")
                lap = now
        elapsed = time.perf_counter() - started
        after = client.info("memory")["used_memory"]
        assert decisions[:len(expected)] == expected, "decide_many must decide exactly as decide()"
        methods = Counter(d.method or "unique" for d in decisions)
        uniques = methods["unique"] + 1
        print(f"decide_many(), {args.batch} pages per round trip: {len(decisions) / elapsed:,.0f} decisions/s "
              f"over {len(decisions):,} pages ({dict(methods)}); script time inside Redis "
              f"{client.info('commandstats')['cmdstat_evalsha']['usec_per_call']:.0f} us per decision")
        print(f"  random LSH candidates per page at the end: about {settings.lsh_bands * uniques / 2**16:.1f} "
              f"(bands x unique articles / 2^16: a band of 2 8-bit values has 65,536 possible keys)")
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


def _keys_of(index: RedisIndex, page: Fingerprint) -> dict[str, bytes]:
    keys, _ = index.script_input(page)
    return dict(zip(["article record", "URL claim", "hash claim"], keys))


if __name__ == "__main__":
    main()
