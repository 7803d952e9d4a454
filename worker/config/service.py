"""Settings of the streaming service: Kafka connection, topics, limits, HTTP endpoints.

All of them come from environment variables (documented in README.md, "Configuration").
Deployment files rely on the exact names KAFKA_BOOTSTRAP_SERVERS, KAFKA_GROUP_ID and METRICS_PORT.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .env import ConfigError, get_bool, get_choice, get_float, get_int, get_str, require_str

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
# Backstop on the start: a worker still starting this long after STARTUP_TIMEOUT_SECONDS (a client
# library stuck where its own timeouts do not reach) logs why and exits.
STARTUP_GRACE_SECONDS = 5.0
# One check of the broker while running (service/broker_watch.py) gives up after this long.
BROKER_CHECK_TIMEOUT_SECONDS = 10.0
# `python -m worker dlq` reads a topic from its start to the end offset the broker reported, then this
# much longer (Tansu's ListOffsets was seen reporting less than the topic holds), or until no record
# came for this long; not longer, so that a topic the worker keeps writing to is not followed for ever.
DLQ_READ_IDLE_SECONDS = 3.0
# One read of the group's lag (service/group_lag.py) gives up after this long.
GROUP_LAG_TIMEOUT_SECONDS = 5.0
# The most a Kafka protocol field of 32 bits holds: the group's session and rebalance timeouts, a
# fetch's wait. kafka-python sends a larger value anyway and the request fails to encode, on every
# attempt: the worker never joined its group and said nothing but connection errors.
KAFKA_INT32_MAX = 2**31 - 1
# A record's broker timestamp is a plausible send time (SourceRecord.sent_at) when not older than
# this (Kafka's default retention, log.retention.hours=168; an older one is a producer's wrong clock,
# 1 ms after the epoch, or history read again: one such sample added decades to the latency
# histogram's sum)...
RECORD_TIMESTAMP_MAX_AGE_SECONDS = 7 * 24 * 3600.0
# ...nor ahead of this worker's clock by more than this, for the latency histogram (the default of
# Kafka 4.0's log.message.timestamp.after.max.ms); less ahead is clock skew, observed as 0.
RECORD_TIMESTAMP_MAX_AHEAD_SECONDS = 3600.0
# A stage's time limit that goes off inside an import is put off by this much, again and again
# until the import has ended (worker/stages/base.py: a module imported half-way breaks every later
# page of the process).
IMPORT_GRACE_SECONDS = 0.01
# A stopping consumer leaves its group (LeaveGroup) and waits this long for the answer. A member
# stopped while it joins gets none until the join ends (a broker answers one connection's requests in
# order), which can take the group's rebalance, up to max.poll.interval; unanswered, the group moves
# the partitions after the session timeout anyway, and nothing uncommitted is lost.
CONSUMER_LEAVE_TIMEOUT_SECONDS = 5.0
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI")
# malloc (worker/memory.py): blocks up to this size come from the heap, not a mapping of their own
# (the most glibc allows on 64-bit; a page's copies are far smaller)...
MALLOC_MMAP_THRESHOLD_BYTES = 32 << 20
# ...the heap's top is handed back once this much of it is free (a batch of BATCH_MAX_RECORDS HTML
# pages of 182 KB holds about 90 MB)...
MALLOC_TRIM_BYTES = 128 << 20
# ...keeping this much (with 16 MB, the broker client's fetch buffers still faulted in ~200 pages of
# 4 KB per HTML page)...
MALLOC_TOP_PAD_BYTES = 64 << 20
# ...in one arena shared by all the threads (glibc's default: up to 8 per core), so that memory kept
# for one thread serves the others rather than adding to the process's peak.
MALLOC_ARENAS = 1


# A Kafka topic name (the broker's and kafka-python's rule): the clients raised ValueError on any
# other when subscribing or producing, a traceback on every restart.
TOPIC_NAME_MAX_CHARS = 249
_TOPIC_NAME = re.compile(r"[A-Za-z0-9._-]{1,%d}" % TOPIC_NAME_MAX_CHARS)


@dataclass(frozen=True)
class Topics:
    pages_raw: str = "pages.raw"
    articles_normalized: str = "articles.normalized"
    articles_duplicates: str = "articles.duplicates"
    pages_dlq: str = "pages.dlq"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Topics:
        topics = cls(
            pages_raw=require_str(env, "TOPIC_PAGES_RAW", cls.pages_raw),
            articles_normalized=require_str(env, "TOPIC_ARTICLES_NORMALIZED", cls.articles_normalized),
            articles_duplicates=require_str(env, "TOPIC_ARTICLES_DUPLICATES", cls.articles_duplicates),
            pages_dlq=require_str(env, "TOPIC_PAGES_DLQ", cls.pages_dlq),
        )
        names = topics.all()
        if len(set(names)) != len(names):
            raise ConfigError(f"topic names must be distinct, got {names}")
        for variable, name in zip(("TOPIC_PAGES_RAW", "TOPIC_ARTICLES_NORMALIZED", "TOPIC_ARTICLES_DUPLICATES",
                                   "TOPIC_PAGES_DLQ"), names):
            if not _TOPIC_NAME.fullmatch(name) or name in (".", ".."):
                raise ConfigError(f"{variable} must be a Kafka topic name (1-{TOPIC_NAME_MAX_CHARS} of A-Z a-z 0-9 . _ "
                                  f"-), got {name[:300]!r}")
        return topics

    def all(self) -> list[str]:
        return [self.pages_raw, self.articles_normalized, self.articles_duplicates, self.pages_dlq]

    def outputs(self) -> list[str]:
        return [self.articles_normalized, self.articles_duplicates, self.pages_dlq]


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap_servers: str = "localhost:9092"
    group_id: str = "news-worker"
    client_id: str = "news-worker"
    auto_offset_reset: str = "earliest"
    session_timeout_ms: int = 45_000
    heartbeat_interval_ms: int = 3_000
    max_poll_interval_ms: int = 300_000
    max_request_size: int = 1_048_576
    # Longest a fetch waits at the broker for records (kafka-python's default is 500 ms). A broker
    # that does not answer a waiting fetch as soon as records arrive (Tansu) holds them that long;
    # a worker at idle then sends a fetch this often.
    fetch_max_wait_ms: int = 50
    compression_type: str | None = None
    # Broker-side dedup of the producer's internal retries. Off for a broker whose producer-id
    # state does not survive a restart (Tansu 0.6: outputs acknowledged around a restart were lost).
    enable_idempotence: bool = True
    security_protocol: str = "PLAINTEXT"
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password: str | None = field(default=None, repr=False)
    ssl_check_hostname: bool = True
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> KafkaSettings:
        protocol = get_choice(env, "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", SECURITY_PROTOCOLS)
        mechanism = get_str(env, "KAFKA_SASL_MECHANISM")
        if mechanism is not None and mechanism not in SASL_MECHANISMS:
            raise ConfigError(f"KAFKA_SASL_MECHANISM must be one of {', '.join(SASL_MECHANISMS)}; got {mechanism!r}")
        if protocol.startswith("SASL") and mechanism is None:
            raise ConfigError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_MECHANISM")
        username = get_str(env, "KAFKA_SASL_USERNAME")
        password = get_str(env, "KAFKA_SASL_PASSWORD")
        if mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512") and (username is None or password is None):
            raise ConfigError(f"KAFKA_SASL_MECHANISM={mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        compression = get_str(env, "KAFKA_COMPRESSION_TYPE")
        if compression is not None and compression not in ("gzip", "snappy", "lz4", "zstd"):
            raise ConfigError(f"KAFKA_COMPRESSION_TYPE must be gzip, snappy, lz4 or zstd; got {compression!r}")
        session_timeout = get_int(env, "KAFKA_SESSION_TIMEOUT_MS", cls.session_timeout_ms, minimum=1000,
                                  maximum=KAFKA_INT32_MAX)
        bootstrap_servers = require_str(env, "KAFKA_BOOTSTRAP_SERVERS", cls.bootstrap_servers)
        _check_servers(bootstrap_servers)
        return cls(
            bootstrap_servers=bootstrap_servers,
            group_id=require_str(env, "KAFKA_GROUP_ID", cls.group_id),
            client_id=require_str(env, "KAFKA_CLIENT_ID", cls.client_id),
            auto_offset_reset=get_choice(env, "KAFKA_AUTO_OFFSET_RESET", "earliest", ("earliest", "latest")),
            session_timeout_ms=session_timeout,
            heartbeat_interval_ms=min(session_timeout // 3, get_int(env, "KAFKA_HEARTBEAT_INTERVAL_MS", cls.heartbeat_interval_ms, minimum=100, maximum=KAFKA_INT32_MAX)),
            max_poll_interval_ms=get_int(env, "KAFKA_MAX_POLL_INTERVAL_MS", cls.max_poll_interval_ms, minimum=1000, maximum=KAFKA_INT32_MAX),
            max_request_size=get_int(env, "KAFKA_MAX_REQUEST_SIZE", cls.max_request_size, minimum=1024, maximum=KAFKA_INT32_MAX),
            fetch_max_wait_ms=get_int(env, "KAFKA_FETCH_MAX_WAIT_MS", cls.fetch_max_wait_ms, minimum=1, maximum=KAFKA_INT32_MAX),
            compression_type=compression,
            enable_idempotence=get_bool(env, "KAFKA_ENABLE_IDEMPOTENCE", True),
            security_protocol=protocol,
            ssl_cafile=get_str(env, "KAFKA_SSL_CAFILE"),
            ssl_certfile=get_str(env, "KAFKA_SSL_CERTFILE"),
            ssl_keyfile=get_str(env, "KAFKA_SSL_KEYFILE"),
            ssl_password=get_str(env, "KAFKA_SSL_PASSWORD"),
            ssl_check_hostname=get_bool(env, "KAFKA_SSL_CHECK_HOSTNAME", True),
            sasl_mechanism=mechanism,
            sasl_username=username,
            sasl_password=password,
        )

    def client_options(self) -> dict:
        """Connection and security options shared by kafka-python's consumer, producer and admin."""
        options: dict = {
            "bootstrap_servers": [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()],
            "client_id": self.client_id,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol in ("SSL", "SASL_SSL"):
            options.update(ssl_cafile=self.ssl_cafile, ssl_certfile=self.ssl_certfile,
                           ssl_keyfile=self.ssl_keyfile, ssl_password=self.ssl_password,
                           ssl_check_hostname=self.ssl_check_hostname)
        if self.sasl_mechanism:
            options.update(sasl_mechanism=self.sasl_mechanism,
                           sasl_plain_username=self.sasl_username,
                           sasl_plain_password=self.sasl_password)
        return options


def _check_servers(servers: str) -> None:
    """KAFKA_BOOTSTRAP_SERVERS as the clients read it: "host", "host:port" or "[v6]:port", comma-
    separated. A port that is not one raised ValueError inside the start's broker check (a traceback
    on every restart), and a list of no server was waited on for STARTUP_TIMEOUT_SECONDS."""
    names = [s.strip() for s in servers.split(",") if s.strip()]
    if not names:
        raise ConfigError(f"KAFKA_BOOTSTRAP_SERVERS names no server, got {servers!r}")
    for name in names:
        if name.startswith("["):
            host, bracket, rest = name[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else None
            well_formed = bool(bracket and host) and (rest == "" or port is not None)
        else:
            host, colon, port = name.rpartition(":")
            well_formed = bool(host) if colon else True
            port = port if colon else None
        if not well_formed or (port is not None and not (port.isascii() and port.isdigit()
                                                         and 0 < int(port) <= 65535)):
            raise ConfigError(f"KAFKA_BOOTSTRAP_SERVERS must be host:port pairs separated by commas "
                              f"(port 1-65535, [IPv6]:port), got {name!r}")


@dataclass(frozen=True)
class ServiceSettings:
    # All interfaces: in a pod or container the kubelet's probes and Prometheus reach the port from
    # outside the network namespace. Outside a container, 127.0.0.1 keeps it private.
    metrics_host: str = "0.0.0.0"
    metrics_port: int = 8000
    # The HTTP endpoint cuts a connection after this long (idle or trickling: slowloris), and serves
    # at most this many at once (a thread each; the oldest is dropped to make room).
    http_idle_timeout_seconds: float = 10.0
    http_max_connections: int = 16
    # At start the broker and Redis must be reachable within this long, or the worker exits
    # non-zero with the cause (unreachable, timed out, TLS, authentication). A misconfiguration
    # (authentication or TLS certificate refused) exits at once.
    startup_timeout_seconds: float = 30.0
    # While running, the broker connection is checked this often, as at start: unreachable makes
    # /readyz 503 with the cause; refusing the worker (credentials, certificate) twice in a row stops
    # it with exit 2. 0 turns the check off.
    broker_check_interval_seconds: float = 30.0
    # Records taken per poll; a batch is processed, delivered and committed as one checkpoint.
    batch_max_records: int = 500
    poll_timeout_ms: int = 1000
    # Bodies larger than this (UTF-8 bytes) go to the DLQ with reason body_too_large.
    max_body_bytes: int = 2_000_000
    # A stage that runs longer than this on one page is interrupted; the page goes to the DLQ
    # with reason stage_timeout. 0 disables the limit.
    stage_timeout_seconds: float = 10.0
    # A batch stops taking new records after this long: what is done is delivered and committed,
    # the rest is read again by the next poll. Keeps every batch well inside the consumer group's
    # max.poll.interval (checked against it in Settings), whatever the pages cost. Unset: 60 s, or
    # less when the poll interval asks for it (Settings).
    batch_max_seconds: float | None = None
    # After SIGTERM/SIGINT or a fatal error the worker finishes the page in hand, delivers and
    # commits what is done, leaves the group and exits. If that takes longer than this, it exits
    # anyway (uncommitted pages are redelivered, which at-least-once allows).
    shutdown_timeout_seconds: float = 20.0
    # /healthz fails when the consume loop has not come round for this long (a wedged process).
    liveness_timeout_seconds: float = 120.0
    # Backoff when delivery or the dedup state is unavailable: retried, never dropped.
    retry_backoff_initial_seconds: float = 0.5
    retry_backoff_max_seconds: float = 30.0
    # While paused on the dedup state, it is probed this often, and the batch retried as soon as it
    # answers again (the backoff above only spaces retries against a state that answers but fails).
    dependency_probe_interval_seconds: float = 0.5
    # The group's lag (end offset minus committed offset, per input partition) is read from the
    # broker this often, off the consume loop (three small requests: metadata, committed and end offsets). 0 turns it off.
    group_lag_interval_seconds: float = 5.0
    log_level: str = "INFO"
    # Consumer processes in one container (`run`), each a member of the consumer group, under one
    # supervisor that restarts a process that dies (after restart_backoff_*: doubling, reset after a
    # process ran restart_backoff_reset_seconds) and serves one /metrics, /healthz and /readyz.
    # More than one needs DEDUP_BACKEND=redis (the memory backend's state is per process).
    worker_processes: int = 1
    restart_backoff_initial_seconds: float = 1.0
    restart_backoff_max_seconds: float = 30.0
    restart_backoff_reset_seconds: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServiceSettings:
        return cls(
            metrics_host=require_str(env, "METRICS_HOST", cls.metrics_host),
            metrics_port=get_int(env, "METRICS_PORT", cls.metrics_port, minimum=0, maximum=65535),
            http_idle_timeout_seconds=get_float(env, "HTTP_IDLE_TIMEOUT_SECONDS", cls.http_idle_timeout_seconds,
                                                minimum=0.1),
            http_max_connections=get_int(env, "HTTP_MAX_CONNECTIONS", cls.http_max_connections, minimum=2),
            startup_timeout_seconds=get_float(env, "STARTUP_TIMEOUT_SECONDS", cls.startup_timeout_seconds, minimum=1),
            broker_check_interval_seconds=get_float(env, "BROKER_CHECK_INTERVAL_SECONDS",
                                                    cls.broker_check_interval_seconds, minimum=0),
            batch_max_records=get_int(env, "BATCH_MAX_RECORDS", cls.batch_max_records, minimum=1),
            poll_timeout_ms=get_int(env, "POLL_TIMEOUT_MS", cls.poll_timeout_ms, minimum=10),
            max_body_bytes=get_int(env, "MAX_BODY_BYTES", cls.max_body_bytes, minimum=1),
            stage_timeout_seconds=get_float(env, "STAGE_TIMEOUT_SECONDS", cls.stage_timeout_seconds, minimum=0),
            batch_max_seconds=get_float(env, "BATCH_MAX_SECONDS", 0, minimum=0.01) if env.get("BATCH_MAX_SECONDS") else None,
            shutdown_timeout_seconds=get_float(env, "SHUTDOWN_TIMEOUT_SECONDS", cls.shutdown_timeout_seconds, minimum=1),
            liveness_timeout_seconds=get_float(env, "LIVENESS_TIMEOUT_SECONDS", cls.liveness_timeout_seconds, minimum=1),
            retry_backoff_initial_seconds=get_float(env, "RETRY_BACKOFF_INITIAL_SECONDS", cls.retry_backoff_initial_seconds, minimum=0.01),
            retry_backoff_max_seconds=get_float(env, "RETRY_BACKOFF_MAX_SECONDS", cls.retry_backoff_max_seconds, minimum=0.01),
            dependency_probe_interval_seconds=get_float(env, "DEPENDENCY_PROBE_INTERVAL_SECONDS",
                                                        cls.dependency_probe_interval_seconds, minimum=0.01),
            group_lag_interval_seconds=get_float(env, "GROUP_LAG_INTERVAL_SECONDS", cls.group_lag_interval_seconds,
                                                 minimum=0),
            log_level=get_choice(env, "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
            worker_processes=get_int(env, "WORKER_PROCESSES", cls.worker_processes, minimum=1, maximum=256),
        )
