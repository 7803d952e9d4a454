"""`python -m worker dlq` selection, times and replayability, without a broker."""
import io
from datetime import datetime, timedelta, timezone

import orjson

from worker.service.dlq import Letter, Selection, letters_from_file, parse_moment, replay


def letter(reason: str, minute: int, **original) -> Letter:
    event = {"reason": reason, "original": {"key": "k", "key_encoding": "utf-8", "value": "{}",
                                            "value_encoding": "utf-8", **original}}
    return Letter(str(minute), {"dlq.reason": reason}, datetime(2026, 1, 1, 12, minute, tzinfo=timezone.utc), None,
                  orjson.dumps(event))


def test_times_are_iso_or_an_age():
    now = datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert parse_moment("2h", now) == now - timedelta(hours=2)
    assert parse_moment("1.5d", now) == now - timedelta(hours=36)
    assert parse_moment("2026-01-01T10:00") == datetime(2026, 1, 1, 10, tzinfo=timezone.utc)


def test_selection_by_reason_and_window_then_limit():
    letters = [letter("no_content", m) for m in range(5)] + [letter("invalid_json", 2)]
    since = datetime(2026, 1, 1, 12, 1, tzinfo=timezone.utc)
    until = datetime(2026, 1, 1, 12, 4, tzinfo=timezone.utc)
    chosen = Selection(frozenset({"no_content"}), since, until).apply(iter(letters))
    assert [x.ref for x in chosen] == ["1", "2", "3"]  # since inclusive, until exclusive
    assert [x.ref for x in Selection(limit=2).apply(iter(letters))] == ["0", "1"]
    assert Selection().empty and not Selection(limit=1).empty


def test_replay_refuses_without_a_selection(capsys):
    assert replay(None, lambda: iter([letter("no_content", 1)]), Selection(), "pages.raw", io.StringIO()) == 2
    assert "needs a selection" in capsys.readouterr().err


def test_cut_originals_and_unreadable_batches_are_skipped_and_counted():
    # An unreadable batch's original is the batch's bytes: published again, it would be one
    # record of garbage, not the batch's records.
    out = io.StringIO()
    letters = [letter("no_content", 1, value_truncated=True), letter("no_content", 2, key_truncated=True),
               letter("no_content", 3), letter("unreadable_record", 4, value_encoding="base64")]
    assert replay(None, lambda: iter(letters), Selection(limit=10), "pages.raw", out, dry_run=True) == 0
    assert out.getvalue().splitlines() == [
        "would re-publish 1 record(s) to pages.raw",
        "skipped 3 whose original was cut to fit the size limit or is an unreadable record batch "
        "or does not decode (not replayable faithfully; see them with `list`)"]


def test_a_file_letter_has_the_headers_of_its_event(tmp_path):
    path = tmp_path / "pages.dlq.jsonl"
    path.write_bytes(orjson.dumps({"reason": "no_content", "stage": "clean", "failed_at": "2026-01-01T12:00:00Z",
                                   "error_class": "PageRejected", "worker_version": "0.1.0",
                                   "original": {"topic": "pages.raw", "partition": 0, "offset": 7}}) + b"\n\n")
    [only] = letters_from_file(path)
    assert only.ref == "1" and only.reason == "no_content"
    assert only.headers["dlq.original.offset"] == "7" and only.headers["dlq.stage"] == "clean"
    assert only.failed_at == datetime(2026, 1, 1, 12, tzinfo=timezone.utc)


def test_malformed_letters_are_counted_listed_and_skipped_not_fatal(tmp_path, capsys):
    """Letters the worker did not write (another producer, a garbled file): one of them used to stop
    count, list and replay with a traceback, and the operator with them."""
    from worker.service import dlq

    good = {"reason": "no_content", "failed_at": "2026-01-01T12:00:00Z",
            "original": {"key": None, "value": "{}", "value_encoding": "utf-8"}}
    malformed = [b"not json", b"[1, 2]", b'{"reason": "no_content", "failed_at": 12345, "original": "x"}',
                 b'{"reason": "no_content", "failed_at": "9999-12-31T23:59:59-23:59", "original": {"value": 12}}',
                 b'{"reason": "no_content", "original": {"value": "%%% not base64", "value_encoding": "base64"}}',
                 b'{"reason": "no_content", "original": {"value": "{}", "key": ["not", "text"]}}', b"\xff\xfe\x00"]
    path = tmp_path / "pages.dlq.jsonl"
    path.write_bytes(b"\n".join([orjson.dumps(good), *malformed]) + b"\n")
    total = 1 + len(malformed)

    out = io.StringIO()
    assert dlq.count(letters_from_file(path), out) == 0
    assert out.getvalue().splitlines()[-1].split() == ["total", str(total)]
    out = io.StringIO()
    assert dlq.list_letters(letters_from_file(path), out) == 0 and len(out.getvalue().splitlines()) == total
    out = io.StringIO()
    assert replay(None, lambda: letters_from_file(path), Selection(reasons=frozenset({"no_content"})), "pages.raw", out,
                  dry_run=True) == 0
    assert out.getvalue().splitlines()[0] == "would re-publish 1 record(s) to pages.raw"
    assert out.getvalue().splitlines()[1].startswith("skipped 4 whose original")


