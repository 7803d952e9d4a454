"""WORKER_PROCESSES=2: two consumer processes in one container under a supervisor, as a real process
against a real broker (Tansu) and a real redis-server (the dedup state they share)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.helpers import WorkerProcess, article_body, consume, page, produce, wait_until

pytestmark = [pytest.mark.broker, pytest.mark.redis]



def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # (a zombie: exited, not yet reaped by its parent)
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


@pytest.fixture
def container(kafka_settings, make_topics, redis_url, redis_prefix, tmp_path):
    topics = make_topics(partitions=4)
    worker = WorkerProcess(kafka_settings, topics, tmp_path, WORKER_PROCESSES="2", DEDUP_BACKEND="redis",
                           REDIS_URL=redis_url, DEDUP_REDIS_PREFIX=redis_prefix, SHUTDOWN_TIMEOUT_SECONDS="10")
    worker.topics = topics
    yield worker.start()
    worker.stop()
    for pid in getattr(worker, "children", []):
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_two_processes_share_the_topic_and_sigterm_stops_both(container, kafka_settings):
    container.wait_ready()
    container.children = children(container.process.pid)
    assert len(container.children) == 2
    wait_until(lambda: container.metric("newsworker_assigned_partitions") == 4, "the 4 partitions assigned")
    values = [page(f"https://site{i % 7}.example/story/{i}", article_body(i)) for i in range(40)]
    produce(kafka_settings, container.topics.pages_raw, values)
    events = consume(kafka_settings, container.topics, expected=40, settle=1.0)
    ids = [e["article_id"] for e in events[container.topics.articles_normalized]]
    assert len(ids) == len(set(ids)) == 40  # every page once, all unique
    # One /metrics for the container: the children's counters add up.
    wait_until(lambda: container.metric("newsworker_pages_consumed_total", topic=container.topics.pages_raw) == 40,
               "the consumed pages of both processes on /metrics")
    assert container.metric("newsworker_articles_published_total", status="unique") == 40
    assert container.metric("newsworker_worker_processes") == 2
    assert container.metric("newsworker_ready") == 1
    assert container.terminate(timeout=30) == 0
    assert all(gone(pid) for pid in container.children)


def test_a_killed_process_is_restarted_and_consumes_again(container, kafka_settings):
    container.wait_ready()
    first = children(container.process.pid)
    os.kill(first[0], signal.SIGKILL)
    wait_until(lambda: container.metric("newsworker_worker_restarts_total") == 1, "the restart")
    container.wait_ready()
    container.children = children(container.process.pid)
    assert first[0] not in container.children and first[1] in container.children
    wait_until(lambda: container.metric("newsworker_assigned_partitions") == 4, "the 4 partitions assigned again")
    values = [page(f"https://after.example/story/{i}", article_body(100 + i)) for i in range(20)]
    produce(kafka_settings, container.topics.pages_raw, values)
    events = consume(kafka_settings, container.topics, expected=20)
    assert len(events[container.topics.articles_normalized]) == 20
    assert container.terminate(timeout=30) == 0
    assert all(gone(pid) for pid in container.children)


def test_the_processes_stop_when_the_supervisor_is_killed(container):
    container.wait_ready()
    container.children = children(container.process.pid)
    assert len(container.children) == 2  # WORKER_PROCESSES
    container.kill()  # SIGKILL: no chance to pass anything on
    wait_until(lambda: all(gone(pid) for pid in container.children), "the orphaned processes to stop", timeout=30)
    assert all(gone(pid) for pid in container.children)


# Installed in every consumer process through sitecustomize (the supervisor starts them as
# `python -m worker run`): SIGKILL right after a process's second acknowledged delivery, before its
# commit, until KILL_POINT_MAX_KILLS processes died so.
_KILL_AFTER_SECOND_DELIVERY = """
import os
if os.environ.get("WORKER_PROCESSES") == "1" and os.environ.get("KILL_POINT_KILLS_DIR"):
    import pathlib, signal
    from worker.service.loop import ConsumeLoop
    kills = pathlib.Path(os.environ["KILL_POINT_KILLS_DIR"])
    deliver = ConsumeLoop._deliver
    delivered_batches = [0]

    def aimed(self, outputs, stop):
        delivered = deliver(self, outputs, stop)
        if delivered:
            delivered_batches[0] += 1
            if delivered_batches[0] == 2 and len(list(kills.iterdir())) < int(os.environ["KILL_POINT_MAX_KILLS"]):
                (kills / str(os.getpid())).touch()
                os.kill(os.getpid(), signal.SIGKILL)
        return delivered

    ConsumeLoop._deliver = aimed
