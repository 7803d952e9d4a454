"""What many replicas sharing one Redis rely on: atomic decisions, the memory backend's decisions,
separate pipelines kept apart by the key prefix, and a server that forgot the script."""
from __future__ import annotations

import gzip
import multiprocessing
import random
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import orjson

from worker.config.redis import RedisSettings
from worker.state.base import REPEATED_ON_SITE
from worker.dedup.fingerprint import Fingerprinter
from worker.models import Article, DedupDecision, page_id, parse_time
from worker.state import Fingerprint, MemoryIndex
from worker.state.redis import RedisIndex

from .conftest import dedup_settings
from .test_contract import NUM_PERM, T0, WINDOW, fp, near_fp

COPIES = 8
EVALUATION_SET = Path(__file__).resolve().parents[2] / "bench" / "data" / "dedup_eval.jsonl.gz"


def test_concurrent_copies_on_many_threads_give_exactly_one_unique(redis_url, redis_prefix):
    settings = dedup_settings("redis", redis_url=redis_url)
    replicas = [RedisIndex(settings, RedisSettings(prefix=redis_prefix)) for _ in range(COPIES)]
    for replica in replicas:
        replica.ping()  # connect before the race
    start = threading.Barrier(COPIES)
    decisions: dict[str, DedupDecision] = {}

    def decide(n: int) -> None:
        # Spun copies: each differs from the story at a few positions of its own, so they are
        # near duplicates of each other with different similarities.
        copy = near_fp(f"copy{n}", 11, changed=2, change_seed=n)
        start.wait()
        decisions[copy.article_id] = replicas[n].decide(copy)

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    uniques = [article_id for article_id, decision in decisions.items() if not decision.is_duplicate]
    assert len(uniques) == 1, decisions
    for article_id, decision in decisions.items():
        if article_id != uniques[0]:
            assert (decision.duplicate_of, decision.method) == (uniques[0], "near")
            assert decision.similarity >= (NUM_PERM - 4) / NUM_PERM


def _decide_copies(url: str, prefix: str, worker: int, stories: int, start, results) -> None:
    index = RedisIndex(dedup_settings("redis", redis_url=url), RedisSettings(prefix=prefix))
    index.ping()
    start.wait()
    for story in range(stories):
        copy = fp(f"s{story}-w{worker}", f"https://site{worker}.example/{story}", f"story {story}")
        results.put((story, copy.article_id, index.decide(copy).to_dict()))
    index.close()


def test_replica_processes_racing_on_many_stories_never_both_win(redis_url, redis_prefix):
    """Four worker processes each decide their own copy of the same 200 stories at the same time."""
    workers, stories = 4, 200
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_decide_copies, args=(redis_url, redis_prefix, w, stories, start, results))
                 for w in range(workers)]
    for process in processes:
        process.start()
    per_story: dict[int, dict[str, DedupDecision]] = {}
    for _ in range(workers * stories):
        story, article_id, decision = results.get(timeout=60)
        per_story.setdefault(story, {})[article_id] = DedupDecision.from_dict(decision)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    for decisions in per_story.values():
        assert_one_unique_and_duplicates_of_it(decisions)


def assert_one_unique_and_duplicates_of_it(decisions: dict[str, DedupDecision]) -> None:
    uniques = [article_id for article_id, decision in decisions.items() if not decision.is_duplicate]
    assert len(uniques) == 1, decisions
    for article_id, decision in decisions.items():
        if article_id != uniques[0]:
            assert decision == DedupDecision.duplicate(uniques[0], "exact", 1.0)


