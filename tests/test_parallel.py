"""`process --jobs N`: cleaning in N processes gives the outputs of one process, byte for byte."""
from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from worker.cli import main
from tests.helpers import REPO, SAMPLES, article_body, page

SEEDS = sorted((REPO / "tests" / "cleaning" / "fixtures" / "seeds").glob("*.txt"))
# A paragraph each site prints under every article.
SITE_BLOCK = ("The {site} Gazette is an independent newspaper, founded in 1921 and read in three cities "
              "every morning, with correspondents across the whole region.")


def stream() -> list[bytes]:
    """Text dumps of five sites, some more frequent (their own block under paragraphs of the seed
    dumps), interleaved with the sample pages (HTML, recrawls, bad records)."""
    rng = random.Random(3)
    paragraphs = [p for seed in SEEDS for p in seed.read_text(encoding="utf-8").split("\n") if len(p) > 80]
    samples = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    values = []
    for n in range(48):
        site = f"site{rng.choice([0, 0, 0, 1, 1, 2, 3, 4])}.example"
        body = "\n".join(rng.sample(paragraphs, 6)) + "\n\n" + SITE_BLOCK.format(site=site)
        values.append(page(f"https://{site}/story/{n}", body))
        if n % 4 == 0:
            values.append(samples[n // 4 % len(samples)])
    return values


def outputs(directory) -> dict[str, list[dict]]:
    found = {}
    for path in sorted(directory.glob("*.jsonl")):
        events = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        for event in events:
            event.pop("failed_at", None)  # a dead letter's wall-clock time
        found[path.name] = events
    return found


def process(tmp_path, name: str, jobs: int, monkeypatch, **env: str) -> dict[str, list[dict]]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / name
    assert main(["process", "--input", str(tmp_path / "pages.jsonl"), "--output-dir", str(out),
                 "--jobs", str(jobs), "--no-progress"]) == 0
    return outputs(out)


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_give_the_outputs_of_one_process(tmp_path, monkeypatch, jobs):
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(stream()) + b"\n")
    # Small batches: several rounds of children.
    env = {"BATCH_MAX_RECORDS": "20"}
    one = process(tmp_path, "one", 1, monkeypatch, **env)
    assert process(tmp_path, f"jobs{jobs}", jobs, monkeypatch, **env) == one
    assert sum(map(len, one.values())) == 60 and one["articles.duplicates.jsonl"] and one["pages.dlq.jsonl"]


def test_jobs_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        main(["process", "--input", str(SAMPLES), "--output-dir", "/tmp/unused", "--jobs", "0"])
    assert "--jobs" in capsys.readouterr().err


def test_jobs_give_the_outputs_of_one_process_when_batches_are_cut_at_their_budget(tmp_path, monkeypatch):
    """A batch cut at its time budget is rewound while the next one may be read ahead already."""
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(stream()) + b"\n")
    one = process(tmp_path, "one", 1, monkeypatch, BATCH_MAX_RECORDS="20")
    cut = process(tmp_path, "cut", 2, monkeypatch, BATCH_MAX_RECORDS="20", BATCH_MAX_SECONDS="0.01")
    assert cut == one


def _html(n: int, marker: str = "story") -> bytes:
    body = (f"<html><head><title>Story {n}</title></head><body><article><p>"
            + "</p><p>".join(article_body(n).split("\n\n")) + "</p></article></body></html>")
    return page(f"https://{marker}.example/{n}", body, content_type="text/html")


def _hostile_extract(real):
    """extract_html as the children inherit it: a page of hang.example runs like C code that no
    signal stops (SIGALRM blocked, then a long wait); one of crash.example kills its process."""
    def extract(html, url, fetched_at=None):
        if "hang.example" in url:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(600)
        if "crash.example" in url:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(html, url, fetched_at)
    return extract


