"""newsworker_consumer_group_lag_records against a counted backlog, real broker, real Prometheus.

The backlog: the worker's dedup state (Redis) is stopped, so the worker fetches the new pages but
cannot finish them and commits nothing; the group's lag must then be exactly the pages produced
since the last commit, per partition, while the consumer's fetch lag (what it has fetched) is not.

Tansu 0.6.0's ListOffsets answers the base offset of a partition's last record batch plus one, not
the log end: a batch of N records leaves the reported end N - 1 short (measured:
produced 150 per partition in batches of 75, reported 76). The pages here are produced one record
per request, where the reported end is exact; on Apache Kafka it always is.
"""
import time

import orjson
import pytest
from kafka import KafkaProducer

from tests.helpers import WorkerProcess, article_body, committed, consume, page

pytestmark = pytest.mark.broker

PARTITIONS = 2


def produce_one_by_one(settings, topic: str, values: list[bytes]) -> dict[int, int]:
    """Each value in a request of its own, round-robin over the partitions; count per partition."""
    producer = KafkaProducer(**settings.client_options(), acks="all", linger_ms=0)
    counts = {p: 0 for p in range(PARTITIONS)}
    try:
        for number, value in enumerate(values):
            producer.send(topic, value=value, key=orjson.loads(value)["url"].encode(),
                          partition=number % PARTITIONS).get(timeout=30)
            counts[number % PARTITIONS] += 1
    finally:
        producer.close(timeout=10)
    return counts


def test_group_lag_counts_the_backlog_the_fetch_lag_does_not(kafka_settings, make_topics, durable_redis_server,
                                                             start_prometheus, tmp_path):
    topics = make_topics(partitions=PARTITIONS)
    worker = WorkerProcess(kafka_settings, topics, tmp_path, DEDUP_BACKEND="redis", REDIS_URL=durable_redis_server.url,
                           GROUP_LAG_INTERVAL_SECONDS="0.5", RETRY_BACKOFF_MAX_SECONDS="1").start()
    try:
        worker.wait_ready()
        prometheus = start_prometheus([f"127.0.0.1:{worker.metrics_port}"])
        first = [page(f"https://site.example/a/{i}", article_body(i)) for i in range(6)]
        produce_one_by_one(kafka_settings, topics.pages_raw, first)
        consume(kafka_settings, topics, expected=len(first))

        group = f'newsworker_consumer_group_lag_records{{topic="{topics.pages_raw}"}}'
        fetch = f'newsworker_consumer_fetch_lag_records{{topic="{topics.pages_raw}"}}'

        def total(expr: str) -> float | None:
            result = prometheus.query(f"sum({expr})")
            return float(result[0]["value"][1]) if result else None

        prometheus.wait_for(lambda: total(group) == 0, 30, "group lag 0 once every page is committed")
        before = committed(kafka_settings, topics.pages_raw)
        assert sum(before.values()) == len(first)

        durable_redis_server.stop()
        backlog = [page(f"https://site.example/b/{i}", article_body(100 + i)) for i in range(14)]
        produced = produce_one_by_one(kafka_settings, topics.pages_raw, backlog)
        prometheus.wait_for(lambda: total(group) == len(backlog), 30, "group lag = the backlog")
        time.sleep(2)  # the worker keeps retrying; nothing it fetched is committed
        assert committed(kafka_settings, topics.pages_raw) == before
        for partition in range(PARTITIONS):
            [series] = prometheus.query(f'newsworker_consumer_group_lag_records{{topic="{topics.pages_raw}", '
                                        f'partition="{partition}"}}')
            assert float(series["value"][1]) == produced[partition]
        assert total(group) == len(backlog)
        # What the consumer sees: it has fetched (part of) the backlog it cannot finish.
        assert (total(fetch) or 0) < len(backlog)
        assert worker.metric("newsworker_group_lag_read_failures_total") == 0

        durable_redis_server.start()
        consume(kafka_settings, topics, expected=len(first) + len(backlog))
        prometheus.wait_for(lambda: total(group) == 0, 30, "group lag back to 0 after the outage")
    finally:
        worker.stop()


def test_a_batched_backlog_reads_as_the_broker_reports_its_end(kafka_settings, make_topics):
    """What Tansu does with ListOffsets, measured: 50 records in one batch, nothing committed.
    Apache Kafka reports the end at 50; Tansu 0.6.0 at the batch's base offset + 1."""
    from worker.transport.kafka_lag import GroupLagReader
    topics = make_topics(partitions=1)
    producer = KafkaProducer(**kafka_settings.client_options(), acks="all", linger_ms=50)
    try:
        futures = [producer.send(topics.pages_raw, value=b"x", partition=0) for _ in range(50)]
        producer.flush(timeout=30)
        assert len({f.get(timeout=30).offset for f in futures}) == 50
    finally:
        producer.close(timeout=10)
    reader = GroupLagReader(kafka_settings, topics.pages_raw, timeout_ms=5000)
    try:
        lag = reader.lag()[(topics.pages_raw, 0)]
    finally:
        reader.close()
    assert lag in (50, 1), f"neither Apache Kafka's end (50) nor Tansu 0.6.0's last batch base + 1 (1): {lag}"
