"""The processing pipeline: decode -> clean -> fingerprint -> dedup -> route to an output topic.

It knows nothing of Kafka: it takes a SourceRecord and returns exactly one Output (an article
event, a duplicate event or a dead letter). Transports and the service loop live elsewhere.

Two steps: `prepare` (decode, clean, fingerprint) depends on the record alone, so a replayed record
is prepared alike in any process; `decide` (dedup, route) must see the records in input order.
worker/parallel.py runs `prepare` in several processes.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from . import __version__
from .config import Settings
from .errors import DependencyError, PageRejected, Reason
from .models import Article, DeadLetter, RawPage, SourceRecord
from .metrics import Metrics
from .stages.clean import CleanStage
from .stages.decode import DecodeStage
from .stages.dedup import DedupStage, FingerprintStage
from .state import DedupIndex, Fingerprint

# Room for the record's key, headers and batch framing next to the value.
RECORD_OVERHEAD_BYTES = 1024
# What a dedup decision can add to an article event over an undecided one (a duplicate_of id, a
# method, a similarity, a reason).
DEDUP_DECISION_ROOM = 256
# A dead letter is keyed by the original key when it is at most this long (so the letters of one
# key share a partition, as the pages did), else by a digest of it: the key must fit the overhead.
DLQ_MAX_KEY_BYTES = 512
# Longest key kept (before encoding) in a dead letter's `original`, when the whole one does not fit.
DLQ_KEPT_KEY_BYTES = 1024
# Free text of a dead letter (error message, url) is cut at this many characters.
DLQ_MAX_TEXT_CHARS = 2000
# Kafka headers of every dead letter, from fields of its event, so that tools filter without parsing
# JSON (as Kafka Connect's error headers). Names are stable: `python -m worker dlq` reads them.
DLQ_HEADERS = (("dlq.reason", ("reason",)), ("dlq.stage", ("stage",)),
               ("dlq.original.topic", ("original", "topic")),
               ("dlq.original.partition", ("original", "partition")),
               ("dlq.original.offset", ("original", "offset")),
               ("dlq.error.class", ("error_class",)), ("dlq.worker.version", ("worker_version",)))


@dataclass(frozen=True, slots=True)
class Output:
    topic: str
    key: bytes | None
    value: bytes
    source: SourceRecord
    kind: str  # "unique" | "duplicate" | "dlq"
    label: str | None = None  # dedup method, or DLQ reason (for metrics once delivered)
    headers: tuple[tuple[str, bytes], ...] = ()  # Kafka record headers (dead letters: DLQ_HEADERS)


@dataclass(slots=True)
class Cleaned:
    """A prepared page: its article and the article's fingerprint, all but the dedup decision."""

    article: Article
    fingerprint: Fingerprint


