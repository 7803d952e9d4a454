"""The monitoring as it will run: a real Prometheus scrapes a real worker (`python -m worker run`,
configured like the compose service, on the real broker and Redis) after the sample pages went
through it; every dashboard query and every rule is then evaluated by Prometheus' HTTP API."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

import orjson
import pytest

from tests.helpers import SAMPLES, WorkerProcess, consume
from worker.config import KafkaSettings, Topics
from worker.transport.kafka import ensure_topics

from . import manifests as m

pytestmark = [pytest.mark.broker, pytest.mark.redis, pytest.mark.prometheus]

SASL_PASSWORD = "never-in-a-log-line-5150"
PARTITIONS = 3
WAIT_SECONDS = 60.0


@pytest.fixture(scope="module")
def stack(broker, redis_server, start_prometheus, tmp_path_factory):
    """Worker + Prometheus after the samples went through; yields (worker, prometheus)."""
    suffix = uuid.uuid4().hex[:8]
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap, group_id=f"deploy-{suffix}",
                          session_timeout_ms=6000, heartbeat_interval_ms=500)
    topics = Topics(pages_raw=f"deploy-{suffix}.pages.raw", articles_normalized=f"deploy-{suffix}.articles.normalized",
                    articles_duplicates=f"deploy-{suffix}.articles.duplicates", pages_dlq=f"deploy-{suffix}.pages.dlq")
    ensure_topics(kafka, topics.all(), PARTITIONS)
    if not redis_server.running:
        redis_server.start()
    redis_url = redis_server.url.rsplit("/", 1)[0] + "/7"  # a database of its own, emptied first
    with redis_server.client() as client:
        client.execute_command("SELECT", 7)
        client.flushdb()

    compose_env = m.compose_worker_environments()["worker"]
    worker = WorkerProcess(kafka, topics, tmp_path_factory.mktemp("worker"),
                           DEDUP_BACKEND=compose_env["DEDUP_BACKEND"], REDIS_URL=redis_url,
                           # Read, never used on a PLAINTEXT broker, and never to be logged.
                           KAFKA_SASL_PASSWORD=SASL_PASSWORD).start()
    try:
        worker.wait_ready()
        prometheus = start_prometheus([f"127.0.0.1:{worker.metrics_port}"], rule_files=[m.ALERTS])
        # The pages go in the way docker compose feeds them: the worker image's feed command.
        subprocess.run([sys.executable, "-m", "worker", "feed", "--input", str(SAMPLES)], env=worker.env,
                       cwd=m.ROOT, check=True, capture_output=True, timeout=60)
        pages = sum(1 for line in SAMPLES.read_bytes().splitlines() if line.strip())
        outputs = consume(kafka, topics, expected=pages, timeout=WAIT_SECONDS)
        assert sum(len(events) for events in outputs.values()) == pages
        prometheus.wait_for(
            lambda: _value(prometheus, 'sum(newsworker_pages_consumed_total{job="news-worker"})') == pages,
            WAIT_SECONDS, f"the {pages} consumed pages visible in Prometheus")
        # Several scrapes after the last page, so that every rate window holds the change.
        prometheus.wait_for(
            lambda: (_value(prometheus, 'count_over_time((sum(newsworker_pages_consumed_total{job="news-worker"})'
                                        f' == {pages})[30s:1s])') or 0) >= 5,
            WAIT_SECONDS, "five scrapes after the last page")
        yield worker, prometheus
    finally:
        worker.stop()


def _value(prometheus, expr: str) -> float | None:
    result = prometheus.query(expr)
    return float(result[0]["value"][1]) if result else None


@pytest.mark.parametrize("name, expr", m.dashboard_queries(), ids=[n for n, _ in m.dashboard_queries()])
def test_every_dashboard_query_returns_data_after_pages_went_through(stack, name, expr):
    _, prometheus = stack
    result = prometheus.query(expr)  # raises PrometheusError when it does not parse
    assert result, f"dashboard panel {name} shows no data: {expr}"


@pytest.mark.parametrize("name, expr", m.rule_queries(), ids=[n for n, _ in m.rule_queries()])
def test_every_rule_expression_evaluates(stack, name, expr):
    _, prometheus = stack
    result = prometheus.query(expr)  # raises PrometheusError when it does not parse or evaluate
    # An alert that is not firing evaluates to an empty vector; what matters is that it evaluates.
    assert isinstance(result, list)


def test_prometheus_loaded_and_evaluated_every_rule_without_error(stack):
    _, prometheus = stack
    expected = {rule.get("alert") or rule["record"] for rule in m.rules()}

    def evaluated():
        loaded = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
        return {r["name"] for r in loaded} == expected and all(r["health"] != "unknown" for r in loaded)

    prometheus.wait_for(evaluated, WAIT_SECONDS, "every rule evaluated once")
    for group in prometheus.api("rules")["groups"]:
        for rule in group["rules"]:
            assert rule["health"] == "ok", f"{rule['name']}: {rule.get('lastError')}"


def test_recorded_series_carry_the_worker_figures(stack):
    _, prometheus = stack
    prometheus.wait_for(lambda: prometheus.query("newsworker:consumer_group_lag_records:sum"), WAIT_SECONDS,
                        "the lag recording rule")
    (lag,) = prometheus.query("newsworker:consumer_group_lag_records:sum")
    assert float(lag["value"][1]) == 0  # every page was processed


def test_the_image_healthcheck_command_passes_on_a_live_worker_and_fails_without_one(stack):
    worker, _ = stack
    command = m.dockerfile_healthcheck()
    alive = subprocess.run(command, env={**os.environ, "METRICS_PORT": str(worker.metrics_port)},
                           capture_output=True, timeout=30)
    assert alive.returncode == 0, alive.stderr.decode()
    with_nothing_listening = subprocess.run(command, env={**os.environ, "METRICS_PORT": "9"},
                                            capture_output=True, timeout=30)
    assert with_nothing_listening.returncode != 0


def test_the_worker_logs_json_lines_without_secrets(stack):
    worker, _ = stack
    lines = worker.log_path.read_text().splitlines()
    assert lines
    for line in lines:
        entry = orjson.loads(line)  # every line is one JSON object
        assert {"time", "level", "logger", "message"} <= set(entry)
    assert SASL_PASSWORD not in worker.log_path.read_text()
