"""The real worker process against a real Kafka-protocol broker (Tansu)."""
import time

import orjson
import pytest

from tests.helpers import SAMPLES, article_body, consume, page, produce

pytestmark = pytest.mark.broker


def by_id(events: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for event in events:
        grouped.setdefault(event["article_id"], []).append(event)
    return grouped


def test_sample_pages_come_out_on_the_right_topics(kafka_settings, make_topics, workers):
    topics = make_topics(partitions=3)
    values = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    produce(kafka_settings, topics.pages_raw, values)
    worker = workers(kafka_settings, topics)
    worker.wait_ready()
    events = consume(kafka_settings, topics, expected=len(values))
    articles, duplicates, dead = (events[t] for t in topics.outputs())
    assert len(articles) + len(duplicates) + len(dead) == len(values)
    assert {e["reason"] for e in dead} >= {"invalid_json", "unsupported_content_type", "no_content"}
    assert all(e["dedup"]["status"] == "unique" for e in articles)
    assert all(e["dedup"]["status"] == "duplicate" and e["dedup"]["duplicate_of"] for e in duplicates)
    # The recrawl of the first sample under a tracking-parameter URL is a url duplicate of it (or of
    # the article it copies: its spun copy sits on another partition and may be processed first).
    first_url = orjson.loads(values[0])["url"]
    [first] = [e for e in articles + duplicates if e["url"] == first_url]
    [recrawl] = [e for e in duplicates if e["url"].startswith(first_url + "?utm_source")]
    assert recrawl["dedup"]["method"] == "url"
    assert recrawl["dedup"]["duplicate_of"] in (first["article_id"], first["dedup"]["duplicate_of"])
    assert worker.get("/healthz")[0] == 200
    assert worker.metric("newsworker_pages_consumed_total", topic=topics.pages_raw) == len(values)


def test_malformed_record_between_good_ones_goes_to_the_dlq_and_the_rest_is_published(
        kafka_settings, make_topics, workers):
    topics = make_topics(partitions=1)
    good = [page(f"https://site.example/{i}", article_body(i)) for i in range(4)]
    produce(kafka_settings, topics.pages_raw, good[:2] + [b'{"url": "https://site.example/bad", "body": '] + good[2:])
    workers(kafka_settings, topics)
    events = consume(kafka_settings, topics, expected=5)
    assert len(events[topics.articles_normalized]) == 4
    [dead] = events[topics.pages_dlq]
    assert dead["reason"] == "invalid_json"
    assert dead["original"] == {"topic": topics.pages_raw, "partition": 0, "offset": 2,
                                "timestamp_ms": dead["original"]["timestamp_ms"], "key": None, "key_encoding": None,
                                "value": '{"url": "https://site.example/bad", "body": ', "value_encoding": "utf-8"}


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_input_compressed_with_any_kafka_codec_is_read(kafka_settings, make_topics, workers, codec):
    # A producer's (or a topic's compression.type) codec is the input's: without its library,
    # kafka-python raised out of poll on the batch and the worker exited, at every restart.
    from kafka import KafkaProducer

    topics = make_topics(partitions=1)
    producer = KafkaProducer(**kafka_settings.client_options(), acks="all", compression_type=codec, linger_ms=50)
    values = [page(f"https://site.example/{codec}/{i}", article_body(i)) for i in range(5)]
    for future in [producer.send(topics.pages_raw, value=value) for value in values]:
        future.get(timeout=30)
    producer.close()
    worker = workers(kafka_settings, topics)
    events = consume(kafka_settings, topics, expected=len(values))
    assert len(events[topics.articles_normalized]) == len(values)
    assert worker.process.poll() is None


def _produce_batch(settings, topic: str, values: list[bytes], damage: str | None = None) -> None:
    """`values` as one gzip record batch; damage "payload": its compressed bytes are garbage (a
    broken producer); "crc": a byte of the sealed batch is flipped (damaged on the way or on disk).
    Tansu stores either as sent."""
    from unittest import mock

    from kafka import KafkaProducer
    from kafka.record import default_records

    patches = []
    if damage == "payload":
        patches.append(mock.patch.object(default_records, "gzip_encode", lambda data: b"\x1f\x8b garbage, not gzip"))
    if damage == "crc":
        build = default_records.DefaultRecordBatchBuilder.build

        def flipped(builder):
            buffer = build(builder)
            buffer[-1] ^= 0xFF
            return buffer
        patches.append(mock.patch.object(default_records.DefaultRecordBatchBuilder, "build", flipped))
    producer = KafkaProducer(**settings.client_options(), acks="all", compression_type="gzip", linger_ms=200)
    try:
        for patch in patches:
            patch.start()
        futures = [producer.send(topic, value=value) for value in values]
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)
    finally:
        for patch in patches:
            patch.stop()
        producer.close(timeout=10)


