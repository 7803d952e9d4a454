"""The consume loop on in-memory transports: one output per record, commit only after delivery,
retries instead of losses when a dependency is down."""
import errno
import threading
import time

import orjson
import pytest

from tests.helpers import article_body, page
from worker.config import DedupSettings, ServiceSettings, Settings
from worker.dedup.fingerprint import Fingerprinter
from worker.errors import DependencyUnavailable
from worker.models import SourceRecord
from worker.pipeline import Pipeline
from worker.service.health import Health
from worker.service.loop import ConsumeLoop
from worker.metrics import Metrics
from worker.state import DedupIndex, MemoryIndex
from worker.transport.base import SourceUnavailable
from worker.transport.memory import MemorySink, MemorySource

FAST_RETRY = ServiceSettings(retry_backoff_initial_seconds=0.01, retry_backoff_max_seconds=0.02, batch_max_records=4)


def records(values: list[bytes]) -> list[SourceRecord]:
    return [SourceRecord("pages.raw", i % 2, i // 2, None, v, timestamp_ms=None) for i, v in enumerate(values)]


def run(values, index=None, sink=None, settings=FAST_RETRY):
    index = index or MemoryIndex()
    metrics = Metrics()
    source = MemorySource(records(values))
    sink = sink or MemorySink()
    loop = ConsumeLoop(source, sink, Pipeline(Settings(service=settings), index, metrics), index, metrics,
                       settings, Health(metrics, 60))
    loop.run(threading.Event())
    return source, sink, metrics


def test_every_record_gets_exactly_one_output_on_the_right_topic():
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(5)]
    values.insert(2, b"{broken")
    values.append(page("https://b.example/copy", article_body(1)))
    source, sink, metrics = run(values)
    assert len(sink.topics["articles.normalized"]) == 5
    [dead] = sink.topics["pages.dlq"]
    [duplicate] = sink.topics["articles.duplicates"]
    assert orjson.loads(dead.value)["reason"] == "invalid_json"
    assert orjson.loads(duplicate.value)["dedup"]["status"] == "duplicate"
    assert source.committed == {("pages.raw", 0): 4, ("pages.raw", 1): 3}
    assert metrics.duplicate_ratio._value.get() == 1 / 6


def test_an_implausible_record_timestamp_is_counted_apart_not_observed_as_latency():
    # A record stamped 1 ms after the epoch added 56 years to the latency histogram's sum (and -1,
    # Kafka's "no timestamp", likewise); one stamped years ahead was observed as 0.
    now_ms = int(time.time() * 1000)
    stamps = [1, -1, now_ms + 10 * 365 * 86_400_000, now_ms - 2_000, now_ms + 1_000]
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(len(stamps))]
    index, metrics, settings = MemoryIndex(), Metrics(), FAST_RETRY
    source = MemorySource([SourceRecord("pages.raw", 0, i, None, v, timestamp_ms=stamp)
                           for i, (v, stamp) in enumerate(zip(values, stamps))])
    loop = ConsumeLoop(source, MemorySink(), Pipeline(Settings(service=settings), index, metrics), index, metrics,
                       settings, Health(metrics, 60))
    loop.run(threading.Event())
    assert metrics.registry.get_sample_value("newsworker_record_latency_seconds_count") == 2
    assert metrics.registry.get_sample_value("newsworker_record_latency_seconds_sum") < 60
    assert metrics.registry.get_sample_value("newsworker_record_latency_skipped_total") == 3


def test_article_event_has_the_documented_fields_and_is_keyed_by_article_id():
    _, sink, _ = run([page("https://a.example/x", article_body(1), source="crawler-3")])
    [output] = sink.topics["articles.normalized"]
    event = orjson.loads(output.value)
    assert output.key == event["article_id"].encode()
    for name in ("schema_version", "article_id", "url", "canonical_url", "site_name", "title", "authors",
                 "published_at", "fetched_at", "language", "text", "word_count", "content_hash", "dedup"):
        assert name in event
    assert event["source"] == "crawler-3"
    assert event["dedup"] == {"status": "unique", "duplicate_of": None, "method": None, "similarity": None,
                              "reason": None}