def test_a_record_timestamp_no_datetime_holds_is_no_time():
    from worker.service.dlq import _moment_of

    assert _moment_of(2**63 - 1) is None and _moment_of(-1) is None and _moment_of(None) is None
    assert _moment_of(1_767_268_800_000) == datetime(2026, 1, 1, 12, tzinfo=timezone.utc)


def test_replay_holds_one_original_at_a_time(tmp_path, monkeypatch):
    """What it publishes, in order, while holding a few copies of one letter at most."""
    import tracemalloc

    from worker.config import Settings
    from worker.service import dlq

    count, size = 100, 300_000
    path = tmp_path / "pages.dlq.jsonl"
    with open(path, "wb") as handle:
        for i in range(count):
            handle.write(orjson.dumps({"reason": "stage_timeout", "failed_at": "2026-01-01T12:00:00Z", "original": {
                "key": f"k{i}", "key_encoding": "utf-8", "value": f"{i:06d}" + "x" * size,
                "value_encoding": "utf-8"}}) + b"\n")
    published = []

    def publish(settings, topic, records, refused=None):
        for key, value in records:
            published.append((key, value[:6]))
        return len(published)

    monkeypatch.setattr(dlq, "publish", publish)
    for dry_run in (True, False):
        tracemalloc.start()
        out = io.StringIO()
        assert replay(Settings(), lambda: letters_from_file(path), Selection(reasons=frozenset({"stage_timeout"})),
                      "pages.raw", out, dry_run=dry_run) == 0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert f"{count} record(s) to pages.raw" in out.getvalue()
        assert peak < 40 * size, peak  # (a few copies of one letter: the line, its event, its bytes)
    assert published == [(f"k{i}".encode(), f"{i:06d}".encode()) for i in range(count)]


def test_a_replay_dry_run_takes_the_memory_of_a_count(tmp_path):
    """300 letters of 900 KB (270 MB): replay kept every chosen original in a list before publishing
    (a dry run too): 337 MB resident, where `count` took 68 MB; a selection of a few thousand such
    letters was an out-of-memory kill of the operator's pod. It keeps their refs now."""
    import subprocess
    import sys

    from tests.helpers import REPO

    path = tmp_path / "pages.dlq.jsonl"
    with open(path, "wb") as handle:
        for i in range(100):
            handle.write(orjson.dumps({"reason": "stage_timeout", "failed_at": "2026-01-01T12:00:00Z", "original": {
                "key": None, "value": "x" * 1_000_000, "value_encoding": "utf-8"}}) + b"\n")
    measure = ("import resource, sys; from worker.cli import main; code = main(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)")

    def max_rss_kb(*args: str) -> int:
        done = subprocess.run([sys.executable, "-c", measure, "dlq", *args, "--file", str(path)], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return int(done.stderr.split()[-1])

    counting = max_rss_kb("count")
    replaying = max_rss_kb("replay", "--reason", "stage_timeout", "--dry-run")
    assert replaying < counting + 30_000, (replaying, counting)  # (100 MB of originals: over 100,000 KB more)


def test_a_page_that_failed_again_after_a_replay_is_replayed_once():
    """A replayed page that fails again gets a second letter with the same original; a second
    replay of the reason published it twice, and each further one doubled it again (and its
    letters): 1, 2, 4, 8... copies of every page that still fails."""
    out = io.StringIO()
    letters = [letter("stage_error", 1), letter("stage_error", 2), letter("stage_error", 3, value='{"other": 1}'),
               letter("stage_error", 4, key=None, key_encoding=None)]
    assert replay(None, lambda: iter(letters), Selection(reasons=frozenset({"stage_error"})), "pages.raw", out,
                  dry_run=True) == 0
    assert out.getvalue().splitlines() == [
        "would re-publish 3 record(s) to pages.raw",
        "skipped 1 whose original is that of another letter chosen (a page that failed again after an earlier "
        "replay): published once"]
