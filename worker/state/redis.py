"""Dedup index shared by every replica of a consumer group, in a real Redis server.

Copies of one article can land on different partitions, hence on different replicas. Each decision
is one Lua script run by Redis (EVALSHA; loaded again on NOSCRIPT), so the look-up and the claim of
the article id, its canonical URL, its content hash and its LSH bands are one atomic step: of two
copies decided at the same time by two replicas, exactly one is unique. The steps and the window
rule are those of DedupIndex (worker/state/base.py); near candidates are verified as
worker/dedup/similarity.py states, in the same double-precision arithmetic, so this backend and the
memory backend reach the same decisions on the same sequence of fingerprints.

Keys, all under a configurable prefix (DEDUP_REDIS_PREFIX) so that pipelines can share one Redis:
    <prefix>a:<article_id>   record: fetched_at, decision, and the signature of a near-indexed article
    <prefix>u:<url digest>   URL claim: claimer's fetched_at + canonical article id
    <prefix>h:<content hash> hash claim: likewise
    <prefix>b:<band key>     LSH bucket: sorted set of unique article ids, scored by fetched_at
    <prefix>n:<hour>         decisions written that hour (for size())

Window and expiry: whether a claim or article counts for a page is decided in the script from the
stored fetched_at (the DedupIndex rule), so decisions depend on the sequence of pages only, never on
when they are processed. Memory is bounded by a relative TTL of one window set on every key when it
is written (chosen over EXPIREAT fetched_at+window: that would drop a backfill of old pages from the
index as soon as it is written, so old copies would never be caught; in a live stream fetched_at is
close to now and both expire alike). Members of a band bucket more than a window older than the page
being decided are trimmed on write, so a busy bucket stays small.

Durability: every decision is stored by the script before decide() returns, so checkpoint() has
nothing to do. What survives a Redis restart is the server's persistence; configure `appendonly yes`
with `appendfsync everysec` (a crash loses at most about a second of decisions; the pages behind
them are uncommitted or replayed and decided again), and `maxmemory-policy noeviction` (or
`volatile-ttl`; never `allkeys-*`, which would forget claims early and let copies through as
unique). With noeviction a full Redis refuses writes: the worker pauses (DependencyUnavailable)
instead of deciding wrongly. Use one primary (with Sentinel or a managed failover), not Redis
Cluster: the script reads records of LSH candidates it only learns while running, which Cluster
forbids across slots.
"""
from __future__ import annotations

import hashlib
import math
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..config.dedup import DedupSettings
from ..config.redis import RedisSettings
from ..errors import DependencyUnavailable
from ..models import DedupDecision
from .base import DedupIndex, Fingerprint

SECONDS_PER_HOUR = 3600

# Errors that mean "Redis cannot take the decision now", not "this page is bad". OutOfMemoryError
# and ReadOnlyError are replies: Redis is full (noeviction), or is a replica after a failover.
UNAVAILABLE_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.BusyLoadingError,
                      redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError,
                      redis.exceptions.MasterDownError, redis.exceptions.TryAgainError)

