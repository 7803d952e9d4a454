"""Input validation: every kind of bad record gets its own machine-readable reason."""
import orjson
import pytest

from worker.errors import PageRejected, Reason
from worker.models import SourceRecord
from worker.stages.decode import DecodeStage, parse_content_type

GOOD = {"url": "https://news.example.com/a", "fetched_at": "2024-05-01T10:00:00Z",
        "content_type": "text/html; charset=UTF-8", "body": "<p>hi</p>"}


def decode(value: bytes | None, max_body_bytes: int = 1000):
    return DecodeStage(max_body_bytes)(SourceRecord("pages.raw", 0, 7, b"k", value))


def reason_of(value, **kwargs) -> Reason:
    with pytest.raises(PageRejected) as caught:
        decode(value, **kwargs)
    return caught.value.reason


def test_valid_page_is_decoded_with_optional_fields_carried():
    page = decode(orjson.dumps({**GOOD, "source": "crawler-7", "status": 200}))
    assert page.url == GOOD["url"]
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert page.fetched_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert page.extra == {"source": "crawler-7", "status": 200}


@pytest.mark.parametrize("value, reason", [
    (b"{not json", Reason.INVALID_JSON),
    (b"\xff\xfe\x00", Reason.INVALID_JSON),
    (b"[1, 2]", Reason.INVALID_JSON),
    (None, Reason.INVALID_JSON),
    (orjson.dumps({k: v for k, v in GOOD.items() if k != "url"}), Reason.INVALID_FIELD),
    (orjson.dumps({**GOOD, "body": 12}), Reason.INVALID_FIELD),
    (orjson.dumps({**GOOD, "url": "ftp://x.example/a"}), Reason.INVALID_FIELD),
    (orjson.dumps({**GOOD, "fetched_at": "yesterday"}), Reason.INVALID_FIELD),
    (orjson.dumps({**GOOD, "content_type": "application/pdf"}), Reason.UNSUPPORTED_CONTENT_TYPE),
    (orjson.dumps({**GOOD, "body": "x" * 1001}), Reason.BODY_TOO_LARGE),
])
def test_bad_records_are_rejected_with_their_reason(value, reason):
    assert reason_of(value) == reason


def test_body_limit_counts_utf8_bytes_not_characters():
    assert reason_of(orjson.dumps({**GOOD, "body": "ж" * 501})) == Reason.BODY_TOO_LARGE


def test_xhtml_is_html_and_charset_is_parsed():
    assert parse_content_type('application/xhtml+xml; charset="ISO-8859-1"') == ("application/xhtml+xml", "iso-8859-1")
    assert decode(orjson.dumps({**GOOD, "content_type": "application/xhtml+xml"})).content_type == "text/html"


def test_naive_fetch_time_is_taken_as_utc():
    page = decode(orjson.dumps({**GOOD, "fetched_at": "2024-05-01T12:00:00+02:00"}))
    assert page.fetched_at.isoformat() == "2024-05-01T10:00:00+00:00"