def test_dead_letter_keeps_the_original_record():
    _, sink, _ = run([b"\xff not utf-8"])
    event = orjson.loads(sink.topics["pages.dlq"][0].value)
    assert event["reason"] == "invalid_json" and event["error"]
    assert event["original"]["topic"] == "pages.raw"
    assert event["original"]["partition"] == 0 and event["original"]["offset"] == 0
    assert event["original"]["value_encoding"] == "base64"


def test_failed_delivery_is_retried_and_nothing_is_committed_before_it_succeeds():
    sink = MemorySink()
    sink.fail_next = 2
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(3)]
    source, sink, metrics = run(values, sink=sink)
    assert len(sink.topics["articles.normalized"]) == 3
    assert metrics.delivery_failures._value.get() == 2
    assert source.committed == {("pages.raw", 0): 2, ("pages.raw", 1): 1}


def test_the_worker_is_not_ready_while_the_broker_refuses_its_outputs():
    """A broker that answers the connection check (service/broker_watch.py) may still refuse the
    outputs (acks=all without enough in-sync replicas, a full disk): the loop retries the batch,
    and /readyz says so meanwhile, then ready again once a delivery is acknowledged."""
    seen = []

    class RefusingSink(MemorySink):
        def deliver(self, outputs):
            seen.append((health.ready(), health.reason))
            return super().deliver(outputs)

    metrics = Metrics()
    health = Health(metrics, 60)
    health.set_ready(True)
    sink = RefusingSink()
    sink.fail_next = 2
    index = MemoryIndex()
    source = MemorySource(records([page(f"https://a.example/{i}", article_body(i)) for i in range(3)]))
    ConsumeLoop(source, sink, Pipeline(Settings(service=FAST_RETRY), index, metrics), index, metrics, FAST_RETRY,
                health).run(threading.Event())
    assert seen[0] == (True, "ok")
    assert [ready for ready, _ in seen[1:3]] == [False, False]
    assert "outputs not acknowledged by the broker: simulated delivery failure" in seen[1][1]
    assert health.ready() and metrics.ready._value.get() == 1
    assert len(sink.topics["articles.normalized"]) == 3


def test_an_output_the_broker_refuses_for_good_is_dead_lettered_and_the_batch_committed():
    # A topic whose max.message.bytes is below KAFKA_MAX_REQUEST_SIZE refuses one event at every
    # attempt: retried, it wedged the partition for good.
    refused_url = "https://a.example/1"
    sink = MemorySink(refuse=lambda o: "too large" if o.kind != "dlq" and orjson.loads(o.value)["url"] == refused_url
                      else None)
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(3)]
    source, sink, metrics = run(values, sink=sink)
    assert len(sink.topics["articles.normalized"]) == 2
    [letter] = [orjson.loads(o.value) for o in sink.topics["pages.dlq"]]
    assert (letter["reason"], letter["stage"], letter["url"]) == ("output_refused", "deliver", refused_url)
    assert "RefusedBySink: too large" in letter["error"] and letter["error_class"] == "RefusedBySink"
    assert letter["original"]["value"].encode() == values[1]
    assert source.committed == {("pages.raw", 0): 2, ("pages.raw", 1): 1}
    assert metrics.dlq_records.labels(reason="output_refused")._value.get() == 1
    assert metrics.articles_published.labels(status="unique")._value.get() == 2


def test_a_refused_article_keeps_its_decision_so_a_replay_publishes_the_same_event():
    index = MemoryIndex()
    values = [page("https://a.example/1", article_body(1))]
    _, refused, _ = run(values, index=index, sink=MemorySink(refuse=lambda o: "too large" if o.kind != "dlq" else None))
    assert [orjson.loads(o.value)["reason"] for o in refused.topics["pages.dlq"]] == ["output_refused"]
    _, replayed, _ = run(values, index=index)
    [event] = [orjson.loads(o.value) for o in replayed.topics["articles.normalized"]]
    assert event["dedup"]["status"] == "unique"


