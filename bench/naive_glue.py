"""The naive glue worker bench/throughput.py measures ours against: what a user would glue together.

Consume raw pages with kafka-python (crc32c installed, as in our worker), extract the article text
from HTML with trafilatura in fast mode (no fallback extractors, no precision bias, no metadata),
dedup with datasketch's MinHashLSH over word 5-grams at Jaccard 0.8, produce the article to the
unique or duplicate topic (a page with no text to the dead-letter topic), then commit the batch
once the producer flushed it.

Text dumps are passed through as they are: trafilatura finds nothing in plain text (it returns None
for every one of the benchmark's dumps), and a user gluing libraries has no text-dump cleaner. So on
text this worker only dedups and moves records: a product of lower quality (the dumps uncleaned),
and the fastest a glue can be. Its events carry no title, author or date either (trafilatura's
metadata extraction would make it slower): on both page sets its speed is the glue's upper bound.

    python bench/naive_glue.py --bootstrap HOST:PORT --input pages.raw --prefix articles --group g
"""
from __future__ import annotations

import argparse
import json
import re

import trafilatura
from datasketch import MinHash, MinHashLSH
from kafka import KafkaConsumer, KafkaProducer

NUM_PERM = 128
THRESHOLD = 0.8
SHINGLE_WORDS = 5
WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    words = WORD.findall(text.lower())
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode() for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--prefix", required=True, help="outputs: PREFIX.unique, PREFIX.duplicates, PREFIX.dlq")
    parser.add_argument("--group", required=True)
    parser.add_argument("--session-timeout-ms", type=int, default=10_000, help="kafka-python's default")
    args = parser.parse_args()

    consumer = KafkaConsumer(args.input, bootstrap_servers=args.bootstrap, group_id=args.group,
                             enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=500,
                             session_timeout_ms=args.session_timeout_ms)
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=5)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    seen = 0
    while True:
        for records in consumer.poll(timeout_ms=1000).values():
            for record in records:
                page = json.loads(record.value)
                if page["content_type"].startswith("text/plain"):
                    text = page["body"]
                else:
                    text = trafilatura.extract(page["body"], url=page["url"], fast=True, favor_precision=False,
                                               include_comments=False)
                if not text or not text.strip():
                    producer.send(f"{args.prefix}.dlq", json.dumps({"url": page["url"], "reason": "no_content"}).encode())
                    continue
                signature = MinHash(num_perm=NUM_PERM)
                signature.update_batch(shingles(text))
                duplicate_of = lsh.query(signature)
                if not duplicate_of:
                    lsh.insert(f"a{seen}", signature)
                    seen += 1
                event = {"url": page["url"], "fetched_at": page["fetched_at"], "text": text,
                         "duplicate_of": duplicate_of[0] if duplicate_of else None}
                topic = f"{args.prefix}.duplicates" if duplicate_of else f"{args.prefix}.unique"
                producer.send(topic, json.dumps(event).encode())
        producer.flush()
        consumer.commit()


if __name__ == "__main__":
    main()
