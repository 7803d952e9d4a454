"""CPU time per page of each step of one worker process: the pages bench/throughput.py sends (the
181 article-extraction pages as text dumps and as HTML), each step run over all pages before the next
(poll: the records read from a local broker; decode, clean, fingerprint, decide: dedup and the event's
encoding; deliver: the outputs sent to the broker, in batches of 500 as the worker does), timed with
time.process_time, which waiting for a busy core does not inflate; the best of --rounds rounds.
--no-broker leaves out poll and deliver. The HTML child's CPU (large pages are extracted in a child process, worker/stages/isolation.py)
is read from /proc and counted in `clean`.

With --jobs N, also what the parent of `process --jobs N` (worker/parallel.py) spends per page
(handing out the records, receiving the prepared pages, deciding) and what its children spend.

    .venv/bin/python bench/stage_cpu.py [--sets text,html] [--text-repeat 3] [--html-repeat 1] [--rounds 3]
                                        [--jobs 2] [--no-broker]

Use bench/profile_pipeline.py for the functions within a step.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from itertools import count
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from kafka import KafkaProducer  # noqa: E402
from throughput import PARTITIONS, add_page_arguments, load_pages  # noqa: E402
from worker.config import Settings  # noqa: E402
from worker.local.broker import LocalBroker  # noqa: E402
from worker.memory import keep_freed_memory  # noqa: E402
from worker.models import SourceRecord  # noqa: E402
from worker.parallel import ParallelPipeline  # noqa: E402
from worker.pipeline import Cleaned, Pipeline  # noqa: E402
from worker.state import MemoryIndex  # noqa: E402
from worker.transport.kafka import KafkaSink, KafkaSource, ensure_topics  # noqa: E402

BATCH = 500
TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of another process so far, 0 when there is none."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def html_child_pid(pipeline: Pipeline) -> int | None:
    isolated = pipeline.clean._html
    process = isolated._process if isolated is not None else None
    return process.pid if process is not None else None


def steps(records: list[SourceRecord], bootstrap: str | None, name: str) -> dict[str, float]:
    """CPU seconds of each step over all the records, one process; with a broker, the records are
    read from it first and the outputs sent to it last."""
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": bootstrap or "localhost:9092",
                                  "KAFKA_GROUP_ID": f"g-{name}", "TOPIC_PAGES_RAW": f"{name}.raw",
                                  "TOPIC_ARTICLES_NORMALIZED": f"{name}.unique",
                                  "TOPIC_ARTICLES_DUPLICATES": f"{name}.duplicates", "TOPIC_PAGES_DLQ": f"{name}.dlq"})
    pipeline = Pipeline(settings, MemoryIndex(settings.dedup))
    seconds = {}
    try:
        pipeline.clean.start()
        child = html_child_pid(pipeline)
        if bootstrap is not None:
            records, seconds["poll"] = polled(settings, records)
        started = time.process_time()
        pages = [pipeline.decode(record) for record in records]
        seconds["decode"] = time.process_time() - started
        started, child_started = time.process_time(), process_cpu(child)
        articles = [pipeline.clean(page) for page in pages]
        seconds["clean"] = time.process_time() - started + process_cpu(child) - child_started
        started = time.process_time()
        prepared = [(record, Cleaned(article, pipeline.fingerprint(article)))
                    for record, article in zip(records, articles)]
        seconds["fingerprint"] = time.process_time() - started
        started = time.process_time()
        outputs = [pipeline.decide(prepared[i:i + BATCH]) for i in range(0, len(prepared), BATCH)]
        seconds["decide"] = time.process_time() - started
        if bootstrap is not None:
            sink = KafkaSink(settings.kafka)
            try:
                started = time.process_time()
                for batch in outputs:
                    sink.deliver(batch)
                seconds["deliver"] = time.process_time() - started
            finally:
                sink.close()
        return seconds
    finally:
        pipeline.close()


def polled(settings: Settings, records: list[SourceRecord]) -> tuple[list[SourceRecord], float]:
    """The records' values produced to the raw topic (as bench/throughput.py does), then read back
    by the worker's consumer, after one record that makes it join the group: (the records as read,
    CPU seconds of reading them)."""
    ensure_topics(settings.kafka, settings.topics.all(), PARTITIONS)
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all", linger_ms=5,
                             max_request_size=4 << 20)
    source = KafkaSource(settings.kafka, settings.topics.pages_raw)
    try:
        producer.send(settings.topics.pages_raw, records[0].value)
        producer.flush()
        while not source.poll(BATCH, 1000):
            pass
        for record in records:
            producer.send(settings.topics.pages_raw, record.value)
        producer.flush()
        started = time.process_time()
        read: list[SourceRecord] = []
        while len(read) < len(records):
            read += source.poll(BATCH, 1000)
        return read, time.process_time() - started
    finally:
        source.close()
        producer.close()


def parallel(records: list[SourceRecord], jobs: int) -> tuple[float, float]:
    """CPU seconds of the parent and of its children over all the records (the children extract
    HTML themselves: they start no process of their own)."""
    settings = Settings()
    pipeline = ParallelPipeline(settings, MemoryIndex(settings.dedup), jobs=jobs)
    try:
        pids = [child.process.pid for child in pipeline._children]
        time.sleep(1.0)  # (the children's start-up is not counted)
        child_started = sum(map(process_cpu, pids))
        started = time.process_time()
        for i in range(0, len(records), BATCH):
            batch = records[i:i + BATCH]
            pipeline.decide(list(zip(batch, pipeline.prepare_each(batch))))
        parent = time.process_time() - started
        return parent, sum(map(process_cpu, pids)) - child_started
    finally:
        pipeline.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_arguments(parser, text_repeat=3, html_repeat=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="also measure `process --jobs N` (parent and children)")
    parser.add_argument("--no-broker", action="store_true", help="without poll and deliver (no local broker)")
    args = parser.parse_args()
    keep_freed_memory()  # as `python -m worker` does at its start
    pages = load_pages(args.shared, None)
    with (contextlib.nullcontext() if args.no_broker else LocalBroker()) as broker:
        measure(args, pages, broker.bootstrap if broker else None)


def measure(args: argparse.Namespace, pages: dict, bootstrap: str | None) -> None:
    repeats = {"text": args.text_repeat, "html": args.html_repeat}
    runs = count()
    for set_name in args.sets.split(","):
        values = [page.value(r) for r in range(repeats[set_name]) for page in pages[set_name]]
        records = [SourceRecord("pages.raw", 0, n, None, value) for n, value in enumerate(values)]
        rounds = [steps(records, bootstrap, f"{set_name}{next(runs)}") for _ in range(args.rounds)]
        best = {step: min(r[step] for r in rounds) for step in rounds[0]}
        total = min(sum(r.values()) for r in rounds)
        print(f"{set_name}: {len(records)} pages, CPU ms/page (best of {args.rounds} rounds): "
              + ", ".join(f"{step} {s / len(records) * 1000:.3f}" for step, s in best.items())
              + f"; all {total / len(records) * 1000:.3f}")
        if args.jobs > 1:
            timed = [parallel(records, args.jobs) for _ in range(args.rounds)]
            parent = min(r[0] for r in timed) / len(records) * 1000
            children = min(r[1] for r in timed) / len(records) * 1000
            print(f"  --jobs {args.jobs}: parent {parent:.3f} ms/page, children together {children:.3f} ms/page")


if __name__ == "__main__":
    main()
