"""End-to-end benchmark: synthetic pages through a real broker and a real worker process.

Two phases, each with a fresh worker and topics:
  throughput: N pages are loaded into pages.raw first, then the worker starts; pages/s is measured
              from its first output to its last (saturation);
  latency:    pages are produced at a fixed rate below that capacity (--rate-share of it) and each
              page's latency is the output record's timestamp minus the moment it was produced.
Peak RSS is the worker's VmHWM. Text pages are 5-10 KB dumps, HTML pages 30-100 KB, mixed by --html-share.

Run: python bench/pipeline.py --pages 2000
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from worker.config import KafkaSettings, Topics  # noqa: E402
from worker.local.broker import LocalBroker, free_port  # noqa: E402
from worker.transport.kafka import ensure_topics  # noqa: E402

PARTITIONS = 4
BOILERPLATE = ["Home", "World", "Politics", "Business", "Subscribe to our newsletter", "Sign in",
               "Related Articles", "Most read", "Share this article", "Comments are closed."]


def sentences_from_samples() -> list[str]:
    sentences = []
    for line in (REPO / "worker" / "samples" / "pages.jsonl").read_bytes().splitlines():
        try:
            page = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if page.get("content_type", "").startswith("text/plain"):
            for paragraph in page["body"].split("\n"):
                sentences += [s.strip() + "." for s in paragraph.split(". ") if len(s.split()) >= 6]
    return sentences


def text_page(rng: random.Random, sentences: list[str], n: int) -> str:
    target = rng.randint(5_000, 10_000)
    lines = [f"Daily Herald {n % 50}", rng.choice(BOILERPLATE), " ".join(rng.sample(sentences, 1))[:90], ""]
    while sum(len(x) + 1 for x in lines) < target:
        lines.append(" ".join(rng.sample(sentences, 3)))
        lines.append("")
    lines += ["Related Articles"] + [rng.choice(sentences)[:80] for _ in range(5)] + ["LEAVE A REPLY"]
    return "\n".join(lines)


def html_page(rng: random.Random, sentences: list[str], n: int) -> str:
    target = rng.randint(30_000, 100_000)
    head = (f"<!doctype html><html lang=en><head><title>{rng.choice(sentences)[:80]} | Herald {n % 50}</title>"
            "<meta charset=utf-8><script>" + "var x=1;" * 400 + "</script><style>" + ".a{color:red}" * 300 +
            "</style></head><body><nav>" + "".join(f"<a href='/s{i}'>{b}</a>" for i, b in enumerate(BOILERPLATE)) +
            "</nav><article><h1>" + rng.choice(sentences)[:90] + "</h1>")
    body, size = [], len(head)
    article_budget = rng.randint(4_000, 12_000)
    while size < len(head) + article_budget:
        paragraph = "<p>" + " ".join(rng.sample(sentences, 3)) + "</p>"
        body.append(paragraph)
        size += len(paragraph)
    tail = ["</article><aside><h2>Related</h2><ul>"]
    while size < target:
        item = f"<li><a href='/story/{rng.randint(1, 10**6)}'>{rng.choice(sentences)[:80]}</a></li>"
        tail.append(item)
        size += len(item)
    tail.append("</ul></aside><footer>© Herald</footer></body></html>")
    return head + "".join(body) + "".join(tail)


def make_pages(count: int, html_share: float, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    sentences = sentences_from_samples()
    pages = []
    for n in range(count):
        is_html = rng.random() < html_share
        body = html_page(rng, sentences, n) if is_html else text_page(rng, sentences, n)
        pages.append(orjson.dumps({"url": f"https://herald{n % 50}.example/news/{seed}/{n}",
                                   "fetched_at": "2026-11-20T10:00:00Z",
                                   "content_type": "text/html" if is_html else "text/plain", "body": body}))
    return pages


def start_worker(broker: LocalBroker, topics: Topics, group: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "KAFKA_GROUP_ID": group,
           "KAFKA_SESSION_TIMEOUT_MS": "6000", "METRICS_PORT": str(free_port()), "LOG_LEVEL": "WARNING",
           "TOPIC_PAGES_RAW": topics.pages_raw, "TOPIC_ARTICLES_NORMALIZED": topics.articles_normalized,
           "TOPIC_ARTICLES_DUPLICATES": topics.articles_duplicates, "TOPIC_PAGES_DLQ": topics.pages_dlq}
    with open(log, "ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "worker", "run"], env=env, cwd=REPO, stdout=handle,
                                stderr=subprocess.STDOUT)


def output_timestamps(kafka: KafkaSettings, topics: Topics, expected: int, timeout: float) -> list[tuple[str, int]]:
    """(url, broker timestamp ms) of every output record, read until `expected` arrived."""
    consumer = KafkaConsumer(**kafka.client_options(), group_id=None, auto_offset_reset="earliest")
    parts = [TopicPartition(t, p) for t in topics.outputs() for p in range(PARTITIONS)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + timeout
    while len(seen) < expected and time.monotonic() < deadline:
        for messages in consumer.poll(timeout_ms=500).values():
            for message in messages:
                seen.append((orjson.loads(message.value).get("url") or "", message.timestamp))
    consumer.close()
    return seen


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def topics_for(name: str) -> Topics:
    return Topics(pages_raw=f"{name}.pages.raw", articles_normalized=f"{name}.articles.normalized",
                  articles_duplicates=f"{name}.articles.duplicates", pages_dlq=f"{name}.pages.dlq")


def run_phase(broker, kafka, name, pages, rate, log):
    topics = topics_for(name)
    ensure_topics(kafka, topics.all(), PARTITIONS)
    producer = KafkaProducer(**kafka.client_options(), linger_ms=5, acks="all")
    worker = None
    if rate is None:  # throughput: load first, then start
        for value in pages:
            producer.send(topics.pages_raw, value)
        producer.flush()
        worker = start_worker(broker, topics, f"bench-{name}", log)
        sent = {}
    else:
        worker = start_worker(broker, topics, f"bench-{name}", log)
        time.sleep(4)  # group join
        sent = {}
        start = time.monotonic()
        for i, value in enumerate(pages):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent[orjson.loads(value)["url"]] = time.time() * 1000
            producer.send(topics.pages_raw, value)
        producer.flush()
    outputs = output_timestamps(kafka, topics, len(pages), timeout=600)
    rss = peak_rss_mb(worker.pid)
    worker.terminate()
    worker.wait(timeout=30)
    producer.close()
    return outputs, sent, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--html-share", type=float, default=0.3)
    parser.add_argument("--rate-share", type=float, default=0.5, help="latency phase rate, share of throughput")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pages = make_pages(args.pages, args.html_share, args.seed)
    sizes = [len(p) for p in pages]
    print(f"{len(pages)} pages ({args.html_share:.0%} HTML), {sum(sizes) / 1e6:.1f} MB, "
          f"median {statistics.median(sizes) / 1e3:.1f} KB")
    log = REPO / ".bench-worker.log"
    with LocalBroker() as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap)
        outputs, _, rss_a = run_phase(broker, kafka, f"tp{args.seed}", pages, None, log)
        stamps = sorted(ts for _, ts in outputs)
        throughput = (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000)
        print(f"throughput: {len(outputs)} outputs, {throughput:.0f} pages/s at saturation; worker peak RSS "
              f"{rss_a:.0f} MB")
        rate = max(1.0, throughput * args.rate_share)
        latency_pages = make_pages(min(args.pages, int(rate * 20) + 1), args.html_share, args.seed + 1)
        outputs, sent, rss_b = run_phase(broker, kafka, f"lat{args.seed}", latency_pages, rate, log)
        latencies = sorted(ts - sent[url] for url, ts in outputs if url in sent)
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"latency at {rate:.0f} pages/s ({args.rate_share:.0%} of capacity), {len(latencies)} pages: "
              f"p50 {p50:.0f} ms, p99 {p99:.0f} ms; worker peak RSS {rss_b:.0f} MB")


if __name__ == "__main__":
    main()