def test_a_dead_letter_the_broker_refuses_is_sent_again_without_the_original_value():
    sink = MemorySink(refuse=lambda o: "too large" if o.kind == "dlq" and b'"value":""' not in o.value else None)
    source, sink, _ = run([b"{broken" + b" " * 100], sink=sink)
    [letter] = [orjson.loads(o.value) for o in sink.topics["pages.dlq"]]
    assert letter["reason"] == "invalid_json"
    assert letter["original"]["value"] == "" and letter["original"]["value_truncated"] is True
    assert "the broker refused the letter: RefusedBySink: too large" in letter["error"]
    assert source.committed == {("pages.raw", 0): 1}


def test_a_letter_refused_even_without_its_value_is_retried_not_ready_and_never_committed():
    metrics = Metrics()
    health = Health(metrics, 60)
    health.set_ready(True)
    sink = MemorySink(refuse=lambda o: "refused" if o.kind == "dlq" else None)
    source = MemorySource(records([b"{broken"]))
    stop = threading.Event()
    index = MemoryIndex()
    loop = ConsumeLoop(source, sink, Pipeline(Settings(service=FAST_RETRY), index, metrics), index, metrics,
                       FAST_RETRY, health)
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 10
    while metrics.delivery_failures._value.get() < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not health.ready() and "dead letter refused by the broker" in health.reason
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    assert source.committed == {} and not sink.topics["pages.dlq"]


class FlakyIndex(MemoryIndex):
    """Unavailable for the first `outages` calls, like a Redis restart."""

    def __init__(self, outages: int):
        super().__init__()
        self.outages = outages

    def decide_many(self, fingerprints):
        if self.outages:
            self.outages -= 1
            raise DependencyUnavailable("connection refused")
        return super().decide_many(fingerprints)


def test_unavailable_dedup_state_pauses_and_retries_instead_of_dead_lettering():
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(3)]
    _, sink, metrics = run(values, index=FlakyIndex(outages=3))
    assert len(sink.topics["articles.normalized"]) == 3
    assert "pages.dlq" not in sink.topics
    assert metrics.dependency_retries.labels(dependency="dedup_state")._value.get() == 3


def test_stop_abandons_the_rest_of_a_batch_uncommitted():
    stop = threading.Event()
    index = MemoryIndex()
    metrics = Metrics()
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(4)]
    source = MemorySource(records(values))
    sink = MemorySink()
    pipeline = Pipeline(Settings(service=FAST_RETRY), index, metrics)
    prepare = pipeline.prepare

    def prepare_then_stop(record):
        stop.set()  # SIGTERM arrives while the first page is in hand
        return prepare(record)

    pipeline.prepare = prepare_then_stop
    loop = ConsumeLoop(source, sink, pipeline, index, metrics, FAST_RETRY, Health(metrics, 60))
    loop.run_batch(source.poll(4, 0), stop)
    assert len(sink.topics["articles.normalized"]) == 1
    assert source.committed == {("pages.raw", 0): 1}


def test_a_stage_error_on_one_page_of_a_batch_costs_only_that_page(monkeypatch):
    fingerprint = Fingerprinter.fingerprint

    def fail_on_second(self, article):
        if article.url.endswith("/1"):
            raise ValueError("fingerprint bug")
        return fingerprint(self, article)

    monkeypatch.setattr(Fingerprinter, "fingerprint", fail_on_second)
    _, sink, _ = run([page(f"https://a.example/{i}", article_body(i)) for i in range(3)])
    assert len(sink.topics["articles.normalized"]) == 2
    [dead] = sink.topics["pages.dlq"]
    event = orjson.loads(dead.value)
    assert (event["reason"], event["stage"], event["url"]) == ("stage_error", "fingerprint", "https://a.example/1")
    assert "fingerprint bug" in event["error"]


def test_replayed_records_get_the_same_events():
    index = MemoryIndex()
    values = [page("https://a.example/1", article_body(1)), page("https://b.example/2", article_body(1))]
    _, first, _ = run(values, index=index)
    _, replay, _ = run(values, index=index)
    for topic in ("articles.normalized", "articles.duplicates"):
        assert [o.value for o in first.topics[topic]] == [o.value for o in replay.topics[topic]]


