"""A page comes out as the same event, byte for byte, whichever way it is run: `run` against the
broker (large HTML pages extracted in its isolating child), `process --jobs 1` and `process --jobs 2`
(HTML extracted in the preparing processes), each under another PYTHONHASHSEED, TZ and locale: a
replay elsewhere (another replica, a rerun of a file) publishes what was published. And with either
dedup backend, as a first run and as a replay over the state the first run left."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition

from tests.helpers import REPO, SAMPLES, article_body, page, produce

pytestmark = pytest.mark.broker

# Each run's environment: no two alike in hash seed, time zone or locale (nor in batches: `run` decides
# three pages at a time, `process` hundreds).
ENVIRONMENTS = {
    "run": {"PYTHONHASHSEED": "1", "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "BATCH_MAX_RECORDS": "3"},
    "jobs1": {"PYTHONHASHSEED": "2", "TZ": "America/St_Johns", "LC_ALL": "C.UTF-8"},
    "jobs2": {"PYTHONHASHSEED": "3", "TZ": "UTC", "LC_ALL": "C.UTF-8"},
    "memory-replayed": {"PYTHONHASHSEED": "4", "TZ": "Asia/Kathmandu", "LC_ALL": "C"},
    "redis": {"PYTHONHASHSEED": "5", "TZ": "Europe/Lisbon", "LC_ALL": "C.UTF-8"},
    "redis-replayed": {"PYTHONHASHSEED": "6", "TZ": "Australia/Eucla", "LC_ALL": "C"},
}


def pages() -> list[bytes]:
    """The sample pages, then pages that exercise order and time: recrawls fetched out of order,
    copies, dates written relative to the fetch or ahead of it, a fetch time without an offset."""
    values = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    html = ("<html><head><title>Storm closes the harbour</title><meta name='author' content='Ana Ruiz, Li Wei'>"
            "</head><body><article><h1>Storm closes the harbour</h1><p>Updated 2 hours ago. Posted yesterday."
            "</p><p>Published 3 December 2026.</p>"
            + "".join(f"<p>{paragraph}</p>" for paragraph in article_body(1).split("\n\n"))
            + "</article></body></html>")
    values += [
        page("https://news.example/storm", html, "2026-12-01T10:00:00", content_type="text/html"),
        page("https://news.example/storm?utm_source=x", html, "2026-11-20T10:00:00Z", content_type="text/html"),
        page("https://mirror.example/storm", html, "2026-11-19T23:30:00-05:00", content_type="text/html"),
        page("https://site.example/a", "Yesterday's vote\n\n" + article_body(2), "2026-12-02T08:00:00Z"),
        page("https://site.example/a", "Yesterday's vote\n\n" + article_body(2), "2026-12-01T08:00:00Z"),
        page("https://other.example/b", article_body(3), "2025-01-01T00:00:00+09:00"),
        page("https://copies.example/b", article_body(3), "2024-12-31T15:00:00Z"),
    ]
    return values


def raw_outputs(settings, topics, expected: int, timeout: float = 60.0) -> dict[str, list[bytes]]:
    """Every output topic's record values as published (one partition each), in order."""
    consumer = KafkaConsumer(**settings.client_options(), group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, 0) for topic in topics.outputs()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found: dict[str, list[bytes]] = {topic: [] for topic in topics.outputs()}
        deadline = time.monotonic() + timeout
        while sum(map(len, found.values())) < expected and time.monotonic() < deadline:
            for tp, messages in consumer.poll(timeout_ms=200).items():
                found[tp.topic] += [message.value for message in messages]
        return found
    finally:
        consumer.close()


