"""Replays under faults aimed between delivery and commit, against a real broker (Tansu) and a real
redis-server: the worker process is killed (SIGKILL) right after the broker acknowledged a batch's
outputs, before their offsets are committed (tests/kill_point.py), and restarted.

The stream: 200 text dumps of three sites, each page wearing its site's header, "Related" teasers
and blurb, carrying one of 80 stories in one to four copies (exact and reworded) on different
sites and partitions. What must hold whatever the kills:
- a replayed page produces the byte-identical event (text, metadata and decision);
- every page is published; each group of copies has exactly one unique, every other copy is a
  duplicate whose duplicate_of names that published unique, and no article is both;
- memory backend: the checkpointed state is never behind what was published;
- redis backend, replicas restarted: the pages are grouped as one worker groups them.
"""
from __future__ import annotations

import shutil
import time
from collections import defaultdict
from datetime import datetime, timezone

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition

from tests.helpers import WorkerProcess, article_body, page, produce_to_partitions
from worker.config import DedupSettings, Settings
from worker.models import DedupDecision, SourceRecord
from worker.pipeline import Pipeline
from worker.state import Fingerprint, MemoryIndex

pytestmark = pytest.mark.broker

PARTITIONS = 4
STORIES = 80
SITES = ("daily", "courier", "herald")
BATCH = {"BATCH_MAX_RECORDS": "10"}


def site_dump(site: str, story: int, body: str) -> str:
    """A naive scraper's dump of one article page of `site`: the lines every page of the site prints
    around the article (some of them prose, which a cleaner reading one page keeps)."""
    name = site.capitalize()
    return "\n".join([
        f"The {name} Example", "Home", "City", "Sport", "Culture", f"Headline {story}", body, "Related articles",
        f"The {name} harbour reopens after two years of works on its northern quay and the new ferry terminal.",
        f"Council of the {name} district delays the vote on the new tram line until the budget is agreed.",
        f"The {name} Example is an independent newspaper covering the city and its region since 1901, with "
        "news, sport and culture every day.",
        "Contact", "Privacy", "Terms"])


def story_text(story: int, copy: int) -> str:
    """Copies 0 and 1: the story's text; 2 and 3: every tenth word swapped (at different places)."""
    if copy < 2:
        return article_body(story)
    words = article_body(story).split(" ")
    return " ".join(f"swapped{i}" if i % 10 == copy * 3 else word for i, word in enumerate(words))


def corpus() -> list[tuple[int, int, bytes]]:
    """(partition, story, raw page) in production order: story n has n % 4 + 1 copies, each on
    another site and another partition."""
    pages = []
    for story in range(STORIES):
        for copy in range(story % 4 + 1):
            site = SITES[(story + copy) % len(SITES)]
            body = site_dump(site, story, story_text(story, copy))
            value = page(f"https://www.{site}.example/news/{story}-{copy}", body)
            pages.append(((story + copy) % PARTITIONS, story, value))
    return pages


