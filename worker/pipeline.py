"""The processing pipeline: decode -> clean -> dedup -> route to an output topic.

It knows nothing of Kafka: it takes a SourceRecord and returns exactly one Output (an article
event, a duplicate event or a dead letter). Transports and the service loop live elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass

import orjson

from .config import Settings
from .errors import PageRejected, Reason
from .models import Article, DeadLetter, SourceRecord
from .service.metrics import Metrics
from .stages.clean import CleanStage
from .stages.decode import DecodeStage
from .stages.dedup import DedupStage
from .state import DedupIndex

# Room for the record's key, headers and batch framing next to the value.
RECORD_OVERHEAD_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Output:
    topic: str
    key: bytes | None
    value: bytes
    source: SourceRecord
    kind: str  # "unique" | "duplicate" | "dlq"
    label: str | None = None  # dedup method, or DLQ reason (for metrics once delivered)


class Pipeline:
    def __init__(self, settings: Settings, index: DedupIndex, metrics: Metrics | None = None):
        self.settings = settings
        self.metrics = metrics or Metrics()
        timeout = settings.service.stage_timeout_seconds
        self.decode = DecodeStage(settings.service.max_body_bytes, self.metrics)
        self.clean = CleanStage(settings.cleaning, self.metrics, timeout_seconds=timeout)
        self.dedup = DedupStage(index, self.metrics, settings.dedup)
        self._max_value = settings.kafka.max_request_size - RECORD_OVERHEAD_BYTES

    def process(self, record: SourceRecord) -> Output:
        """One record in, one output out. Raises only DependencyUnavailable (retry the record)."""
        return self.decide([(record, self.prepare(record))])[0]

    def prepare(self, record: SourceRecord) -> Article | Output:
        """Decode and clean one record: the article, or already its dead letter. Never raises."""
        url = None
        try:
            page = self.decode(record)
            url = page.url
            return self.clean(page)
        except PageRejected as rejected:
            return self.dead_letter(record, rejected, url)

    def decide(self, prepared: list[tuple[SourceRecord, Article | Output]]) -> list[Output]:
        """Dedup the prepared articles as one batch, in order, and route everything: one output per
        record. Raises DependencyUnavailable when the dedup state is unreachable; calling again with
        the same list gives the same outputs (decided articles come back as replays)."""
        articles = [item for _, item in prepared if isinstance(item, Article)]
        decided = iter(self.dedup.run_batch(articles))
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
                outputs.append(self.dead_letter(record, rejected, item.url))
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

    def dead_letter(self, record: SourceRecord, rejected: PageRejected, url: str | None = None) -> Output:
        letter = DeadLetter(reason=rejected.reason.value, error=rejected.message, stage=rejected.stage or "unknown",
                            record=record, url=url)
        event = letter.to_event()
        value = orjson.dumps(event)
        if len(value) > self._max_value:
            # Keep the dead letter deliverable: the original value is cut, and the event says so.
            original = event["original"]
            room = max(0, self._max_value - (len(value) - len(original["value"] or "")) - 100)
            original["value"] = (original["value"] or "")[: room // 4]  # a char is at most 4 bytes
            original["value_truncated"] = True
            value = orjson.dumps(event)
        return Output(topic=self.settings.topics.pages_dlq, key=record.key, value=value, source=record,
                      kind="dlq", label=rejected.reason.value)
