"""The broker restarts mid-stream (SIGTERM once, SIGKILL once) while the worker keeps running.

The broker keeps its topics and committed offsets on S3 storage (tests/fixtures/s3_broker.py), as a
real Kafka cluster keeps them on disk. Expected: every page comes out; a page that comes out twice
(at-least-once: its batch was delivered but not committed when the broker went away) comes out
byte-identical; the group's committed offsets end at the end of the input; the worker never exits.
"""
from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from tests.helpers import WorkerProcess, article_body, consume, page, produce
from worker.config import KafkaSettings, Topics
from worker.transport.kafka import ensure_topics

pytestmark = pytest.mark.broker

PARTITIONS = 3
PAGES_PER_PHASE = 600


def _settings(broker) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=broker.bootstrap, group_id=f"restart-{uuid.uuid4().hex[:8]}",
                         session_timeout_ms=6000, heartbeat_interval_ms=500)


def _wait_for(condition, timeout: float, what: str, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.process.poll() is None, f"the worker exited:\n{worker.log()}"
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout}s:\n{worker.log()}")


def _consumed(worker: WorkerProcess, topics: Topics) -> float:
    try:
        return worker.metric("newsworker_pages_consumed_total", topic=topics.pages_raw)
    except OSError:
        return 0.0


def _committed_total(settings: KafkaSettings, topic: str) -> int:
    consumer = KafkaConsumer(**settings.client_options(), group_id=settings.group_id, enable_auto_commit=False)
    try:
        return sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in range(PARTITIONS))
    finally:
        consumer.close(autocommit=False)


def _read_all(settings: KafkaSettings, topic: str) -> list[dict]:
    import orjson
    consumer = KafkaConsumer(**settings.client_options(), enable_auto_commit=False, consumer_timeout_ms=3000,
                             auto_offset_reset="earliest")
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
        return [orjson.loads(message.value) for message in consumer]
    finally:
        consumer.close(autocommit=False)


def test_broker_restarts_mid_stream_lose_nothing_and_replays_are_identical(durable_broker, tmp_path):
    settings = _settings(durable_broker)
    prefix = f"r{uuid.uuid4().hex[:6]}"
    topics = Topics(pages_raw=f"{prefix}.pages.raw", articles_normalized=f"{prefix}.articles.normalized",
                    articles_duplicates=f"{prefix}.articles.duplicates", pages_dlq=f"{prefix}.pages.dlq")
    ensure_topics(settings, topics.all(), PARTITIONS)
    worker = WorkerProcess(settings, topics, tmp_path, BATCH_MAX_RECORDS="50",
                           # Tansu reuses producer ids across restarts (see KafkaSettings.enable_idempotence).
                           KAFKA_ENABLE_IDEMPOTENCE="false",
                           RETRY_BACKOFF_INITIAL_SECONDS="0.2", RETRY_BACKOFF_MAX_SECONDS="1").start()
    try:
        worker.wait_ready()
        produced = 0
        for phase, kill in enumerate((False, True, None)):
            values = [page(f"https://site{phase}.example/a/{i}", article_body(phase * 10_000 + i))
                      for i in range(PAGES_PER_PHASE)]
            produce(settings, topics.pages_raw, values)
            produced += len(values)
            if kill is None:
                break
            # Mid-stream: part of this phase is out, the rest still waits in the topic.
            target = produced - PAGES_PER_PHASE + PAGES_PER_PHASE // 3
            _wait_for(lambda: _consumed(worker, topics) >= target, 60, f"{target} pages consumed", worker)
            durable_broker.restart(kill=kill, down_seconds=2.0)

        events = consume(settings, topics, expected=produced, timeout=45, settle=1.0)
        outputs = [e for topic in topics.outputs() for e in events[topic]]
        by_id: dict[str, list[dict]] = {}
        for event in outputs:
            by_id.setdefault(event["article_id"], []).append(event)
        if len(by_id) != produced:
            inputs = _read_all(settings, topics.pages_raw)
            urls = {e["url"] for e in outputs}
            missing = [v for v in inputs if v["url"] not in urls]
            published = sum(worker.metric("newsworker_articles_published_total", status=s)
                            for s in ("unique", "duplicate"))
            raise AssertionError(f"{produced - len(by_id)} pages never came out; the input topic holds "
                                 f"{len(inputs)} of {produced}; the worker counted {published} published; "
                                 f"{len(outputs)} output records read; missing: {[m['url'] for m in missing][:20]}")
        assert not events[topics.pages_dlq], "good pages were dead-lettered"
        for copies in by_id.values():
            assert all(copy == copies[0] for copy in copies), "a replayed page came out different"
        _wait_for(lambda: _committed_total(settings, topics.pages_raw) == produced, 60,
                  f"committed offsets at the end of the input ({produced})", worker)
        assert worker.process.poll() is None, "the worker exited"
        assert worker.get("/healthz")[0] == 200
    finally:
        worker.stop()