class Preparer:
    """decode -> clean -> fingerprint of one record."""

    def __init__(self, settings: Settings, metrics: Metrics | None = None, isolate_html: bool = True):
        """isolate_html=False: large HTML pages are extracted in this process, which must then be
        watched and killed from outside when a page overruns its time (worker/parallel.py)."""
        self.settings = settings
        self.metrics = metrics or Metrics()
        timeout = settings.service.stage_timeout_seconds
        self.decode = DecodeStage(settings.service.max_body_bytes, self.metrics, limits=settings.input)
        self.clean = CleanStage(settings.cleaning, self.metrics, timeout_seconds=timeout, isolate_html=isolate_html)
        self.fingerprint = FingerprintStage(settings.dedup, self.metrics, timeout_seconds=timeout)
        self._max_value = settings.kafka.max_request_size - RECORD_OVERHEAD_BYTES

    def prepare(self, record: SourceRecord) -> Cleaned | Output:
        """Decode, clean and fingerprint one record: the result, or already its dead letter. Raises
        only DependencyUnavailable."""
        page = self.decode_record(record)
        return page if isinstance(page, Output) else self.finish(record, page)

    def decode_record(self, record: SourceRecord) -> RawPage | Output:
        page = self.decode_page(record)
        return page if isinstance(page, RawPage) else self.dead_letter(record, page)

    def decode_page(self, record: SourceRecord) -> RawPage | PageRejected:
        """The record's page, or why not (as clean_page: what a child process can send back)."""
        return _or_rejection(self.decode, record)

    def finish(self, record: SourceRecord, page: RawPage) -> Cleaned | Output:
        """Clean and fingerprint a decoded page."""
        outcome = self.clean_page(page)
        return outcome if isinstance(outcome, Cleaned) else self.dead_letter(record, outcome, page.url)

    def clean_page(self, page: RawPage) -> Cleaned | PageRejected:
        """Clean and fingerprint a decoded page, or why not (it needs the page, not its record)."""
        return _or_rejection(self._clean_and_fingerprint, page)

    def _clean_and_fingerprint(self, page: RawPage) -> Cleaned:
        article = self.clean(page)
        self._check_publishable(article)
        return Cleaned(article, self.fingerprint(article))

    def _check_publishable(self, article: Article) -> None:
        """Rejects an article whose event could not be published (too large with any decision, or
        refused by the serializer) before it gets a dedup decision: a decision stored for it would
        make its later copies duplicates of an article never published."""
        try:
            size = len(orjson.dumps(article.to_event())) + DEDUP_DECISION_ROOM
        except Exception as error:  # noqa: BLE001 - e.g. nesting past the serializer's limit: this record's
            raise _unexpected(error, "route")  # (its __cause__, the error, names the class in the letter)
        if size > self._max_value:
            raise PageRejected(Reason.OUTPUT_TOO_LARGE,
                               f"article event is {size - DEDUP_DECISION_ROOM} bytes before its dedup decision, "
                               f"over the producer limit KAFKA_MAX_REQUEST_SIZE={self.settings.kafka.max_request_size}",
                               stage="route")

    def dead_letter(self, record: SourceRecord, rejected: PageRejected, url: str | None = None,
                    error_class: str | None = None) -> Output:
        """The record's dead letter, always within the producer's limit: the original key, then the
        original value are cut when they would not fit (`key_truncated`, `value_truncated`), and the
        letter is keyed by the original key only when that is short (else by its digest).
        `error_class`: the class of the error behind the rejection, when it is not at hand as its
        __cause__ (a rejection sent back by another process)."""
        error_class = error_class or type(rejected.__cause__ or rejected).__name__
        letter = DeadLetter(reason=rejected.reason.value, error=_cut(rejected.message), stage=rejected.stage or "unknown",
                            record=record, url=_cut(url) if url else url,
                            error_class=error_class, worker_version=__version__)
        event = letter.to_event()
        headers = dlq_headers(event)
        value = orjson.dumps(event)
        if len(value) > self._max_value - headers_size(headers):
            value = self._fit(event, self._max_value - headers_size(headers))
        key = record.key
        if key is not None and len(key) > DLQ_MAX_KEY_BYTES:
            key = b"blake2b:" + hashlib.blake2b(key, digest_size=16).hexdigest().encode()
        return Output(topic=self.settings.topics.pages_dlq, key=key, value=value, source=record,
                      kind="dlq", label=rejected.reason.value, headers=headers)

    def refused_letter(self, output: Output, error_class: str, why: str) -> Output:
        """The dead letter of a record whose event the broker refused for good (too large for the
        topic, refused by the broker's validation)."""
        rejected = PageRejected(Reason.OUTPUT_REFUSED,
                                f"the broker refused the {output.kind} event ({len(output.value)} bytes) "
                                f"on topic {output.topic}: {error_class}: {why}", stage="deliver")
        url = orjson.loads(output.value).get("url")  # (an article event: the loop shrinks refused letters)
        return self.dead_letter(output.source, rejected, url, error_class=error_class)

    @staticmethod
    def letter_without_value(letter: Output, why: str) -> Output | None:
        """A dead letter the broker refused, without its record's value (`value_truncated`); None
        when it has none left to drop."""
        event = orjson.loads(letter.value)
        original = event["original"]
        if not original.get("value"):
            return None
        original["value"] = ""
        original["value_truncated"] = True
        event["error"] = _cut(f"{event['error']} (the record's value left out: the broker refused the letter: {why})")
        return dataclasses.replace(letter, value=orjson.dumps(event))

    def _fit(self, event: dict[str, Any], limit: int) -> bytes:
        """The event serialized within the limit: the key cut first (a key is an id: its start
        identifies it), then the value cut to what room is left, measured serialized (JSON escaping
        of control characters inflates a character up to six bytes)."""
        original = event["original"]
        record_key = original["key"]
        if record_key is not None and len(record_key) > DLQ_KEPT_KEY_BYTES:
            original["key"] = _cut_encoded(record_key, original["key_encoding"], DLQ_KEPT_KEY_BYTES)
            original["key_truncated"] = True
            value = orjson.dumps(event)
            if len(value) <= limit or original["value"] is None:
                return value
        text = original["value"] or ""
        original["value"] = ""
        original["value_truncated"] = True
        # (the room is measured with the value empty; 64 bytes of margin for rounding)
        room = limit - len(orjson.dumps(event)) - 64
        original["value"] = _prefix_within(text, original["value_encoding"], room)
        return orjson.dumps(event)


