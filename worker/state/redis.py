"""Dedup index shared by every replica of a consumer group, in a real Redis server.

Copies of one article can land on different partitions, hence on different replicas. Each decision
is one Lua script run by Redis (EVALSHA; loaded again on NOSCRIPT), so the look-up and the claim of
the article id, its canonical URL, its content hash and its LSH bands are one atomic step: of two
copies decided at the same time by two replicas, exactly one is unique. The steps and the window
rule are those of DedupIndex (worker/state/base.py); near candidates are verified as
worker/dedup/similarity.py states, in the same double-precision arithmetic, so this backend and the
memory backend reach the same decisions on the same sequence of fingerprints.

Keys, all under a configurable prefix (DEDUP_REDIS_PREFIX) so that pipelines can share one Redis:
    <prefix>a:<id digest>    record: fetched_at, decision, and the signature of a near-indexed article
    <prefix>u:<url digest>   URL claim: claimer's fetched_at + canonical article id
    <prefix>h:<content hash> hash claim: likewise
    <prefix>g:<generation>   LSH buckets of the unique articles fetched in one half of a window:
                             band key (first 4 bytes) -> concatenated 12-byte id digests
    <prefix>generations      the newest generation written
    <prefix>n:<hour>         decisions written that hour (for size())

Window and expiry: whether a claim or article counts for a page is decided in the script from the
stored fetched_at (the DedupIndex rule), so decisions depend on the sequence of pages only, never on
when they are processed. Memory is bounded by a relative TTL of one window set on every key when it
is written (chosen over EXPIREAT fetched_at+window: that would drop a backfill of old pages from the
index as soon as it is written, so old copies would never be caught; in a live stream fetched_at is
close to now and both expire alike). A generation of LSH buckets expires a window after its last
write, so each of its entries lives between one window and one window plus a generation.

Durability: every decision is stored by the script before decide() returns, so checkpoint() has
nothing to do. What survives a Redis restart is the server's persistence; configure `appendonly yes`
with `appendfsync everysec` (a crash of Redis loses at most about a second of decisions, some of
them possibly published already: a later copy of such an article can then come out unique too;
`appendfsync always` loses none, at an fsync per decision), and `maxmemory-policy noeviction` (or
`volatile-ttl`; never `allkeys-*`, which would forget claims early and let copies through as
unique). With noeviction a full Redis refuses writes: the worker pauses (DependencyUnavailable)
instead of deciding wrongly. Also set `lazyfree-lazy-expire yes`: a generation of LSH buckets is one
large hash (half a window of unique articles x bands: 45 million entries at 100k articles a day
and 64 bands), and freeing it in the foreground when it expires would block Redis for seconds. Use one
primary (with Sentinel or a managed failover), not Redis Cluster: the script reads records of LSH
candidates it only learns while running, which Cluster forbids across slots.

Size: about 3.9 KB of Redis memory per article at num_perm 256 and 64 bands (60 bytes per band
entry of a unique article, a 0.5 KB record with its signature, two claims of ~160 bytes);
bench/dedup_redis.py measures it.
"""
from __future__ import annotations

import hashlib
import logging
import math
import ssl
import threading
import time
from urllib.parse import urlsplit

import numpy as np
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..config.dedup import DedupSettings
from ..config.redis import RedisSettings
from ..errors import DependencyMisconfigured, DependencyUnavailable
from ..models import DedupDecision
from .base import DedupIndex, Fingerprint

log = logging.getLogger(__name__)

SECONDS_PER_HOUR = 3600
# LSH buckets are grouped by generations of fetched_at, this many per window: a page reads the
# generations of its window (about this many + 1 hashes); shorter generations mean fewer stale
# candidates to skip, more hashes to read.
GENERATIONS_PER_WINDOW = 2
# Sizes that matter because they are stored once per LSH band of every unique article (64 bands:
# ~75% of the Redis memory per article). An article is named in buckets and record keys by a
# 12-byte digest of its id (collision odds ~1e-15 for 10 million articles in a window; 12 bytes
# fit jemalloc's 16-byte class, 16 bytes would take 24). A band key is stored by its first 4
# bytes: the low 32 bits the memory backend keys its band table by, so that both backends see
# exactly the same candidates (a chance collision of shortened keys adds a candidate to both).
HANDLE_BYTES = 12
BAND_FIELD_BYTES = 4