def random_stream(seed: int, length: int) -> list[Fingerprint]:
    """Pages with colliding URLs and bodies, near copies (some without signature), replays of recent
    records, and fetch times that jump past the window."""
    rng = random.Random(seed)
    pages: list[Fingerprint] = []
    at = T0 - 3 * WINDOW
    for n in range(length):
        if pages and rng.random() < 0.1:
            # A replay of a record from the last few days (an older one may be forgotten by either
            # backend, at a moment the contract leaves open).
            recent = [page for page in pages[-30:] if at - page.fetched_at < timedelta(days=3)]
            if recent:
                pages.append(rng.choice(recent))
                continue
        at += timedelta(hours=rng.choice([0, 1, 6, 24, 24 * 5]), microseconds=rng.randrange(10**6))
        page = near_fp(f"p{n}", rng.randrange(15), changed=rng.choice([0, 4, 16, 30, 44, 60]),
                       shingles=rng.choice([45, 80, 300, 1500]), at=at, change_seed=rng.randrange(4))
        page = replace(page, url_key=f"https://site.example/{rng.randrange(60)}",
                       content_hash=f"body {rng.randrange(80)}")
        if rng.random() < 0.1:
            page = replace(page, signature=b"", band_keys=(), shingle_count=0)
        site, title = f"site{rng.randrange(3)}", f"titled {rng.randrange(4)}"
        if rng.random() < 0.9:  # a compared text's site and title (the near step of the site rule)
            page = replace(page, site=site, title_words=title)
        if rng.random() < 0.4:  # a short text, or a long one off its title: the site rule's keys
            site_key = f"{page.content_hash} on {site}"
            page = replace(page, site_key=site_key, title_key=f"{site_key} {title}",
                           long_text=n % 3 == 0)
        pages.append(page)
    return pages


def test_redis_decides_like_the_memory_backend_on_the_same_stream(redis_url, redis_prefix):
    for seed in range(3):
        stream = random_stream(seed, 400)
        memory = MemoryIndex(dedup_settings("memory"))
        shared = RedisIndex(dedup_settings("redis", redis_url=redis_url),
                            RedisSettings(prefix=f"{redis_prefix}{seed}:"))
        expected = [memory.decide(page) for page in stream]
        assert [shared.decide(page) for page in stream] == expected
        batched = MemoryIndex(dedup_settings("memory"))
        assert [d for offset in range(0, len(stream), 50) for d in batched.decide_many(stream[offset:offset + 50])] \
            == expected
        assert {d.method for d in expected} == {None, "url", "exact", "near"}
        assert any(d.reason == REPEATED_ON_SITE for d in expected)
        # Some near match was left out by the site rule's near step (a short page, its site, another title).
        without_sites = MemoryIndex(dedup_settings("memory")).decide_many(
            [replace(page, site="", title_words="") for page in stream])
        assert any(a.method is None and b.method == "near" for a, b in zip(expected, without_sites))
        shared.close()


def hot_stream(seed: int, length: int) -> list[Fingerprint]:
    """Pages of a few series: many unique pages sharing a band or more with each other (Jaccard
    about 0.2 to 0.35 to their base), near copies among them, fetch times jumping past the window."""
    rng = random.Random(seed)
    pages: list[Fingerprint] = []
    at = T0 - 3 * WINDOW
    for n in range(length):
        at += timedelta(hours=rng.choice([0, 1, 6, 24, 24 * 5]), microseconds=rng.randrange(10**6))
        page = near_fp(f"p{n}", rng.randrange(3), changed=rng.choice([0, 8, 60, 150, 170, 190, 200]),
                       shingles=rng.choice([80, 300]), at=at, change_seed=rng.randrange(10**6))
        page = replace(page, site=f"site{rng.randrange(2)}", title_words=f"titled {rng.randrange(3)}")
        if rng.random() < 0.5:  # a short text: its site's pages under other titles are no candidates
            page = replace(page, site_key=f"{page.content_hash} {page.site}",
                           title_key=f"{page.content_hash} {page.site} {page.title_words}")
        pages.append(page)
    return pages


def test_both_backends_verify_the_same_few_candidates_under_a_small_cap(redis_url, redis_prefix):
    """max_near_candidates (similarity.candidate_floor) chooses the same candidates in both
    backends, one by one and in batches (the memory backend's in-batch pairs), window included."""
    changed = 0
    for seed in range(3):
        stream = hot_stream(seed, 400)
        uncapped = [d for d in MemoryIndex(dedup_settings("memory")).decide_many(stream)]
        for cap in (1, 3):
            memory = MemoryIndex(dedup_settings("memory", max_near_candidates=cap))
            batched = MemoryIndex(dedup_settings("memory", max_near_candidates=cap))
            shared = RedisIndex(dedup_settings("redis", redis_url=redis_url, max_near_candidates=cap),
                                RedisSettings(prefix=f"{redis_prefix}{seed}:{cap}:"))
            expected = [memory.decide(page) for page in stream]
            assert [d for offset in range(0, len(stream), 50)
                    for d in batched.decide_many(stream[offset:offset + 50])] == expected
            assert shared.decide_many(stream) == expected
            changed += sum(a != b for a, b in zip(expected, uncapped))
            shared.close()
    assert changed  # the cap did choose among candidates


