"""Dead letters: always deliverable whatever the record, and never an exception out of the pipeline."""
import base64

import orjson
import pytest

from tests.helpers import article_body, page
from worker.config import KafkaSettings, Settings
from worker.errors import DependencyUnavailable
from worker.models import Article, SourceRecord
import worker
from worker.pipeline import DLQ_MAX_KEY_BYTES, RECORD_OVERHEAD_BYTES, Pipeline, headers_size
from worker.state import MemoryIndex

LIMIT = 64 * 1024


def pipeline(limit: int = LIMIT) -> Pipeline:
    return Pipeline(Settings(kafka=KafkaSettings(max_request_size=limit)), MemoryIndex())


def record(value: bytes | None, key: bytes | None = b"k") -> SourceRecord:
    return SourceRecord("pages.raw", 3, 42, key, value, timestamp_ms=1)


def fits(output, limit: int = LIMIT) -> bool:
    return len(output.value) + len(output.key or b"") <= limit - RECORD_OVERHEAD_BYTES + DLQ_MAX_KEY_BYTES


def test_a_huge_binary_key_is_cut_in_the_letter_and_the_letter_keyed_by_its_digest():
    key = b"\xff" * 600_000
    output = pipeline().process(record(b"x", key))
    event = orjson.loads(output.value)
    assert output.kind == "dlq" and event["reason"] == "invalid_json"
    assert fits(output) and len(output.key) <= DLQ_MAX_KEY_BYTES
    original = event["original"]
    assert original["key_truncated"] is True and original["key_encoding"] == "base64"
    assert key.startswith(base64.b64decode(original["key"])) and len(original["key"]) > 100
    assert original["value"] == "x"
    assert pipeline().process(record(b"x", key)).key == output.key  # deterministic: same partition


@pytest.mark.parametrize("value", [b"\x01" * 400_000, b"\xfe" * 400_000, ("\u2028\"\\" * 100_000).encode(),
                                   b"\x01" * 30_000 + b"a" * 300_000])
def test_a_value_inflated_by_escaping_keeps_a_meaningful_prefix(value):
    output = pipeline().process(record(value, b"k" * 2000))
    event = orjson.loads(output.value)
    assert fits(output)
    original = event["original"]
    assert original["value_truncated"] is True
    kept = base64.b64decode(original["value"]) if original["value_encoding"] == "base64" else original["value"].encode()
    assert value.startswith(kept) and len(output.value) > (LIMIT - RECORD_OVERHEAD_BYTES) * 0.8


def test_a_short_record_is_kept_whole():
    event = orjson.loads(pipeline().process(record(b"\x01" * 100, b"\xff\xfe")).value)
    assert "value_truncated" not in event["original"] and "key_truncated" not in event["original"]


def test_an_event_the_serializer_refuses_is_a_dead_letter_not_an_exception(monkeypatch):
    p = pipeline(1_048_576)
    process = p.clean.process

    def unserializable(page_):
        article: Article = process(page_)
        article.extra["x"] = {1, 2}  # orjson refuses a set, as it refuses 256 levels of nesting
        return article
    monkeypatch.setattr(p.clean, "process", unserializable)
    output = p.process(record(page("https://a.example/1", article_body(1))))
    event = orjson.loads(output.value)
    assert output.kind == "dlq" and event["reason"] == "stage_error" and event["stage"] == "route"
    assert "JSONEncodeError" in event["error"] or "TypeError" in event["error"]
    assert event["url"] == "https://a.example/1"


def test_an_article_too_large_to_publish_gets_no_dedup_decision():
    # A fetch whose event is over the limit (here a large optional field) went to the DLQ after
    # its decision was stored: the next fetch of its URL, and a copy on another site, came out as
    # duplicates of an article never published, and the story had no unique article.
    p = pipeline()
    body = "\n\n".join(article_body(n) for n in range(30))
    fetches = [page("https://a.example/1", body, fetched_at="2024-05-01T10:00:00Z", crawl_log="x" * LIMIT),
               page("https://a.example/1", body, fetched_at="2024-05-02T10:00:00Z"),
               page("https://b.example/2", body, fetched_at="2024-05-02T11:00:00Z")]
    too_large, first, copy = (orjson.loads(p.process(record(value)).value) for value in fetches)
    assert (too_large["reason"], too_large["stage"]) == ("output_too_large", "route")
    assert first["dedup"]["status"] == "unique"
    assert copy["dedup"]["status"] == "duplicate" and copy["dedup"]["duplicate_of"] == first["article_id"]


def test_prepare_raises_nothing_but_dependency_unavailable(monkeypatch):
    p = pipeline()
    monkeypatch.setattr(p, "decode", lambda r: (_ for _ in ()).throw(RecursionError("deep")))
    output = p.prepare(record(page("https://a.example/1", article_body(1))))
    assert output.kind == "dlq" and orjson.loads(output.value)["reason"] == "stage_error"

    def down(r):
        raise DependencyUnavailable("x")
    monkeypatch.setattr(p, "decode", down)
    with pytest.raises(DependencyUnavailable):
        p.prepare(record(b"{}"))


def test_every_dead_letter_carries_its_context_in_headers_and_the_event():
    output = pipeline().process(record(b"not json"))
    headers = dict(output.headers)
    event = orjson.loads(output.value)
    assert headers == {"dlq.reason": b"invalid_json", "dlq.stage": event["stage"].encode(),
                       "dlq.original.topic": b"pages.raw", "dlq.original.partition": b"3",
                       "dlq.original.offset": b"42", "dlq.error.class": event["error_class"].encode(),
                       "dlq.worker.version": worker.__version__.encode()}
    assert event["worker_version"] == worker.__version__


def test_an_unexpected_error_names_its_class(monkeypatch):
    p = pipeline()

    def boom(page):
        raise ZeroDivisionError("bug")
    monkeypatch.setattr(p, "_clean_and_fingerprint", boom)
    output = p.process(record(page("https://site.example/a", article_body(1))))
    assert dict(output.headers)["dlq.error.class"] == b"ZeroDivisionError"
    assert orjson.loads(output.value)["error_class"] == "ZeroDivisionError"


def test_a_huge_letter_fits_the_limit_with_its_headers():
    long_topic = "t" * 249
    output = pipeline().process(SourceRecord(long_topic, 3, 42, b"k" * DLQ_MAX_KEY_BYTES, b"\x01" * 400_000))
    size = len(output.value) + len(output.key) + headers_size(output.headers)
    assert dict(output.headers)["dlq.original.topic"] == long_topic.encode()
    assert size <= LIMIT - RECORD_OVERHEAD_BYTES + DLQ_MAX_KEY_BYTES


def test_a_huge_key_of_a_tombstone_or_a_short_value_cuts_the_key_only():
    for value in (None, b"{}"):
        output = pipeline().process(record(value, b"k" * 600_000))
        original = orjson.loads(output.value)["original"]
        assert fits(output) and original["key_truncated"] is True
        assert "value_truncated" not in original
        assert original["value"] == (None if value is None else "{}")


def test_letters_around_the_limit_fit_with_their_headers():
    p = pipeline()
    for size in range(LIMIT - RECORD_OVERHEAD_BYTES - 2500, LIMIT - RECORD_OVERHEAD_BYTES, 29):
        output = p.process(record(b"x" * size, b"k" * 5000))
        assert len(output.value) + headers_size(output.headers) <= LIMIT - RECORD_OVERHEAD_BYTES, size
