"""URL canonicalization: our canonical_url against courlan.normalize_url, speed and the variants each folds.

Run: .venv/bin/python bench/dedup_url.py
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from courlan import normalize_url

from worker.dedup.urls import canonical_url

GROUND_TRUTH = Path(__file__).resolve().parents[2] / "shared/benchmarks/article-extraction/ground-truth.json"
FALLBACK_GROUND_TRUTH = Path("/work/shared/benchmarks/article-extraction/ground-truth.json")


def variants(url: str) -> list[str]:
    """The URL variants one page arrives under (issue 4): they must all get one key."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    bare = host.removeprefix("www.")
    return [
        url,
        f"http://{bare}/{path}",
        f"https://www.{bare.upper()}/{path}",
        f"https://{bare}:443/{path}",
        _with_trailing_slash(url),
        f"{url}#comments",
        f"{url}{'&' if '?' in url else '?'}utm_source=feed&utm_medium=rss&fbclid=abc",
    ]


def _with_trailing_slash(url: str) -> str:
    path, mark, query = url.partition("?")
    return f"{path.rstrip('/')}/{mark}{query}"


def main() -> None:
    path = GROUND_TRUTH if GROUND_TRUTH.exists() else FALLBACK_GROUND_TRUTH
    urls = [page["url"] for page in json.loads(path.read_text()).values()]
    pages = [variants(url) for url in urls]
    flat = [v for group in pages for v in group]
    for name, function in (("canonical_url", canonical_url), ("courlan.normalize_url", normalize_url)):
        folded = sum(len({function(v) for v in group}) == 1 for group in pages)
        rounds = 20
        started = time.perf_counter()
        for _ in range(rounds):
            for url in flat:
                function(url)
        per_url = (time.perf_counter() - started) / (rounds * len(flat))
        print(f"{name:24s} pages whose 7 variants share one key: {folded}/{len(pages)}; "
              f"{per_url * 1e6:.1f} us/url ({1 / per_url:,.0f} urls/s)")


if __name__ == "__main__":
    main()