# One decision: the steps of DedupIndex (worker/state/base.py), in one atomic script.
# KEYS: [1] article record, [2] URL claim, [3] hash claim, [4..] LSH band buckets.
# ARGV: [1] article id, [2] fetched_at (epoch seconds, a double as Python has it), [3] window
# (seconds), [4] TTL (whole seconds), [5] key of this hour's article counter, [6] signature,
# [7] shingle count, [8] num_perm, [9] near_jaccard, [10] near_containment,
# [11] containment_min_shingles.
# Returns {"unique"} or {"duplicate", duplicate_of, method, similarity as a string} (Redis would
# truncate a Lua number to an integer).
#
# Values: a record is msgpack (fetched_at, status, duplicate_of, method, similarity, shingle count,
# signature); a URL or hash claim is the claimer's fetched_at (8-byte double) followed by the
# canonical article id; a band bucket is a sorted set of article ids scored by fetched_at.
DECIDE_SCRIPT = r"""
local article_key, url_key, hash_key = KEYS[1], KEYS[2], KEYS[3]
local article_id = ARGV[1]
local fetched_at = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local counter_key = ARGV[5]
local signature = ARGV[6]
local shingle_count = tonumber(ARGV[7])
local num_perm = tonumber(ARGV[8])
local near_jaccard = tonumber(ARGV[9])
local near_containment = tonumber(ARGV[10])
local containment_min_shingles = tonumber(ARGV[11])
local record_prefix = string.sub(article_key, 1, #article_key - #article_id)

local function reply(status, duplicate_of, method, similarity)
  if status == 'unique' then return {'unique'} end
  return {status, duplicate_of, method, string.format('%.17g', similarity)}
end

-- 1. Replay: the decision remembered for this article id, unchanged.
local stored = redis.call('GET', article_key)
if stored then
  local _, status, duplicate_of, method, similarity = cmsgpack.unpack(stored)
  return reply(status, duplicate_of, method, similarity)
end

-- A claim or an article is usable when fetched no more than a window before this page.
local function usable(claimed_at)
  return fetched_at - claimed_at < window
end

-- The canonical article id of a usable claim, or nil.
local function claimed(key)
  local value = redis.call('GET', key)
  if not value then return nil end
  if not usable(struct.unpack('<d', value)) then return nil end
  return string.sub(value, 9)
end

-- Python's str order (code points); Lua's < follows the server's locale.
local function before(a, b)
  local length = math.min(#a, #b)
  for i = 1, length do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- Near: verify every usable article sharing a band, as worker/dedup/similarity.py states.
local function near_match()
  local layout = '<' .. string.rep('I4', num_perm)
  local mine = {struct.unpack(layout, signature)}
  local seen, best_id, best_similarity = {}, nil, nil
  for i = 4, #KEYS do
    for _, candidate in ipairs(redis.call('ZRANGE', KEYS[i], 0, -1)) do
      if not seen[candidate] then
        seen[candidate] = true
        local packed = redis.call('GET', record_prefix .. candidate)
        if packed then
          local at, _, _, _, _, count, theirs = cmsgpack.unpack(packed)
          if usable(at) and #theirs == #signature then
            local other = {struct.unpack(layout, theirs)}
            local m = 0
            for k = 1, num_perm do
              if mine[k] == other[k] then m = m + 1 end
            end
            local similarity = nil
            local jaccard = m / num_perm
            if jaccard >= near_jaccard then
              similarity = jaccard
            else
              local shorter = math.min(shingle_count, count)
              if shorter >= containment_min_shingles then
                local containment = m * (shingle_count + count) / ((num_perm + m) * shorter)
                if containment >= near_containment then similarity = math.min(containment, 1.0) end
              end
            end
            if similarity and (best_id == nil or similarity > best_similarity
                               or (similarity == best_similarity and before(candidate, best_id))) then
              best_id, best_similarity = candidate, similarity
            end
          end
        end
      end
    end
  end
  return best_id, best_similarity
end

-- 2. The first matching rule wins: url, exact, near; else unique.
local by_url = claimed(url_key)
local by_hash = claimed(hash_key)
local status, duplicate_of, method, similarity = 'duplicate', by_url, 'url', 1.0
if not by_url then
  duplicate_of, method = by_hash, 'exact'
  if not by_hash and signature ~= '' then
    duplicate_of, similarity = near_match()
    method = 'near'
  end
end
local canonical = duplicate_of
if not duplicate_of then
  status, duplicate_of, method, similarity, canonical = 'unique', false, false, 0, article_id
end

-- 3. Claims: the decision for replays, URL and hash unless usably claimed, bands when unique.
local claim = struct.pack('<d', fetched_at) .. canonical
if not by_url then redis.call('SET', url_key, claim, 'EX', ttl) end
if not by_hash then redis.call('SET', hash_key, claim, 'EX', ttl) end
local indexed = ''
if status == 'unique' and signature ~= '' then
  indexed = signature
  for i = 4, #KEYS do
    redis.call('ZADD', KEYS[i], fetched_at, article_id)
    -- Members a window older than this page can never be usable again: drop them (with a
    -- second's margin against rounding) so that a busy bucket stays small.
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. string.format('%.17g', fetched_at - window - 1))
    redis.call('EXPIRE', KEYS[i], ttl)
  end
end
redis.call('SET', article_key,
           cmsgpack.pack(fetched_at, status, duplicate_of, method, similarity, shingle_count, indexed), 'EX', ttl)
redis.call('INCR', counter_key)
redis.call('EXPIRE', counter_key, ttl + 3600)
return reply(status, duplicate_of, method, similarity)
"""


