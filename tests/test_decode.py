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


def nested(depth: int):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("fields", [
    {"url": "https://[::1/a"},
    {"url": "https://news.example.com:99999999/a"},
    {"url": "https://news.example.com:-1/a"},
    {"url": "https://news.example.com:abc/a"},
    {"url": "https://news.example.com/a\x00b"},
    {"url": "https://news.example.com/a\x7fb"},
    {"url": "https://news.example.com/a\x85b"},
    {"url": "https://:80/aaaaaaa"},
    # A host urlsplit reads after the user info, past a bracketed part it checked: not one
    # (these were stage_error at fingerprint, where the host is written into a URL and read again).
    {"url": "https://[::1]@[x:1/a"},
    {"url": "https://[::1]@[[x]/a"},
    {"fetched_at": "0001-01-01T00:00:00+01:00"},
    {"fetched_at": "9999-06-01T00:00:00Z"},
    {"fetched_at": "1989-12-31T23:59:59Z"},
    {"x": nested(64)},
])
def test_hostile_fields_are_invalid_fields_with_a_clear_message(fields):
    with pytest.raises(PageRejected) as caught:
        decode(orjson.dumps({**GOOD, **fields}))
    assert caught.value.reason == Reason.INVALID_FIELD
    assert list(fields)[0] in caught.value.message or "INPUT_MAX_DEPTH" in caught.value.message


def test_nesting_deeper_than_any_serializer_takes_is_refused_at_decode():
    value = orjson.dumps(GOOD)[:-1] + b',"x":' + b"[" * 300 + b"]" * 300 + b"}"
    assert reason_of(value) == Reason.INVALID_FIELD
    assert reason_of(b"[" * 5000 + b"]" * 5000) == Reason.INVALID_JSON


def test_fetch_time_window_is_relative_to_now_and_configurable():
    from datetime import datetime, timedelta, timezone

    from worker.config import InputSettings
    soon = (datetime.now(timezone.utc) + timedelta(hours=20)).isoformat()
    later = (datetime.now(timezone.utc) + timedelta(hours=30)).isoformat()
    assert decode(orjson.dumps({**GOOD, "fetched_at": soon})).fetched_at.year >= 2024
    assert reason_of(orjson.dumps({**GOOD, "fetched_at": later})) == Reason.INVALID_FIELD
    strict = DecodeStage(1000, limits=InputSettings(fetched_at_max_ahead_hours=1))
    with pytest.raises(PageRejected):
        strict(SourceRecord("pages.raw", 0, 7, b"k", orjson.dumps({**GOOD, "fetched_at": soon})))



def test_fetch_time_is_judged_against_when_the_record_was_sent_so_a_replay_is_judged_alike():
    """A page fetched 30 h after its record was sent is refused, and stays refused when the record
    is read again days later (a crash before the commit, a new consumer group reading the topic
    from its start): the replay publishes what the first reading did. A record without a time (a
    line of a file through `process`), or with no plausible send time (ahead of the worker's
    clock, a producer's clock at the epoch), is judged by now."""
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    sent = now - timedelta(days=3)
    value = orjson.dumps({**GOOD, "fetched_at": (sent + timedelta(hours=30)).isoformat()})

    def record(sent_at: datetime | None) -> SourceRecord:
        return SourceRecord("pages.raw", 0, 7, b"k", value,
                            timestamp_ms=None if sent_at is None else int(sent_at.timestamp() * 1000))

    with pytest.raises(PageRejected, match="ahead of when its record was sent"):
        DecodeStage(1000)(record(sent))
    assert DecodeStage(1000)(record(None)).fetched_at < now
    assert DecodeStage(1000)(record(now + timedelta(days=400))).fetched_at < now
    assert DecodeStage(1000)(record(datetime(1970, 1, 1, 0, 0, 0, 1000, timezone.utc))).fetched_at < now
    assert DecodeStage(1000)(record(sent + timedelta(hours=7))).fetched_at < now  # (dlq replay sends it anew)


def test_nesting_up_to_the_limit_is_carried_through():
    page = decode(orjson.dumps({**GOOD, "x": nested(62), "ports": "https://h:8080/"}))
    assert page.extra["ports"] == "https://h:8080/"
    assert decode(orjson.dumps({**GOOD, "url": "https://news.example.com:8443/a"})).url.endswith(":8443/a")