@pytest.mark.parametrize("damage", ["payload", "crc"])
def test_an_undecodable_batch_is_dead_lettered_whole_and_the_stream_goes_on(kafka_settings, make_topics, workers,
                                                                             damage):
    # It made poll raise at every restart: the worker crash-looped and never read past it.
    topics = make_topics(partitions=1)
    good = [page(f"https://site.example/{damage}/{i}", article_body(i)) for i in range(4)]
    _produce_batch(kafka_settings, topics.pages_raw, good[:2])
    _produce_batch(kafka_settings, topics.pages_raw, [page(f"https://site.example/lost/{i}", article_body(10 + i))
                                                      for i in range(3)], damage=damage)
    _produce_batch(kafka_settings, topics.pages_raw, good[2:])
    worker = workers(kafka_settings, topics)
    events = consume(kafka_settings, topics, expected=5, settle=1.0)
    assert len(events[topics.articles_normalized]) == 4
    [dead] = events[topics.pages_dlq]
    assert (dead["reason"], dead["stage"]) == ("unreadable_record", "decode")
    assert "offsets 2-4 (compression gzip)" in dead["error"]
    assert (dead["original"]["offset"], dead["original"]["value_encoding"]) == (4, "base64")
    assert worker.process.poll() is None
    assert worker.metric("newsworker_pages_consumed_total", topic=topics.pages_raw) == 5


def test_worker_killed_mid_stream_loses_no_page_and_replays_identically(kafka_settings, make_topics, workers,
                                                                        tmp_path):
    topics = make_topics(partitions=2)
    count = 300
    # Every tenth page is an exact copy of an earlier one under another URL: a replay must repeat
    # its "duplicate" decision, never turn it into "unique" or a duplicate of itself.
    values = [page(f"https://site.example/{i}", article_body(i - 5 if i % 10 == 9 else i)) for i in range(count)]
    produce(kafka_settings, topics.pages_raw, values)
    state = tmp_path / "state"
    env = {"BATCH_MAX_RECORDS": "10", "DEDUP_STATE_DIR": str(state)}
    first = workers(kafka_settings, topics, **env)
    first.wait_ready()
    deadline = time.monotonic() + 60
    while first.metric("newsworker_offset_commits_total") < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()  # SIGKILL: no shutdown code runs
    done_before_kill = first.process.returncode
    assert done_before_kill == -9
    workers(kafka_settings, topics, **env).wait_ready()
    events = consume(kafka_settings, topics, expected=count, timeout=90, settle=2.0)
    published = by_id(events[topics.articles_normalized] + events[topics.articles_duplicates])
    assert len(published) == count, "every page has an output"
    for article_id, copies in published.items():
        assert all(copy == copies[0] for copy in copies), "a replay produces the identical event"
        assert copies[0]["dedup"]["duplicate_of"] != article_id
    assert sum(1 for c in published.values() if c[0]["dedup"]["status"] == "duplicate") == count // 10


def test_two_workers_share_the_partitions_and_publish_each_page_once(kafka_settings, make_topics, workers):
    topics = make_topics(partitions=4)
    one = workers(kafka_settings, topics)
    two = workers(kafka_settings, topics)
    one.wait_ready()
    two.wait_ready()
    deadline = time.monotonic() + 30
    while (one.metric("newsworker_assigned_partitions") + two.metric("newsworker_assigned_partitions") != 4
           or not one.metric("newsworker_assigned_partitions")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert one.metric("newsworker_assigned_partitions") > 0 and two.metric("newsworker_assigned_partitions") > 0
    count = 200
    produce(kafka_settings, topics.pages_raw, [page(f"https://s{i % 7}.example/{i}", article_body(i))
                                               for i in range(count)])
    events = consume(kafka_settings, topics, expected=count, settle=1.0)
    published = by_id(events[topics.articles_normalized])
    assert len(published) == count
    assert all(len(copies) == 1 for copies in published.values())
    assert one.metric("newsworker_pages_consumed_total", topic=topics.pages_raw) > 0
    assert two.metric("newsworker_pages_consumed_total", topic=topics.pages_raw) > 0


def test_sigterm_commits_leaves_the_group_and_exits_in_time(kafka_settings, make_topics, workers):
    topics = make_topics(partitions=2)
    produce(kafka_settings, topics.pages_raw, [page(f"https://a.example/{i}", article_body(i)) for i in range(30)])
    first = workers(kafka_settings, topics, SHUTDOWN_TIMEOUT_SECONDS="10")
    consume(kafka_settings, topics, expected=30)
    started = time.monotonic()
    assert first.terminate(timeout=15) == 0
    assert time.monotonic() - started < 10
    # A successor in the same group starts from the committed offsets: nothing is processed twice.
    workers(kafka_settings, topics).wait_ready()
    produce(kafka_settings, topics.pages_raw, [page(f"https://b.example/{i}", article_body(100 + i))
                                               for i in range(5)])
    events = consume(kafka_settings, topics, expected=35, settle=2.0)
    assert len(events[topics.articles_normalized]) == 35


def test_a_second_worker_on_the_same_state_directory_is_refused_at_start(kafka_settings, make_topics, workers,
                                                                         tmp_path):
    """Two workers of the memory backend given one DEDUP_STATE_DIR would append to one log with
    overlapping sequence numbers (a restore then skips one's decisions): the second exits 3 at
    once, naming the directory, and the first goes on."""
    topics = make_topics(partitions=1)
    state = {"DEDUP_STATE_DIR": str(tmp_path / "state")}
    first = workers(kafka_settings, topics, **state)
    first.wait_ready()
    second = workers(kafka_settings, topics, **state)
    assert second.process.wait(timeout=30) == 3
    assert "is held by another process" in second.log()
    produce(kafka_settings, topics.pages_raw, [page("https://site.example/1", article_body(1))])
    assert len(consume(kafka_settings, topics, expected=1)[topics.articles_normalized]) == 1
    assert first.process.poll() is None