def test_a_batch_stops_at_its_time_budget_and_the_next_poll_reads_the_rest():
    import dataclasses
    import time as clock
    settings = dataclasses.replace(FAST_RETRY, batch_max_records=10, batch_max_seconds=0.05)
    index, metrics = MemoryIndex(), Metrics()
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(6)]
    source, sink = MemorySource(records(values)), MemorySink()
    pipeline = Pipeline(Settings(service=settings), index, metrics)
    prepare = pipeline.prepare

    def slow_prepare(record):
        clock.sleep(0.03)  # two pages per batch
        return prepare(record)
    pipeline.prepare = slow_prepare
    commits = []
    commit = source.commit
    source.commit = lambda offsets: (commits.append(dict(offsets)), commit(offsets))
    ConsumeLoop(source, sink, pipeline, index, metrics, settings, Health(metrics, 60)).run(threading.Event())
    urls = sorted(orjson.loads(o.value)["url"] for o in sink.topics["articles.normalized"])
    assert urls == sorted(f"https://a.example/{i}" for i in range(6))  # each exactly once
    # (pages of 0.03 s or more against 0.05 s: at most two pages a batch, however fast the machine)
    assert len(commits) >= 3 and metrics.batches_cut._value.get() == len(commits) - 1
    assert source.committed == {("pages.raw", 0): 3, ("pages.raw", 1): 3}


def test_reading_ahead_keeps_one_output_per_record_in_order_when_a_batch_is_cut():
    """The batch read ahead is cut at its budget: its rest is read again after the records polled
    meanwhile are not, and everything is committed once, in order."""
    import dataclasses
    import time as clock
    settings = dataclasses.replace(FAST_RETRY, batch_max_records=4, batch_max_seconds=0.05)
    index, metrics = MemoryIndex(), Metrics()
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(12)]
    source, sink = MemorySource([SourceRecord("pages.raw", 0, i, None, v) for i, v in enumerate(values)]), MemorySink()
    pipeline = Pipeline(Settings(service=settings), index, metrics)
    prepare = pipeline.prepare

    def slow_fifth(record):
        if record.offset == 5:
            clock.sleep(0.1)  # the second batch (read ahead) is cut after it
        return prepare(record)
    pipeline.prepare = slow_fifth
    commits = []
    commit = source.commit
    source.commit = lambda offsets: (commits.append(dict(offsets)), commit(offsets))
    ConsumeLoop(source, sink, pipeline, index, metrics, settings, Health(metrics, 60),
                read_ahead=True).run(threading.Event())
    urls = [orjson.loads(o.value)["url"] for o in sink.topics["articles.normalized"]]
    assert urls == [f"https://a.example/{i}" for i in range(12)]
    assert metrics.batches_cut._value.get() == 1
    offsets = [c[("pages.raw", 0)] for c in commits]
    assert offsets == sorted(offsets) and offsets[:2] == [4, 6] and offsets[-1] == 12


def test_batch_budget_follows_the_poll_interval_and_a_budget_that_cannot_fit_is_refused():
    import pytest

    from worker.config import ConfigError
    assert Settings.from_env({}).service.batch_max_seconds == 60
    assert Settings.from_env({"KAFKA_MAX_POLL_INTERVAL_MS": "10000", "STAGE_TIMEOUT_SECONDS": "1"}
                             ).service.batch_max_seconds == 5
    with pytest.raises(ConfigError, match="BATCH_MAX_SECONDS"):
        Settings.from_env({"BATCH_MAX_SECONDS": "250"})
    with pytest.raises(ConfigError, match="KAFKA_MAX_POLL_INTERVAL_MS"):
        Settings.from_env({"KAFKA_MAX_POLL_INTERVAL_MS": "10000"})


