"""`python -m worker dlq` against the real broker: headers, count, show, replay twice after a fix."""
import os
import subprocess
import sys

import orjson
import pytest

from tests.helpers import REPO, WorkerProcess, article_body, consume, page, produce
from worker.local.client import consume_events
from worker.transport.kafka_topic import read_topic

pytestmark = pytest.mark.broker

# The "bug": a body limit too small for real pages; the fix: the default limit.
SMALL_BODY_LIMIT = "3000"
SMALL_REQUEST_LIMIT = "65536"


def dlq(settings, topics, *args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env or {}), "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
           "TOPIC_PAGES_RAW": topics.pages_raw, "TOPIC_ARTICLES_NORMALIZED": topics.articles_normalized,
           "TOPIC_ARTICLES_DUPLICATES": topics.articles_duplicates, "TOPIC_PAGES_DLQ": topics.pages_dlq,
           "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "worker", "dlq", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def test_dead_letters_are_counted_shown_and_replayed_after_a_fix(kafka_settings, make_topics, tmp_path):
    topics = make_topics(partitions=2)
    good = [page(f"https://site.example/good/{i}", article_body(i)) for i in range(6)]
    big = [page(f"https://site.example/big/{i}", article_body(100 + i, words=600)) for i in range(4)]
    broken = [b'{"url": "https://site.example/broken", "body": ', b"\xff\xfe not json"]
    huge = [page("https://site.example/huge", article_body(999, words=12_000))]  # cut in its dead letter
    produce(kafka_settings, topics.pages_raw, good + big + broken + huge)
    total = len(good) + len(big) + len(broken) + len(huge)

    worker = WorkerProcess(kafka_settings, topics, tmp_path, MAX_BODY_BYTES=SMALL_BODY_LIMIT,
                           KAFKA_MAX_REQUEST_SIZE=SMALL_REQUEST_LIMIT).start()
    try:
        worker.wait_ready()
        first = consume(kafka_settings, topics, expected=total)
    finally:
        assert worker.terminate() == 0
    assert len(first[topics.articles_normalized]) == len(good)
    assert len(first[topics.pages_dlq]) == len(big) + len(broken) + len(huge)

    # Every dead letter carries its context in headers.
    records = list(read_topic(kafka_settings, topics.pages_dlq, idle_seconds=1.0))
    assert len(records) == len(big) + len(broken) + len(huge)
    for record in records:
        headers = dict(record.headers)
        event = orjson.loads(record.value)
        assert headers["dlq.reason"].decode() == event["reason"]
        assert headers["dlq.original.topic"].decode() == topics.pages_raw
        assert int(headers["dlq.original.offset"]) == event["original"]["offset"]
        assert {"dlq.stage", "dlq.original.partition", "dlq.error.class", "dlq.worker.version"} <= headers.keys()

    counted = dlq(kafka_settings, topics, "count")
    assert counted.returncode == 0, counted.stderr
    lines = {line.split()[0]: line.split()[1] for line in counted.stdout.splitlines()[1:]}
    assert lines["body_too_large"] == str(len(big) + len(huge)) and lines["invalid_json"] == str(len(broken))
    assert lines["total"] == str(len(big) + len(broken) + len(huge))

    listed = dlq(kafka_settings, topics, "list", "--reason", "invalid_json")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == len(broken)
    ref = listed.stdout.split("\t")[0]
    shown = dlq(kafka_settings, topics, "show", ref)
    assert shown.returncode == 0
    assert orjson.loads(shown.stdout)["headers"]["dlq.reason"] == "invalid_json"

    refused = dlq(kafka_settings, topics, "replay")
    assert refused.returncode == 2 and "needs a selection" in refused.stderr

    # The fix is deployed: the default body limit.
    fixed = WorkerProcess(kafka_settings, topics, tmp_path).start()
    try:
        fixed.wait_ready()
        replayed = dlq(kafka_settings, topics, "replay", "--reason", "body_too_large", "--since", "1h")
        assert replayed.returncode == 0, replayed.stderr
        assert f"re-published {len(big)} record(s) to {topics.pages_raw}" in replayed.stdout
        assert f"skipped {len(huge)} whose original was cut" in replayed.stdout
        after_one = consume(kafka_settings, topics, expected=total + len(big))
        again = dlq(kafka_settings, topics, "replay", "--reason", "body_too_large")
        assert f"re-published {len(big)} record(s)" in again.stdout
        after_two = consume_events(kafka_settings, topics.outputs(), total + 2 * len(big), timeout_seconds=60,
                                   settle_seconds=1.0)
    finally:
        assert fixed.terminate() == 0

    big_urls = {orjson.loads(v)["url"] for v in big}
    once = [e for e in after_one[topics.articles_normalized] if e["url"] in big_urls]
    twice = [e for e in after_two[topics.articles_normalized] if e["url"] in big_urls]
    assert sorted(e["url"] for e in once) == sorted(big_urls)
    # The second replay: the same decisions, the same events, nothing new in the DLQ.
    assert sorted(map(orjson.dumps, twice)) == sorted(map(orjson.dumps, once + once))
    assert all(e["dedup"]["status"] == "unique" for e in twice)
    assert len(after_two[topics.pages_dlq]) == len(first[topics.pages_dlq])
    assert len(after_two[topics.articles_duplicates]) == 0


