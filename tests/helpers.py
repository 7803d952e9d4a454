"""Helpers for tests that run the real worker process against the real broker."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
from kafka.admin import KafkaAdminClient

from worker.config import KafkaSettings, Topics
from worker.local.broker import free_port
from worker.local.client import consume_events, page_key, produce_values

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "worker" / "samples" / "pages.jsonl"


def page(url: str, body: str, fetched_at: str = "2024-05-01T10:00:00Z", content_type: str = "text/plain",
         **extra) -> bytes:
    """The JSON value of one raw page record."""
    return orjson.dumps({"url": url, "fetched_at": fetched_at, "content_type": content_type, "body": body, **extra})


def article_body(n: int, words: int = 120) -> str:
    """A distinct article body (its own vocabulary, so no two bodies are near-duplicates)."""
    vocabulary = [f"w{n}x{i}" for i in range(words)]
    sentences = [" ".join(vocabulary[i:i + 12]).capitalize() + "." for i in range(0, words, 12)]
    return "\n\n".join(" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3))


def distinct_word(n: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz") -> str:
    """A distinct word for each n: "a", then n's digits in the alphabet (a name, an attribute)."""
    digits = ""
    while True:
        n, digit = divmod(n, len(alphabet))
        digits = alphabet[digit] + digits
        if not n:
            return "a" + digits


def produce(settings: KafkaSettings, topic: str, values: list[bytes]) -> None:
    produce_values(settings, topic, values, [page_key(v) for v in values])


def produce_to_partitions(settings: KafkaSettings, topic: str, values_by_partition: list[tuple[int, bytes]]) -> None:
    """Each value to the partition given with it (copies of one article placed on several partitions)."""
    from kafka import KafkaProducer

    producer = KafkaProducer(**settings.client_options(), acks="all")
    try:
        futures = [producer.send(topic, value=value, partition=partition) for partition, value in values_by_partition]
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close(timeout=10)


def consume(settings: KafkaSettings, topics: Topics, expected: int, timeout: float = 60.0,
            settle: float = 0.0) -> dict[str, list[dict]]:
    """Events per output topic, read from the beginning until `expected` arrived (plus `settle` s)."""
    return consume_events(settings, topics.outputs(), expected, timeout_seconds=timeout, settle_seconds=settle)


def committed(settings: KafkaSettings, topic: str) -> dict[int, int]:
    """The offsets the settings' consumer group committed on `topic`, per partition."""
    admin = KafkaAdminClient(**settings.client_options())
    try:
        offsets = admin.list_group_offsets({settings.group_id: None})[settings.group_id]
    finally:
        admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}


class WorkerProcess:
    """`python -m worker run` as a real process, configured like a deployment (environment)."""

    def __init__(self, settings: KafkaSettings, topics: Topics, log_dir: Path, module: str = "worker",
                 **env_overrides: str):
        self.module = module  # tests.kill_point: the same worker with a fault hook
        self.metrics_port = free_port()
        self.log_path = Path(log_dir) / f"worker-{self.metrics_port}.log"
        self.env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
            "KAFKA_GROUP_ID": settings.group_id,
            "KAFKA_SESSION_TIMEOUT_MS": str(settings.session_timeout_ms),
            "KAFKA_HEARTBEAT_INTERVAL_MS": str(settings.heartbeat_interval_ms),
            "TOPIC_PAGES_RAW": topics.pages_raw,
            "TOPIC_ARTICLES_NORMALIZED": topics.articles_normalized,
            "TOPIC_ARTICLES_DUPLICATES": topics.articles_duplicates,
            "TOPIC_PAGES_DLQ": topics.pages_dlq,
            "METRICS_PORT": str(self.metrics_port),
            "METRICS_HOST": "127.0.0.1",
            "POLL_TIMEOUT_MS": "200",
            "LOG_LEVEL": "INFO",
            **env_overrides,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", self.module, "run"], env=self.env, cwd=REPO,
                                            stdout=log, stderr=subprocess.STDOUT)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}"

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=2) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"worker not ready within {timeout}s:\n{self.log()}")

    def metric(self, name: str, **labels: str) -> float:
        """Value of one sample on /metrics (0.0 when absent)."""
        wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "")
        for line in self.get("/metrics")[1].splitlines():
            sample, _, value = line.rpartition(" ")
            if sample == wanted:
                return float(value)
        return 0.0

    def terminate(self, timeout: float = 30.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    """Polls condition() every 0.1 s; fails the test naming `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
