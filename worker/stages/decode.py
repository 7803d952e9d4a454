"""Decode stage: a raw Kafka record -> a validated RawPage, or a precise reason why not.

The schema is documented in README.md and worker/schema/raw_page.schema.json.
"""
from __future__ import annotations

import ipaddress
import json
import math
import re
import time
from datetime import datetime, timedelta, timezone
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import orjson

from ..config import InputSettings
from ..errors import PageRejected, Reason
from ..models import RawPage, SourceRecord, parse_time
from ..metrics import Metrics
from .base import Stage

SUPPORTED_CONTENT_TYPES = ("text/html", "text/plain")
REQUIRED_FIELDS = ("url", "fetched_at", "content_type", "body")
# Media types that are HTML under another name.
HTML_ALIASES = ("application/xhtml+xml",)
# What a URL must not hold: whitespace (\s is exactly str.isspace()), C0 and C1 control characters.
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class DecodeStage(Stage[SourceRecord, RawPage]):
    name = "decode"

    def __init__(self, max_body_bytes: int, metrics: Metrics | None = None, timeout_seconds: float = 0.0,
                 limits: InputSettings | None = None):
        super().__init__(metrics, timeout_seconds)
        self.max_body_bytes = max_body_bytes
        self.limits = limits or InputSettings()

    def process(self, record: SourceRecord) -> RawPage:
        if record.unreadable is not None:
            raise PageRejected(Reason.UNREADABLE_RECORD, record.unreadable)
        data = _parse_json_object(record.value)
        for name in REQUIRED_FIELDS:
            if name not in data or data[name] is None:
                raise PageRejected(Reason.INVALID_FIELD, f"required field {name!r} is missing")
        url, fetched_at, content_type, body = (data[n] for n in REQUIRED_FIELDS)
        for name, value in (("url", url), ("fetched_at", fetched_at), ("content_type", content_type),
                            ("body", body)):
            if not isinstance(value, str):
                raise PageRejected(Reason.INVALID_FIELD,
                                   f"field {name!r} must be a string, got {type(value).__name__}")
        url = check_url(url.strip())
        fetched = self._check_fetched_at(fetched_at, record)
        media_type, charset = parse_content_type(content_type)
        if media_type in HTML_ALIASES:
            media_type = "text/html"
        if media_type not in SUPPORTED_CONTENT_TYPES:
            raise PageRejected(Reason.UNSUPPORTED_CONTENT_TYPE,
                               f"content_type {content_type[:100]!r} is not one of {', '.join(SUPPORTED_CONTENT_TYPES)}")
        # The JSON value was UTF-8, so the body's size in bytes is measured on its UTF-8 form. A value
        # within the limit holds a body within it (a JSON escape is longer than the UTF-8 it stands
        # for): only a larger one needs the encoding (a quarter of decoding a large page).
        if len(record.value) > self.max_body_bytes:
            size = len(body.encode("utf-8", "surrogatepass"))
            if size > self.max_body_bytes:
                raise PageRejected(Reason.BODY_TOO_LARGE,
                                   f"body is {size} bytes, over the limit of {self.max_body_bytes} (MAX_BODY_BYTES)")
        extra = {k: v for k, v in data.items() if k not in REQUIRED_FIELDS}
        depth = nesting_depth(extra, self.limits.max_depth) + 1  # (the record itself is one level)
        if depth > self.limits.max_depth:
            raise PageRejected(Reason.INVALID_FIELD, f"optional fields nest deeper than {self.limits.max_depth} "
                                                     f"levels (INPUT_MAX_DEPTH)")
        if (name := _field_with_integer_out_of_range(record.value, extra)) is not None:
            raise PageRejected(Reason.INVALID_FIELD, f"optional field {name[:100]!r} holds an integer outside 64 bits "
                                                     f"(-2^63 to 2^64-1): a JSON parser reads it as a float, not "
                                                     f"the value sent (send it as a string)")
        return RawPage(url=url, fetched_at=fetched, content_type=media_type, body=body, charset=charset,
                       extra=extra, record=record)

    def _check_fetched_at(self, text: str, record: SourceRecord) -> datetime:
        try:
            fetched = parse_time(text)
        except (ValueError, OverflowError):  # (OverflowError: 0001-01-01T00:00:00+01:00 in UTC)
            raise PageRejected(Reason.INVALID_FIELD,
                               f"field 'fetched_at' must be an ISO-8601 time, got {text[:100]!r}") from None
        # Ahead of when the record was sent (its broker timestamp), not of now: a replay of the
        # record (a crash before the commit, a new group reading the topic from its start) is then
        # judged as its first reading was, however much later it runs. A record without a time (a
        # line of a file), or with one that is no plausible send time (SourceRecord.sent_at: ahead
        # of this clock, a producer's wrong clock, 1 ms after the epoch), is judged by now.
        now = time.time()
        sent = record.sent_at(now)
        reference = sent if sent is not None else now
        ahead = timedelta(hours=self.limits.fetched_at_max_ahead_hours)
        latest = datetime.fromtimestamp(reference, timezone.utc) + ahead
        if not self.limits.fetched_at_earliest <= fetched <= latest:
            raise PageRejected(Reason.INVALID_FIELD,
                               f"field 'fetched_at' {text[:100]!r} is outside the accepted window: not before "
                               f"{self.limits.fetched_at_earliest.date()} (INPUT_FETCHED_AT_EARLIEST), not more than "
                               f"{self.limits.fetched_at_max_ahead_hours:g} h ahead of when its record was sent "
                               f"(or of now) (INPUT_FETCHED_AT_MAX_AHEAD_HOURS)")
        return fetched