def processed(input_path: Path, out: Path, jobs: int, env: dict[str, str], topics) -> dict[str, list[bytes]]:
    subprocess.run([sys.executable, "-m", "worker", "process", "--input", str(input_path), "--output-dir", str(out),
                    "--jobs", str(jobs), "--no-progress"], cwd=REPO, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, **env, "TOPIC_PAGES_RAW": topics.pages_raw,
                        "TOPIC_ARTICLES_NORMALIZED": topics.articles_normalized,
                        "TOPIC_ARTICLES_DUPLICATES": topics.articles_duplicates, "TOPIC_PAGES_DLQ": topics.pages_dlq})
    return {topic: (out / f"{topic}.jsonl").read_bytes().splitlines() for topic in topics.outputs()}


def dead_letters(values: list[bytes]) -> list[tuple]:
    """What a dead letter says of its page (not when, where from, or by which run)."""
    letters = [orjson.loads(value) for value in values]
    return [(letter["reason"], letter["stage"], letter["url"], letter["error"]) for letter in letters]


@pytest.mark.redis
def test_run_and_process_under_other_hash_seeds_and_time_zones_publish_identical_events(
        kafka_settings, make_topics, workers, tmp_path, redis_url):
    topics = make_topics(partitions=1)
    values = pages()
    produce(kafka_settings, topics.pages_raw, values)
    workers(kafka_settings, topics, **ENVIRONMENTS["run"]).wait_ready()
    streamed = raw_outputs(kafka_settings, topics, expected=len(values))
    input_path = tmp_path / "pages.jsonl"
    input_path.write_bytes(b"\n".join(values) + b"\n")
    runs = {"run": streamed,
            "jobs1": processed(input_path, tmp_path / "jobs1", 1, ENVIRONMENTS["jobs1"], topics),
            "jobs2": processed(input_path, tmp_path / "jobs2", 2, ENVIRONMENTS["jobs2"], topics)}
    state = {"DEDUP_STATE_DIR": str(tmp_path / "state")}
    processed(input_path, tmp_path / "memory", 1, {**ENVIRONMENTS["jobs1"], **state}, topics)
    runs["memory-replayed"] = processed(input_path, tmp_path / "memory-replayed", 2,
                                        {**ENVIRONMENTS["memory-replayed"], **state}, topics)
    redis = {"DEDUP_BACKEND": "redis", "REDIS_URL": redis_url}
    for name in ("redis", "redis-replayed"):
        runs[name] = processed(input_path, tmp_path / name, 1, {**ENVIRONMENTS[name], **redis}, topics)
    assert sum(map(len, streamed.values())) == len(values)
    assert len(streamed[topics.articles_normalized]) >= 7 and len(streamed[topics.articles_duplicates]) >= 5
    for name, outputs in runs.items():
        for topic in (topics.articles_normalized, topics.articles_duplicates):
            assert outputs[topic] == streamed[topic], f"{name}: {topic} differs from run's"
        assert dead_letters(outputs[topics.pages_dlq]) == dead_letters(streamed[topics.pages_dlq]), name


def test_a_record_read_again_days_later_is_judged_as_it_was_when_sent(kafka_settings, make_topics, workers):
    """A page fetched 30 h after its record was sent (a scraper's clock ahead) was refused when the
    record was first read; read three days after it was sent (a crash before the commit, a new
    consumer group reading the topic from its start), it is refused again, not published."""
    from kafka import KafkaProducer

    topics = make_topics(partitions=1)
    sent = time.time() - 3 * 86400
    fetched = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sent + 30 * 3600))
    producer = KafkaProducer(**kafka_settings.client_options(), acks="all")
    try:
        producer.send(topics.pages_raw, value=page("https://site.example/ahead", article_body(1), fetched),
                      timestamp_ms=int(sent * 1000)).get(timeout=30)
    finally:
        producer.close(timeout=10)
    workers(kafka_settings, topics).wait_ready()
    outputs = raw_outputs(kafka_settings, topics, expected=1)
    [letter] = [orjson.loads(value) for value in outputs[topics.pages_dlq]]
    assert (letter["reason"], letter["original"]["timestamp_ms"]) == ("invalid_field", int(sent * 1000))
    assert "ahead of when its record was sent" in letter["error"]
