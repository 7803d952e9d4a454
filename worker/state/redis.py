"""Dedup index shared by every replica of a consumer group, in a real Redis server.

Copies of one article can land on different partitions, hence on different replicas. Each decision
is one Lua script run by Redis (EVALSHA; loaded again on NOSCRIPT), so the look-up and the claim of
the article id, its canonical URL, its content hash, its site and title keys and its LSH bands are
one atomic step: of two copies decided at the same time by two replicas, exactly one is unique. The steps and the window
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
    <prefix>c<g>:<shard>        claims (listpack hash): URL, hash, site or title digest ->
                                claimer's fetched_at, canonical id
    <prefix>b<g>                LSH buckets (hash): the low bits of a band key name its field
                                (Layout.bucket_bits, so that a bucket holds about BUCKET_ENTRIES
                                entries at the expected volume); the value: entries of 6 bytes,
                                the band key's high 16 bits and a near row number
    <prefix>v<g>:<chunk>        near rows (string, ROWS_PER_CHUNK fixed-size rows): fetched_at,
                                shingle count, id, 8-bit signature
    <prefix>w<g>:<chunk>        their origin keys (string, 8 bytes a row, rules.packed_origin;
                                zeros: none)
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

import contextlib
import logging
import math
import re
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
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
from .rules import REPEATED_DECISION, UNIQUE_DECISION, origin_key, packed_claim_keys, packed_origin

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

# Version 3 adds the site rule: records "r" (repeated_on_site), site and title claims; version 4
# the origin keys of near rows ("w"). A state of version 2 or 3 is one without them, so the script
# takes it over (and stores version 4: older workers then stop with a layout mismatch instead of
# misreading "r" records or leaving "w" strings behind when they delete a generation).
LAYOUT_VERSION = 4
TAKEN_OVER_VERSIONS = (2, 3)

# Errors that mean "Redis cannot take the decision now", not "this page is bad". OutOfMemoryError
# and ReadOnlyError are replies: Redis is full (noeviction), or is a replica after a failover.
UNAVAILABLE_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.BusyLoadingError,
                      redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError,
                      redis.exceptions.MasterDownError, redis.exceptions.TryAgainError)
# Replies that say "Redis cannot take the decision now" without a redis-py class of their own:
# BUSY (another client's script has run past busy-reply-threshold: Redis answers nothing else until
# it ends), MISCONF (Redis cannot persist, a full disk with stop-writes-on-bgsave-error, and refuses
# writes), NOREPLICAS (fewer replicas than min-replicas-to-write). A pipeline names the command
# before the reply ("Command # 1 (EVALSHA ...) of pipeline caused error: BUSY ...").
UNAVAILABLE_REPLY = re.compile(r"(?:^|caused error: )(?:BUSY|MISCONF|NOREPLICAS) ")
# Replies that say the worker's keys are not this server's to use: a key under the prefix of
# another type (another program, or an older worker's layout, writes under DEDUP_REDIS_PREFIX), or
# REDIS_URL naming a node of a Redis Cluster (MOVED, ASK, CROSSSLOT: the prefix lacks a hash tag).
# Not the page's fault: as ResponseErrors, every page became a stage_error dead letter.
MISPLACED_ERRORS = (redis.exceptions.AskError, redis.exceptions.ClusterCrossSlotError)  # (MovedError: an AskError)
MISPLACED_REPLY = re.compile(r"(?:^|caused error: )WRONGTYPE ")
LAYOUT_ERROR = "dedup layout mismatch"
# The reply to the SELECT a connection opens with when REDIS_URL's database number is not one of the
# server's (it has `databases` of them, 16 by default): no retry can help.
DATABASE_REFUSED_REPLY = re.compile(r"DB index is out of range|invalid DB index|SELECT is not allowed")
# Errors that mean "Redis refuses this worker's configuration": wrong password (WRONGPASS), none
# given where one is required (NOAUTH), an ACL user without the commands the worker runs (NOPERM).
# Retrying cannot help: the worker exits with the cause. (AuthenticationError is a ConnectionError:
# it must be caught before UNAVAILABLE_ERRORS.)
MISCONFIGURED_ERRORS = (redis.exceptions.AuthenticationError, redis.exceptions.AuthenticationWrongNumberOfArgsError,
                        redis.exceptions.NoPermissionError)
# Pause between connection attempts at start while Redis is unreachable: doubling, capped.
CHECK_RETRY_INITIAL_SECONDS = 0.1
CHECK_RETRY_MAX_SECONDS = 2.0

# One decision, atomically: the Lua script beside this module (its header says its KEYS and ARGV).
DECIDE_SCRIPT_BODY = Path(__file__).with_name("redis_decide.lua").read_text(encoding="utf-8")


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
        with self._dependency_errors("take decisions"):
            try:
                replies = self._run_pipeline(inputs)
            except redis.exceptions.NoScriptError:
                # The server lost its scripts (restart, failover) between the pipeline's check and
                # its run: the pipeline loads them again on the next run.
                replies = self._run_pipeline(inputs)
        return [_decision(reply) for reply in replies]

    def _run_pipeline(self, inputs: list[list]) -> list:
        with self._client.pipeline(transaction=False) as pipe:
            for args in inputs:
                self._decide(keys=[self._registry], args=args, client=pipe)
            return pipe.execute()

    def script_args(self, fp: Fingerprint) -> list:
        """ARGV of the decide script for one fingerprint."""
        digests = packed_claim_keys(fp)
        if len(fp.article_id.encode()) > ID_BYTES:
            raise ValueError(f"the redis dedup backend stores article ids of at most {ID_BYTES} bytes")
        fields, highs = _band_fields(fp.band_keys, self.layout.bucket_bits)
        return [fp.article_id, repr(fp.fetched_at.timestamp()), self._prefix, *digests,
                _signature_bytes(fp.signature, self.settings.num_perm), fp.shingle_count, fields, highs,
                packed_origin(origin_key(fp))]

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
                if isinstance(error, redis.ResponseError) and not _transient_reply(error):
                    # (PING and SCRIPT LOAD refused for good: the database REDIS_URL selects is not
                    # the server's, SELECT on a cluster node, SCRIPT renamed away)
                    raise _url_refused(where, error) from error
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
        with self._dependency_errors("answer"):
            registry = self._client.hgetall(self._registry)
        deleting = {name[1:] for name in registry if name.startswith(b"d")}
        return sum(int(value) for name, value in registry.items()
                   if name.startswith(b"n") and name[1:] not in deleting)

    @contextlib.contextmanager
    def _dependency_errors(self, doing: str) -> Iterator[None]:
        """Redis's failures as the worker's, never a page's: DependencyUnavailable while it cannot
        answer (unreachable, BUSY, MISCONF, NOREPLICAS, CLUSTERDOWN: the loop pauses and retries),
        DependencyMisconfigured when it refuses this worker's settings (credentials, TLS, keys it
        cannot use, another layout under the prefix: the worker stops)."""
        try:
            yield
        except MISCONFIGURED_ERRORS as error:
            raise _misconfigured(error) from error
        except UNAVAILABLE_ERRORS as error:
            raise DependencyUnavailable(f"redis dedup state unreachable: {type(error).__name__}: {error}") from error
        except redis.ResponseError as error:
            if _transient_reply(error):
                raise DependencyUnavailable(f"redis dedup state cannot {doing}: {error}") from error
            if DATABASE_REFUSED_REPLY.search(str(error)):  # (a server restarted with fewer databases)
                raise _url_refused(_server_of(self.settings.redis_url), error) from error
            if isinstance(error, MISPLACED_ERRORS) or MISPLACED_REPLY.search(str(error)):
                raise self._misplaced(error) from error
            if LAYOUT_ERROR in str(error):
                # (a DependencyError, which no stage takes for the page's fault: as a RuntimeError
                # every page of the stream became a stage_error dead letter, committed)
                raise DependencyMisconfigured(
                    f"{error}: the prefix {self.prefix!r} holds dedup state written with other settings "
                    "(DEDUP_NUM_PERM, DEDUP_WINDOW_DAYS or DEDUP_REDIS_ARTICLES_PER_DAY) or by a newer "
                    "worker; use another DEDUP_REDIS_PREFIX, or the settings and version it was written "
                    "with") from error
            raise

    def _misplaced(self, error: redis.ResponseError) -> DependencyMisconfigured:
        return DependencyMisconfigured(
            f"redis refuses the dedup state's keys: {type(error).__name__}: {error}: under DEDUP_REDIS_PREFIX "
            f"{self.prefix!r} a key holds another type (another program, or an older layout, writes there: use "
            "another prefix), or REDIS_URL names a Redis Cluster node (one primary, or a hash tag in the prefix)")

    def close(self) -> None:
        self._client.close()


def _misconfigured(error: redis.RedisError) -> DependencyMisconfigured:
    kind = "permission refused" if isinstance(error, redis.exceptions.NoPermissionError) else "authentication failed"
    return DependencyMisconfigured(f"redis {kind} (check the user and password in REDIS_URL, and the ACL): "
                                   f"{type(error).__name__}: {error}")


def _transient_reply(error: redis.ResponseError) -> bool:
    """A reply that says "not now" (BUSY, MISCONF, NOREPLICAS, a cluster down, a replica's
    failover...), which a retry can get past."""
    return isinstance(error, (*UNAVAILABLE_ERRORS, redis.exceptions.ClusterDownError)) or \
        bool(UNAVAILABLE_REPLY.search(str(error)))


def _url_refused(where: str, error: redis.ResponseError) -> DependencyMisconfigured:
    return DependencyMisconfigured(f"redis at {where} refuses the connection REDIS_URL asks for (its database "
                                   f"number?): {type(error).__name__}: {error}")


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
        # Records: one per article; claims: up to two (four for the short texts of the site rule).
        # A shard holds about SHARD_ENTRIES of each at the expected volume.
        articles = redis_settings.articles_per_day * self.generation_seconds / 86400
        self.record_shards = _power_of_two(articles / redis_settings.shard_entries)
        self.claim_shards = _power_of_two(2 * articles / redis_settings.shard_entries)
        self.row_bytes = 8 + 4 + 1 + ID_BYTES + settings.num_perm
        self.rows_per_chunk = max(1, ROW_CHUNK_BYTES // self.row_bytes)
        band_entries = articles * UNIQUE_SHARE * settings.lsh_bands
        self.bucket_bits = min(24, max(16, round(math.log2(max(band_entries / BUCKET_ENTRIES, 1.0)))))
        self.retention = math.ceil(settings.window_seconds) + RETENTION_MARGIN_SECONDS
        self.settings = settings
        # What must not change while a prefix holds state (the script checks it), after the version
        # of the layout: a state of an older version is taken over (LAYOUT_VERSION).
        shape = (f"p{settings.num_perm} g{self.generation_seconds!r} r{self.record_shards} "
                 f"c{self.claim_shards} v{self.rows_per_chunk} b{self.bucket_bits}")
        self.name = f"{LAYOUT_VERSION} {shape}"
        self.previous_names = [f"{version} {shape}" for version in TAKEN_OVER_VERSIONS]

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
            "max_candidates": str(s.max_near_candidates),
            "record_shards": str(self.record_shards),
            "claim_shards": str(self.claim_shards),
            "rows_per_chunk": str(self.rows_per_chunk),
            "row_bytes": str(self.row_bytes),
            "id_bytes": str(ID_BYTES),
            "delete_keys": str(DELETE_KEYS_PER_DECISION),
            "layout": f"'{self.name}'",
            "previous_layouts": "{" + ", ".join(f"['{name}'] = true" for name in self.previous_names) + "}",
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
        return UNIQUE_DECISION
    if reply[0] == b"repeated":
        return REPEATED_DECISION
    return DedupDecision.duplicate(reply[1].decode(), reply[2].decode(), float(reply[3]))
