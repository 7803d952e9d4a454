"""Dedup index shared by every replica of a consumer group, in a real Redis server.

Copies of one article can land on different partitions, hence on different replicas. Each decision
is one Lua script run by Redis (EVALSHA; loaded again on NOSCRIPT), so the look-up and the claim of
the article id, its canonical URL, its content hash and its LSH bands are one atomic step: of two
copies decided at the same time by two replicas, exactly one is unique. The steps and the window
rule are those of DedupIndex (worker/state/base.py), with the keys and codes of rules.py; near
candidates are verified as worker/dedup/similarity.py states, in the same double-precision
arithmetic, so this backend and the memory backend reach the same decisions on the same sequence
of fingerprints.

Layout: everything an article leaves is stored in its generation (GENERATIONS_PER_WINDOW per window
of fetched_at), in containers small enough for Redis's compact encodings, so that the per-key
overhead of Redis (~90 bytes) is paid per few dozen articles, not per article:
    <prefix>G                   registry hash: per generation g, its last write (server clock,
                                "t<g>"), decisions ("n<g>"), near rows ("v<g>"), deletion cursor
                                ("d<g>"); and the layout ("L")
    <prefix>r<g>:<shard>        records (listpack hash): id digest -> decision (replays)
    <prefix>c<g>:<shard>        claims (listpack hash): URL or hash digest -> claimer's fetched_at,
                                canonical id
    <prefix>b<g>                LSH buckets (hash): the low bits of a band key name its field
                                (Layout.bucket_bits, so that a bucket holds about BUCKET_ENTRIES
                                entries at the expected volume); the value: entries of 6 bytes,
                                the band key's high 16 bits and a near row number
    <prefix>v<g>:<chunk>        near rows (string, ROWS_PER_CHUNK fixed-size rows): fetched_at,
                                shingle count, id, 8-bit signature
Digests are the 64-bit keys of rules.py. Records and claims are sharded by digest into
RedisSettings.shards_per_generation hashes (a few dozen entries each at the expected volume: below
Redis's hash-max-listpack-entries, 128 by default); a shard past that limit only costs memory.

Window and expiry: whether a claim or article counts for a page is decided in the script from the
stored fetched_at (the DedupIndex rule), so decisions depend on the sequence of pages only, never on
when they are processed. A claim is looked up in every live generation that can hold a usable one,
and the newest (largest fetched_at) counts: a claim is only ever replaced by one fetched a window
later, so the newest written is the one fetched last. Memory is bounded by the server's clock, not
the pages': a generation is deleted RETENTION_MARGIN_SECONDS more than a window after its last
write (so every entry lives at least a window after it was written, as a relative TTL would keep
it, and a backfill of old pages is remembered), a few hundred keys per decision (UNLINK: freed in
the background) until it is gone. A page fetched far in the future only opens a generation of its
own, which the same rule deletes; no clock of the pages decides what is forgotten.

Durability: every decision is stored by the script before decide() returns, so checkpoint() has
nothing to do. What survives a Redis restart is the server's persistence; configure `appendonly yes`
with `appendfsync everysec` (a crash of Redis loses at most about a second of decisions, some of
them possibly published already: a later copy of such an article can then come out unique too;
`appendfsync always` loses none, at an fsync per decision), and `maxmemory-policy noeviction` (never
`allkeys-*`, which would forget claims early and let copies through as unique). With noeviction a
full Redis refuses writes: the worker pauses (DependencyUnavailable) instead of deciding wrongly.
Use one primary (with Sentinel or a managed failover), not Redis Cluster: the script reads records
of LSH candidates it only learns while running, which Cluster forbids across slots; beyond one
Redis, shard by prefix (deploy/README.md, capacity plan).

Size: bench/dedup_redis.py measures Redis memory per article (INFO used_memory).
"""
from __future__ import annotations

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
from .rules import packed_claim_keys

log = logging.getLogger(__name__)