def check_url(url: str) -> str:
    """The URL if it is an absolute http(s) URL with a host and a valid port, else PageRejected."""
    problem = None
    if not url.lower().startswith(("http://", "https://")) or len(url) < 10:
        problem = "must be an absolute http(s) URL"
    elif _URL_FORBIDDEN.search(url):
        problem = "must not contain spaces or control characters"
    else:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
            if not parts.hostname:
                problem = "has no host"
            elif not _is_host(parts.hostname):
                problem = "has no valid host"
        except ValueError as error:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
            problem = f"is malformed ({error})"
    if problem:
        raise PageRejected(Reason.INVALID_FIELD, f"field 'url' {problem}, got {url[:200]!r}")
    return url


def _is_host(hostname: str) -> bool:
    """Whether what urlsplit read as the host is one. Brackets and an "@" in the user info can make
    it read anything: urlsplit checks the first bracketed part, the host is after the last "@"
    ("https://[::1]@[x:1/a" has the host "x:1"), and the dedup stage, which writes the host back
    into a URL and reads that again, fails on it. A bracket never belongs to a host, a colon only
    to an IP address."""
    if "[" in hostname or "]" in hostname:
        return False
    if ":" in hostname:
        try:
            ipaddress.ip_address(hostname)
        except ValueError:
            return False
    return True


def nesting_depth(value: Any, limit: int) -> int:
    """How deep arrays and objects nest in `value` (a scalar is 0), counted up to `limit` + 1:
    iterative, so a hostile depth costs no recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _field_with_integer_out_of_range(value: bytes, extra: dict[str, Any]) -> str | None:
    """The optional field holding an integer outside 64 bits, if any. orjson reads one as a float
    (18446744073709551616 as 1.8446744073709552e19): published so, the event would carry another
    value than the page's, silently. Only when a float of that size is there is the value read
    again, by the standard library's parser, which keeps integers as they are written."""
    if not any(isinstance(item, float) and abs(item) >= _FLOAT_OF_64_BITS for item in _scalars(extra)):
        return None
    data = json.loads(value.decode("utf-8"), parse_constant=_refuse_constant)  # (orjson read it: valid)
    for name in extra:
        if any(isinstance(item, int) and item not in _ORJSON_INTS for item in _scalars(data.get(name))):
            return name
    return None


def _scalars(value: Any) -> Iterator[Any]:
    """Every number, string, boolean and null in a JSON value (iterative: its depth is checked)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            yield item


def _parse_json_object(value: bytes | None) -> dict[str, Any]:
    if value is None:
        raise PageRejected(Reason.INVALID_JSON, "record has no value (a tombstone)")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        data = _with_lone_surrogates_replaced(value, error)
    if not isinstance(data, dict):
        raise PageRejected(Reason.INVALID_JSON, f"value must be a JSON object, got {type(data).__name__}")
    return data


def _with_lone_surrogates_replaced(value: bytes, error: orjson.JSONDecodeError) -> Any:
    """The value parsed where orjson refused it for lone UTF-16 surrogates escaped in its strings
    ("\\udce9": Python's json.dumps writes them for bytes a scraper decoded with
    errors="surrogateescape"), each replaced by U+FFFD, as a decoder's errors="replace" does: one
    such character must not cost the page. Any other fault is the record's."""
    rejection = PageRejected(Reason.INVALID_JSON, f"value is not valid UTF-8 JSON: {error}")
    if "surrogate in string" not in str(error):  # (not its "str is not valid UTF-8: surrogates ...")
        raise rejection from None
    try:  # (the standard library's parser takes them; NaN and Infinity it takes too, orjson not)
        data = json.loads(value.decode("utf-8"), parse_constant=_refuse_constant, parse_int=_int_as_orjson,
                          parse_float=_float_as_orjson)
    except (ValueError, RecursionError):  # (UnicodeDecodeError is a ValueError)
        raise rejection from None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            pairs = list(item.items())
            item.clear()
            item.update((_replace_surrogates(k), _replace_surrogates(v)) for k, v in pairs)
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            item[:] = map(_replace_surrogates, item)
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return _replace_surrogates(data)


def _replace_surrogates(item: Any) -> Any:
    return _SURROGATE.sub("\ufffd", item) if isinstance(item, str) else item


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


# Numbers as orjson reads them, so that a lone surrogate changes nothing else in what a value holds:
# an integer outside 64 bits is a float (then refused as orjson's is:
# _field_with_integer_out_of_range), one that overflows a float refuses the value.
_ORJSON_INTS = range(-2**63, 2**64)
# The smallest magnitude of a float that may stand for an integer outside them (-2^63 - 1 is read as
# -2^63 exactly).
_FLOAT_OF_64_BITS = float(2**63)


def _int_as_orjson(text: str) -> int | float:
    number = int(text)  # (past 4,300 digits Python refuses it: ValueError, as for an infinity below)
    return number if number in _ORJSON_INTS else _float_as_orjson(text)


def _float_as_orjson(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number {text[:20]} is infinity when parsed as double")
    return number


def parse_content_type(header: str) -> tuple[str, str | None]:
    """'text/html; charset=UTF-8' -> ('text/html', 'utf-8')."""
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return media_type.strip().lower(), charset
