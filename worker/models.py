"""The documents that flow through the worker, and their wire formats.

SourceRecord (a Kafka record as received) -> RawPage (validated input) -> Article (cleaned,
then given a dedup decision) -> an event on an output topic; or a DeadLetter for the DLQ.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

import numpy as np

from .config.service import RECORD_TIMESTAMP_MAX_AGE_SECONDS
import orjson

# Bump when a field of the article event changes meaning or disappears (adding fields is compatible).
ARTICLE_SCHEMA_VERSION = 1
DEAD_LETTER_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One input record exactly as the transport delivered it (kept whole for the DLQ)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None = None
    # Set when the transport could not decode the record batch: why. The value is then the batch's
    # bytes and the offset its last one (the record stands for the whole batch, dead-lettered).
    unreadable: str | None = None

    def sent_at(self, now: float, max_ahead: float = 0.0) -> float | None:
        """When the record was sent, its broker timestamp in seconds, or None when it has none or
        one that is no plausible send time: older than RECORD_TIMESTAMP_MAX_AGE_SECONDS, or more
        than max_ahead seconds ahead of `now`."""
        if self.timestamp_ms is None:
            return None
        sent = self.timestamp_ms / 1000
        return sent if now - RECORD_TIMESTAMP_MAX_AGE_SECONDS <= sent <= now + max_ahead else None


@dataclass(slots=True)
class RawPage:
    """A validated scraped page (see worker/schema/raw_page.schema.json)."""

    url: str
    fetched_at: datetime  # timezone-aware, UTC
    content_type: str  # media type only, lower case: "text/html" or "text/plain"
    body: str
    charset: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # optional input fields, carried through
    record: SourceRecord | None = None

    @property
    def page_id(self) -> str:
        """Deterministic id of this page: same url and fetch time -> same id (a replay);
        the same url fetched at another time is another page with its own id (a recrawl)."""
        return page_id(self.url, self.fetched_at)


def page_id(url: str, fetched_at: datetime) -> str:
    material = f"{url}\n{format_time(fetched_at)}".encode()
    return hashlib.blake2b(material, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class DedupDecision:
    status: str  # "unique" | "duplicate"
    duplicate_of: str | None = None
    method: str | None = None  # "url" | "exact" | "near" | None
    similarity: float | None = None
    # Why a unique page's text was not compared with others (worker/dedup/comparable.py), or None.
    reason: str | None = None

    UNIQUE_STATUS = "unique"
    DUPLICATE_STATUS = "duplicate"

    @classmethod
    def unique(cls) -> DedupDecision:
        return cls(status="unique")

    @classmethod
    def duplicate(cls, of: str, method: str, similarity: float) -> DedupDecision:
        return cls(status="duplicate", duplicate_of=of, method=method, similarity=round(similarity, 4))

    @property
    def is_duplicate(self) -> bool:
        return self.status == "duplicate"

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "duplicate_of": self.duplicate_of, "method": self.method,
                "similarity": self.similarity, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DedupDecision:
        return cls(status=data["status"], duplicate_of=data.get("duplicate_of"),
                   method=data.get("method"), similarity=data.get("similarity"), reason=data.get("reason"))


@dataclass(slots=True)
class Article:
    """A cleaned article; `dedup` is set by the dedup stage."""

    article_id: str
    url: str
    canonical_url: str
    fetched_at: datetime
    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    site_name: str | None = None
    language: str | None = None
    content_type: str = "text/plain"
    extra: dict[str, Any] = field(default_factory=dict)
    dedup: DedupDecision | None = None
    # Counted per script by the clean stage (worker/cleaning/normalize.py); None: space-separated.
    counted_words: int | None = None
    # (the text content_hash was computed for, and the hash: the fingerprint and the event both ask)
    _hashed: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def word_count(self) -> int:
        return self.counted_words if self.counted_words is not None else len(self.text.split())

    @property
    def content_hash(self) -> str:
        """Hash of the normalized body: case, punctuation and spacing do not change it."""
        hashed = self._hashed
        if hashed is None or hashed[0] is not self.text:
            hashed = self._hashed = (self.text, content_hash(self.text))
        return hashed[1]

    def to_event(self) -> dict[str, Any]:
        event = {
            "schema_version": ARTICLE_SCHEMA_VERSION,
            "article_id": self.article_id,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "site_name": self.site_name,
            "title": self.title,
            "authors": list(self.authors),
            "published_at": format_time_with_offset(self.published_at) if self.published_at else None,
            "fetched_at": format_time(self.fetched_at),
            "language": self.language,
            "text": self.text,
            "word_count": self.word_count,
            "content_hash": self.content_hash,
            "content_type": self.content_type,
            "dedup": (self.dedup or DedupDecision.unique()).to_dict(),
        }
        # Optional input fields (source, headers, status, ...) are carried through under their
        # own names, unless they would shadow one of ours.
        for name, value in self.extra.items():
            event.setdefault(name, value)
        return event


def content_hash(text: str) -> str:
    """blake2b of the text's words (runs of letters and digits of any script, str.isalnum()),
    case-folded, one space between them."""
    return hashlib.blake2b(_words(text.casefold()).encode(), digest_size=16).hexdigest()


@cache
def _alnum_bmp() -> np.ndarray:
    """str.isalnum() of every character of the Basic Multilingual Plane."""
    return np.array([chr(code).isalnum() for code in range(0x10000)])


def _words(text: str) -> str:
    """The words of a text, one space between them. Classified over the code points in numpy: a
    regex over the text (re's Unicode classes, a string per word) took three times as long."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    alnum = _alnum_bmp()[np.minimum(codes, 0xFFFF)]
    for position in np.flatnonzero(codes > 0xFFFF):  # rare: looked up one by one
        alnum[position] = chr(codes[position]).isalnum()
    # Every letter and digit, and the first character after each word, written as a space.
    after_word = np.zeros_like(alnum)
    after_word[1:] = alnum[:-1]
    kept = np.where(alnum, codes, np.uint32(ord(" ")))[alnum | after_word]
    return kept.astype("<u4").tobytes().decode("utf-32-le").rstrip(" ")


@dataclass(slots=True)
class DeadLetter:
    """Why a record was not published as an article, with the original record kept whole."""

    reason: str  # machine-readable, one of worker.errors.Reason
    error: str  # readable
    stage: str
    record: SourceRecord
    failed_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    url: str | None = None
    # The exception behind the rejection (PageRejected when a stage rejected the page itself), and
    # the worker that wrote the letter: what to look for once a fix is deployed.
    error_class: str = "PageRejected"
    worker_version: str = ""

    def to_event(self) -> dict[str, Any]:
        return {
            "schema_version": DEAD_LETTER_SCHEMA_VERSION,
            "reason": self.reason,
            "error": self.error,
            "error_class": self.error_class,
            "stage": self.stage,
            "failed_at": format_time(self.failed_at),
            "worker_version": self.worker_version,
            "url": self.url,
            "original": {
                "topic": self.record.topic,
                "partition": self.record.partition,
                "offset": self.record.offset,
                "timestamp_ms": self.record.timestamp_ms,
                **_encode_bytes("key", self.record.key),
                **_encode_bytes("value", self.record.value),
            },
        }


def _encode_bytes(name: str, data: bytes | None) -> dict[str, Any]:
    """Bytes as UTF-8 text when they are text, else base64, and say which."""
    if data is None:
        return {name: None, f"{name}_encoding": None}
    try:
        return {name: data.decode("utf-8"), f"{name}_encoding": "utf-8"}
    except UnicodeDecodeError:
        return {name: base64.b64encode(data).decode("ascii"), f"{name}_encoding": "base64"}


def decode_original(original: dict[str, Any], name: str) -> bytes | None:
    """Inverse of the DLQ encoding: the original key or value bytes, for replaying a dead letter."""
    data = original.get(name)
    if data is None:
        return None
    if original.get(f"{name}_encoding") == "base64":
        return base64.b64decode(data)
    return data.encode("utf-8")


def format_time(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, to the second or finer as given."""
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


def format_time_with_offset(moment: datetime) -> str:
    """ISO-8601 in the moment's own UTC offset ("2019-11-19T21:05:00-05:00"; "Z" for UTC).

    For published_at: the offset a page states is information (readers, and anyone grouping
    articles by day, go by the publisher's local calendar day; in UTC an evening article in New
    York lands on the next day). Times the worker makes itself (fetched_at, failed_at) use
    format_time. A naive moment is taken as UTC.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    text = moment.isoformat()
    return text[:-6] + "Z" if moment.utcoffset() == timedelta(0) else text


def parse_time(text: str) -> datetime:
    """ISO-8601 to an aware UTC datetime; naive times are taken as UTC. Raises ValueError."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def dumps(event: dict[str, Any]) -> bytes:
    return orjson.dumps(event)
