"""Throughput of our worker against the naive glue worker (bench/naive_glue.py), end to end through
one real broker (Tansu), on the same pages, in one run.

Pages: the 181 article-extraction pages, as the text dumps a naive scraper makes (html-text, as
bench/make_text_dumps.py makes them) and as HTML. A repeat is a recrawl: same URL, a later
fetched_at (so every system sees the same duplicates).

For every page set and system (fresh topics and consumer group each time, 4 partitions):
  saturation: the worker starts and one page goes through it (imports done, group joined and
              settled: every partition assigned, no rebalance for 3 s), then
              all pages are produced at once (the producer is several times faster than either
              worker); rate = pages / (last output's broker timestamp - first page produced);
              with --backlog the worker is frozen (SIGSTOP) while every page is produced and
              thawed once the broker holds them: rate = pages / (last output - thaw), without the
              producer's CPU in the window (in production the scrapers run elsewhere);
  latency:    the worker runs, pages are produced at --load of its saturated rate (or at the fixed
              --load-rate) for --latency-seconds, and each page's latency is its output's timestamp
              minus the moment it was produced.
Peak RSS is VmHWM, summed over the worker's processes (WORKER_PROCESSES > 1: the parent and every
child). The CPU seconds that the worker, this bench (producer, output reader), the broker and
Redis spent in the saturation window are printed per page: on 2 cores they say how much of the
machine the worker had. The PNG shows outputs per second over time (saturation) and the latency distributions.

    .venv/bin/python bench/throughput.py [--text-repeat 20] [--html-repeat 3] [--systems naive,ours]
        [--latency-seconds 15] [--limit N] [--backlog] [--png bench-throughput.png]

--systems: naive, ours (one process), ours-N (WORKER_PROCESSES=N); the first is the baseline of the
ratios. --redis: every "ours" uses a redis-server started here (DEDUP_BACKEND=redis; needed by ours-N,
and so that ours-1 and ours-N are compared on the same backend). --limit N takes the first N pages
of the 181 (quick runs).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from make_text_dumps import DEFAULT_SHARED, benchmark_dir, make_dumps  # noqa: E402
from worker.config import KafkaSettings  # noqa: E402
from worker.local.broker import LocalBroker, free_port  # noqa: E402
from worker.transport.kafka import ensure_topics  # noqa: E402

PARTITIONS = 4
REDIS_URL: list[str | None] = [None]  # set by --redis
FETCHED = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
START_TIMEOUT_SECONDS = 60
SETTLE_SECONDS = 3.0
SESSION_TIMEOUT_MS = 6_000
BACKLOG_SESSION_TIMEOUT_MS = 30_000  # a frozen worker sends no heartbeat while the backlog is produced


@dataclass
class Page:
    url: str
    content_type: str
    body: str

    def value(self, repeat: int, url: str | None = None) -> bytes:
        fetched = (FETCHED + timedelta(hours=repeat)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return orjson.dumps({"url": url or self.url, "fetched_at": fetched, "content_type": self.content_type,
                             "body": self.body})


@dataclass
class Result:
    system: str
    pages: str
    rate: float = 0.0
    seconds: list[float] = field(default_factory=list)  # output times since the first output
    latencies_ms: list[float] = field(default_factory=list)
    load_rate: float = 0.0
    rss_mb: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per role in the saturation window

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def add_page_arguments(parser: argparse.ArgumentParser, text_repeat: int, html_repeat: int) -> None:
    """The options every benchmark over these pages takes: where the shared sets are, which of the
    two sets, and how many times each page is sent."""
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--sets", default="text,html")
    parser.add_argument("--text-repeat", type=int, default=text_repeat)
    parser.add_argument("--html-repeat", type=int, default=html_repeat)


def load_pages(shared: Path, limit: int | None) -> dict[str, list[Page]]:
    dumps = make_dumps(shared)[:limit]
    html_dir = benchmark_dir(shared) / "html"
    html = [Page(d.url, "text/html", gzip.decompress((html_dir / f"{d.key}.html.gz").read_bytes())
                 .decode("utf-8", "replace")) for d in dumps]
    return {"text": [Page(d.url, "text/plain", d.dump) for d in dumps], "html": html}


class Worker:
    """One system under test as its own process (group), reading `raw`, writing three topics."""

    def __init__(self, system: str, bootstrap: str, name: str, log: Path, redis_url: str | None = None,
                 session_timeout_ms: int | None = None):
        self.system = system
        self._session_timeout_ms = session_timeout_ms  # None: ours SESSION_TIMEOUT_MS, the glue its own
        self._redis_url = redis_url
        self.raw = f"{name}.raw"
        self.outputs = [f"{name}.unique", f"{name}.duplicates", f"{name}.dlq"]
        self._bootstrap = bootstrap
        self._name = name
        self._log = log
        self.process: subprocess.Popen | None = None
        self.metrics_port = free_port()

    def start(self) -> None:
        with open(self._log, "ab") as log:
            if self.system == "naive":
                command = [sys.executable, str(REPO / "bench" / "naive_glue.py"), "--bootstrap", self._bootstrap,
                           "--input", self.raw, "--prefix", self._name, "--group", f"g-{self._name}"]
                if self._session_timeout_ms:
                    command += ["--session-timeout-ms", str(self._session_timeout_ms)]
                env = os.environ
            else:
                processes = self.system.split("-")[1] if "-" in self.system else "1"
                command = [sys.executable, "-m", "worker", "run"]
                env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": self._bootstrap, "KAFKA_GROUP_ID": f"g-{self._name}",
                       "KAFKA_SESSION_TIMEOUT_MS": str(self._session_timeout_ms or SESSION_TIMEOUT_MS), "METRICS_PORT": str(self.metrics_port), "LOG_LEVEL": "WARNING",
                       "WORKER_PROCESSES": processes, "TOPIC_PAGES_RAW": self.raw,
                       "TOPIC_ARTICLES_NORMALIZED": self.outputs[0], "TOPIC_ARTICLES_DUPLICATES": self.outputs[1],
                       "TOPIC_PAGES_DLQ": self.outputs[2]}
                if self._redis_url:
                    env.update(DEDUP_BACKEND="redis", REDIS_URL=self._redis_url, DEDUP_REDIS_PREFIX=f"{self._name}:")
            self.process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)

    def wait_settled(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Ours: every partition assigned and no rebalance for SETTLE_SECONDS (with several processes
        the later ones join the group after the first output; a rebalance mid-run would be counted)."""
        if self.system == "naive":
            return
        deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
        while time.monotonic() < deadline:
            state = self._group_state()
            if state != last:
                last, since = state, time.monotonic()
            elif state[0] == PARTITIONS and time.monotonic() - since >= SETTLE_SECONDS:
                return
            time.sleep(0.3)
        raise RuntimeError(f"{self.system}: group not settled within {timeout}s ({last})")

    def _group_state(self) -> tuple[float, float]:
        """(assigned partitions, rebalances) from /metrics."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2) as response:
                text = response.read().decode()
        except OSError:
            return (-1.0, -1.0)
        assigned = rebalances = 0.0
        for line in text.splitlines():
            if line.startswith("newsworker_assigned_partitions "):
                assigned = float(line.split()[-1])
            elif line.startswith("newsworker_rebalances_total{"):
                rebalances += float(line.split()[-1])
        return (assigned, rebalances)

    def peak_rss_mb(self) -> float:
        return sum(_vm_hwm_kb(pid) for pid in _process_tree(self.process.pid)) / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in children:
            pids += _process_tree(int(child))
    return pids


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


class Outputs(threading.Thread):
    """Reads the output topics from the start: (url, broker timestamp ms) of every record."""

    def __init__(self, bootstrap: str, topics: list[str]):
        super().__init__(daemon=True)
        self.seen: list[tuple[str, int]] = []
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
        parts = [TopicPartition(topic, p) for topic in topics for p in range(PARTITIONS)]
        self._consumer.assign(parts)
        self._consumer.seek_to_beginning(*parts)
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            for records in self._consumer.poll(timeout_ms=200).values():
                for record in records:
                    event = orjson.loads(record.value)
                    self.seen.append((event.get("url") or "", record.timestamp))
        self._consumer.close()

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.seen) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return len(self.seen) >= count

    def close(self) -> None:
        self._done.set()
        self.join(timeout=5)


def saturation(bootstrap: str, kafka: KafkaSettings, system: str, name: str, values: list[bytes],
               log: Path, backlog: bool = False,
               services: dict[str, int] | None = None) -> tuple[float, list[float], float, dict[str, float]]:
    """The worker is started and warmed up (one page through it: imports done, group joined), then
    all pages are produced at once; rate = pages / (last output - first page produced).

    backlog: the worker's processes are frozen (SIGSTOP) while the pages are produced and thawed
    once the broker holds them all; rate = pages / (last output - thaw). The producer's CPU is then
    out of the window, as the scrapers' is in production, where they run on other machines.
    Also returns the CPU seconds each role spent in the window: the worker's processes, the bench
    itself (producer and output reader), and each of `services` (name -> pid: broker, redis)."""
    worker, outputs, producer = _started(bootstrap, kafka, system, name, values[0], log,
                                         session_timeout_ms=BACKLOG_SESSION_TIMEOUT_MS if backlog else None)
    tree = _process_tree(worker.process.pid)
    groups = worker._group_state()
    if backlog:
        _signal_all(tree, signal.SIGSTOP)
        try:
            for value in values:
                producer.send(worker.raw, value)
            producer.flush()
        finally:
            _signal_all(tree, signal.SIGCONT)
    pids = {"worker": tree, "bench": [os.getpid()], **{role: [pid] for role, pid in (services or {}).items()}}
    cpu_before = {role: _cpu_seconds(role_pids) for role, role_pids in pids.items()}
    started = time.time() * 1000
    if not backlog:
        for value in values:
            producer.send(worker.raw, value)
        producer.flush()
    finished = outputs.wait_for(len(values) + 1, timeout=START_TIMEOUT_SECONDS + len(values) / 5)
    cpu = {role: _cpu_seconds(role_pids) - cpu_before[role] for role, role_pids in pids.items()}
    rss = worker.peak_rss_mb()
    rebalanced = system != "naive" and worker._group_state()[1] != groups[1]
    _stop(worker, outputs, producer)
    if not finished:
        raise RuntimeError(f"{system} gave {len(outputs.seen) - 1} of {len(values)} outputs; see {log}")
    if rebalanced:
        raise RuntimeError(f"{system}: the group rebalanced during the run; see {log}")
    stamps = sorted(ts for _, ts in outputs.seen[1:])
    rate = len(stamps) / ((stamps[-1] - started) / 1000)
    return rate, [(ts - started) / 1000 for ts in stamps], rss, cpu


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        os.kill(pid, signum)


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (/proc/PID/stat fields 14 and 15)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _started(bootstrap: str, kafka: KafkaSettings, system: str, name: str, warm_up: bytes, log: Path,
             session_timeout_ms: int | None = None):
    worker = Worker(system, bootstrap, name, log, REDIS_URL[0], session_timeout_ms)
    ensure_topics(kafka, [worker.raw, *worker.outputs], PARTITIONS)
    outputs = Outputs(bootstrap, worker.outputs)
    outputs.start()
    worker.start()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_request_size=4 << 20)
    page = orjson.loads(warm_up)
    page["url"] += "?nwbench=warm-up"
    producer.send(worker.raw, orjson.dumps(page))
    producer.flush()
    if not outputs.wait_for(1, START_TIMEOUT_SECONDS):
        raise RuntimeError(f"{system} did not start; see {log}")
    worker.wait_settled()
    return worker, outputs, producer


def _stop(worker: Worker, outputs: Outputs, producer: KafkaProducer) -> None:
    worker.stop()
    producer.close()
    outputs.close()


def latency(bootstrap: str, kafka: KafkaSettings, system: str, name: str, pages: list[Page], rate: float,
            seconds: float, log: Path) -> tuple[list[float], float]:
    worker, outputs, producer = _started(bootstrap, kafka, system, name, pages[0].value(0), log)
    sent: dict[str, float] = {}
    count = max(1, int(rate * seconds))
    start = time.monotonic()
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        page = pages[i % len(pages)]
        url = f"{page.url}{'&' if '?' in page.url else '?'}nwbench={i}"
        sent[url] = time.time() * 1000
        producer.send(worker.raw, page.value(i // len(pages), url=url))
    producer.flush()
    outputs.wait_for(count + 1, timeout=60)
    rss = worker.peak_rss_mb()
    _stop(worker, outputs, producer)
    return [ts - sent[url] for url, ts in outputs.seen if url in sent], rss


def plot(results: list[Result], path: Path, backlog: bool = False) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(dict.fromkeys(r.pages for r in results))
    figure, axes = plt.subplots(2, len(sets), figsize=(6.5 * len(sets), 8), squeeze=False)
    for column, pages in enumerate(sets):
        top, bottom = axes[0][column], axes[1][column]
        for result in (r for r in results if r.pages == pages):
            end = result.seconds[-1] if result.seconds else 0
            width = max(0.1, end / 40)
            counts = [0] * (int(end / width) + 1)
            for second in result.seconds:
                counts[int(second / width)] += 1
            top.stairs([c / width for c in counts], [i * width for i in range(len(counts) + 1)],
                       label=f"{result.system}: {result.rate:.0f} pages/s", linewidth=1.5)
            ordered = sorted(result.latencies_ms)
            if ordered:
                bottom.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))],
                            label=f"{result.system} at {result.load_rate:.0f}/s: p50 {result.percentile(0.5):.0f} ms, "
                                  f"p99 {result.percentile(0.99):.0f} ms")
        start = "the backlogged worker thawed" if backlog else "all pages produced"
        top.set_title(f"{pages}: outputs per second, {start} at 0 s")
        top.set_xlabel("seconds since " + ("the worker was thawed" if backlog else "the first page was produced"))
        top.set_ylabel("outputs per second")
        top.legend()
        bottom.set_title(f"{pages}: produce-to-output latency at half load")
        bottom.set_xscale("log")
        bottom.set_xlabel("latency (ms, log scale)")
        bottom.set_ylabel("share of pages at or below")
        bottom.grid(True, which="both", alpha=0.3)
        bottom.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_arguments(parser, text_repeat=20, html_repeat=3)
    parser.add_argument("--systems", default="naive,ours", help="naive, ours, ours-N (WORKER_PROCESSES=N)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of the 181")
    parser.add_argument("--load", type=float, default=0.5, help="latency phase rate, share of saturation")
    parser.add_argument("--latency-seconds", type=float, default=15.0, help="0: no latency phase")
    parser.add_argument("--load-rate", default="", metavar="SET=RATE,...",
                        help="latency phase at these pages/s (e.g. text=250,html=45) instead of --load of each "
                             "system's saturated rate: on a shared machine that rate varies from run to run, and "
                             "two trees compare at the same load")
    parser.add_argument("--redis", action="store_true", help="ours with DEDUP_BACKEND=redis (a redis-server started here)")
    parser.add_argument("--backlog", action="store_true",
                        help="produce every page while the worker is frozen, then let it run: the rate without "
                             "the producer's CPU in the window (see saturation())")
    parser.add_argument("--png", type=Path, default=REPO / "bench-throughput.png")
    args = parser.parse_args()
    systems = args.systems.split(",")
    pages = load_pages(args.shared, args.limit)
    repeats = {"text": args.text_repeat, "html": args.html_repeat}
    log = REPO / ".bench-throughput.log"
    results: list[Result] = []
    processes = max([int(s.split("-")[1]) for s in systems if s.startswith("ours-")], default=1)
    if processes > 1:
        from cores import parallel_capacity
        print(f"ceiling here now: {processes} spinning processes get {parallel_capacity(processes):.2f}x the CPU "
              "work of one (bench/cores.py)")
    redis = _start_redis() if args.redis or any(s.startswith("ours-") for s in systems) else None
    if redis:
        REDIS_URL[0] = redis[1]
    try:
        _run(args, systems, pages, repeats, log, results, {"redis": redis[0].pid} if redis else {})
    finally:
        if redis:
            redis[0].terminate()
            redis[0].wait()
    plot(results, args.png, args.backlog)
    print(f"plot: {args.png}")
    summary = [{"system": r.system, "pages": r.pages, "pages_per_s": round(r.rate, 1), "load": round(r.load_rate, 1),
                "p50_ms": r.percentile(0.5), "p99_ms": r.percentile(0.99), "peak_rss_mb": round(r.rss_mb),
                "cpu_seconds": {role: round(seconds, 2) for role, seconds in r.cpu.items()}}
               for r in results]
    print(json.dumps(summary))


def _start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def _run(args, systems: list[str], pages: dict[str, list[Page]], repeats: dict[str, int], log: Path,
         results: list[Result], services: dict[str, int]) -> None:
    load_rates = {name: float(rate) for name, rate in (pair.split("=") for pair in args.load_rate.split(",") if pair)}
    with LocalBroker() as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap)
        for set_name in args.sets.split(","):
            values = [page.value(r) for r in range(repeats[set_name]) for page in pages[set_name]]
            size = sum(len(p.body) for p in pages[set_name]) / len(pages[set_name]) / 1000
            print(f"{set_name}: {len(pages[set_name])} pages x{repeats[set_name]} ({size:.1f} KB mean body)")
            for system in systems:
                result = Result(system, set_name)
                tag = f"{set_name}-{system}-{os.getpid()}"
                result.rate, result.seconds, result.rss_mb, result.cpu = saturation(
                    broker.bootstrap, kafka, system, f"sat-{tag}", values, log, args.backlog,
                    {"broker": broker.pid, **services})
                if args.latency_seconds > 0:
                    result.load_rate = load_rates.get(set_name, result.rate * args.load)
                    result.latencies_ms, rss = latency(broker.bootstrap, kafka, system, f"lat-{tag}", pages[set_name],
                                                       result.load_rate, args.latency_seconds, log)
                    result.rss_mb = max(result.rss_mb, rss)
                base = next(r for r in results + [result] if r.pages == set_name)
                print(f"  {system:8s} {result.rate:7.1f} pages/s ({result.rate / base.rate:4.2f}x {base.system}); "
                      f"at {result.load_rate:.0f} pages/s: p50 {result.percentile(0.5):.0f} ms, "
                      f"p99 {result.percentile(0.99):.0f} ms; peak RSS {result.rss_mb:.0f} MB", flush=True)
                print("           CPU ms per page in the saturation window: " + ", ".join(
                    f"{role} {seconds * 1000 / len(values):.2f}" for role, seconds in result.cpu.items()), flush=True)
                results.append(result)


if __name__ == "__main__":
    main()
