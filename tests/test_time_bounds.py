"""Work on hostile shapes is linear or runs where it can be stopped: the per-page time limit holds
even inside the HTML parser's C code, and the health endpoints' thread keeps running meanwhile."""
from __future__ import annotations

import os
import signal
import threading
import time
from datetime import datetime, timezone

import pytest

from tests.helpers import article_body
from worker.config import CleaningSettings
from worker.errors import PageRejected, Reason
from worker.models import RawPage
from worker.stages.clean import CleanStage
from worker.stages.isolation import ChildFailed, Isolated

URL = "https://news.example.com/a"


def raw(body: str, content_type: str = "text/html") -> RawPage:
    return RawPage(url=URL, fetched_at=datetime(2024, 5, 1, tzinfo=timezone.utc), content_type=content_type,
                   body=body)


def test_html_the_parser_would_take_minutes_on_is_stopped_at_the_time_limit():
    stage = CleanStage(CleaningSettings(), timeout_seconds=1.5)
    ticks = []
    done = threading.Event()

    def heartbeat():  # what the metrics server's thread needs: the GIL now and then
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)
    thread = threading.Thread(target=heartbeat)
    try:
        stage(raw("<p>" + article_body(1) + "</p>"))  # a small page: extracted in process
        stage._html.ensure_ready()  # (what the stage does before a large page's clock starts)
        thread.start()
        started = time.monotonic()
        with pytest.raises(PageRejected) as caught:
            stage(raw("<ul><li>" * 100_000))  # lexbor: about a minute
        took = time.monotonic() - started
        assert caught.value.reason is Reason.STAGE_TIMEOUT and took < 1.5 + 0.5
        done.set()
        thread.join()
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        assert max(gaps) < 0.5, f"the other thread waited {max(gaps):.2f}s for the GIL"
        article = stage(raw("<div></div>" * 2000 + "<p>" + article_body(2) + "</p>"))  # a fresh child's page
        assert article.word_count >= 100
    finally:
        done.set()
        stage.close()


def test_a_child_that_dies_costs_its_call_only():
    import os
    isolated = Isolated(os._exit, "exit")
    with pytest.raises(ChildFailed, match="died"):
        isolated(3, timeout=10)
    with pytest.raises(ChildFailed):
        isolated(4, timeout=10)  # a fresh child each time
    isolated.close()
    same = Isolated(len, "len")
    assert same([1, 2, 3], timeout=10) == 3
    with pytest.raises(ChildFailed, match="TypeError"):
        same(5, timeout=10)
    assert same("ab", timeout=10) == 2
    same.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_sent_to_the_whole_process_group_does_not_cost_the_page_in_the_child(signum):
    # systemd (KillMode=control-group), `kill -TERM -PGID`, Ctrl-C: the child got the worker's
    # SIGTERM too and died, so the page in hand became a stage_error dead letter, committed by the
    # graceful stop that signal asked for. The parent alone decides when the child ends.
    isolated = Isolated(time.sleep, "sleep")
    isolated.ensure_ready()
    timer = threading.Timer(0.3, lambda: os.kill(isolated._process.pid, signum))
    timer.start()
    try:
        assert isolated(1.0, timeout=10) is None
    finally:
        timer.cancel()
        isolated.close()


def test_only_pages_with_many_tags_go_to_the_child():
    stage = CleanStage(CleaningSettings(html_isolate_above_tags=100), timeout_seconds=5)
    try:
        stage(raw("<p>" + article_body(1) + "</p>"))
        assert stage._html._process is None
        stage(raw("<i></i>" * 60 + "<p>" + article_body(2) + "</p>"))
        assert stage._html._process is not None
    finally:
        stage.close()


def test_long_pages_go_to_the_child():
    stage = CleanStage(CleaningSettings(html_isolate_above_chars=5000), timeout_seconds=5)
    try:
        stage(raw("<p>" + article_body(1) + "</p>"))
        assert stage._html._process is None
        stage(raw("<p>" + article_body(2) + "</p>" + " " * 5000))
        assert stage._html._process is not None
    finally:
        stage.close()