class RedisIndex(DedupIndex):
    """Dedup decisions taken atomically in Redis; see the module docstring for keys, window, durability."""

    backend = "redis"

    def __init__(self, settings: DedupSettings, redis_settings: RedisSettings | None = None,
                 client: redis.Redis | None = None):
        if settings.redis_url is None and client is None:
            raise ValueError("the redis dedup backend needs REDIS_URL")
        self.settings = settings
        self.redis_settings = redis_settings or RedisSettings()
        self.prefix = self.redis_settings.prefix
        self._window = repr(settings.window_seconds)
        self._ttl = max(1, math.ceil(settings.window_seconds))
        self._near = [settings.num_perm, repr(settings.near_jaccard), repr(settings.near_containment),
                      settings.containment_min_shingles]
        # One immediate retry on a fresh connection covers a connection the server closed (a restart
        # or failover); beyond that the service loop pauses and retries with its own backoff. A
        # retried script is harmless: if the first run got through, the retry is a replay.
        self._client = client or redis.Redis.from_url(
            settings.redis_url, socket_timeout=self.redis_settings.socket_timeout_seconds,
            socket_connect_timeout=self.redis_settings.connect_timeout_seconds,
            retry=Retry(NoBackoff(), 1), health_check_interval=30)
        self._decide = self._client.register_script(DECIDE_SCRIPT)

    def decide(self, fp: Fingerprint) -> DedupDecision:
        keys, args = self.script_input(fp)
        try:
            reply = self._decide(keys=keys, args=args)
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        return _decision(reply)

    def script_input(self, fp: Fingerprint) -> tuple[list[bytes], list]:
        """KEYS and ARGV of the decide script for one fingerprint."""
        p = self.prefix.encode()
        keys = [p + b"a:" + fp.article_id.encode(), p + b"u:" + _digest(fp.url_key),
                p + b"h:" + fp.content_hash.encode()]
        keys.extend(p + b"b:" + band for band in fp.band_keys)
        args = [fp.article_id, repr(fp.fetched_at.timestamp()), self._window, self._ttl,
                self._counter_key(_hour()), fp.signature, fp.shingle_count, *self._near]
        return keys, args

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    def size(self) -> int:
        """Decisions written within the last window (hourly counters that expire with it)."""
        now = _hour()
        hours = range(now - math.ceil(self.settings.window_seconds / SECONDS_PER_HOUR), now + 1)
        try:
            counts = self._client.mget([self._counter_key(hour) for hour in hours])
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        return sum(int(count) for count in counts if count is not None)

    def close(self) -> None:
        self._client.close()

    def _counter_key(self, hour: int) -> bytes:
        return f"{self.prefix}n:{hour}".encode()


def _hour() -> int:
    return int(time.time() // SECONDS_PER_HOUR)


def _digest(url_key: str) -> bytes:
    """A fixed 16-byte key for a canonical URL (URLs run to kilobytes; one claim per article)."""
    return hashlib.blake2b(url_key.encode(), digest_size=16).digest()


def _decision(reply: list[bytes]) -> DedupDecision:
    if reply[0] == b"unique":
        return DedupDecision.unique()
    return DedupDecision.duplicate(reply[1].decode(), reply[2].decode(), float(reply[3]))
