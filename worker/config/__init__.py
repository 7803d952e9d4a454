"""All settings in one place: one frozen dataclass per concern, each read from the environment.

- service.py: Kafka connection and security, topics, limits, HTTP, shutdown bounds.
- cleaning.py: thresholds of the cleaning stage (HTML extraction, text-dump cleaning, quality gate).
- dedup.py: dedup backend, window, shingling and MinHash/LSH thresholds.
- redis.py: the redis dedup backend's key prefix and timeouts.
- input.py: input validation limits (nesting depth, the fetched_at window).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .cleaning import CleaningSettings
from .dedup import DedupSettings
from .env import ConfigError
from .input import InputSettings
from .redis import RedisSettings
from .service import KafkaSettings, ServiceSettings, Topics

__all__ = ["ConfigError", "Settings", "KafkaSettings", "ServiceSettings", "Topics",
           "CleaningSettings", "DedupSettings", "RedisSettings", "InputSettings"]

# A batch and its last page must end within this share of max.poll.interval (the rest: delivery).
MAX_POLL_SHARE = 0.8
DEFAULT_BATCH_MAX_SECONDS = 60.0


@dataclass(frozen=True)
class Settings:
    kafka: KafkaSettings = field(default_factory=KafkaSettings)
    topics: Topics = field(default_factory=Topics)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    cleaning: CleaningSettings = field(default_factory=CleaningSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    input: InputSettings = field(default_factory=InputSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        settings = cls._read(env)
        processes = settings.service.worker_processes
        if processes > 1 and settings.dedup.backend == "memory":
            raise ConfigError(f"WORKER_PROCESSES={processes} needs DEDUP_BACKEND=redis: the memory backend's dedup "
                              "state lives in one process, so copies consumed by different processes would not "
                              "be found (or run one process per container and scale containers)")
        return settings

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            kafka=KafkaSettings.from_env(env),
            topics=Topics.from_env(env),
            service=ServiceSettings.from_env(env),
            cleaning=CleaningSettings.from_env(env),
            dedup=DedupSettings.from_env(env),
            redis=RedisSettings.from_env(env),
            input=InputSettings.from_env(env),
        )._checked()

    def _checked(self) -> Settings:
        """Settings that only make sense together: the batch time budget against the group's
        max.poll.interval. A batch takes new pages for batch_max_seconds, then finishes its last
        page (each of its three stages bounded by the stage timeout), decides and delivers: all of
        it must end before the group drops this member for not polling."""
        service = self.service
        self._check_liveness()
        room = self.kafka.max_poll_interval_ms / 1000 * MAX_POLL_SHARE - 3 * service.stage_timeout_seconds
        if service.batch_max_seconds is None:
            budget = min(DEFAULT_BATCH_MAX_SECONDS, room)
            if budget <= 0:
                raise ConfigError(
                    f"3 x STAGE_TIMEOUT_SECONDS ({service.stage_timeout_seconds:g}) leaves no time for a batch "
                    f"within {MAX_POLL_SHARE:.0%} of KAFKA_MAX_POLL_INTERVAL_MS ({self.kafka.max_poll_interval_ms})")
            return replace(self, service=replace(service, batch_max_seconds=budget))
        if service.batch_max_seconds > room:
            raise ConfigError(
                f"BATCH_MAX_SECONDS ({service.batch_max_seconds:g}) + 3 x STAGE_TIMEOUT_SECONDS "
                f"({service.stage_timeout_seconds:g}) must stay under {MAX_POLL_SHARE:.0%} of "
                f"KAFKA_MAX_POLL_INTERVAL_MS ({self.kafka.max_poll_interval_ms}), so that no batch outlives "
                f"the group membership")
        return self

    def _check_liveness(self) -> None:
        """The loop beats /healthz once per poll and once per page: a poll, or a page's three stages,
        longer than LIVENESS_TIMEOUT_SECONDS fail it while the worker is healthy (an idle worker
        restarted by its kubelet every few minutes; a slow page restarting it for ever, since the
        page is read again), and a poll longer than SHUTDOWN_TIMEOUT_SECONDS makes every stop of an
        idle worker exit 4."""
        service = self.service
        poll_seconds = service.poll_timeout_ms / 1000
        if poll_seconds >= service.liveness_timeout_seconds:
            raise ConfigError(f"POLL_TIMEOUT_MS ({service.poll_timeout_ms}) must be under LIVENESS_TIMEOUT_SECONDS "
                              f"({service.liveness_timeout_seconds:g}): an idle worker would fail /healthz")
        if poll_seconds >= service.shutdown_timeout_seconds:
            raise ConfigError(f"POLL_TIMEOUT_MS ({service.poll_timeout_ms}) must be under SHUTDOWN_TIMEOUT_SECONDS "
                              f"({service.shutdown_timeout_seconds:g}): an idle worker would overrun every shutdown")
        if 3 * service.stage_timeout_seconds >= service.liveness_timeout_seconds:
            raise ConfigError(f"3 x STAGE_TIMEOUT_SECONDS ({service.stage_timeout_seconds:g}) must be under "
                              f"LIVENESS_TIMEOUT_SECONDS ({service.liveness_timeout_seconds:g}): one slow page would "
                              f"fail /healthz, and the restarted worker reads it again")
