"""Dedup index shared by every replica of a consumer group, in a real Redis server.

Copies of one article can land on different partitions, hence on different replicas. Each decision
is one Lua script run by Redis (EVALSHA; reloaded on NOSCRIPT), so that the look-up and the claim of
the article id, its canonical URL, its content hash and its LSH bands happen in one atomic step: of
two copies decided at the same time by two replicas, exactly one is unique.

Keys (all under the configurable prefix, DEDUP_REDIS_PREFIX, so pipelines can share one Redis):
    <prefix>a:<article_id>  the article's record (msgpack: fetched_at, decision, signature)
    <prefix>u:<url digest>  article id that claimed a canonical URL
    <prefix>h:<hash>        article id that claimed a content hash
    <prefix>b:<band key>    article id that claimed an LSH band

Window: an entry counts for a page when its fetched_at is no more than the window
(DEDUP_WINDOW_DAYS) before the page's fetched_at, exactly as in the memory backend; the script
checks that on every match, so decisions depend on the sequence of pages only, not on when they are
processed. Keys also carry a relative TTL of one window (set when written): the server forgets an
entry one window after it was written, which bounds memory. In a live stream fetched_at is close to
the processing time, so both clocks agree; a backfill of old pages is still deduplicated against
itself (an absolute EXPIREAT fetched_at+window would drop such pages from the index at once).

Durability: every decision is stored by the script before decide() returns, so checkpoint() has
nothing to do. What survives a Redis restart depends on the server's persistence; configure
`appendonly yes` with `appendfsync everysec` (at most one second of decisions lost on a crash; a
replayed page then gets a fresh decision, which may differ only for pages decided in that second),
and a `maxmemory-policy` of `volatile-ttl` or `noeviction` (never `allkeys-*`: evicting a record
early turns a later copy into a unique). Use one Redis primary (with Sentinel or a managed
failover), not Redis Cluster: the script reads keys it only learns while running (the records of
LSH candidates), which Cluster forbids across slots.
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta, timezone

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..config.redis import RedisSettings
from ..errors import DependencyUnavailable
from ..models import DedupDecision
from .base import DedupIndex, Fingerprint

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_MICROSECOND = timedelta(microseconds=1)

# Errors that mean "Redis cannot take the decision now", not "this page is bad". OutOfMemoryError
# and ReadOnlyError are ResponseErrors: Redis is full (or is a replica after a failover).
UNAVAILABLE_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.BusyLoadingError,
                      redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError,
                      redis.exceptions.MasterDownError, redis.exceptions.TryAgainError)

# One decision. KEYS: [1] article record, [2] URL claim, [3] hash claim, [4..] band claims.
# ARGV: [1] article id, [2] fetched_at (epoch microseconds), [3] window (microseconds), [4] TTL (whole seconds),
# [5] key prefix, [6] signature, [7] shingle count.
# Returns {status} or {status, duplicate_of, method, similarity as a string} (Redis would truncate
# a Lua number to an integer).
DECIDE_SCRIPT = r"""
local article_key, url_key, hash_key = KEYS[1], KEYS[2], KEYS[3]
local article_id = ARGV[1]
local fetched_at = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local prefix = ARGV[5]
local signature = ARGV[6]
local shingle_count = tonumber(ARGV[7])

local function reply(record)
  if record[2] == 'unique' then return {'unique'} end
  return {record[2], record[3], record[4], string.format('%.17g', record[5])}
end

-- Replay: the same article id gets the decision it got before, unchanged.
local stored = redis.call('GET', article_key)
if stored then return reply({cmsgpack.unpack(stored)}) end

-- The record of the article a claim points to, when it is still inside this page's window.
local function live_record(claimant)
  local packed = redis.call('GET', prefix .. 'a:' .. claimant)
  if not packed then return nil end
  local record = {cmsgpack.unpack(packed)}
  if record[1] < fetched_at - window then return nil end
  return record
end

-- Claim a key for this article unless a live article holds it; return the live holder's id.
local function claim(key)
  local holder = redis.call('GET', key)
  if holder and live_record(holder) then return holder end
  redis.call('SET', key, article_id, 'EX', ttl)
  return nil
end

local decision
local by_url = claim(url_key)
local by_hash = claim(hash_key)
if by_url then
  decision = {fetched_at, 'duplicate', by_url, 'url', 1.0}
elseif by_hash then
  decision = {fetched_at, 'duplicate', by_hash, 'exact', 1.0}
else
  decision = {fetched_at, 'unique', false, false, 0.0}
end
decision[6] = shingle_count
decision[7] = signature
redis.call('SET', article_key, cmsgpack.pack(unpack(decision)), 'EX', ttl)
return reply(decision)
"""


class RedisIndex(DedupIndex):
    """Dedup decisions taken atomically in Redis; see the module docstring for keys and window."""

    backend = "redis"

    def __init__(self, url: str, window_days: float, settings: RedisSettings | None = None,
                 client: redis.Redis | None = None):
        self.settings = settings or RedisSettings()
        self.prefix = self.settings.prefix
        window = timedelta(days=window_days)
        self._window_us = window // ONE_MICROSECOND
        self._ttl = max(1, math.ceil(window.total_seconds()))
        # One quick retry on a fresh connection covers a connection the server closed (a restart);
        # beyond that the service loop pauses and retries with its own backoff. A retried script is
        # harmless: the article id was claimed by the first run, so the retry is a replay.
        self._client = client or redis.Redis.from_url(
            url, socket_timeout=self.settings.socket_timeout_seconds,
            socket_connect_timeout=self.settings.connect_timeout_seconds,
            retry=Retry(NoBackoff(), 1), health_check_interval=30)
        self._decide = self._client.register_script(DECIDE_SCRIPT)

    def decide(self, fp: Fingerprint) -> DedupDecision:
        keys, args = self._script_input(fp)
        try:
            reply = self._decide(keys=keys, args=args)
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        return _decision(reply)

    def _script_input(self, fp: Fingerprint) -> tuple[list[bytes], list]:
        p = self.prefix.encode()
        keys = [p + b"a:" + fp.article_id.encode(), p + b"u:" + _digest(fp.url_key), p + b"h:" + fp.content_hash.encode()]
        keys.extend(p + b"b:" + band for band in fp.band_keys)
        args = [fp.article_id, _microseconds(fp.fetched_at), self._window_us, self._ttl, self.prefix,
                fp.signature, fp.shingle_count]
        return keys, args

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    def size(self) -> int:
        """Articles in the window: the records under this prefix (SCAN; for the index-size gauge)."""
        try:
            return sum(1 for _ in self._client.scan_iter(match=self.prefix + "a:*", count=1000))
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {error}") from error

    def close(self) -> None:
        self._client.close()


def _microseconds(moment: datetime) -> int:
    """Epoch microseconds: an integer, exact in Lua's doubles (below 2**53), so that the window
    comparison in the script is exact, like datetime arithmetic in the memory backend."""
    return (moment - EPOCH) // ONE_MICROSECOND


def _digest(url_key: str) -> bytes:
    """A fixed 16-byte key for a canonical URL (URLs run to kilobytes; the key is stored per article)."""
    return hashlib.blake2b(url_key.encode(), digest_size=16).digest()


def _decision(reply: list[bytes]) -> DedupDecision:
    status = reply[0].decode()
    if status == DedupDecision.UNIQUE_STATUS:
        return DedupDecision.unique()
    return DedupDecision.duplicate(reply[1].decode(), reply[2].decode(), float(reply[3]))