def read_outputs(settings, topics, idle: float = 1.5, timeout: float = 90.0,
                 expected: int | None = None) -> list[tuple[str, bytes]]:
    """Every (topic, raw value) on the output topics, read from the beginning until `expected`
    records arrived and then nothing more for `idle` seconds (the end offsets the broker reports
    are not trusted)."""
    consumer = KafkaConsumer(**settings.client_options(), group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest")
    try:
        partitions = [TopicPartition(t, p) for t in topics.outputs() for p in range(PARTITIONS)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=200)
            for tp, messages in batch.items():
                found += [(tp.topic, m.value) for m in messages]
            if batch:
                last = time.monotonic()
            elif time.monotonic() - last > idle and len(found) >= (expected or 0):
                break
        return found
    finally:
        consumer.close(autocommit=False)


def check_outputs(found: list[tuple[str, bytes]], pages, topics) -> dict[str, dict]:
    """The invariants; returns the event of every article id."""
    assert not [value for topic, value in found if topic == topics.pages_dlq], "no page is dead-lettered"
    by_id: dict[str, set[bytes]] = defaultdict(set)
    for topic, value in found:
        event = orjson.loads(value)
        status = event["dedup"]["status"]
        assert topic == (topics.articles_normalized if status == "unique" else topics.articles_duplicates)
        by_id[event["article_id"]].add(value)
    different = {article_id: values for article_id, values in by_id.items() if len(values) > 1}
    example = _difference(next(iter(different.values()))) if different else ""
    assert not different, f"{len(different)} replayed articles changed, e.g. {example}"
    events = {article_id: orjson.loads(next(iter(values))) for article_id, values in by_id.items()}
    story_of = {orjson.loads(value)["url"]: story for _, story, value in pages}
    assert sorted(e["url"] for e in events.values()) == sorted(story_of), "every page published, once per id"
    uniques = {article_id for article_id, e in events.items() if e["dedup"]["status"] == "unique"}
    groups: dict[int, list[dict]] = defaultdict(list)
    for event in events.values():
        groups[story_of[event["url"]]].append(event)
    for story, copies in groups.items():
        canonical = [e["article_id"] for e in copies if e["article_id"] in uniques]
        assert len(canonical) == 1, f"story {story}: {len(canonical)} uniques among {len(copies)} copies"
        for copy in copies:
            if copy["article_id"] != canonical[0]:
                assert copy["dedup"]["duplicate_of"] == canonical[0], f"story {story}: {copy['dedup']}"
    assert all(e["dedup"]["duplicate_of"] in uniques for e in events.values() if e["article_id"] not in uniques)
    return events


def _difference(values: set[bytes]) -> str:
    first, second = (orjson.loads(v) for v in values)
    return ", ".join(f"{k}: {str(first[k])[:60]!r} != {str(second[k])[:60]!r}" for k in first if first[k] != second[k])


def check_state_not_behind(state_dir, copy_dir, found: list[tuple[str, bytes]]) -> None:
    """The checkpointed memory state (a copy of it) holds the decision of every published article."""
    shutil.copytree(state_dir, copy_dir)
    index = MemoryIndex(DedupSettings(state_dir=str(copy_dir)))
    events = {e["article_id"]: e for e in (orjson.loads(value) for _, value in found)}
    assert index.size() >= len(events), "the state holds fewer articles than were published"
    for article_id, event in events.items():
        # A replay answers with the stored decision; an article the state never saw would be
        # decided afresh, and with keys of its own it would be unique.
        probe = Fingerprint(article_id=article_id, url_key=f"probe:{article_id}", content_hash=f"probe:{article_id}",
                            fetched_at=datetime(2024, 5, 1, 10, tzinfo=timezone.utc))
        stored = index.decide(probe)
        published = DedupDecision.from_dict(event["dedup"])
        assert (stored.status, stored.duplicate_of, stored.method, stored.similarity) == (
            published.status, published.duplicate_of, published.method, published.similarity), event["url"]


def one_worker_groups(pages) -> set[frozenset[str]]:
    """The groups of copies (urls) one worker reaches on the stream, partitions read in production order."""
    pipeline = Pipeline(Settings(), MemoryIndex())
    offsets: dict[int, int] = defaultdict(int)
    canonical_of = {}
    for partition, _, value in pages:
        output = pipeline.process(SourceRecord("pages.raw", partition, offsets[partition], None, value))
        offsets[partition] += 1
        event = orjson.loads(output.value)
        canonical_of[event["url"]] = event["dedup"]["duplicate_of"] or event["article_id"]
    return _groups(canonical_of)


def _groups(canonical_of: dict[str, str]) -> set[frozenset[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for url, canonical in canonical_of.items():
        members[canonical].add(url)
    return {frozenset(urls) for urls in members.values()}


@pytest.fixture
def workers(workers, tmp_path):
    """The shared fixture, and kill_after=N: the worker is SIGKILLed right after its N-th delivery."""
    def start(settings, topics, kill_after: int | None = None, **env) -> WorkerProcess:
        hook = {"KILL_POINT_AFTER_DELIVERY": str(kill_after), "KILL_POINT_DIR": str(tmp_path)} if kill_after else {}
        return workers(settings, topics, module="tests.kill_point" if hook else "worker", **hook, **env)

    return start


def killed(worker: WorkerProcess, timeout: float = 60.0) -> None:
    """Waits for the worker to reach its kill point (SIGKILL right after a delivery)."""
    code = worker.process.wait(timeout=timeout)
    assert code == -9, f"worker exited with {code} before its kill point:\n{worker.log()}"


def test_kills_between_delivery_and_commit_replay_identically_memory_backend(kafka_settings, make_topics,
                                                                             workers, tmp_path):
    topics = make_topics(partitions=PARTITIONS)
    pages = corpus()
    produce_to_partitions(kafka_settings, topics.pages_raw, [(p, value) for p, _, value in pages])
    env = {**BATCH, "DEDUP_STATE_DIR": str(tmp_path / "state")}
    for run, kill_after in enumerate((4, 3, 3)):
        killed(workers(kafka_settings, topics, kill_after=kill_after, **env))
        check_state_not_behind(tmp_path / "state", tmp_path / f"state-after-kill-{run}",
                               read_outputs(kafka_settings, topics))
    workers(kafka_settings, topics, **env)
    found = read_outputs(kafka_settings, topics, expected=len(pages))
    check_outputs(found, pages, topics)
    assert len(found) > len(pages), "the kills made the worker replay delivered batches"


def test_kills_replay_identically_when_the_memory_state_is_restored_from_snapshots(kafka_settings, make_topics,
                                                                                   workers, tmp_path):
    """As above, with a snapshot whenever the log holds as many records as the index: each restart
    loads a snapshot and re-applies the log written after it."""
    topics = make_topics(partitions=PARTITIONS)
    pages = corpus()
    produce_to_partitions(kafka_settings, topics.pages_raw, [(p, value) for p, _, value in pages])
    env = {**BATCH, "DEDUP_STATE_DIR": str(tmp_path / "state"), "KILL_POINT_SNAPSHOT_MIN_LOG_RECORDS": "1"}
    for run, kill_after in enumerate((3, 5, 4)):
        killed(workers(kafka_settings, topics, kill_after=kill_after, **env))
        assert (tmp_path / "state" / "dedup-memory.npz").exists(), "a snapshot was written"
        check_state_not_behind(tmp_path / "state", tmp_path / f"state-after-kill-{run}",
                               read_outputs(kafka_settings, topics))
    # The last run to the end (a kill point past the end: the snapshot setting, never the kill).
    workers(kafka_settings, topics, kill_after=10_000, **env)
    found = read_outputs(kafka_settings, topics, expected=len(pages))
    check_outputs(found, pages, topics)
    assert len(found) > len(pages), "the kills made the worker replay delivered batches"


@pytest.mark.redis
def test_replicas_killed_between_delivery_and_commit_group_pages_as_one_worker(kafka_settings, make_topics, workers,
                                                                               redis_url, redis_prefix):
    topics = make_topics(partitions=PARTITIONS)
    pages = corpus()
    produce_to_partitions(kafka_settings, topics.pages_raw, [(p, value) for p, _, value in pages])
    env = {**BATCH, "DEDUP_BACKEND": "redis", "REDIS_URL": redis_url, "DEDUP_REDIS_PREFIX": redis_prefix}
    # Two replicas, each killed after its third delivery, then two replicas that run to the end.
    for replica in [workers(kafka_settings, topics, kill_after=3, **env) for _ in range(2)]:
        killed(replica)
    for _ in range(2):
        workers(kafka_settings, topics, **env)
    found = read_outputs(kafka_settings, topics, expected=len(pages))
    events = check_outputs(found, pages, topics)
    assert len(found) > len(pages), "the kills made the replicas replay delivered batches"
    canonical_of = {e["url"]: e["dedup"]["duplicate_of"] or e["article_id"] for e in events.values()}
    assert _groups(canonical_of) == one_worker_groups(pages)


@pytest.mark.redis
def test_redis_killed_during_a_delivery_pauses_the_worker_and_it_resumes_at_once(
        kafka_settings, make_topics, workers, durable_redis_server, redis_prefix, tmp_path):
    topics = make_topics(partitions=PARTITIONS)
    pages = corpus()[:60]
    produce_to_partitions(kafka_settings, topics.pages_raw, [(p, value) for p, _, value in pages])
    # A first backoff of 8 s: resuming sooner than that is the probe's doing.
    worker = workers(kafka_settings, topics, kill_after=2, KILL_POINT_ACTION="pause", **BATCH,
                     DEDUP_BACKEND="redis", REDIS_URL=durable_redis_server.url, DEDUP_REDIS_PREFIX=redis_prefix,
                     REDIS_SOCKET_TIMEOUT_SECONDS="0.5", REDIS_CONNECT_TIMEOUT_SECONDS="0.5",
                     RETRY_BACKOFF_INITIAL_SECONDS="8", RETRY_BACKOFF_MAX_SECONDS="30",
                     DEPENDENCY_PROBE_INTERVAL_SECONDS="0.2")
    deadline = time.monotonic() + 60
    while not (tmp_path / "reached").exists():
        assert worker.process.poll() is None and time.monotonic() < deadline, worker.log()
        time.sleep(0.05)
    durable_redis_server.stop()  # the second batch is delivered; its commit and the metrics follow
    (tmp_path / "go").touch()
    while worker.metric("newsworker_dependency_retries_total", dependency="dedup_state") < 1:
        assert worker.process.poll() is None, f"the worker died with Redis:\n{worker.log()}"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert worker.get("/readyz")[0] == 503
    time.sleep(1.0)
    assert worker.process.poll() is None, worker.log()
    commits = worker.metric("newsworker_offset_commits_total")
    durable_redis_server.start()
    back = time.monotonic()
    while worker.metric("newsworker_offset_commits_total") == commits:
        assert time.monotonic() - back < 10, "no batch committed after Redis came back"
        time.sleep(0.05)
    assert time.monotonic() - back < 3.0, "resumed by the probe, not after the 8 s backoff"
    check_outputs(read_outputs(kafka_settings, topics, expected=len(pages)), pages, topics)
    assert worker.process.poll() is None