# Generations of fetched_at per window: a page reads the buckets of every live generation of its
# window (about this many + 1, in one MGET), and a generation is deleted whole, so memory holds up
# to a window and one generation of articles: 4 keeps that to 1.25 windows.
GENERATIONS_PER_WINDOW = 4
# A generation outlives its last write by a window and this much (server clock).
RETENTION_MARGIN_SECONDS = 3600
# Keys of an expired generation deleted per decision (UNLINK, freed in the background).
DELETE_KEYS_PER_DECISION = 256
# LSH buckets are sized to hold about this many entries at the expected volume, of which about
# UNIQUE_SHARE are unique articles: fewer, larger buckets cost less memory (~40 bytes a bucket) and
# more bytes read per band looked up.
BUCKET_ENTRIES = 32
UNIQUE_SHARE = 0.75
# Article ids are stored in near rows in this many bytes (the worker's ids are 32 hex digits).
ID_BYTES = 32
# Near rows are stored this many bytes to a string (one allocation size class of the allocator,
# 20 KiB, minus the string header).
ROW_CHUNK_BYTES = 20_464

# Errors that mean "Redis cannot take the decision now", not "this page is bad". OutOfMemoryError
# and ReadOnlyError are replies: Redis is full (noeviction), or is a replica after a failover.
UNAVAILABLE_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.BusyLoadingError,
                      redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError,
                      redis.exceptions.MasterDownError, redis.exceptions.TryAgainError)