def test_redis_decides_like_the_memory_backend_on_real_fingerprints(redis_url, redis_prefix):
    """The labelled evaluation set (syndicated, spun, truncated, edited copies, recrawls, hard
    negatives) fingerprinted by the dedup stage's own code, decided by both backends."""
    settings = dedup_settings("redis", redis_url=redis_url)
    fingerprinter = Fingerprinter(settings)
    with gzip.open(EVALUATION_SET) as handle:
        records = [orjson.loads(line) for line in handle]
    fingerprints = []
    for record in records:
        fetched_at = parse_time(record["fetched_at"])
        article = Article(article_id=page_id(record["url"], fetched_at), url=record["url"],
                          canonical_url=record["url"], fetched_at=fetched_at, text=record["text"])
        fingerprints.append(fingerprinter.fingerprint(article))
    memory = MemoryIndex(dedup_settings("memory"))
    shared = RedisIndex(settings, RedisSettings(prefix=redis_prefix))
    expected = [memory.decide(fp) for fp in fingerprints]
    assert shared.decide_many(fingerprints) == expected
    assert {d.method for d in expected} == {None, "url", "exact", "near"}


def test_pipelines_with_different_prefixes_do_not_see_each_other(redis_url, redis_prefix):
    settings = dedup_settings("redis", redis_url=redis_url)
    news = RedisIndex(settings, RedisSettings(prefix=f"{redis_prefix}news:"))
    blogs = RedisIndex(settings, RedisSettings(prefix=f"{redis_prefix}blogs:"))
    news_replica = RedisIndex(settings, RedisSettings(prefix=f"{redis_prefix}news:"))
    news.decide(fp("a1", "https://site.example/a", "body a"))
    assert blogs.decide(fp("b1", "https://site.example/a", "body a")) == DedupDecision.unique()
    assert news_replica.decide(fp("a2", "https://site.example/a", "body a")) == \
        DedupDecision.duplicate("a1", "url", 1.0)
    with news._client as client:
        assert all(key.startswith(redis_prefix.encode()) for key in client.scan_iter())


def test_a_server_that_lost_the_script_gets_it_again(redis_url, redis_prefix):
    index = RedisIndex(dedup_settings("redis", redis_url=redis_url), RedisSettings(prefix=redis_prefix))
    index.decide(fp("a1", "https://site.example/a", "body a"))
    index._client.script_flush()  # as after a server restart or failover
    assert index.decide(fp("a2", "https://mirror.example/a", "body a", T0 + timedelta(minutes=1))) == \
        DedupDecision.duplicate("a1", "exact", 1.0)
    index._client.script_flush()
    assert index.decide_many([fp("a3", "https://mirror3.example/a", "body a", T0 + timedelta(minutes=2))]) == \
        [DedupDecision.duplicate("a1", "exact", 1.0)]


def test_a_batch_is_decided_exactly_as_one_page_after_another(redis_url, redis_prefix):
    stream = random_stream(7, 300)
    settings = dedup_settings("redis", redis_url=redis_url)
    one_by_one = RedisIndex(settings, RedisSettings(prefix=f"{redis_prefix}single:"))
    batched = RedisIndex(settings, RedisSettings(prefix=f"{redis_prefix}batched:"))
    expected = [one_by_one.decide(page) for page in stream]
    got = [d for offset in range(0, len(stream), 64) for d in batched.decide_many(stream[offset:offset + 64])]
    assert got == expected
    # Retrying a batch (after Redis went away half-way) returns the same decisions as replays.
    assert batched.decide_many(stream[:64]) == expected[:64]


def test_open_index_opens_the_redis_backend_the_settings_name(redis_url, redis_prefix):
    from worker.config import Settings
    from worker.state import open_index

    settings = Settings.from_env({"DEDUP_BACKEND": "redis", "REDIS_URL": redis_url, "DEDUP_REDIS_PREFIX": redis_prefix})
    index = open_index(settings.dedup, settings.redis)
    assert isinstance(index, RedisIndex) and index.ping()
    index.decide(fp("a1", "https://site.example/a", "body a"))
    with index._client as client:
        assert [key for key in client.scan_iter() if not key.startswith(redis_prefix.encode())] == []