def test_pages_leaving_many_formatting_elements_open_go_to_the_child():
    # 1,500 <b> left open, then 1,500 <p>: 3,000 tags and 27 KB, below both bounds above, but the
    # parser re-opens every open <b> in each <p>: 2.2 million elements, over 1 GB and seconds of C
    # code in the worker's own process (an OOM kill there is redelivered: a crash loop).
    page = "<p>" + "".join(f"<b class=c{n}>" for n in range(1_500)) + "<p>x" * 1_499
    assert page.count("<") <= CleaningSettings.html_isolate_above_tags
    assert len(page) <= CleaningSettings.html_isolate_above_chars
    stage = CleanStage(CleaningSettings(), timeout_seconds=1.5)
    try:
        stage(raw("<p>" + "<b>bold</b> words, " * 40 + article_body(1) + "</p>"))  # (40 closed: in process)
        assert stage._html._process is None
        stage._html.ensure_ready()  # (what the stage does before a large page's clock starts)
        started = time.monotonic()
        with pytest.raises(PageRejected) as caught:
            stage(raw(page))
        assert stage._html._process is not None
        assert caught.value.reason in (Reason.STAGE_TIMEOUT, Reason.NO_CONTENT)
        assert time.monotonic() - started < 1.5 + 0.5
    finally:
        stage.close()


def test_an_element_of_thousands_of_attributes_is_stopped_at_the_time_limit():
    # One <div> of 150,000 distinct attributes: few tags, but each parser looks for an earlier
    # attribute of the same name, so lexbor then lxml take about a minute in C code.
    stage = CleanStage(CleaningSettings(), timeout_seconds=1.5)
    try:
        stage._html.ensure_ready()
        started = time.monotonic()
        with pytest.raises(PageRejected) as caught:
            stage(raw("<div " + " ".join(f"a{n}" for n in range(150_000)) + ">" + article_body(1) + "</div>"))
        assert caught.value.reason is Reason.STAGE_TIMEOUT and time.monotonic() - started < 1.5 + 0.5
    finally:
        stage.close()


def test_the_child_is_the_first_process_the_kernel_stops_when_memory_runs_out():
    isolated = Isolated(len, "len")
    try:
        assert isolated("abc", timeout=10) == 3
        with open(f"/proc/{isolated._process.pid}/oom_score_adj") as score:
            assert score.read().strip() == "1000"
    finally:
        isolated.close()


def test_the_childs_memory_is_bounded_and_a_page_past_it_is_a_dead_letter_at_once():
    """400 KB of formatting tags left open before as many blocks: the tree grows by hundreds of MB
    a second (over 1 GB in 3 s) until the time limit; at the child's bound the parser gives up,
    the page is a stage_error naming the bound, and the same child takes the next page."""
    page = "<p>" + "".join(f"<b class=c{n}>" for n in range(20_000)) + "<p>x" * 20_000
    stage = CleanStage(CleaningSettings(html_child_max_mb=300), timeout_seconds=30)
    try:
        stage._html.ensure_ready()
        child = stage._html._process.pid
        started = time.monotonic()
        with pytest.raises(PageRejected) as caught:
            stage(raw(page))
        assert caught.value.reason is Reason.STAGE_ERROR and "CLEAN_HTML_CHILD_MAX_MB" in str(caught.value)
        assert time.monotonic() - started < 15, "stopped by the bound, not by the time limit"
        with open(f"/proc/{child}/status") as status:
            peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmPeak:"))
        assert peak_kb <= 300 << 10
        article = stage(raw("<div></div>" * 2000 + "<p>" + article_body(2) + "</p>"))
        assert article.word_count >= 100 and stage._html._process.pid == child
    finally:
        stage.close()


def test_the_childs_memory_bound_is_a_setting():
    assert CleaningSettings.from_env({"CLEAN_HTML_CHILD_MAX_MB": "512"}).html_child_max_mb == 512
    assert CleaningSettings.from_env({}).html_child_max_mb == 1024
