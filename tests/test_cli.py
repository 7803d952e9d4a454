"""The command line: offline processing, and clear failures on bad arguments or settings."""
import os
import subprocess
import sys

import orjson
import pytest

from tests.helpers import REPO, SAMPLES


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "worker", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_process_writes_one_file_per_output_topic_in_the_event_format(tmp_path):
    result = run_cli("process", "--input", str(SAMPLES), "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    files = {name: [orjson.loads(line) for line in (tmp_path / f"{name}.jsonl").read_bytes().splitlines()]
             for name in ("articles.normalized", "articles.duplicates", "pages.dlq")}
    total = sum(len(events) for events in files.values())
    assert total == len([line for line in SAMPLES.read_bytes().splitlines() if line.strip()])
    assert all(e["dedup"]["status"] == "unique" and e["text"] for e in files["articles.normalized"])
    assert all(e["dedup"]["status"] == "duplicate" for e in files["articles.duplicates"])
    assert {e["reason"] for e in files["pages.dlq"]} >= {"invalid_json", "unsupported_content_type"}
    assert "duplicate rate" in result.stdout


def test_process_honours_topic_names_from_the_environment(tmp_path):
    result = run_cli("process", "--input", str(SAMPLES), "--output-dir", str(tmp_path), TOPIC_PAGES_DLQ="dead")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dead.jsonl").stat().st_size > 0


def test_missing_input_file_is_a_clear_error(tmp_path):
    result = run_cli("process", "--input", str(tmp_path / "nope.jsonl"), "--output-dir", str(tmp_path))
    assert result.returncode == 2
    assert "nope.jsonl does not exist" in result.stderr


def test_an_output_dir_that_cannot_be_one_is_a_clear_error(tmp_path):
    # (a file there, or a directory under one: a traceback of FileExistsError / NotADirectoryError)
    (tmp_path / "afile").write_text("")
    for output in (tmp_path / "afile", tmp_path / "afile" / "out"):
        result = run_cli("process", "--input", str(SAMPLES), "--output-dir", str(output), "--jobs", "1")
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: --output-dir {output} cannot be") and "Traceback" not in result.stderr


def test_missing_argument_is_a_usage_error():
    result = run_cli("process", "--input", "x.jsonl")
    assert result.returncode == 2
    assert "--output-dir" in result.stderr


def test_bad_setting_names_the_variable_and_exits_non_zero():
    result = run_cli("run", METRICS_PORT="eighty")
    assert result.returncode == 2
    assert "METRICS_PORT must be an integer" in result.stderr


