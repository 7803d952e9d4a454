"""Structured logs: one JSON object per line on stderr.

Fields: time, level, logger, message, plus any of url, article_id, topic, partition, offset,
reason passed through `extra=`. Secrets never reach a log line: settings objects hide passwords in
their repr, and REDACT_KEYS are masked wherever they appear in `extra`.
"""
from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone

import orjson

CONTEXT_KEYS = ("url", "article_id", "topic", "partition", "offset", "reason", "stage", "event", "count",
                "duration_seconds", "error")
REDACT_KEYS = ("password", "sasl_password", "ssl_password", "redis_url")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS + REDACT_KEYS:
            if key in record.__dict__:
                entry[key] = "***" if key in REDACT_KEYS else record.__dict__[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kafka-python is chatty at INFO (every connection and group state change).
    logging.getLogger("kafka").setLevel(max(logging.WARNING, root.level))