@pytest.mark.parametrize("escaped, kept", [
    ("caf\\udce9 ok", "caf\ufffd ok"),  # a low surrogate alone
    ("end \\ud83d", "end \ufffd"),  # a high one at the string's end
    ("\\ud83d x \\ud83d\\ude00", "\ufffd x \U0001f600"),  # one alone, then a pair (an emoji)
])
def test_lone_surrogates_escaped_in_a_value_become_replacement_characters(escaped, kept):
    """Python's json.dumps writes them for bytes a scraper decoded with errors="surrogateescape":
    one such character does not cost the page."""
    value = orjson.dumps({**GOOD, "body": "@", "tags": ["@", {"@": "@"}]}).replace(b"@", escaped.encode())
    page = decode(value)
    assert page.body == kept
    assert page.extra == {"tags": [kept, {kept: kept}]}


@pytest.mark.parametrize("number, read", [
    (b"18446744073709551615", 18446744073709551615), (b"-9223372036854775808", -9223372036854775808),
    (b"1.5e3", 1500.0), (b"1e30", 1e30), (b"-9223372036854775809.0", -9.223372036854776e18),
])
def test_numbers_beside_lone_surrogates_are_read_as_without_them(number, read):
    # An integer past 64 bits, read as an int where a lone surrogate sent the value to the standard
    # library's parser, made the article event unserializable: a stage_error at route, where
    # without the surrogate the page was an article.
    value = orjson.dumps({**GOOD, "body": "@", "n": "#"}).replace(b"@", b"\\udce9").replace(b'"#"', number)
    assert decode(value).extra["n"] == read == orjson.loads(number)
    assert type(decode(value).extra["n"]) is type(orjson.loads(number))


@pytest.mark.parametrize("number", [b"18446744073709551616", b"-9223372036854775809", b"1" * 30,
                                    b"-" + b"9" * 300])
@pytest.mark.parametrize("where", [b'"#"', b'{"a": [1, "#"]}'])
@pytest.mark.parametrize("surrogate", [False, True])
def test_an_integer_outside_64_bits_in_an_optional_field_is_an_invalid_field(number, where, surrogate):
    # It was read as a float (18446744073709551616 as 1.8446744073709552e19) and published so:
    # another value than the page's, silently.
    value = orjson.dumps({**GOOD, "body": "@" if surrogate else "b", "status": 200, "n": "#"})
    value = value.replace(b'"#"', where).replace(b'"#"', number).replace(b"@", b"\\udce9")
    with pytest.raises(PageRejected) as caught:
        decode(value)
    assert caught.value.reason == Reason.INVALID_FIELD
    assert "optional field 'n'" in caught.value.message and "64 bits" in caught.value.message


def test_floats_of_any_size_in_optional_fields_are_carried():
    page = decode(orjson.dumps({**GOOD, "big": 1.8446744073709552e19, "nested": [{"x": -1e300}], "n": 2**64 - 1}))
    assert page.extra == {"big": 1.8446744073709552e19, "nested": [{"x": -1e300}], "n": 2**64 - 1}


@pytest.mark.parametrize("value", [
    b'{"url": "https://x.example/a", "body": "\\udce9", "n": NaN}',  # NaN: no JSON
    b'{"url": "https://x.example/a", "body": "\\udce9", "n": 1e400}',  # infinite, as orjson reads it
    b'{"url": "https://x.example/a", "body": "\\udce9", "n": ' + b"1" * 400 + b'}',
    b'{"url": "https://x.example/a", "body": "\\udce9"',  # cut short
    b'{"url": "https://x.example/a", "body": "\\udce9\xff"}',  # not UTF-8
    b'[' * 5000 + b'"\\udce9"' + b']' * 5000,  # nested past any parser's depth
])
def test_a_value_faulty_besides_its_lone_surrogates_is_still_invalid_json(value):
    assert reason_of(value) == Reason.INVALID_JSON


def test_a_value_in_another_encoding_than_utf8_is_still_invalid_json():
    assert reason_of('{"url": "https://x.example/a", "body": "\\udce9"}'.encode("utf-16")) == Reason.INVALID_JSON
