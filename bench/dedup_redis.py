"""Redis dedup backend: decisions per second from one worker process, and Redis memory per article.

Starts its own redis-server (Debian package) on a free port unless --url is given, decides a stream
of synthetic fingerprints (a share of exact and URL copies, the rest unique), and reports:
- decisions/s, one EVALSHA round trip per page (what the dedup stage does);
- Redis memory per article: INFO used_memory before and after, divided by the articles stored, and
  MEMORY USAGE of each kind of key for one article.

    .venv/bin/python bench/dedup_redis.py --articles 20000
"""
from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worker.config.redis import RedisSettings  # noqa: E402
from worker.state import Fingerprint  # noqa: E402
from worker.state.redis import RedisIndex  # noqa: E402

WINDOW_DAYS = 14.0


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


def fingerprints(count: int, seed: int) -> list[Fingerprint]:
    """Unique articles with 10% exact copies and 10% recrawls of earlier URLs."""
    rng = random.Random(seed)
    start = datetime.now(timezone.utc) - timedelta(days=1)
    pages = []
    for n in range(count):
        article_id = hashlib.blake2b(f"page {n}".encode(), digest_size=16).hexdigest()
        body, url = n, n
        roll = rng.random()
        if n and roll < 0.1:
            body = rng.randrange(n)
        elif n and roll < 0.2:
            url = rng.randrange(n)
        pages.append(Fingerprint(
            article_id=article_id,
            url_key=f"https://news{url % 97}.example.com/2026/11/21/section/a-fairly-long-article-slug-{url}",
            content_hash=hashlib.blake2b(f"body {body}".encode(), digest_size=16).hexdigest(),
            fetched_at=start + timedelta(seconds=n)))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--url", help="an existing Redis (default: start one); the bench FLUSHes its prefix only")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        server, url, workdir = start_server()
    try:
        prefix = f"bench:{time.time_ns()}:"
        index = RedisIndex(url, WINDOW_DAYS, RedisSettings(prefix=prefix))
        client = redis.Redis.from_url(url)
        pages = fingerprints(args.articles, seed=1)
        index.decide(pages[0])  # load the script, open the connection
        client.memory_purge() if hasattr(client, "memory_purge") else None
        before = client.info("memory")["used_memory"]

        started = time.perf_counter()
        decisions = [index.decide(page) for page in pages[1:]]
        elapsed = time.perf_counter() - started
        after = client.info("memory")["used_memory"]
        duplicates = sum(d.is_duplicate for d in decisions)

        print(f"redis backend, one process, one round trip per page: {len(decisions)} decisions in "
              f"{elapsed:.2f}s = {len(decisions) / elapsed:,.0f} decisions/s ({duplicates} duplicates)")
        print(f"Redis used_memory delta: {(after - before) / len(pages):,.0f} bytes per article "
              f"({len(pages)} articles, {client.dbsize()} keys)")
        sample = pages[len(pages) // 2]
        for kind, key in _keys_of(index, sample).items():
            print(f"  MEMORY USAGE {kind}: {client.memory_usage(key, samples=0)} bytes")
        index.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait()
            workdir.cleanup()


def _keys_of(index: RedisIndex, page: Fingerprint) -> dict[str, bytes]:
    keys, _ = index._script_input(page)
    names = ["record", "url claim", "hash claim"] + [f"band {n}" for n in range(len(keys) - 3)]
    return dict(zip(names, keys))


if __name__ == "__main__":
    main()