class Pipeline(Preparer):
    def __init__(self, settings: Settings, index: DedupIndex, metrics: Metrics | None = None):
        super().__init__(settings, metrics)
        self.dedup = DedupStage(index, self.metrics, settings.dedup)

    def process(self, record: SourceRecord) -> Output:
        """One record in, one output out. Raises only DependencyUnavailable (retry the record)."""
        return self.decide([(record, self.prepare(record))])[0]

    def prepare_each(self, records: Iterable[SourceRecord]) -> Iterator[Cleaned | Output]:
        """prepare() of each record, in order, one at a time as the caller asks for them (the caller
        may stop asking: the rest is never prepared). worker/parallel.py prepares ahead instead."""
        for record in records:
            yield self.prepare(record)

    def close(self) -> None:
        """Release what preparing holds: the clean stage's child process (HTML extraction); the
        preparing processes of worker/parallel.py."""
        self.clean.close()

    def decide(self, prepared: list[tuple[SourceRecord, Cleaned | Output]]) -> list[Output]:
        """Dedup the prepared articles as one batch, in order, and route everything: one output per
        record. Raises only DependencyUnavailable, when the dedup state is unreachable (or
        DependencyMisconfigured, when it refuses the worker's credentials); calling again
        with the same list gives the same outputs (decided articles come back as replays)."""
        cleaned = [(item.article, item.fingerprint) for _, item in prepared if isinstance(item, Cleaned)]
        decided = iter(self.dedup.run_batch(cleaned))
        outputs = []
        for record, item in prepared:
            if isinstance(item, Output):
                outputs.append(item)
                continue
            result = next(decided)
            try:
                if isinstance(result, PageRejected):
                    raise result
                outputs.append(self._article_output(result, record))
            except PageRejected as rejected:
                outputs.append(self.dead_letter(record, rejected, item.article.url))
            except Exception as error:  # noqa: BLE001 - e.g. an event the serializer refuses: this record's
                outputs.append(self.dead_letter(record, _unexpected(error, "route"), item.article.url))
        return outputs

    def _article_output(self, article: Article, record: SourceRecord) -> Output:
        topics = self.settings.topics
        value = orjson.dumps(article.to_event())
        if len(value) > self._max_value:
            raise PageRejected(Reason.OUTPUT_TOO_LARGE,
                               f"article event is {len(value)} bytes, over the producer limit "
                               f"KAFKA_MAX_REQUEST_SIZE={self.settings.kafka.max_request_size}", stage="route")
        decision = article.dedup
        assert decision is not None, "the dedup stage sets a decision on every article"
        topic = topics.articles_duplicates if decision.is_duplicate else topics.articles_normalized
        return Output(topic=topic, key=article.article_id.encode(), value=value, source=record,
                      kind=decision.status, label=decision.method)


def dlq_headers(event: dict[str, Any]) -> tuple[tuple[str, bytes], ...]:
    """The Kafka headers of a dead letter, from its event (DLQ_HEADERS); a field an older letter
    lacks is left out."""
    headers = []
    for name, path in DLQ_HEADERS:
        value: Any = event
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        if value is not None and value != "":
            headers.append((name, str(value).encode("utf-8", "replace")))
    return tuple(headers)


def headers_size(headers: tuple[tuple[str, bytes], ...]) -> int:
    """Bytes the headers add to a record (names, values and a few bytes of varint framing each)."""
    return sum(len(name.encode()) + len(value) + 10 for name, value in headers)


_In = TypeVar("_In")
_Out = TypeVar("_Out")


def _or_rejection(step: Callable[[_In], _Out], item: _In) -> _Out | PageRejected:
    """step(item), or why the page is rejected; only a dependency's failure is raised."""
    try:
        return step(item)
    except PageRejected as rejected:
        return rejected
    except DependencyError:
        raise
    except Exception as error:  # noqa: BLE001 - a bug outside the stages' own handling: one record's
        return _unexpected(error, "prepare")


def _unexpected(error: Exception, stage: str) -> PageRejected:
    rejected = PageRejected(Reason.STAGE_ERROR, f"{type(error).__name__}: {error}", stage=stage)
    rejected.__cause__ = error  # (its class goes into the dead letter)
    return rejected


def _cut(text: str) -> str:
    """Bounded, and serializable whatever an exception's message holds (a lone surrogate)."""
    text = text if len(text) <= DLQ_MAX_TEXT_CHARS else text[:DLQ_MAX_TEXT_CHARS] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")


def _cut_encoded(text: str, encoding: str | None, length: int) -> str:
    """A prefix of `text`; base64 only at a multiple of 4 characters, so it still decodes."""
    return text[: length - length % 4] if encoding == "base64" else text[:length]


def _prefix_within(text: str, encoding: str | None, room: int) -> str:
    """The longest prefix (within a few percent) of `text` whose JSON form fits in `room` bytes."""
    if room <= 0:
        return ""
    size = len(orjson.dumps(text)) - 2
    length = len(text)
    while size > room and length > 0:
        # Proportional cut: a prefix inflates like the whole; a few rounds settle uneven text.
        length = _cut_length(min(length - 1, int(length * room / size * 0.98)), encoding)
        size = len(orjson.dumps(text[:length])) - 2
    return text[:length]


def _cut_length(length: int, encoding: str | None) -> int:
    return max(0, length - length % 4) if encoding == "base64" else max(0, length)