def test_process_survives_a_record_nested_past_the_serializer_limit(tmp_path):
    from tests.helpers import article_body, page
    deep = page("https://a.example/deep", article_body(1))[:-1] + b',"x":' + b"[" * 300 + b"]" * 300 + b"}"
    pages = tmp_path / "pages.jsonl"
    pages.write_bytes(deep + b"\n" + page("https://a.example/good", article_body(2)) + b"\n")
    result = run_cli("process", "--input", str(pages), "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    [dead] = [orjson.loads(line) for line in (tmp_path / "out" / "pages.dlq.jsonl").read_bytes().splitlines()]
    assert dead["reason"] == "invalid_field" and "INPUT_MAX_DEPTH" in dead["error"]
    assert (tmp_path / "out" / "articles.normalized.jsonl").read_bytes().count(b"\n") == 1


def test_a_dlq_time_out_of_range_is_a_usage_error(tmp_path):
    # (an OverflowError traceback: "date value out of range")
    letters = tmp_path / "pages.dlq.jsonl"
    letters.write_text("")
    for moment in ("99999999d", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        result = run_cli("dlq", "count", "--since", moment, "--file", str(letters))
        assert result.returncode == 2 and "argument --since: not a time" in result.stderr, result.stderr


def test_a_metrics_port_that_cannot_be_listened_on_is_one_line_and_an_exit_code():
    """The port taken (another worker, a leftover demo) or a METRICS_HOST that is no address of this
    host: a traceback and exit 1 on every restart. Now: taken is 3 (it may be free at the next
    start), a bad address 2, with the supervisor of WORKER_PROCESSES=2 as with one process."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for extra in ({}, {"WORKER_PROCESSES": "2", "DEDUP_BACKEND": "redis", "REDIS_URL": "redis://127.0.0.1:1/0"}):
            result = run_cli("run", METRICS_HOST="127.0.0.1", METRICS_PORT=port, **extra)
            assert result.returncode == 3, result.stderr
            assert "METRICS_PORT=" + port + " cannot be listened on" in result.stderr
            assert "Traceback" not in result.stderr
    result = run_cli("run", METRICS_HOST="no-such-host.invalid", METRICS_PORT="0")
    assert result.returncode == 2 and "METRICS_HOST=no-such-host.invalid" in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["process", "run"])
def test_a_state_dir_that_is_a_file_is_one_line_and_exit_2(tmp_path, command):
    # It paused the worker for ever: not ready, every checkpoint failing as an unwritable directory.
    (tmp_path / "state").write_text("not a directory")
    args = ["--input", str(SAMPLES), "--output-dir", str(tmp_path / "out"), "--jobs", "1"] if command == "process" else []
    result = run_cli(command, *args, DEDUP_STATE_DIR=str(tmp_path / "state"), LOG_LEVEL="WARNING", METRICS_PORT="0")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "is not a directory" in result.stderr


def _npz(**arrays) -> bytes:
    import io

    import numpy as np
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("content", ["garbage", "cut", "no_meta", "bad_meta"])
@pytest.mark.parametrize("command", ["process", "run"])
def test_a_corrupt_snapshot_is_one_line_naming_it_and_exit_2(tmp_path, command, content):
    # It was a traceback at start (BadZipFile, ValueError, KeyError...), out of np.load.
    import numpy as np
    whole = _npz(meta=np.array([3, 10, 128]), clock=np.array([0.0]))
    snapshot = {"garbage": b"\x00not a snapshot" * 64, "cut": whole[: len(whole) // 2],
                "no_meta": _npz(clock=np.array([0.0])), "bad_meta": _npz(meta=np.array([3]))}[content]
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "dedup-memory.npz").write_bytes(snapshot)
    args = ["--input", str(SAMPLES), "--output-dir", str(tmp_path / "out"), "--jobs", "1"] if command == "process" else []
    result = run_cli(command, *args, DEDUP_STATE_DIR=str(tmp_path / "state"), LOG_LEVEL="WARNING", METRICS_PORT="0",
                     KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1", STARTUP_TIMEOUT_SECONDS="5")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert str(tmp_path / "state" / "dedup-memory.npz") in result.stderr and "Move" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("name", ["dedup-memory.npz", "dedup-memory.log"])
def test_a_state_file_that_cannot_be_read_is_one_line_naming_it_and_exit_2(tmp_path, name):
    # A directory in its place (as a permission refused, which root in a test cannot be): a traceback.
    (tmp_path / "state" / name).mkdir(parents=True)
    result = run_cli("process", "--input", str(SAMPLES), "--output-dir", str(tmp_path / "out"), "--jobs", "1",
                     DEDUP_STATE_DIR=str(tmp_path / "state"), LOG_LEVEL="WARNING")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert str(tmp_path / "state" / name) in result.stderr and "cannot be read" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_state_dir_written_with_another_num_perm_is_one_line_and_exit_2(tmp_path):
    state = {"DEDUP_STATE_DIR": str(tmp_path / "state"), "LOG_LEVEL": "WARNING"}
    first = run_cli("process", "--input", str(SAMPLES), "--output-dir", str(tmp_path / "a"), "--jobs", "1", **state)
    assert first.returncode == 0, first.stderr
    again = run_cli("process", "--input", str(SAMPLES), "--output-dir", str(tmp_path / "b"), "--jobs", "1",
                    DEDUP_NUM_PERM="64", DEDUP_LSH_BANDS="16", DEDUP_LSH_ROWS="4", **state)
    assert again.returncode == 2 and "Traceback" not in again.stderr, again.stderr
    assert "error: cannot start: the dedup log in" in again.stderr and "Move the state directory away" in again.stderr
