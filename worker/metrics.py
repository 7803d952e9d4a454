"""Prometheus metrics of one worker process.

Names follow Prometheus conventions: counters end in _total, durations are _seconds histograms,
and no label carries a URL or an id (unbounded cardinality). One Metrics object per worker, with its
own registry, so that tests and the offline command can run several pipelines in one process.

With WORKER_PROCESSES > 1 every consumer process writes its values to PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode) and the supervisor serves them as one container
(worker/service/supervisor.py): counters and histograms add up; each gauge says how (multiprocess_mode).
"""
from __future__ import annotations

import os
from collections import deque

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

# Stage times range from microseconds (decode) to seconds (a huge HTML page).
STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                 1.0, 2.5, 5.0, 10.0)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

# The recent duplicate rate is taken over this many latest decisions.
RECENT_DECISIONS = 1000

PREFIX = "newsworker"


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        p = PREFIX
        self.build_info = Info(f"{p}_build", "Version of the worker", registry=r)
        self.pages_consumed = Counter(f"{p}_pages_consumed_total", "Input records consumed", ["topic"], registry=r)
        self.articles_published = Counter(
            f"{p}_articles_published_total",
            "Article events acknowledged by the broker, by dedup status", ["status"], registry=r)
        self.duplicates = Counter(f"{p}_duplicates_total", "Duplicate articles published, by dedup method",
                                  ["method"], registry=r)
        self.dlq_records = Counter(f"{p}_dlq_records_total", "Records published to the dead-letter topic, by reason",
                                   ["reason"], registry=r)
        # (several processes: the one updated last; each sees a share of the same stream)
        self.duplicate_ratio = Gauge(f"{p}_duplicate_ratio",
                                     "Share of published articles that are duplicates, since start", registry=r,
                                     multiprocess_mode="livemostrecent")
        self.duplicate_recent_ratio = Gauge(
            f"{p}_duplicate_recent_ratio",
            f"Share of duplicates among the last {RECENT_DECISIONS} published articles", registry=r,
            multiprocess_mode="livemostrecent")
        self.stage_duration = Histogram(f"{p}_stage_duration_seconds", "Time one page spends in a stage",
                                        ["stage"], buckets=STAGE_BUCKETS, registry=r)
        self.stage_failures = Counter(f"{p}_stage_failures_total", "Pages a stage rejected, by stage and reason",
                                      ["stage", "reason"], registry=r)
        self.record_latency = Histogram(
            f"{p}_record_latency_seconds",
            "From the input record's broker timestamp to the broker acknowledging its output",
            buckets=LATENCY_BUCKETS, registry=r)
        self.record_latency_skipped = Counter(
            f"{p}_record_latency_skipped_total",
            "Outputs whose input record's timestamp was implausible (over 7 days old, or over an hour ahead): "
            "not observed in the latency histogram", registry=r)
        self.batch_duration = Histogram(f"{p}_batch_duration_seconds",
                                        "Processing, delivery and commit of one polled batch",
                                        buckets=LATENCY_BUCKETS, registry=r)
        self.batches_cut = Counter(f"{p}_batches_cut_total",
                                   "Batches that reached BATCH_MAX_SECONDS (the rest was read again)", registry=r)
        # What this consumer sees: its fetch position behind the high-water mark of the partitions it
        # owns (a batch fetched but not yet committed is not counted).
        self.consumer_fetch_lag = Gauge(f"{p}_consumer_fetch_lag_records",
                                        "Records between this consumer's fetch position and the end of a partition "
                                        "it owns", ["topic", "partition"], registry=r, multiprocess_mode="livesum")
        # The group's: end offset minus committed offset, of every input partition (service/group_lag.py).
        self.consumer_group_lag = Gauge(f"{p}_consumer_group_lag_records",
                                        "End offset minus the consumer group's committed offset, per input partition",
                                        ["topic", "partition"], registry=r, multiprocess_mode="livemax")
        self.group_lag_read_failures = Counter(f"{p}_group_lag_read_failures_total",
                                               "Reads of the group's lag from the broker that failed", registry=r)
        self.group_lag_last_read = Gauge(f"{p}_group_lag_last_read_timestamp_seconds",
                                         "When the group's lag was last read from the broker (Unix time; 0: never)",
                                         registry=r, multiprocess_mode="livemax")
        self.assigned_partitions = Gauge(f"{p}_assigned_partitions", "Input partitions assigned to this worker",
                                         registry=r, multiprocess_mode="livesum")
        self.rebalances = Counter(f"{p}_rebalances_total", "Partition assignment changes, by event",
                                  ["event"], registry=r)
        self.commits = Counter(f"{p}_offset_commits_total", "Offset commits after acknowledged delivery", registry=r)
        self.delivery_failures = Counter(f"{p}_delivery_failures_total",
                                         "Batches whose outputs the broker did not acknowledge (retried)", registry=r)
        self.dependency_retries = Counter(f"{p}_dependency_retries_total",
                                          "Retries while a dependency was unavailable", ["dependency"], registry=r)
        self.ready = Gauge(f"{p}_ready", "1 when the worker is ready to consume", registry=r,
                           multiprocess_mode="livemin")
        self.dedup_index_articles = Gauge(f"{p}_dedup_index_articles", "Articles held in the dedup index window",
                                          registry=r, multiprocess_mode="livemax")
        self.dedup_not_compared = Counter(
            f"{p}_dedup_not_compared_total",
            "Pages whose text was not compared for duplicates, by reason (decisions, replays included)",
            ["reason"], registry=r)
        self.dedup_decision_duration = Histogram(f"{p}_dedup_decision_seconds",
                                                 "Time of one dedup decision against the state backend",
                                                 ["backend"], buckets=STAGE_BUCKETS, registry=r)
        self._unique = 0
        self._duplicate = 0
        self._recent: deque[bool] = deque(maxlen=RECENT_DECISIONS)
        self._recent_duplicates = 0
        for status in ("unique", "duplicate"):
            self.articles_published.labels(status=status)
        for method in ("url", "exact", "near"):
            self.duplicates.labels(method=method)
        for dependency in ("dedup_state", "broker"):
            self.dependency_retries.labels(dependency=dependency)

    def drop_lag(self, topic: str, partition: int) -> None:
        """A partition this process no longer owns. In multiprocess mode a series cannot be removed
        from the shared files: it stays at 0, and the container's sum is the new owner's value."""
        self._drop(self.consumer_fetch_lag, topic, partition)

    def drop_group_lag(self, topic: str, partition: int) -> None:
        """A partition the input topic no longer has (or a topic renamed)."""
        self._drop(self.consumer_group_lag, topic, partition)

    @staticmethod
    def _drop(gauge: Gauge, topic: str, partition: int) -> None:
        gauge.labels(topic=topic, partition=str(partition)).set(0)
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            gauge.remove(topic, str(partition))

    def record_published(self, status: str, method: str | None) -> None:
        """Count one acknowledged article event and keep the duplicate rates current."""
        self.articles_published.labels(status=status).inc()
        is_duplicate = status == "duplicate"
        if is_duplicate:
            self._duplicate += 1
            self.duplicates.labels(method=method or "unknown").inc()
        else:
            self._unique += 1
        if len(self._recent) == self._recent.maxlen and self._recent[0]:
            self._recent_duplicates -= 1
        self._recent.append(is_duplicate)
        self._recent_duplicates += is_duplicate
        self.duplicate_ratio.set(self._duplicate / (self._unique + self._duplicate))
        self.duplicate_recent_ratio.set(self._recent_duplicates / len(self._recent))