def test_a_process_output_file_is_read_like_the_topic(tmp_path):
    from tests.helpers import SAMPLES
    out = tmp_path / "out"
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "worker", "process", "--input", str(SAMPLES), "--output-dir", str(out),
                    "--jobs", "1", "--no-progress"], env=env, cwd=REPO, check=True, capture_output=True, timeout=300)
    letters = [orjson.loads(line) for line in (out / "pages.dlq.jsonl").read_bytes().splitlines()]
    assert letters and all(e["worker_version"] and e["error_class"] for e in letters)
    counted = subprocess.run([sys.executable, "-m", "worker", "dlq", "count", "--file", str(out / "pages.dlq.jsonl")],
                             env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert counted.returncode == 0, counted.stderr
    assert f"total  {len(letters):>7}".split() == counted.stdout.splitlines()[-1].split()
    shown = subprocess.run([sys.executable, "-m", "worker", "dlq", "show", "1", "--file", str(out / "pages.dlq.jsonl")],
                           env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert orjson.loads(shown.stdout)["headers"]["dlq.reason"] == letters[0]["reason"]


def test_dlq_count_ends_while_the_worker_keeps_dead_lettering(kafka_settings, make_topics):
    """An incident is when letters keep coming (one a second here): the tool reads the topic to where
    it was when it began and ends, rather than waiting for a pause that never comes."""
    import threading
    import time

    from kafka import KafkaProducer

    topics = make_topics(partitions=2)
    letter = b'{"schema_version": 1, "reason": "no_content", "original": {}}'
    producer = KafkaProducer(**kafka_settings.client_options())
    stop = threading.Event()

    def dead_letter_every_second():
        while not stop.is_set():
            producer.send(topics.pages_dlq, value=letter, headers=[("dlq.reason", b"no_content")]).get(timeout=10)
            stop.wait(1.0)

    writer = threading.Thread(target=dead_letter_every_second)
    writer.start()
    try:
        time.sleep(2.0)
        started = time.monotonic()
        counted = dlq(kafka_settings, topics, "count", timeout=45)
        took = time.monotonic() - started
    finally:
        stop.set()
        writer.join()
        producer.close(timeout=10)
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.splitlines()[-1].split()[0] == "total" and int(counted.stdout.splitlines()[-1].split()[1]) >= 2
    assert took < 30, took


def test_replay_and_feed_send_the_rest_past_a_record_too_large(kafka_settings, make_topics, tmp_path):
    """A record over KAFKA_MAX_REQUEST_SIZE (an operator's shell without the worker's larger limit)
    stopped `dlq replay` and `feed` with a traceback at that record: those before it published,
    those after it not, and nothing said which. Now the rest is sent and the refused ones named."""
    from kafka import KafkaProducer

    topics = make_topics(partitions=1)
    small, other = page("https://site.example/small", "x" * 100), page("https://site.example/other", "y" * 100)
    big = page("https://site.example/big", "x" * 200_000)

    def letter(value: bytes) -> bytes:
        return orjson.dumps({"reason": "stage_error", "original": {"key": None, "value": value.decode(),
                                                                    "value_encoding": "utf-8"}})

    producer = KafkaProducer(**kafka_settings.client_options(), max_request_size=1_048_576)
    for value in (small, big, other):
        producer.send(topics.pages_dlq, value=letter(value), headers=[("dlq.reason", b"stage_error")]).get(timeout=10)
    producer.close(timeout=10)
    limit = {"KAFKA_MAX_REQUEST_SIZE": "100000"}

    replayed = dlq(kafka_settings, topics, "replay", "--reason", "stage_error", env=limit)
    assert replayed.returncode == 1, replayed.stderr
    assert "re-published 2 record(s)" in replayed.stdout
    assert "not re-published: 1 whose original is larger than KAFKA_MAX_REQUEST_SIZE (100000" in replayed.stdout
    assert replayed.stdout.rstrip().endswith(" 0:1")

    pages = tmp_path / "pages.jsonl"
    pages.write_bytes(b"\n".join([small, big, other]) + b"\n")
    fed = subprocess.run([sys.executable, "-m", "worker", "feed", "--input", str(pages)], cwd=REPO, timeout=120,
                         env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
                              "TOPIC_PAGES_RAW": topics.pages_raw, "LOG_LEVEL": "WARNING", **limit},
                         capture_output=True, text=True)
    assert fed.returncode == 1, fed.stderr
    assert "produced 2 pages" in fed.stdout and "page 2 of the file" in fed.stderr
    assert "https://site.example/big" in fed.stderr
    values = [r.value for r in read_topic(kafka_settings, topics.pages_raw, idle_seconds=1.0)]
    assert values == [small, other, small, other]  # (two replayed, two fed)


def test_dlq_list_into_head_ends(kafka_settings, make_topics):
    """`dlq list | head`: the pipe closed under the tool, which printed a BrokenPipeError traceback
    and then never exited (its topic reader, closed at the interpreter's exit, waited for ever on
    kafka-python's network thread, already stopped)."""
    from kafka import KafkaProducer

    topics = make_topics(partitions=1)
    producer = KafkaProducer(**kafka_settings.client_options())
    letter = orjson.dumps({"reason": "no_content", "error": "e" * 200, "original": {}})
    for _ in range(2000):  # (more lines than a pipe's buffer holds)
        producer.send(topics.pages_dlq, value=letter, headers=[("dlq.reason", b"no_content")])
    producer.flush(timeout=30)
    producer.close(timeout=10)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
           "TOPIC_PAGES_DLQ": topics.pages_dlq, "LOG_LEVEL": "WARNING"}
    tool = subprocess.Popen([sys.executable, "-m", "worker", "dlq", "list"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert tool.stdout.readline().startswith(b"0:0\t")
        tool.stdout.close()  # (head has read its line)
        assert tool.wait(timeout=30) == 0
        assert b"Traceback" not in tool.stderr.read()
    finally:
        if tool.poll() is None:
            tool.kill()
            tool.wait()