def test_an_unreachable_index_size_after_delivery_costs_the_gauge_only():
    class GoneAfterDecisions(MemoryIndex):
        def size(self):
            raise DependencyUnavailable("redis went away after the batch")

    source, sink, _ = run([b"{broken", b"[1]"], index=GoneAfterDecisions())
    assert len(sink.topics["pages.dlq"]) == 2
    assert source.committed == {("pages.raw", 0): 1, ("pages.raw", 1): 1}


class Killed(BaseException):
    """Stands for a SIGKILL: nothing of the loop runs after it."""


class KilledAfterDelivery(MemorySink):
    """Delivers (the broker acknowledged every output), then the process dies before the commit."""

    def deliver(self, outputs):
        super().deliver(outputs)
        raise Killed()  # (nothing is returned: the process is gone)


def test_a_kill_after_delivery_leaves_the_state_ahead_of_the_published_decisions(tmp_path):
    # A on partition 0, its exact copy B on partition 1. The process dies once the outputs are
    # delivered; the replay polls the partitions in the other order. The restored state must hold
    # the published decisions, or B would be unique and A its duplicate on replay.
    dedup = Settings().dedup.__class__(state_dir=str(tmp_path / "state"))
    a = SourceRecord("pages.raw", 0, 0, None, page("https://a.example/story", article_body(1)), timestamp_ms=None)
    b = SourceRecord("pages.raw", 1, 0, None, page("https://b.example/copy", article_body(1)), timestamp_ms=None)
    metrics = Metrics()

    def run_once(order, sink):
        index = MemoryIndex(dedup)  # restored from the state directory
        source = MemorySource(order)
        loop = ConsumeLoop(source, sink, Pipeline(Settings(service=FAST_RETRY), index, metrics), index, metrics,
                           FAST_RETRY, Health(metrics, 60))
        loop.run(threading.Event())
        return source

    first = KilledAfterDelivery()
    with pytest.raises(Killed):
        run_once([a, b], first)
    replay = MemorySink()
    source = run_once([b, a], replay)
    published = {o.key: o.value for topic in first.topics.values() for o in topic}
    replayed = {o.key: o.value for topic in replay.topics.values() for o in topic}
    assert replayed == published
    assert source.committed == {("pages.raw", 0): 1, ("pages.raw", 1): 1}


class SizeUnavailableIndex(DedupIndex):
    """Decides, but the size (a metric's only input) cannot be read: Redis went away after the decisions."""

    def __init__(self):
        self.inner = MemoryIndex()

    def decide(self, fingerprint):
        return self.inner.decide(fingerprint)

    def decide_many(self, fingerprints):
        return self.inner.decide_many(fingerprints)

    def size(self):
        raise DependencyUnavailable("connection refused")


def test_a_metric_failing_between_delivery_and_commit_does_not_stop_the_loop():
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(3)]
    source, sink, metrics = run(values, index=SizeUnavailableIndex())
    assert len(sink.topics["articles.normalized"]) == 3
    assert source.committed == {("pages.raw", 0): 2, ("pages.raw", 1): 1}
    assert metrics.commits._value.get() == 1


class OutageIndex(MemoryIndex):
    """Down (decisions and ping fail) until `back_at` on the monotonic clock, like a Redis restart."""

    def __init__(self, down_seconds: float):
        super().__init__()
        self.back_at = time.monotonic() + down_seconds
        self.back_seen_at = None

    def _up(self) -> bool:
        return time.monotonic() >= self.back_at

    def ping(self):
        return self._up()

    def decide_many(self, fingerprints):
        if not self._up():
            raise DependencyUnavailable("connection refused")
        if self.back_seen_at is None:
            self.back_seen_at = time.monotonic()
        return super().decide_many(fingerprints)


def test_a_paused_worker_resumes_within_a_probe_interval_of_the_state_coming_back():
    # A long backoff (5 s) must not delay the resumption: the state is probed every 0.05 s.
    settings = ServiceSettings(retry_backoff_initial_seconds=5, retry_backoff_max_seconds=5, batch_max_records=4,
                               dependency_probe_interval_seconds=0.05)
    index = OutageIndex(down_seconds=0.3)
    started = time.monotonic()
    _, sink, _ = run([page("https://a.example/1", article_body(1))], index=index, settings=settings)
    assert len(sink.topics["articles.normalized"]) == 1
    assert index.back_seen_at - index.back_at < 0.5
    assert time.monotonic() - started < 2


