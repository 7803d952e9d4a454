"""Decode stage: a raw Kafka record -> a validated RawPage, or a precise reason why not.

The schema is documented in README.md and worker/schema/raw_page.schema.json.
"""
from __future__ import annotations

from typing import Any

import orjson

from ..errors import PageRejected, Reason
from ..models import RawPage, SourceRecord, parse_time
from ..service.metrics import Metrics
from .base import Stage

SUPPORTED_CONTENT_TYPES = ("text/html", "text/plain")
REQUIRED_FIELDS = ("url", "fetched_at", "content_type", "body")
# Media types that are HTML under another name.
HTML_ALIASES = ("application/xhtml+xml",)


class DecodeStage(Stage[SourceRecord, RawPage]):
    name = "decode"

    def __init__(self, max_body_bytes: int, metrics: Metrics | None = None, timeout_seconds: float = 0.0):
        super().__init__(metrics, timeout_seconds)
        self.max_body_bytes = max_body_bytes

    def process(self, record: SourceRecord) -> RawPage:
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
        url = url.strip()
        if not url.lower().startswith(("http://", "https://")) or len(url) < 10 or any(c.isspace() for c in url):
            raise PageRejected(Reason.INVALID_FIELD, f"field 'url' must be an absolute http(s) URL, got {url[:200]!r}")
        try:
            fetched = parse_time(fetched_at)
        except ValueError:
            raise PageRejected(Reason.INVALID_FIELD,
                               f"field 'fetched_at' must be an ISO-8601 time, got {fetched_at[:100]!r}") from None
        media_type, charset = parse_content_type(content_type)
        if media_type in HTML_ALIASES:
            media_type = "text/html"
        if media_type not in SUPPORTED_CONTENT_TYPES:
            raise PageRejected(Reason.UNSUPPORTED_CONTENT_TYPE,
                               f"content_type {content_type[:100]!r} is not one of {', '.join(SUPPORTED_CONTENT_TYPES)}")
        # The JSON value was UTF-8, so the body's size in bytes is measured on its UTF-8 form.
        size = len(body.encode("utf-8", "surrogatepass"))
        if size > self.max_body_bytes:
            raise PageRejected(Reason.BODY_TOO_LARGE,
                               f"body is {size} bytes, over the limit of {self.max_body_bytes} (MAX_BODY_BYTES)")
        extra = {k: v for k, v in data.items() if k not in REQUIRED_FIELDS}
        return RawPage(url=url, fetched_at=fetched, content_type=media_type, body=body, charset=charset,
                       extra=extra, record=record)


def _parse_json_object(value: bytes | None) -> dict[str, Any]:
    if value is None:
        raise PageRejected(Reason.INVALID_JSON, "record has no value (a tombstone)")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise PageRejected(Reason.INVALID_JSON, f"value is not valid UTF-8 JSON: {error}") from None
    if not isinstance(data, dict):
        raise PageRejected(Reason.INVALID_JSON, f"value must be a JSON object, got {type(data).__name__}")
    return data


def parse_content_type(header: str) -> tuple[str, str | None]:
    """'text/html; charset=UTF-8' -> ('text/html', 'utf-8')."""
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return media_type.strip().lower(), charset
