"""The redis backend's storage layout: generations deleted by the server's clock, a record from the
far future that neither slows nor empties the index, compact encodings, and settings that must
not change under a prefix holding state."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

from worker.config import DedupSettings
from worker.config.redis import RedisSettings
from worker.errors import DependencyMisconfigured
from worker.models import DedupDecision
from worker.state import redis as redis_module
from worker.state.redis import RedisIndex

from .conftest import dedup_settings
from .test_contract import T0, fp, near_fp


def test_a_generation_is_deleted_a_retention_after_its_last_write(redis_url, redis_prefix, monkeypatch):
    # A one-second window and no margin: a generation last written more than a second ago is expired.
    monkeypatch.setattr(redis_module, "RETENTION_MARGIN_SECONDS", 0)
    monkeypatch.setattr(redis_module, "DELETE_KEYS_PER_DECISION", 1_000_000)  # all of it in one step
    settings = DedupSettings(backend="redis", redis_url=redis_url, window_days=1 / 86400)
    index = RedisIndex(settings, RedisSettings(prefix=redis_prefix, articles_per_day=1000))
    old = T0 - timedelta(days=30)
    index.decide(replace(near_fp("old", 1, at=old), site="site.example", title_words="storm"))
    index.decide(fp("old-copy", "https://site.example/old", "old body", old))
    client = index._client
    old_keys = set(client.scan_iter(match=f"{redis_prefix}*"))
    assert len(old_keys) > 3 and index.size() == 2
    assert {key[len(redis_prefix)] for key in old_keys} >= {ord("v"), ord("w")}  # rows and their origin keys
    time.sleep(2.2)  # server clock: the old generation's retention (1 s) has passed
    index.decide(fp("new", "https://site.example/new", "new body"))  # another generation: deletes the old one
    assert not old_keys & set(client.scan_iter(match=f"{redis_prefix}*")) - {f"{redis_prefix}G".encode()}
    assert index.size() == 1
    # The forgotten article is decided afresh (the contract allows it once out of retention).
    assert index.decide(fp("old-copy", "https://site.example/old", "old body", old)) == DedupDecision.unique()


def test_a_record_from_the_far_future_does_not_age_or_slow_the_index(redis_url, redis_prefix):
    settings = dedup_settings("redis", redis_url=redis_url)
    index = RedisIndex(settings, RedisSettings(prefix=redis_prefix))
    index.decide(fp("a1", "https://site.example/a", "body a"))
    index.decide(near_fp("n1", 3))
    far = T0.replace(year=9999)
    assert index.decide(fp("future", "https://site.example/f", "body f", far)) == DedupDecision.unique()
    started = time.perf_counter()
    later = [index.decide(fp("a2", "https://mirror.example/a", "body a", T0 + timedelta(hours=1))),
             index.decide(near_fp("n2", 3, changed=8, at=T0 + timedelta(hours=1)))]
    assert time.perf_counter() - started < 1.0
    assert later == [DedupDecision.duplicate("a1", "exact", 1.0), DedupDecision.duplicate("n1", "near", 248 / 256)]
    assert index.size() == 5


def test_records_and_claims_stay_in_compact_hashes(redis_url, redis_prefix):
    settings = dedup_settings("redis", redis_url=redis_url)
    index = RedisIndex(settings, RedisSettings(prefix=redis_prefix, articles_per_day=1000))
    for n in range(300):
        index.decide(fp(f"a{n}", f"https://site.example/{n}", f"body {n}"))
    client = index._client
    for key in client.scan_iter(match=f"{redis_prefix}[rc]*"):
        assert client.object("encoding", key) == b"listpack", key


def test_another_layout_under_the_same_prefix_is_refused(redis_url, redis_prefix):
    settings = dedup_settings("redis", redis_url=redis_url)
    RedisIndex(settings, RedisSettings(prefix=redis_prefix)).decide(fp("a1", "https://site.example/a", "body a"))
    other = RedisIndex(settings, RedisSettings(prefix=redis_prefix, articles_per_day=10_000_000))
    with pytest.raises(DependencyMisconfigured, match="DEDUP_REDIS_PREFIX"):
        other.decide(fp("a2", "https://site.example/b", "body b"))


def test_a_worker_meeting_another_layout_stops_without_dead_lettering(redis_url, redis_prefix, tmp_path):
    """A worker started with another DEDUP_REDIS_ARTICLES_PER_DAY (or DEDUP_WINDOW_DAYS, DEDUP_NUM_PERM,
    or an older worker in a rolling update) on a prefix holding state: the layout error was taken
    for the page's fault, and every page of the stream became a stage_error dead letter. Now it
    stops, exit 2, naming the prefix, with nothing dead-lettered for it."""
    import os
    import subprocess
    import sys

    from tests.helpers import REPO, SAMPLES

    def process(output: str, articles_per_day: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DEDUP_BACKEND": "redis", "REDIS_URL": redis_url, "DEDUP_REDIS_PREFIX": redis_prefix,
               "DEDUP_REDIS_ARTICLES_PER_DAY": articles_per_day, "LOG_LEVEL": "WARNING"}
        return subprocess.run([sys.executable, "-m", "worker", "process", "--input", str(SAMPLES), "--output-dir",
                               str(tmp_path / output), "--jobs", "1"], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=300)

    assert process("first", "100000").returncode == 0
    other = process("other", "5000")
    assert other.returncode == 2, other.stderr
    assert "dedup layout mismatch" in other.stderr and redis_prefix in other.stderr
    letters = (tmp_path / "other" / "pages.dlq.jsonl").read_text().splitlines()
    assert not [line for line in letters if '"stage_error"' in line]


@pytest.mark.parametrize("version", [2, 3])
def test_a_state_of_an_older_layout_is_taken_over(redis_url, redis_prefix, version):
    """Layouts 2 (before the site rule) and 3 (before origin keys) are layout 4 without site claims
    or origin keys: decided on, and marked 4, so that older workers stop instead of misreading
    repeated_on_site records or leaving origin strings behind."""
    settings = dedup_settings("redis", redis_url=redis_url)
    index = RedisIndex(settings, RedisSettings(prefix=redis_prefix))
    index.decide(fp("a1", "https://site.example/a", "body a"))
    registry = f"{redis_prefix}G"
    older = index.layout.previous_names[version - 2]
    assert older.startswith(f"{version} ") and index.layout.name.startswith("4 ")
    index._client.hset(registry, "L", older)
    assert index.decide(fp("a2", "https://mirror.example/a", "body a")) == DedupDecision.duplicate("a1", "exact", 1.0)
    assert index._client.hget(registry, "L").decode() == index.layout.name


def test_a_near_row_of_layout_3_has_no_origin(redis_url, redis_prefix):
    """A row written before origin keys (no "w" string) is a candidate of every short page, as a
    row without an origin key is."""
    settings = dedup_settings("redis", redis_url=redis_url)
    index = RedisIndex(settings, RedisSettings(prefix=redis_prefix))
    index.decide(replace(near_fp("n1", 1), site="site.example", title_words="storm"))
    for key in index._client.scan_iter(match=f"{redis_prefix}w*"):
        index._client.delete(key)
    short = replace(near_fp("n2", 1, changed=8), site_key="s", title_key="t", site="site.example",
                    title_words="election")
    assert index.decide(short) == DedupDecision.duplicate("n1", "near", 248 / 256)


def test_a_key_of_another_type_under_the_prefix_stops_the_worker(redis_url, redis_prefix):
    """Another program (or an older layout) holding a key the script uses: WRONGTYPE came back for
    every page as a ResponseError, which the stages take for the page's fault: all dead-lettered."""
    settings = dedup_settings("redis", redis_url=redis_url)
    index = RedisIndex(settings, RedisSettings(prefix=redis_prefix))
    index._client.set(f"{redis_prefix}G", "another program's value")
    with pytest.raises(DependencyMisconfigured, match="WRONGTYPE.*another type"):
        index.decide(fp("a1", "https://site.example/a", "body a"))
    with pytest.raises(DependencyMisconfigured, match="WRONGTYPE"):
        index.size()