# Errors that mean "Redis cannot take the decision now", not "this page is bad". OutOfMemoryError
# and ReadOnlyError are replies: Redis is full (noeviction), or is a replica after a failover.
UNAVAILABLE_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.BusyLoadingError,
                      redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError,
                      redis.exceptions.MasterDownError, redis.exceptions.TryAgainError)
# Errors that mean "Redis refuses this worker's configuration": wrong password (WRONGPASS), none
# given where one is required (NOAUTH), an ACL user without the commands the worker runs (NOPERM).
# Retrying cannot help: the worker exits with the cause. (AuthenticationError is a ConnectionError:
# it must be caught before UNAVAILABLE_ERRORS.)
MISCONFIGURED_ERRORS = (redis.exceptions.AuthenticationError, redis.exceptions.AuthenticationWrongNumberOfArgsError,
                        redis.exceptions.NoPermissionError)
# Pause between connection attempts at start while Redis is unreachable: doubling, capped.
CHECK_RETRY_INITIAL_SECONDS = 0.1
CHECK_RETRY_MAX_SECONDS = 2.0

# One decision: the steps of DedupIndex (worker/state/base.py), in one atomic script.
# The settings are constants of the script (see script_source(): window, ttl, generation_length,
# num_perm, near_jaccard, near_containment, containment_min_shingles, containment_min_jaccard,
# band_width); per page:
# KEYS: [1] article record, [2] URL claim, [3] hash claim.
# ARGV: [1] article id, [2] article handle (12 bytes), [3] fetched_at (epoch seconds, the double
# Python has), [4] key prefix, [5] key of this hour's decision counter, [6] signature (1, 2 or 4
# bytes a value), [7] shingle count, [8] LSH band keys, each cut to band_width bytes, concatenated.
# (Fewer arguments per call: packing them is most of the client's time per decision.)
# Returns {"unique"} or {"duplicate", duplicate_of, method, similarity as a string} (Redis would
# truncate a Lua number to an integer).
#
# Values: a record is msgpack (fetched_at, status, duplicate_of, method, similarity, shingle count,
# signature, article id); a URL or hash claim is the claimer's fetched_at (8-byte double) followed
# by the canonical article id. LSH buckets live in one hash per generation of fetched_at
# (<prefix>g:<n>, field = band key, value = the handles of the unique articles of that
# generation in the bucket): a page reads all its buckets of a generation with one HMGET and adds
# itself with one HSET, instead of one key per bucket (which cost ~130 Redis calls per page).
DECIDE_SCRIPT_BODY = r"""
local article_key, url_key, hash_key = KEYS[1], KEYS[2], KEYS[3]
local article_id, handle = ARGV[1], ARGV[2]
local fetched_at = tonumber(ARGV[3])
local prefix = ARGV[4]
local counter_key = ARGV[5]
local signature = ARGV[6]
local shingle_count = tonumber(ARGV[7])
local HANDLE = #handle

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

-- A claim or an article is usable when fetched less than a window before this page.
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
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local bands = {}
for offset = 1, #ARGV[8], band_width do bands[#bands + 1] = string.sub(ARGV[8], offset, offset + band_width - 1) end
local my_generation = math.floor(fetched_at / generation_length)
-- The newest generation this page may mark as written (which every later page reads up to): its
-- own, but at most a window past the server's clock, so that one page with a far-future fetched_at
-- cannot make every later decision walk the generations up to it, nor keep that mark alive.
local latest_mark = math.floor(tonumber(redis.call('TIME')[1]) / generation_length) + generations_per_window
local my_mark = math.min(my_generation, latest_mark)
local generations_key = prefix .. 'generations'
-- Buckets of this page's generation, as read (the HSET that indexes the page appends to them).
local my_buckets = {}
-- The newest generation written (read only when the page has a signature).
local newest_generation = nil

-- The similarity.py rule: the similarity of a verified pair with m matching values, or nil.
local function near_similarity(m, count)
  local jaccard = m / num_perm
  if jaccard >= near_jaccard then return jaccard end
  local shorter = math.min(shingle_count, count)
  if shorter >= containment_min_shingles and jaccard >= containment_min_jaccard then
    local containment = m * (shingle_count + count) / ((num_perm + m) * shorter)
    if containment >= near_containment then return math.min(containment, 1.0) end
  end
  return nil
end

-- A signature's values as numbers: 1 byte each (b-bit MinHash), or 2 or 4 (RedisIndex.script_input).
local function values(packed)
  local width = #packed / num_perm
  if width == 1 then return {string.byte(packed, 1, num_perm)} end
  if width == 2 then return {struct.unpack('<' .. string.rep('H', num_perm), packed)} end
  if width == 4 then return {struct.unpack('<' .. string.rep('I4', num_perm), packed)} end
  return nil
end

-- Matching values of two signatures, or nil as soon as the pair cannot pass (the similarity
-- grows with m, so when even m plus every remaining position fails, the rest need not be read).
local CHECK_EVERY = 32
local function verified_matches(mine, other, count)
  local m = 0
  for k = 1, num_perm do
    if mine[k] == other[k] then m = m + 1 end
    if k % CHECK_EVERY == 0 and not near_similarity(m + num_perm - k, count) then return nil end
  end
  return m
end

-- Near: verify every usable unique article sharing a band, as worker/dedup/similarity.py states.
local function near_match()
  -- Generations that can hold a usable article: from a window before this page up to the newest
  -- one written (a later fetch is usable too).
  local first = math.floor((fetched_at - window) / generation_length)
  newest_generation = math.min(tonumber(redis.call('GET', generations_key) or my_mark), latest_mark)
  local last = math.max(my_generation, newest_generation)
  local seen, records = {}, {}
  for generation = first, last do
    local buckets = redis.call('HMGET', prefix .. 'g:' .. generation, unpack(bands))
    if generation == my_generation then my_buckets = buckets end
    for _, bucket in ipairs(buckets) do
      if bucket then
        for offset = 1, #bucket, HANDLE do
          local candidate = string.sub(bucket, offset, offset + HANDLE - 1)
          if not seen[candidate] then
            seen[candidate] = true
            records[#records + 1] = prefix .. 'a:' .. candidate
          end
        end
      end
    end
  end
  if #records == 0 then return nil, nil end
  local mine = values(signature)
  local best_id, best_similarity = nil, nil
  local BATCH = 200  -- records per MGET (unpack() has a stack limit)
  for from = 1, #records, BATCH do
    local packed_records = redis.call('MGET', unpack(records, from, math.min(from + BATCH - 1, #records)))
    for _, packed in ipairs(packed_records) do
      if packed then
        local at, _, _, _, _, count, theirs, their_id = cmsgpack.unpack(packed)
        local other = usable(at) and values(theirs)
        local m = other and verified_matches(mine, other, count)
        local similarity = m and near_similarity(m, count)
        if similarity and (best_id == nil or similarity > best_similarity
                           or (similarity == best_similarity and before(their_id, best_id))) then
          best_id, best_similarity = their_id, similarity
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
  local fields = {}
  for i, band in ipairs(bands) do
    fields[#fields + 1] = band
    fields[#fields + 1] = (my_buckets[i] or '') .. handle
  end
  local generation_key = prefix .. 'g:' .. my_generation
  redis.call('HSET', generation_key, unpack(fields))
  -- Every entry must live at least a window after it was written. The expiry is pushed to a
  -- window and an hour when less than a window is left: once an hour, not on every page (each
  -- write is also a command in the append-only file).
  if redis.call('TTL', generation_key) < ttl then redis.call('EXPIRE', generation_key, ttl + 3600) end
  if my_mark > newest_generation or redis.call('TTL', generations_key) < ttl then
    redis.call('SET', generations_key, math.max(my_mark, newest_generation), 'EX', ttl + 3600)
  end
end
redis.call('SET', article_key,
           cmsgpack.pack(fetched_at, status, duplicate_of, method, similarity, shingle_count, indexed, article_id),
           'EX', ttl)
if redis.call('INCR', counter_key) == 1 then redis.call('EXPIRE', counter_key, ttl + 3600) end
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
        self._prefix = self.prefix.encode()
        # One immediate retry on a fresh connection covers a connection the server closed (a restart
        # or failover); beyond that the service loop pauses and retries with its own backoff. A
        # retried script is harmless: if the first run got through, the retry is a replay.
        self._client = client or redis.Redis.from_url(
            settings.redis_url, socket_timeout=self.redis_settings.socket_timeout_seconds,
            socket_connect_timeout=self.redis_settings.connect_timeout_seconds,
            retry=Retry(NoBackoff(), 1), health_check_interval=30)
        self._decide = self._client.register_script(script_source(settings))

    def decide(self, fp: Fingerprint) -> DedupDecision:
        keys, args = self.script_input(fp)
        try:
            reply = self._decide(keys=keys, args=args)
        except MISCONFIGURED_ERRORS as error:
            raise _misconfigured(error) from error
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        return _decision(reply)

    def decide_many(self, fingerprints: list[Fingerprint]) -> list[DedupDecision]:
        """Decisions for several pages, exactly as deciding them one by one in this order, in one
        round trip (a pipeline of scripts; each script is still atomic on its own, so other
        replicas' decisions interleave between pages as they would page by page).

        If Redis goes away half-way, the decisions already taken are stored: deciding the same
        fingerprints again returns them as replays, so the caller simply retries the whole batch."""
        if not fingerprints:
            return []
        inputs = [self.script_input(fp) for fp in fingerprints]
        try:
            try:
                replies = self._run_pipeline(inputs)
            except redis.exceptions.NoScriptError:
                # The server lost its scripts (restart, failover) between the pipeline's check and
                # its run: the pipeline loads them again on the next run.
                replies = self._run_pipeline(inputs)
        except MISCONFIGURED_ERRORS as error:
            raise _misconfigured(error) from error
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        return [_decision(reply) for reply in replies]

    def _run_pipeline(self, inputs: list[tuple[list[bytes], list]]) -> list:
        with self._client.pipeline(transaction=False) as pipe:
            for keys, args in inputs:
                self._decide(keys=keys, args=args, client=pipe)
            return pipe.execute()

    def script_input(self, fp: Fingerprint) -> tuple[list[bytes], list]:
        """KEYS and ARGV of the decide script for one fingerprint."""
        p = self._prefix
        handle = _digest(fp.article_id, HANDLE_BYTES)
        keys = [p + b"a:" + handle, p + b"u:" + _digest(fp.url_key), p + b"h:" + fp.content_hash.encode()]
        args = [fp.article_id, handle, repr(fp.fetched_at.timestamp()), p, self._counter_key(_hour()),
                _compact(fp.signature), fp.shingle_count, _band_fields(fp.band_keys)]
        return keys, args

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    def check(self, deadline: float, stop: threading.Event | None = None) -> None:
        """At start: Redis answers PING and accepts the decide script (so the credentials, and an ACL
        user's right to run scripts, are checked too) before `deadline`. Each attempt runs on a client
        of its own whose timeouts end at the deadline, so a silent peer cannot hold the start longer."""
        where = _server_of(self.settings.redis_url)
        stop = stop or threading.Event()
        pause = CHECK_RETRY_INITIAL_SECONDS
        cause = "no attempt completed"
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DependencyUnavailable(f"redis at {where} not reachable in time: {cause}")
            connect = min(remaining, self.redis_settings.connect_timeout_seconds)
            try:
                with redis.Redis.from_url(self.settings.redis_url, socket_connect_timeout=connect,
                                          socket_timeout=min(remaining, self.redis_settings.socket_timeout_seconds),
                                          retry=None) as client:
                    client.ping()
                    client.script_load(self._decide.script)
                return
            except MISCONFIGURED_ERRORS as error:
                raise _misconfigured(error) from error
            except redis.RedisError as error:
                if _certificate_rejected(error):
                    raise DependencyMisconfigured(f"redis at {where}: TLS certificate verify failed: {error}") from error
                new_cause = _describe_unreachable(error, self.settings.redis_url)
                if new_cause != cause:
                    log.warning("redis not reachable yet; retrying until STARTUP_TIMEOUT_SECONDS",
                                extra={"event": "startup", "server": where, "error": new_cause})
                cause = new_cause
            stop.wait(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, CHECK_RETRY_MAX_SECONDS)

    def size(self) -> int:
        """Decisions written within the last window (hourly counters that expire with it)."""
        now = _hour()
        hours = range(now - math.ceil(self.settings.window_seconds / SECONDS_PER_HOUR), now + 1)
        try:
            counts = self._client.mget([self._counter_key(hour) for hour in hours])
        except MISCONFIGURED_ERRORS as error:
            raise _misconfigured(error) from error
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        return sum(int(count) for count in counts if count is not None)

    def close(self) -> None:
        self._client.close()

    def _counter_key(self, hour: int) -> bytes:
        return f"{self.prefix}n:{hour}".encode()


def _misconfigured(error: redis.RedisError) -> DependencyMisconfigured:
    kind = "permission refused" if isinstance(error, redis.exceptions.NoPermissionError) else "authentication failed"
    return DependencyMisconfigured(f"redis {kind} (check the user and password in REDIS_URL, and the ACL): "
                                   f"{type(error).__name__}: {error}")


def _server_of(url: str | None) -> str:
    """host:port of a Redis URL, without its user and password."""
    if not url:
        return "(client given)"
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}"


def _certificate_rejected(error: BaseException) -> bool:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _describe_unreachable(error: redis.RedisError, url: str | None) -> str:
    tls = bool(url) and url.startswith("rediss://")
    if isinstance(error, redis.TimeoutError):
        hint = " (a silent peer, or not a TLS port)" if tls else " (a silent peer?)"
        return f"timed out: {error}{hint}"
    return f"unreachable: {error}"


def script_source(settings: DedupSettings) -> str:
    """The decide script with the settings as constants. Python's repr of a float reads back in
    Lua as the same double, so thresholds and the window compare exactly as in Python."""
    constants = {
        "window": repr(settings.window_seconds),
        "ttl": str(max(1, math.ceil(settings.window_seconds))),
        "generation_length": repr(settings.window_seconds / GENERATIONS_PER_WINDOW),
        "generations_per_window": str(GENERATIONS_PER_WINDOW),
        "num_perm": str(settings.num_perm),
        "near_jaccard": repr(settings.near_jaccard),
        "near_containment": repr(settings.near_containment),
        "containment_min_shingles": str(settings.containment_min_shingles),
        "containment_min_jaccard": repr(settings.containment_min_jaccard),
        "band_width": str(BAND_FIELD_BYTES),
    }
    return "".join(f"local {name} = {value}\n" for name, value in constants.items()) + DECIDE_SCRIPT_BODY


def _band_fields(band_keys: tuple[bytes, ...]) -> bytes:
    """The band keys cut to their first BAND_FIELD_BYTES bytes, concatenated."""
    joined = b"".join(band_keys)
    if BAND_FIELD_BYTES == 4 and len(joined) == 8 * len(band_keys):  # the stage's 8-byte keys, in one numpy pass
        return np.frombuffer(joined, dtype="<u8").astype("<u4").tobytes()
    fields = b"".join(band[:BAND_FIELD_BYTES] for band in band_keys)
    if len(fields) != BAND_FIELD_BYTES * len(band_keys):
        raise ValueError(f"LSH band keys must be at least {BAND_FIELD_BYTES} bytes long")
    return fields


def _hour() -> int:
    return int(time.time() // SECONDS_PER_HOUR)


def _compact(signature: bytes) -> bytes:
    """The signature with 1 (or 2) bytes per value when every value fits (b-bit MinHash values are
    below 2^8, worker/dedup/similarity.py): it is stored with every unique article and read for
    every candidate. Equality of values, all the script compares, is unchanged."""
    if not signature:
        return signature
    values = np.frombuffer(signature, dtype="<u4")
    top = int(values.max())
    if top < 1 << 8:
        return values.astype(np.uint8).tobytes()
    if top < 1 << 16:
        return values.astype("<u2").tobytes()
    return signature


def _digest(text: str, size: int = 16) -> bytes:
    """A short fixed-size name for an article id or a canonical URL (URLs run to kilobytes)."""
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def _decision(reply: list[bytes]) -> DedupDecision:
    if reply[0] == b"unique":
        return DedupDecision.unique()
    return DedupDecision.duplicate(reply[1].decode(), reply[2].decode(), float(reply[3]))