def test_a_state_directory_that_cannot_be_written_pauses_the_batch_and_keeps_the_log_whole(tmp_path, monkeypatch):
    from worker.state.memory import journal as memory_module

    real = memory_module.os
    failures = [2]

    class DiskFillingUp:
        """The memory backend's os, whose first two appends stop half-way: no space left."""

        def __getattr__(self, name):
            return getattr(real, name)

        def write(self, fd, data):
            if failures[0]:
                failures[0] -= 1
                real.write(fd, bytes(data[:len(data) // 2]))
                raise OSError(errno.ENOSPC, "No space left on device")
            return real.write(fd, data)

    monkeypatch.setattr(memory_module, "os", DiskFillingUp())
    dedup = DedupSettings(state_dir=str(tmp_path / "state"))
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(3)]
    values.append(page("https://b.example/copy", article_body(1)))
    source, sink, metrics = run(values, index=MemoryIndex(dedup))
    assert metrics.dependency_retries.labels(dependency="dedup_state")._value.get() == 2
    assert source.committed == {("pages.raw", 0): 2, ("pages.raw", 1): 2}
    published = article_values(sink)
    assert len(published) == 4
    # A restart restores every decision from the log (no torn record in its middle), and a replay
    # publishes the same events.
    _, replay, _ = run(values, index=MemoryIndex(dedup))
    assert article_values(replay) == published


def article_values(sink: MemorySink) -> list[bytes]:
    return [o.value for topic in ("articles.normalized", "articles.duplicates") for o in sink.topics[topic]]


class FlakySource(MemorySource):
    """A source whose broker is away for its first polls and keepalives (a broker restart)."""

    def __init__(self, records, failures: int):
        super().__init__(records)
        self.failures = failures

    def _maybe_fail(self):
        if self.failures > 0:
            self.failures -= 1
            raise SourceUnavailable("KafkaConnectionError: 111 ECONNREFUSED")

    def poll(self, max_records, timeout_ms):
        self._maybe_fail()
        return super().poll(max_records, timeout_ms)

    def keepalive(self):
        self._maybe_fail()
        super().keepalive()


def test_a_broker_away_while_polling_pauses_the_loop_and_nothing_is_lost():
    values = [page(f"https://a.example/{i}", article_body(i)) for i in range(6)]
    index, metrics, sink = MemoryIndex(), Metrics(), MemorySink()
    source = FlakySource(records(values), failures=5)
    loop = ConsumeLoop(source, sink, Pipeline(Settings(service=FAST_RETRY), index, metrics), index, metrics,
                       FAST_RETRY, Health(metrics, 60))
    loop.run(threading.Event())
    assert len(sink.topics["articles.normalized"]) == 6
    assert source.committed == {("pages.raw", 0): 3, ("pages.raw", 1): 3}
    assert metrics.dependency_retries.labels(dependency="broker")._value.get() >= 1


def test_closing_on_a_full_disk_neither_raises_nor_leaves_a_torn_log(tmp_path, monkeypatch):
    from worker.state.memory import journal as memory_module

    dedup = DedupSettings(state_dir=str(tmp_path / "state"))
    index = MemoryIndex(dedup)
    run([page("https://a.example/1", article_body(1))], index=index)  # checkpointed before delivery
    # A second page decided, not yet checkpointed nor delivered, when the worker stops on a full disk.
    second = page("https://a.example/2", article_body(2))
    Pipeline(Settings(), index).process(SourceRecord("pages.raw", 0, 1, None, second))
    real = memory_module.os

    class FullDisk:
        def __getattr__(self, name):
            return getattr(real, name)

        def write(self, fd, data):
            real.write(fd, bytes(data[:3]))
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(memory_module, "os", FullDisk())
    index.close()  # the undelivered decision is lost, nothing else
    monkeypatch.undo()
    assert MemoryIndex(dedup).size() == 1
