"""Outputs the broker refuses for good, through a real broker that refuses them: Tansu validating
records against JSON schemas (tests/fixtures/broker.py), as Apache Kafka refuses a record larger
than its topic's max.message.bytes. Retried, such a record wedged its partition for good."""
import uuid

import orjson
import pytest
from tests.helpers import article_body, committed, consume, page, produce
from tests.integration.test_dlq_tool import dlq
from worker.config import KafkaSettings, Topics
from worker.transport.kafka import ensure_topics

pytestmark = pytest.mark.broker


def refusing(field: str, pattern: str) -> dict:
    """A schema that refuses a value whose `field` (a path) matches `pattern`."""
    schema: dict = {"type": "string", "not": {"pattern": pattern}}
    for name in reversed(field.split(".")):
        schema = {"type": "object", "properties": {name: schema}}
    return {"type": "object", "properties": {"value": schema}}


def test_refused_events_and_letters_are_dead_lettered_and_the_stream_goes_on(validating_broker, workers):
    settings = KafkaSettings(bootstrap_servers=validating_broker.bootstrap, group_id=f"refused-{uuid.uuid4().hex[:8]}",
                             session_timeout_ms=6000, heartbeat_interval_ms=500)
    prefix = f"refused-{uuid.uuid4().hex[:6]}"
    topics = Topics(pages_raw=f"{prefix}.pages.raw", articles_normalized=f"{prefix}.articles.normalized",
                    articles_duplicates=f"{prefix}.articles.duplicates", pages_dlq=f"{prefix}.pages.dlq")
    (validating_broker.schemas / f"{topics.articles_normalized}.json").write_bytes(
        orjson.dumps(refusing("url", "refuse-event")))
    (validating_broker.schemas / f"{topics.pages_dlq}.json").write_bytes(
        orjson.dumps(refusing("original.value", "refuse-letter")))
    ensure_topics(settings, topics.all(), partitions=1)
    values = [
        page("https://site.example/0", article_body(0)),
        page("https://site.example/refuse-event/1", article_body(1)),  # its event is refused
        page("https://site.example/refuse-event/refuse-letter/2", article_body(2)),  # and its letter too
        page("https://site.example/3", "refuse-letter"),  # no article: its letter is refused
        page("https://other.example/copy-of-1", article_body(1)),  # a copy of the refused article
        page("https://site.example/5", article_body(5)),
    ]
    produce(settings, topics.pages_raw, values)
    worker = workers(settings, topics, BATCH_MAX_RECORDS="100")
    worker.wait_ready()
    events = consume(settings, topics, expected=len(values), settle=1.0)

    assert sorted(e["url"] for e in events[topics.articles_normalized]) == [
        "https://site.example/0", "https://site.example/5"]
    letters = {e["original"]["offset"]: e for e in events[topics.pages_dlq]}
    assert sorted(letters) == [1, 2, 3]
    assert {(e["reason"], e["stage"], e["error_class"]) for e in (letters[1], letters[2])} == {
        ("output_refused", "deliver", "InvalidRecordError")}
    assert letters[1]["original"]["value"].encode() == values[1]  # replayable once the topic takes it
    assert letters[1]["url"] == "https://site.example/refuse-event/1"
    for refused_twice in (letters[2], letters[3]):
        assert refused_twice["original"]["value"] == "" and refused_twice["original"]["value_truncated"]
        assert "the broker refused the letter" in refused_twice["error"]
    assert letters[3]["reason"] == "no_content"
    # The refused article keeps its decision: its copy is a duplicate of it (published on replay).
    [copy] = events[topics.articles_duplicates]
    assert copy["url"] == "https://other.example/copy-of-1" and copy["dedup"]["status"] == "duplicate"

    assert worker.metric("newsworker_dlq_records_total", reason="output_refused") == 2
    assert worker.get("/readyz")[0] == 200
    assert committed(settings, topics.pages_raw) == {0: len(values)}

    # The operator lifts the limit and replays: the refused article comes out as the event it
    # would have been, the original its copy names (a letter without its value is skipped).
    (validating_broker.schemas / f"{topics.articles_normalized}.json").unlink()
    replayed = dlq(settings, topics, "replay", "--reason", "output_refused")
    assert replayed.returncode == 0, replayed.stderr
    assert "re-published 1 record(s)" in replayed.stdout and "skipped 1" in replayed.stdout
    events = consume(settings, topics, expected=len(values) + 1, settle=1.0)
    [article] = [e for e in events[topics.articles_normalized] if e["url"] == "https://site.example/refuse-event/1"]
    assert article["dedup"]["status"] == "unique" and article["article_id"] == copy["dedup"]["duplicate_of"]
