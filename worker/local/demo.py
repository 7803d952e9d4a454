"""The embedded default, end to end: a local broker, the sample pages, a real worker, the results.

Starts Tansu, creates the topics, feeds the pages, runs `python -m worker run` as its own process
(as in production), reads every output topic, prints the articles, duplicates, dead letters and
the duplicate rate, and shows where the metrics are and how to re-process the dead letters.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from importlib import resources
from pathlib import Path

from ..config import KafkaSettings, Topics
from ..transport.kafka import ensure_topics
from .broker import LocalBroker, free_port
from .client import consume_events, page_key, produce_values, read_jsonl_values

PARTITIONS = 3
METRIC_LINES = ("newsworker_pages_consumed_total", "newsworker_articles_published_total",
                "newsworker_duplicates_total", "newsworker_dlq_records_total", "newsworker_duplicate_ratio ")


def sample_pages_path() -> Path:
    return Path(str(resources.files("worker") / "samples" / "pages.jsonl"))


def run_demo(input_path: Path | None = None, keep_running: bool = False) -> int:
    input_path = input_path or sample_pages_path()
    values = read_jsonl_values(input_path)
    topics = Topics()
    state = Path(".demo")
    state.mkdir(exist_ok=True)
    with LocalBroker(log_path=state / "broker.log") as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap, group_id="news-worker-demo")
        print(f"local Kafka-protocol broker (Tansu) at {broker.bootstrap}")
        ensure_topics(kafka, topics.all(), PARTITIONS)
        produce_values(kafka, topics.pages_raw, values, [page_key(v) for v in values])
        print(f"fed {len(values)} pages from {input_path} to {topics.pages_raw}")

        metrics_port = free_port()
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "KAFKA_GROUP_ID": kafka.group_id,
               "METRICS_PORT": str(metrics_port), "KAFKA_SESSION_TIMEOUT_MS": "6000", "LOG_LEVEL": "WARNING"}
        with open(state / "worker.log", "wb") as worker_log:
            worker = subprocess.Popen([sys.executable, "-m", "worker", "run"], env=env, stdout=worker_log,
                                      stderr=subprocess.STDOUT)
        try:
            events = consume_events(kafka, topics.outputs(), expected=len(values), timeout_seconds=120,
                                    keep_waiting=lambda: worker.poll() is None)
            metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
            _print_results(events, topics)
            _print_metrics(metrics_url)
            _print_dlq_help(events[topics.pages_dlq], broker.bootstrap, keep_running)
            if keep_running:
                print(f"\nbroker {broker.bootstrap} and worker running; metrics at {metrics_url}; Ctrl-C to stop")
                with contextlib.suppress(KeyboardInterrupt):
                    worker.wait()
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        print(f"\nworker exited with code {worker.returncode}; logs in {state}/")
    received = sum(len(v) for v in events.values())
    if received < len(values):
        print(f"error: only {received} of {len(values)} pages came out; see {state}/worker.log", file=sys.stderr)
        return 1
    return 0


def _print_results(events: dict[str, list[dict]], topics: Topics) -> None:
    articles = events[topics.articles_normalized]
    duplicates = events[topics.articles_duplicates]
    dead = events[topics.pages_dlq]
    titles = {e["article_id"]: e["title"] for e in articles + duplicates}
    print(f"\n== {topics.articles_normalized}: {len(articles)} unique articles")
    for e in articles:
        print(f"  {e['article_id'][:12]}  {_short(e['title'], 70):70}  {e['site_name'] or '-'} | "
              f"{', '.join(e['authors']) or '-'} | {(e['published_at'] or '-')[:10]} | {e['language'] or '-'} | "
              f"{e['word_count']} words")
    print(f"\n== {topics.articles_duplicates}: {len(duplicates)} duplicates")
    for e in duplicates:
        d = e["dedup"]
        print(f"  {e['article_id'][:12]}  {_short(e['title'], 50):50}  {d['method']:5} sim={d['similarity']}  "
              f"of {d['duplicate_of'][:12]} ({_short(titles.get(d['duplicate_of']), 40)})")
    print(f"\n== {topics.pages_dlq}: {len(dead)} dead letters")
    for e in dead:
        print(f"  {e['reason']:26} {_short(e['error'], 90)}  (offset {e['original']['offset']}, "
              f"partition {e['original']['partition']})")
    total = len(articles) + len(duplicates)
    if total:
        print(f"\nduplicate rate: {len(duplicates)}/{total} = {len(duplicates) / total:.1%}")


def _print_metrics(url: str) -> None:
    # Counters are updated right after the commit; give the worker a moment to finish it.
    time.sleep(0.5)
    try:
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError as error:
        print(f"metrics at {url} not reachable: {error}")
        return
    print(f"\n== metrics (Prometheus format) at {url}; also /healthz and /readyz")
    for line in text.splitlines():
        if line.startswith(METRIC_LINES):
            print(f"  {line}")


def _print_dlq_help(dead: list[dict], bootstrap: str, keep_running: bool) -> None:
    if not dead:
        return
    reasons = sorted({e["reason"] for e in dead})
    # (a reason a worker fix can cure makes the better example: bad input fails again)
    fixable = [r for r in ("no_content", "stage_error", "stage_timeout", "body_too_large", "output_too_large")
               if r in reasons]
    example = (fixable or reasons)[0]
    env = f"KAFKA_BOOTSTRAP_SERVERS={bootstrap}"
    print("\n== re-processing the dead letters (deploy/README.md, \"Dead letters: the runbook\")")
    if not keep_running:
        print("  (the demo's broker stops when it ends: run `python -m worker demo --keep-running` to try these)")
    print(f"  {env} python -m worker dlq count    # per reason: {', '.join(reasons)}")
    print(f"  {env} python -m worker dlq list --reason {example}    # refs, urls, errors")
    print(f"  {env} python -m worker dlq show PARTITION:OFFSET    # one in full, with its headers")
    print(f"  {env} python -m worker dlq replay --reason {example} --dry-run")
    print("  once the cause is fixed, replay without --dry-run: it re-publishes the originals to pages.raw and says")
    print("  how many; safe to re-run (a page already published comes out as the same decision).")


def _short(text: str | None, width: int) -> str:
    text = (text or "-").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
