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
from dataclasses import dataclass, field

from .cleaning import CleaningSettings
from .dedup import DedupSettings
from .env import ConfigError
from .input import InputSettings
from .redis import RedisSettings
from .service import KafkaSettings, ServiceSettings, Topics

__all__ = ["ConfigError", "Settings", "KafkaSettings", "ServiceSettings", "Topics",
           "CleaningSettings", "DedupSettings", "RedisSettings", "InputSettings"]


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
        return cls(
            kafka=KafkaSettings.from_env(env),
            topics=Topics.from_env(env),
            service=ServiceSettings.from_env(env),
            cleaning=CleaningSettings.from_env(env),
            dedup=DedupSettings.from_env(env),
            redis=RedisSettings.from_env(env),
            input=InputSettings.from_env(env),
        )