def test_a_page_that_hangs_or_kills_its_process_is_dead_lettered_and_the_rest_go_on(tmp_path, monkeypatch):
    """The children extract HTML in process and the parent watches them: a child past its page's
    time is killed, one that dies is replaced, the page goes to the DLQ and every other page of
    its chunk (prepared before it or not yet) comes out as with one process."""
    import worker.stages.clean as clean

    good = [_html(n) for n in range(40)]
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(good) + b"\n")
    env = {"BATCH_MAX_RECORDS": "20", "STAGE_TIMEOUT_SECONDS": "1"}
    one = process(tmp_path, "one", 1, monkeypatch, **env)

    monkeypatch.setattr(clean, "extract_html", _hostile_extract(clean.extract_html))
    hostile = good[:11] + [_html(900, "hang")] + good[11:27] + [_html(901, "crash")] + good[27:]
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(hostile) + b"\n")
    started = time.monotonic()
    two = process(tmp_path, "two", 2, monkeypatch, **env)
    assert time.monotonic() - started < 30

    letters = {letter["url"]: letter for letter in two.pop("pages.dlq.jsonl")}
    assert letters["https://hang.example/900"]["reason"] == "stage_timeout"
    assert letters["https://hang.example/900"]["stage"] == "clean"
    assert letters["https://crash.example/901"]["reason"] == "stage_error"
    assert "died" in letters["https://crash.example/901"]["error"]
    one.pop("pages.dlq.jsonl", None)
    assert two == one


def test_a_page_past_the_memory_bound_is_dead_lettered_at_once_and_the_rest_go_on(tmp_path, monkeypatch):
    """The children extract HTML in process: 400 KB of formatting tags left open before as many
    blocks grow the tree by hundreds of MB a second (over 1 GB in 3 s) until the time limit. Each
    child's address space is bounded (CLEAN_HTML_CHILD_MAX_MB over what it had when forked): the
    page is a stage_error naming the bound at once, and every other page comes out as before."""
    good = [_html(n) for n in range(12)]
    hostile = page("https://deep.example/1", "<p>" + "".join(f"<b class=c{n}>" for n in range(20_000))
                   + "<p>x" * 20_000, content_type="text/html")
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(good) + b"\n")
    one = process(tmp_path, "one", 1, monkeypatch)
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(good[:5] + [hostile] + good[5:]) + b"\n")
    started = time.monotonic()
    two = process(tmp_path, "two", 2, monkeypatch, CLEAN_HTML_CHILD_MAX_MB="300", STAGE_TIMEOUT_SECONDS="30")
    assert time.monotonic() - started < 15, "stopped by the bound, not by the time limit"
    [letter] = two.pop("pages.dlq.jsonl")
    assert letter["reason"] == "stage_error" and "CLEAN_HTML_CHILD_MAX_MB" in letter["error"]
    one.pop("pages.dlq.jsonl", None)
    assert two == one


def _children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _gone(pids: list[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _state(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return "gone"


def _jobs_run_under_way(tmp_path) -> tuple[subprocess.Popen, list[int]]:
    """`process --jobs 2` on 4,000 HTML pages, and its preparing processes, well into the file."""
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(_html(n) for n in range(4000)) + b"\n")
    run = subprocess.Popen([sys.executable, "-m", "worker", "process", "--input", str(tmp_path / "pages.jsonl"),
                            "--output-dir", str(tmp_path / "out"), "--jobs", "2", "--no-progress"], cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(children := _children_of(run.pid)) < 2 or not (tmp_path / "out").exists():
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.05)
    time.sleep(0.5)  # (well into the file)
    return run, children


def test_a_sigterm_to_the_whole_process_group_is_the_same_clean_stop(tmp_path):
    """A batch scheduler or systemd signals every process of the job: the preparing processes got
    SIGTERM too and died, and the parent, finding them dead, either crashed (exit 1, a traceback:
    "preparing process ... died on no page") or dead-lettered their pages as stage_error. Here the
    signal reaches the children first, as it may."""
    run, children = _jobs_run_under_way(tmp_path)
    for child in children:
        os.kill(child, signal.SIGTERM)
    time.sleep(0.5)  # (the parent would find them dead meanwhile)
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 143 and b"stopped by SIGTERM" in stderr, stderr.decode()[-2000:]
    assert _gone(children, within=5)
    letters = (tmp_path / "out" / "pages.dlq.jsonl").read_bytes().splitlines()
    assert not [letter for letter in letters if b"stage_error" in letter]


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_run_leaves_no_preparing_process_behind(tmp_path, sent):
    """SIGTERM (a cancelled batch job) stops at the next page with exit code 143, the batches
    written so far kept; a parent killed outright takes its children along (PR_SET_PDEATHSIG):
    either way no preparing process is left waiting for work."""
    run, children = _jobs_run_under_way(tmp_path)
    run.send_signal(sent)
    _, stderr = run.communicate(timeout=30)
    assert _gone(children, within=5)
    if sent == signal.SIGTERM:
        assert run.returncode == 143, stderr.decode()[-2000:]
        assert b"stopped by SIGTERM" in stderr
        written = sum(len(path.read_bytes().splitlines()) for path in (tmp_path / "out").glob("*.jsonl"))
        assert 0 < written < 4000