LAYOUT_ERROR = "dedup layout mismatch"
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
# The settings are constants of the script (Layout.script()).
# KEYS: [1] the registry. ARGV: [1] article id, [2] fetched_at (epoch seconds, the double Python
# has), [3] key prefix, [4] id digest, [5] URL digest, [6] hash digest (8 bytes each), [7] the
# signature (1 byte a value, or empty), [8] shingle count, [9] and [10] the band keys' low 32 bits
# (the memory backend's band keys) split into bucket fields and high halves (_band_fields). Returns {"unique"} or {"duplicate", duplicate_of, method, similarity as a
# string} (Redis would truncate a Lua number to an integer).
# Record values: "u" (unique), or the method's code ("1" url, "2" exact, "3" near) then the
# similarity (8-byte double) then the canonical id. Claim values: fetched_at (8-byte double) then
# the canonical id.
DECIDE_SCRIPT_BODY = r"""
local registry = KEYS[1]
local article_id = ARGV[1]
local fetched_at = tonumber(ARGV[2])
local prefix = ARGV[3]
local id_digest, url_digest, hash_digest = ARGV[4], ARGV[5], ARGV[6]
local signature = ARGV[7]
local shingle_count = tonumber(ARGV[8])
local bucket_fields, band_highs = ARGV[9], ARGV[10]
local METHOD = {['1'] = 'url', ['2'] = 'exact', ['3'] = 'near'}
local CODE = {url = '1', exact = '2', near = '3'}

local now = tonumber(redis.call('TIME')[1])
local my_generation = math.floor(fetched_at / generation_length)
local first_generation = math.floor((fetched_at - window) / generation_length)

-- The registry: which generations exist, when each was last written, which are being deleted.
local touched, counts, rows, deleting = {}, {}, {}, {}
local stored_layout = nil
local entries = redis.call('HGETALL', registry)
for i = 1, #entries, 2 do
  local name, value = entries[i], entries[i + 1]
  local kind = string.sub(name, 1, 1)
  if kind == 'L' then stored_layout = value
  else
    local generation = tonumber(string.sub(name, 2))
    if kind == 't' then touched[generation] = tonumber(value)
    elseif kind == 'n' then counts[generation] = tonumber(value)
    elseif kind == 'v' then rows[generation] = tonumber(value)
    elseif kind == 'd' then deleting[generation] = tonumber(value) end
  end
end
if stored_layout and stored_layout ~= layout then
  return redis.error_reply('dedup layout mismatch: ' .. stored_layout .. ' stored, ' .. layout .. ' expected')
end

-- Generations that can hold something usable for this page, oldest first; an expired one is
-- deleted bit by bit (one per decision), and not read meanwhile.
local generations, expired = {}, nil
for generation, at in pairs(touched) do
  if deleting[generation] or now - at >= retention then
    if generation ~= my_generation and (expired == nil or generation < expired) then expired = generation end
  elseif generation >= first_generation then
    generations[#generations + 1] = generation
  end
end
table.sort(generations)

local function shard(digest, count)
  return (string.byte(digest, 1) + 256 * string.byte(digest, 2)) % count
end
local function record_key(generation, digest) return prefix .. 'r' .. generation .. ':' .. shard(digest, record_shards) end
local function claim_key(generation, digest) return prefix .. 'c' .. generation .. ':' .. shard(digest, claim_shards) end
local function row_key(generation, row) return prefix .. 'v' .. generation .. ':' .. math.floor(row / rows_per_chunk) end

local function delete_some(generation)
  local cursor = deleting[generation] or 0
  local chunks = math.ceil((rows[generation] or 0) / rows_per_chunk)
  local total = record_shards + claim_shards + 1 + chunks
  local keys = {}
  local stop = math.min(cursor + delete_keys, total)
  for n = cursor, stop - 1 do
    if n < record_shards then keys[#keys + 1] = prefix .. 'r' .. generation .. ':' .. n
    elseif n < record_shards + claim_shards then keys[#keys + 1] = prefix .. 'c' .. generation .. ':' .. (n - record_shards)
    elseif n == record_shards + claim_shards then keys[#keys + 1] = prefix .. 'b' .. generation
    else keys[#keys + 1] = prefix .. 'v' .. generation .. ':' .. (n - record_shards - claim_shards - 1) end
  end
  for from = 1, #keys, 200 do redis.call('UNLINK', unpack(keys, from, math.min(from + 199, #keys))) end
  if stop >= total then
    redis.call('HDEL', registry, 't' .. generation, 'n' .. generation, 'v' .. generation, 'd' .. generation)
  else
    redis.call('HSET', registry, 'd' .. generation, stop)
  end
end
if expired then delete_some(expired) end

-- 1. Replay: the decision remembered for this article id, unchanged.
local my_record_key = record_key(my_generation, id_digest)
local stored = redis.call('HGET', my_record_key, id_digest)
if stored then
  local code = string.sub(stored, 1, 1)
  if code == 'u' then return {'unique'} end
  return {'duplicate', string.sub(stored, 10), METHOD[code], string.format('%.17g', struct.unpack('<d', stored, 2))}
end

-- The canonical article id of the newest claim of a digest, if usable for this page.
local function claimed(digest)
  local newest_at, canonical = nil, nil
  for _, generation in ipairs(generations) do
    local value = redis.call('HGET', claim_key(generation, digest), digest)
    if value then
      local at = struct.unpack('<d', value)
      if newest_at == nil or at > newest_at then newest_at, canonical = at, string.sub(value, 9) end
    end
  end
  if newest_at and fetched_at - newest_at < window then return canonical end
  return nil
end

-- Python's str order (code points); Lua's < follows the server's locale.
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

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

-- A band key's low bucket_bits bits name its bucket (3 bytes: ARGV[9]), its high 16 bits are
-- stored in the bucket (2 bytes: ARGV[10]) with the row of the article: together all 32 bits.
local band_count = #bucket_fields / 3
local fields, highs = {}, {}  -- filled by near_match (a page decided by a claim needs neither)
local my_buckets = {}  -- the buckets of this page's bands in its own generation, as read

-- Near: verify every usable unique article sharing a band, as worker/dedup/similarity.py states.
local function near_match()
  for i = 1, band_count do
    fields[i] = string.sub(bucket_fields, 3 * i - 2, 3 * i)
    highs[i] = string.sub(band_highs, 2 * i - 1, 2 * i)
  end
  local seen, candidates = {}, {}
  for _, generation in ipairs(generations) do
    local buckets = redis.call('HMGET', prefix .. 'b' .. generation, unpack(fields))
    local mine = generation == my_generation
    for i = 1, band_count do
      local bucket = buckets[i]
      if bucket then
        if mine then my_buckets[i] = bucket end
        local high = highs[i]
        local position = string.find(bucket, high, 1, true)
        while position do
          if position % 6 == 1 then
            local row = struct.unpack('<I4', bucket, position + 2)
            local name = generation .. ':' .. row
            if not seen[name] then
              seen[name] = true
              candidates[#candidates + 1] = {generation, row}
            end
          end
          position = string.find(bucket, high, position + 1, true)
        end
      end
    end
  end
  if #candidates == 0 then return nil, nil end
  local mine = {string.byte(signature, 1, num_perm)}
  local best_id, best_similarity = nil, nil
  for _, candidate in ipairs(candidates) do
    local generation, row = candidate[1], candidate[2]
    local offset = (row % rows_per_chunk) * row_bytes
    local packed = redis.call('GETRANGE', row_key(generation, row), offset, offset + row_bytes - 1)
    if #packed == row_bytes then
      local at, count, id_length = struct.unpack('<dI4B', packed)
      if fetched_at - at < window then
        local m = verified_matches(mine, {string.byte(packed, 46, 45 + num_perm)}, count)
        local similarity = m and near_similarity(m, count)
        if similarity then
          local their_id = string.sub(packed, 14, 13 + id_length)
          if best_id == nil or similarity > best_similarity
              or (similarity == best_similarity and before(their_id, best_id)) then
            best_id, best_similarity = their_id, similarity
          end
        end
      end
    end
  end
  return best_id, best_similarity
end

-- 2. The first matching rule wins: url, exact, near; else unique.
local by_url = claimed(url_digest)
local by_hash = claimed(hash_digest)
local status, duplicate_of, method, similarity = 'duplicate', by_url, 'url', 1.0
if not by_url then
  duplicate_of, method = by_hash, 'exact'
  if not by_hash and signature ~= '' then
    duplicate_of, similarity = near_match()
    method = 'near'
  end
end
local canonical = duplicate_of
if not duplicate_of then status, canonical = 'unique', article_id end

-- 3. Claims: the decision for replays, URL and hash unless usably claimed, bands when unique.
if not stored_layout then redis.call('HSET', registry, 'L', layout) end
local claim = struct.pack('<d', fetched_at) .. canonical
if not by_url then redis.call('HSET', claim_key(my_generation, url_digest), url_digest, claim) end
if not by_hash then redis.call('HSET', claim_key(my_generation, hash_digest), hash_digest, claim) end
if status == 'unique' and signature ~= '' then
  local row = redis.call('HINCRBY', registry, 'v' .. my_generation, 1) - 1
  local key = row_key(my_generation, row)
  -- A chunk is allocated whole by its first row, so that later rows do not grow it.
  if row % rows_per_chunk == 0 then redis.call('SETRANGE', key, rows_per_chunk * row_bytes - 1, '\0') end
  local padded = article_id .. string.rep('\0', id_bytes - #article_id)
  redis.call('SETRANGE', key, (row % rows_per_chunk) * row_bytes,
             struct.pack('<dI4B', fetched_at, shingle_count, #article_id) .. padded .. signature)
  local values, order = {}, {}
  local entry_row = struct.pack('<I4', row)
  for i = 1, band_count do
    local field = fields[i]
    local value = values[field]
    if value == nil then
      order[#order + 1] = field
      value = my_buckets[i] or ''
    end
    values[field] = value .. highs[i] .. entry_row
  end
  local arguments = {}
  for n, field in ipairs(order) do
    arguments[2 * n - 1] = field
    arguments[2 * n] = values[field]
  end
  redis.call('HSET', prefix .. 'b' .. my_generation, unpack(arguments))
end
if status == 'unique' then
  redis.call('HSET', my_record_key, id_digest, 'u')
else
  redis.call('HSET', my_record_key, id_digest, CODE[method] .. struct.pack('<d', similarity) .. duplicate_of)
end
redis.call('HINCRBY', registry, 'n' .. my_generation, 1)
if touched[my_generation] ~= now then redis.call('HSET', registry, 't' .. my_generation, now) end
-- A page written into a generation being deleted keeps it: it was written now.
if deleting[my_generation] then redis.call('HDEL', registry, 'd' .. my_generation) end
if status == 'unique' then return {'unique'} end
return {status, duplicate_of, method, string.format('%.17g', similarity)}
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
        self.layout = Layout(settings, self.redis_settings)
        # One immediate retry on a fresh connection covers a connection the server closed (a restart
        # or failover); beyond that the service loop pauses and retries with its own backoff. A
        # retried script is harmless: if the first run got through, the retry is a replay.
        self._client = client or redis.Redis.from_url(
            settings.redis_url, socket_timeout=self.redis_settings.socket_timeout_seconds,
            socket_connect_timeout=self.redis_settings.connect_timeout_seconds,
            retry=Retry(NoBackoff(), 1), health_check_interval=30)
        self._decide = self._client.register_script(self.layout.script())
        self._registry = self._prefix + b"G"

    def decide(self, fp: Fingerprint) -> DedupDecision:
        return self.decide_many([fp])[0]

    def decide_many(self, fingerprints: list[Fingerprint]) -> list[DedupDecision]:
        """Decisions for several pages, exactly as deciding them one by one in this order, in one
        round trip (a pipeline of scripts; each script is still atomic on its own, so other
        replicas' decisions interleave between pages as they would page by page).

        If Redis goes away half-way, the decisions already taken are stored: deciding the same
        fingerprints again returns them as replays, so the caller simply retries the whole batch."""
        if not fingerprints:
            return []
        inputs = [self.script_args(fp) for fp in fingerprints]
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
        except redis.ResponseError as error:
            if LAYOUT_ERROR in str(error):
                raise RuntimeError(
                    f"{error}: the prefix {self.prefix!r} holds dedup state written with other settings "
                    "(DEDUP_NUM_PERM, DEDUP_WINDOW_DAYS or DEDUP_REDIS_ARTICLES_PER_DAY); use another "
                    "DEDUP_REDIS_PREFIX or the settings it was written with") from error
            raise
        return [_decision(reply) for reply in replies]

    def _run_pipeline(self, inputs: list[list]) -> list:
        with self._client.pipeline(transaction=False) as pipe:
            for args in inputs:
                self._decide(keys=[self._registry], args=args, client=pipe)
            return pipe.execute()

    def script_args(self, fp: Fingerprint) -> list:
        """ARGV of the decide script for one fingerprint."""
        id_digest, url_digest, hash_digest = packed_claim_keys(fp)
        if len(fp.article_id.encode()) > ID_BYTES:
            raise ValueError(f"the redis dedup backend stores article ids of at most {ID_BYTES} bytes")
        fields, highs = _band_fields(fp.band_keys, self.layout.bucket_bits)
        return [fp.article_id, repr(fp.fetched_at.timestamp()), self._prefix, id_digest, url_digest, hash_digest,
                _signature_bytes(fp.signature, self.settings.num_perm), fp.shingle_count, fields, highs]

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
        """Decisions stored in the generations not being deleted."""
        try:
            registry = self._client.hgetall(self._registry)
        except MISCONFIGURED_ERRORS as error:
            raise _misconfigured(error) from error
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        deleting = {name[1:] for name in registry if name.startswith(b"d")}
        return sum(int(value) for name, value in registry.items()
                   if name.startswith(b"n") and name[1:] not in deleting)

    def close(self) -> None:
        self._client.close()


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


class Layout:
    """Where the script stores things, from the settings: shard counts, row sizes, retention."""

    def __init__(self, settings: DedupSettings, redis_settings: RedisSettings):
        self.generation_seconds = settings.window_seconds / GENERATIONS_PER_WINDOW
        # Records: one per article; claims: up to two. A shard holds about SHARD_ENTRIES of each at
        # the expected volume.
        articles = redis_settings.articles_per_day * self.generation_seconds / 86400
        self.record_shards = _power_of_two(articles / redis_settings.shard_entries)
        self.claim_shards = _power_of_two(2 * articles / redis_settings.shard_entries)
        self.row_bytes = 8 + 4 + 1 + ID_BYTES + settings.num_perm
        self.rows_per_chunk = max(1, ROW_CHUNK_BYTES // self.row_bytes)
        band_entries = articles * UNIQUE_SHARE * settings.lsh_bands
        self.bucket_bits = min(24, max(16, round(math.log2(max(band_entries / BUCKET_ENTRIES, 1.0)))))
        self.retention = math.ceil(settings.window_seconds) + RETENTION_MARGIN_SECONDS
        self.settings = settings
        # What must not change while a prefix holds state (the script checks it).
        self.name = (f"2 p{settings.num_perm} g{self.generation_seconds!r} r{self.record_shards} "
                     f"c{self.claim_shards} v{self.rows_per_chunk} b{self.bucket_bits}")

    def script(self) -> str:
        """The decide script with the settings as constants. Python's repr of a float reads back in
        Lua as the same double, so thresholds and the window compare exactly as in Python."""
        s = self.settings
        constants = {
            "window": repr(s.window_seconds),
            "retention": str(self.retention),
            "generation_length": repr(self.generation_seconds),
            "num_perm": str(s.num_perm),
            "near_jaccard": repr(s.near_jaccard),
            "near_containment": repr(s.near_containment),
            "containment_min_shingles": str(s.containment_min_shingles),
            "containment_min_jaccard": repr(s.containment_min_jaccard),
            "record_shards": str(self.record_shards),
            "claim_shards": str(self.claim_shards),
            "rows_per_chunk": str(self.rows_per_chunk),
            "row_bytes": str(self.row_bytes),
            "id_bytes": str(ID_BYTES),
            "delete_keys": str(DELETE_KEYS_PER_DECISION),
            "layout": f"'{self.name}'",
        }
        return "".join(f"local {name} = {value}\n" for name, value in constants.items()) + DECIDE_SCRIPT_BODY


def _power_of_two(value: float) -> int:
    return 1 << max(0, math.ceil(math.log2(max(value, 1.0))))


def _band_fields(band_keys: tuple[bytes, ...], bucket_bits: int) -> tuple[bytes, bytes]:
    """The band keys' low 32 bits (their first 4 bytes, little-endian: the key the memory backend's
    band table uses, so that both backends see exactly the same candidates), as bucket fields (the
    low bucket_bits bits, 3 bytes each) and high halves (2 bytes each), each concatenated."""
    joined = b"".join(band_keys)
    if len(joined) == 8 * len(band_keys):  # the stage's 8-byte keys, in one numpy pass
        keys = np.frombuffer(joined, dtype="<u8").astype("<u4")
    else:
        if any(len(band) < 4 for band in band_keys):
            raise ValueError("LSH band keys must be at least 4 bytes long")
        keys = np.frombuffer(b"".join(band[:4] for band in band_keys), dtype="<u4")
    fields = (keys & np.uint32((1 << bucket_bits) - 1)).view(np.uint8).reshape(-1, 4)[:, :3]
    return fields.tobytes(), (keys >> np.uint32(16)).astype("<u2").tobytes()


def _signature_bytes(signature: bytes, num_perm: int) -> bytes:
    """The signature in 8 bits a value (b-bit MinHash values are below 2^8: worker/dedup/similarity.py)."""
    if not signature:
        return signature
    values = np.frombuffer(signature, dtype="<u4")
    if len(values) != num_perm or int(values.max()) >= 1 << 8:
        raise ValueError(f"signatures must be {num_perm} values below 2^8")
    return values.astype(np.uint8).tobytes()


def _decision(reply: list[bytes]) -> DedupDecision:
    if reply[0] == b"unique":
        return DedupDecision.unique()
    return DedupDecision.duplicate(reply[1].decode(), reply[2].decode(), float(reply[3]))