"""


def test_processes_killed_between_delivery_and_commit_replay_identically_across_rebalances(
        kafka_settings, make_topics, redis_url, redis_prefix, tmp_path):
    """The replay test's stream (copies of one story on several partitions, tests/integration/
    test_replays.py) through WORKER_PROCESSES=2 in batches of 10; a process is SIGKILLed right after
    its second delivery, three times: each kill is a rebalance to the other process and back to the
    restarted one, and the delivered batch is published again by whichever owns it then. Every
    replay is byte-identical, and the pages are grouped as one worker groups them."""
    from tests.helpers import REPO, produce_to_partitions
    from tests.integration.test_replays import _groups, check_outputs, corpus, one_worker_groups, read_outputs

    site, kills = tmp_path / "site", tmp_path / "kills"
    site.mkdir()
    kills.mkdir()
    (site / "sitecustomize.py").write_text(_KILL_AFTER_SECOND_DELIVERY)
    topics = make_topics(partitions=4)
    pages = corpus()
    produce_to_partitions(kafka_settings, topics.pages_raw, [(p, value) for p, _, value in pages])
    worker = WorkerProcess(kafka_settings, topics, tmp_path, WORKER_PROCESSES="2", DEDUP_BACKEND="redis",
                           REDIS_URL=redis_url, DEDUP_REDIS_PREFIX=redis_prefix, BATCH_MAX_RECORDS="10",
                           SHUTDOWN_TIMEOUT_SECONDS="10", PYTHONPATH=f"{site}{os.pathsep}{REPO}",
                           KILL_POINT_KILLS_DIR=str(kills), KILL_POINT_MAX_KILLS="3").start()
    try:
        wait_until(lambda: len(list(kills.iterdir())) == 3, "three processes killed after a delivery", timeout=120)
        found = read_outputs(kafka_settings, topics, expected=len(pages), timeout=180)
        events = check_outputs(found, pages, topics)
        assert len(found) > len(pages), "the kills made the processes replay delivered batches"
        canonical_of = {e["url"]: e["dedup"]["duplicate_of"] or e["article_id"] for e in events.values()}
        assert _groups(canonical_of) == one_worker_groups(pages)
        assert worker.metric("newsworker_worker_restarts_total") == 3
        assert worker.terminate(timeout=30) == 0
    finally:
        worker.stop()


def test_a_process_whose_shutdown_outlived_its_bound_makes_the_container_exit_4(kafka_settings, make_topics, redis_url,
                                                                                redis_prefix, tmp_path):
    # The supervisor exited 0 whatever its processes exited with at shutdown: a stop that outlived
    # SHUTDOWN_TIMEOUT_SECONDS (exit 4 of a single process) looked clean from outside.
    topics = make_topics(partitions=2)
    worker = WorkerProcess(kafka_settings, topics, tmp_path, WORKER_PROCESSES="2", DEDUP_BACKEND="redis",
                           REDIS_URL=redis_url, DEDUP_REDIS_PREFIX=redis_prefix, SHUTDOWN_TIMEOUT_SECONDS="1",
                           STAGE_TIMEOUT_SECONDS="20").start()
    try:
        worker.wait_ready()
        # A page the HTML parser needs seconds for: in hand when SIGTERM comes.
        produce(kafka_settings, topics.pages_raw, [page("https://bomb.example/0", "<ul><li>" * 35_000,
                                                        content_type="text/html")])
        wait_until(lambda: worker.metric("newsworker_pages_consumed_total", topic=topics.pages_raw) == 1,
                   "the slow page in hand")
        assert worker.terminate(timeout=30) == 4
        assert "shutdown took longer than SHUTDOWN_TIMEOUT_SECONDS" in worker.log()
    finally:
        worker.stop()

