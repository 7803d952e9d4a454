"""The memory backend: decisions, replays, the window, checkpoint/restore and its memory bound."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from worker.config import DedupSettings
from worker.models import DedupDecision
from worker.state.memory import index as memory_module
from worker.state.memory import LOG_FILE, SNAPSHOT_FILE, MemoryIndex

from .conftest import T0, article, story


def settings(tmp_path=None, **overrides) -> DedupSettings:
    overrides.setdefault("window_days", 14.0)
    return DedupSettings(state_dir=str(tmp_path) if tmp_path else None, **overrides)


def spun(text: str) -> str:
    """Every sixth word swapped: two bigrams in six change, word-bigram Jaccard about 0.5."""
    words = text.split(" ")
    return " ".join(f"swapped{i}" if i % 6 == 0 else word for i, word in enumerate(words))


@pytest.fixture
def fps(fingerprinter):
    def make(article_id: str, text: str, url: str | None = None, hours: float = 0.0):
        return fingerprinter.fingerprint(article(article_id, text, url, T0 + timedelta(hours=hours)))
    return make


def test_url_exact_near_and_unique(fps):
    index = MemoryIndex(settings())
    assert index.decide(fps("a", story(1), "https://site.example/a")) == DedupDecision.unique()
    assert index.decide(fps("a-variant", story(99), "http://www.site.example/a/?utm_source=x", 1)) == \
        DedupDecision.duplicate("a", "url", 1.0)
    assert index.decide(fps("copy", story(1), "https://other.example/copy", 2)) == \
        DedupDecision.duplicate("a", "exact", 1.0)
    near = index.decide(fps("spun", spun(story(1)), "https://third.example/spun", 3))
    assert (near.status, near.duplicate_of, near.method) == ("duplicate", "a", "near")
    assert 0.3 <= near.similarity < 1.0
    assert index.decide(fps("b", story(2), "https://site.example/b", 4)) == DedupDecision.unique()


def test_replay_gets_exactly_its_first_decision_never_itself(fps):
    index = MemoryIndex(settings())
    first = fps("a", story(1))
    copy = fps("spun", spun(story(1)), "https://other.example/spun", 1)
    decisions = [index.decide(first), index.decide(copy)]
    assert [index.decide(first), index.decide(copy)] == decisions
    assert decisions[0] == DedupDecision.unique()


def test_copies_point_to_the_canonical_never_to_a_copy(fps):
    index = MemoryIndex(settings())
    index.decide(fps("a", story(1), "https://site.example/a"))
    index.decide(fps("copy", story(1), "https://other.example/copy", 1))
    # A recrawl of the copy's URL with new text, and a repost of the copy's text.
    assert index.decide(fps("copy-recrawl", story(5), "https://other.example/copy", 2)) == \
        DedupDecision.duplicate("a", "url", 1.0)
    assert index.decide(fps("repost", story(1), "https://fourth.example/x", 3)).duplicate_of == "a"


def test_a_copy_outside_the_window_is_unique_and_claims_anew(fps):
    index = MemoryIndex(settings(window_days=1.0))
    index.decide(fps("a", story(1), "https://site.example/a"))
    assert index.decide(fps("late", story(1), "https://site.example/a", 25)) == DedupDecision.unique()
    assert index.decide(fps("later", story(1), "https://site.example/a", 26)) == \
        DedupDecision.duplicate("late", "url", 1.0)
    assert index.decide(fps("spun", spun(story(1)), "https://x.example/s", 27)).duplicate_of == "late"


def test_checkpoint_and_restore_give_identical_decisions_afterwards(fps, tmp_path, monkeypatch):
    # A snapshot after 30 logged records, so that restore reads a snapshot AND a log after it.
    monkeypatch.setattr(memory_module, "MIN_LOG_RECORDS_FOR_SNAPSHOT", 30)
    before = [fps(f"s{i}", story(i), f"https://site.example/{i}", i) for i in range(40)]
    before += [fps(f"c{i}", spun(story(i)), f"https://copies.example/{i}", 40 + i) for i in range(0, 40, 3)]
    after = [fps(f"t{i}", spun(story(i)), f"https://later.example/{i}", 80 + i) for i in range(0, 60, 2)]
    after += [fps(f"u{i}", story(i), f"https://site.example/{i % 45}", 120 + i) for i in range(30, 50)]

    running = MemoryIndex(settings(tmp_path))
    first_decisions = [running.decide(fp) for fp in before[:35]]
    running.checkpoint()  # 35 records in the log: a snapshot, the log restarts
    first_decisions += [running.decide(fp) for fp in before[35:]]
    running.checkpoint()  # 19 records in the log
    assert (tmp_path / SNAPSHOT_FILE).exists() and (tmp_path / LOG_FILE).stat().st_size > 0

    restored = MemoryIndex(settings(tmp_path))
    assert restored.size() == running.size() == len(before)
    assert [restored.decide(fp) for fp in before] == first_decisions  # replays
    assert [restored.decide(fp) for fp in after] == [running.decide(fp) for fp in after]
    assert any(d.method == "near" for d in first_decisions) and any(d.method == "url" for d in
                                                                       [running.decide(fp) for fp in after])


def test_decisions_after_the_last_checkpoint_are_decided_again_the_same_way(fps, tmp_path):
    """A crash after publishing but before checkpoint: the batch comes again and gets the same answers."""
    index = MemoryIndex(settings(tmp_path))
    index.decide(fps("a", story(1)))
    index.checkpoint()
    lost = [fps("b", spun(story(1)), "https://b.example/", 1), fps("c", story(3), hours=2)]
    decisions = [index.decide(fp) for fp in lost]
    restarted = MemoryIndex(settings(tmp_path))
    assert restarted.size() == 1
    assert [restarted.decide(fp) for fp in lost] == decisions


# A header promising 64 bytes, then the crash; or zeros: a file system that extends the file before
# its data reaches the disk (XFS, ext4 without data=ordered) leaves zeros after a crash mid-append,
# and a header of zeros reads as a record of no payload whose crc32 (of nothing: 0) matches, so
# unpacking it raised struct.error at every start (a crash loop of the worker on its own state).
@pytest.mark.parametrize("tail", [b"\x40\x00\x00\x00garbage", bytes(16), bytes(100), bytes(4096)],
                         ids=["torn record", "16 zeros", "100 zeros", "4096 zeros"])
def test_a_torn_log_tail_from_a_crash_mid_write_is_cut_off(fps, tmp_path, tail):
    index = MemoryIndex(settings(tmp_path))
    decisions = [index.decide(fps(f"s{i}", story(i), hours=i)) for i in range(3)]
    index.checkpoint()
    log = tmp_path / LOG_FILE
    whole = log.stat().st_size
    with open(log, "ab") as handle:
        handle.write(tail)
    restored = MemoryIndex(settings(tmp_path))
    assert [restored.decide(fps(f"s{i}", story(i), hours=i)) for i in range(3)] == decisions
    assert log.stat().st_size == whole
    restored.decide(fps("next", story(9), hours=5))
    restored.checkpoint()
    assert MemoryIndex(settings(tmp_path)).size() == 4


@pytest.mark.parametrize("flipped", ["payload", "checksum"])
def test_a_corrupt_record_before_intact_ones_is_refused_not_cut(fps, tmp_path, flipped):
    # It was read as a torn tail: the log was cut there, and every later decision lost in silence
    # (a copy published as a duplicate of one of them could come out unique on replay).
    from worker.errors import StateIncompatible
    from worker.state.memory.journal import _HEADER, LOG_MAGIC

    index = MemoryIndex(settings(tmp_path))
    for i in range(3):
        index.decide(fps(f"s{i}", story(i), hours=i))
        index.checkpoint()
    log = tmp_path / LOG_FILE
    content = bytearray(log.read_bytes())
    second = len(LOG_MAGIC) + _HEADER.size + _HEADER.unpack_from(content, len(LOG_MAGIC))[0]
    content[second + (_HEADER.size + 3 if flipped == "payload" else 4)] ^= 0x10
    log.write_bytes(bytes(content))
    with pytest.raises(StateIncompatible, match=f"dedup log {log} has a corrupt record at byte {second}"):
        MemoryIndex(settings(tmp_path))
    assert log.read_bytes() == bytes(content)  # (nothing cut)


def test_restore_refuses_a_state_written_with_another_signature_length(fps, tmp_path, monkeypatch):
    monkeypatch.setattr(memory_module, "MIN_LOG_RECORDS_FOR_SNAPSHOT", 1)
    index = MemoryIndex(settings(tmp_path))
    index.decide(fps("a", story(1)))
    index.checkpoint()
    with pytest.raises(RuntimeError, match="DEDUP_NUM_PERM"):
        MemoryIndex(settings(tmp_path, num_perm=128, lsh_bands=32))


def test_restore_refuses_a_log_written_with_another_signature_length(fps, tmp_path):
    """Before its first snapshot (20,000 decisions) the state is a log only: restored with another
    DEDUP_NUM_PERM its rows did not fit and a ValueError ("could not broadcast input array") came out
    of the start, a traceback on every restart."""
    from worker.errors import StateIncompatible

    index = MemoryIndex(settings(tmp_path))
    index.decide(fps("a", story(1)))
    index.checkpoint()
    with pytest.raises(StateIncompatible, match="DEDUP_NUM_PERM=256; this worker uses DEDUP_NUM_PERM=128"):
        MemoryIndex(settings(tmp_path, num_perm=128, lsh_bands=32))


def test_memory_stays_bounded_by_the_window_under_churn(fingerprinter):
    """A long stream through a short window: what the index holds stops growing with the stream."""
    window_days, per_day = 2.0, 1000
    index = MemoryIndex(settings(window_days=window_days))
    texts = [story(i, words=90) for i in range(50)]  # fingerprints are reused with new ids and URLs
    prints = [fingerprinter.fingerprint(article("x", t)) for t in texts]
    held = []
    for n in range(16 * per_day):
        base = prints[n % len(prints)]
        at = T0 + timedelta(days=n / per_day)
        fp = replace(base, article_id=f"id{n}", url_key=f"https://s.example/{n}", content_hash=f"h{n}",
                     fetched_at=at)
        index.decide(fp)
        if n % per_day == per_day - 1:
            held.append((index.size(), index.nbytes))
    in_window = window_days * per_day
    # Expired records are compacted away once they are a quarter of all, checked every 4096 decisions.
    bound = in_window / (1 - memory_module.EXPIRED_SHARE_TO_COMPACT) + memory_module.EXPIRY_CHECK_EVERY
    assert max(size for size, _ in held) <= bound
    assert max(nbytes for _, nbytes in held[8:]) <= 1.5 * max(nbytes for _, nbytes in held[:8])


def test_a_batch_decides_exactly_as_one_decision_after_another(fps):
    """decide_many looks the runs up once for the whole batch; copies inside one batch, replays
    inside one batch and copies of articles merged into the runs long before must all come out
    as decide() one by one gives them."""
    stream = [fps(f"s{i}", story(i % 70), f"https://site.example/{i % 90}", i / 10) for i in range(300)]
    stream += [fps(f"c{i}", spun(story(i)), f"https://copies.example/{i}", 40 + i) for i in range(0, 70, 2)]
    stream += stream[:20]  # replays
    one_by_one = MemoryIndex(settings())
    expected = [one_by_one.decide(fp) for fp in stream]
    for batch in (7, 64, len(stream)):
        index = MemoryIndex(settings())
        got = [d for start in range(0, len(stream), batch) for d in index.decide_many(stream[start:start + batch])]
        assert got == expected, batch
    assert {d.method for d in expected} == {None, "url", "exact", "near"}


def test_restore_after_compaction_and_snapshots_decides_as_the_running_index(fingerprinter, tmp_path, monkeypatch):
    """Window churn with checkpoints: expired records compacted away, snapshots and logs
    written in between; a restarted index answers replays and new pages as the running one."""
    monkeypatch.setattr(memory_module, "EXPIRY_CHECK_EVERY", 50)
    monkeypatch.setattr(memory_module, "MIN_LOG_RECORDS_FOR_SNAPSHOT", 120)
    prints = [fingerprinter.fingerprint(article("x", story(i, words=90))) for i in range(30)]

    def page(n: int):
        base = prints[n % len(prints)]
        return replace(base, article_id=f"id{n}", url_key=f"https://s.example/{n % 97}", content_hash=f"h{n % 89}",
                       fetched_at=T0 + timedelta(hours=n))

    running = MemoryIndex(settings(tmp_path, window_days=3.0))
    decided = []
    for start in range(0, 600, 40):
        decided += running.decide_many([page(n) for n in range(start, start + 40)])
        running.checkpoint()
    assert running.size() < 600  # compaction ran
    restored = MemoryIndex(settings(tmp_path, window_days=3.0))
    assert restored.size() == running.size()
    recent = range(600 - 40, 600)
    assert [restored.decide(page(n)) for n in recent] == decided[-40:]  # replays
    assert [restored.decide(page(n)) for n in range(600, 700)] == [running.decide(page(n)) for n in range(600, 700)]


def test_a_log_record_reads_back_as_written():
    import numpy as np

    from worker.state.memory.journal import LOG_MAGIC, LogRecord, read_log

    indexed = LogRecord(7, "a1", 1 << 63, 42, 0, 0, 1.7e9 + 0.25, 0, None, 0.0, np.arange(256, dtype=np.uint8),
                        np.arange(64, dtype=np.uint32) * 99991, 321, (1 << 64) - 3)
    duplicate = LogRecord(8, "é2", 5, 6, 7, 8, 1.7e9 + 1, 3, "a1", 0.4375, None, None, 80)
    content = LOG_MAGIC + indexed.encode() + duplicate.encode()
    records = [record for _, record in read_log(content + b"\x40\x00\x00\x00torn")]
    assert [r._replace(signature=None, bands=None) for r in records] == \
        [indexed._replace(signature=None, bands=None), duplicate]
    assert records[0].signature.tolist() == list(range(256)) and records[0].bands.tolist() == indexed.bands.tolist()


def _format_1_record(seq: int, article_id: str, url_key: int, hash_key: int, at: float, code: int,
                     duplicate_of: str | None) -> bytes:
    """A log record of format 1 (no site and title keys), without a signature."""
    import struct
    import zlib

    encoded_id, encoded_of = article_id.encode(), (duplicate_of or "").encode()
    payload = b"".join((struct.pack("<dBHIHHQQ", at, code, 10_000 if code else 0, 10, 0, 0, url_key, hash_key),
                        struct.pack("<H", len(encoded_id)), encoded_id, struct.pack("<H", len(encoded_of)),
                        encoded_of))
    return struct.pack("<IIQ", len(payload), zlib.crc32(payload), seq) + payload


def test_a_state_of_format_1_is_read_and_rewritten_in_this_format(tmp_path):
    """A log written before the site rule (format 1) is restored with its claims, then replaced by a
    snapshot: the log goes on in this format only."""
    from worker.state.memory.journal import LOG_MAGIC
    from worker.state.rules import HASH_SEED, URL_SEED, key64
    from worker.state.base import Fingerprint

    at = T0.timestamp()
    (tmp_path / LOG_FILE).write_bytes(
        _format_1_record(1, "a", key64("https://a.example/1", URL_SEED), key64("body", HASH_SEED), at, 0, None)
        + _format_1_record(2, "b", key64("https://b.example/1", URL_SEED), key64("body", HASH_SEED), at + 1, 2, "a"))
    restored = MemoryIndex(settings(tmp_path))
    assert restored.size() == 2
    assert (tmp_path / SNAPSHOT_FILE).exists() and (tmp_path / LOG_FILE).stat().st_size == 0
    copy = Fingerprint(article_id="c", url_key="https://c.example/1", content_hash="body",
                       fetched_at=T0 + timedelta(hours=1))
    again = Fingerprint(article_id="b", url_key="https://b.example/1", content_hash="body",
                        fetched_at=T0 + timedelta(seconds=1))
    assert restored.decide_many([again, copy]) == [DedupDecision.duplicate("a", "exact", 1.0)] * 2
    restored.checkpoint()
    assert (tmp_path / LOG_FILE).read_bytes().startswith(LOG_MAGIC)
    assert MemoryIndex(settings(tmp_path)).size() == 3


def test_a_log_of_format_2_is_read_without_origin_keys_and_rewritten(tmp_path):
    """A log written before origin keys (format 2, its own magic): an indexed article restored from
    it has no site to tell, so it stays a candidate of every short text; the log is then replaced
    by a snapshot of format 3."""
    import struct
    import zlib

    import numpy as np

    from worker.state.memory.journal import LOG_MAGIC
    from worker.state.rules import HASH_SEED, URL_SEED, key64

    from tests.state.test_contract import near_fp

    first = near_fp("n1", 1)
    values = np.frombuffer(first.signature, "<u4").astype(np.uint8)
    bands = np.frombuffer(b"".join(first.band_keys), "<u4")[::2]
    encoded_id = b"n1"
    payload = b"".join((struct.pack("<dBHIHHQQQQ", first.fetched_at.timestamp(), 0, 0, first.shingle_count,
                                    len(values), len(bands), key64(first.url_key, URL_SEED),
                                    key64(first.content_hash, HASH_SEED), 0, 0),
                        struct.pack("<H", 2), encoded_id, struct.pack("<H", 0), values.tobytes(),
                        bands.astype("<u4").tobytes()))
    (tmp_path / LOG_FILE).write_bytes(b"nwdedup2" + struct.pack("<IIQ", len(payload), zlib.crc32(payload), 1)
                                      + payload)
    restored = MemoryIndex(settings(tmp_path))
    assert restored.size() == 1 and (tmp_path / LOG_FILE).stat().st_size == 0
    short = replace(near_fp("n2", 1, changed=8), site="site.example", title_words="election", site_key="s",
                    title_key="t")
    assert restored.decide(short) == DedupDecision.duplicate("n1", "near", 248 / 256)
    restored.checkpoint()
    assert (tmp_path / LOG_FILE).read_bytes().startswith(LOG_MAGIC) and LOG_MAGIC == b"nwdedup3"


def test_a_state_directory_is_held_by_one_process_at_a_time(fps, tmp_path):
    """Two processes appending to one log (two replicas given one volume, or a worker started
    while the last one still stops) write overlapping sequence numbers, and a restore skips one's
    records: the second one opened exclusively (what open_index does) is refused; a reader of the
    directory beside its writer is not."""
    import subprocess
    import sys

    from worker.errors import DependencyUnavailable
    from worker.state import open_index

    settings = DedupSettings(state_dir=str(tmp_path))
    writer = open_index(settings)
    writer.decide(fps("a", story(1), "https://site.example/a"))
    writer.checkpoint()
    holder = [sys.executable, "-c", "import sys; from worker.config import DedupSettings; "
              "from worker.state import open_index; open_index(DedupSettings(state_dir=sys.argv[1]))", str(tmp_path)]
    other = subprocess.run(holder, capture_output=True, text=True)
    assert other.returncode != 0 and "is held by another process" in other.stderr
    with pytest.raises(DependencyUnavailable, match="held by another process"):
        open_index(settings)
    assert MemoryIndex(settings).size() == 1  # (not exclusive: reads beside the writer)
    writer.close()
    again = open_index(settings)  # released at close (and by the kernel when a process dies)
    assert again.size() == 1
    again.close()
