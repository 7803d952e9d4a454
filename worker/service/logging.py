"""Structured logs: one JSON object per line on stderr.

Every line has time (UTC, ISO-8601), level, logger and message; fields passed with `extra=` are
added under their own names (url, article_id, topic, partition, offset, reason, stage, ...), and an
exception's traceback goes under `exception`. The level comes from LOG_LEVEL (ServiceSettings).

Secrets never reach a log line, whatever a developer passes in:
- the values registered with `configure_logging(secrets=...)` (see `settings_secrets`) are masked
  wherever they appear, in the message, in extra fields and in tracebacks;
- credentials inside a URL are masked in any text: the password of user:password@ (up to the
  last @ of the host part, so a raw @ inside a password is masked whole), a user part without a
  password (a token used as the user name: https://TOKEN@host), and the values of query or
  key=value parameters named like secrets (password=, token=, api_key=, secret=, signature=, ...);
- fields named in REDACT_KEYS are masked whatever their value;
- `settings_summary` turns a Settings object into a dict fit for logging: the fields that settings
  classes declare with `repr=False` (their convention for secrets) are masked.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import orjson

MASK = "***"
# Field names (any case) whose values are masked whole: settings, and HTTP headers carrying credentials
# (a page's `headers` as the scraper recorded them).
REDACT_KEYS = frozenset({"password", "passwd", "sasl_password", "ssl_password", "redis_url", "secret", "client_secret",
                         "token", "access_token", "refresh_token", "api_key", "apikey", "authorization",
                         "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
# The user part of a URL: everything between :// and the last @ before the path, query or fragment
# (URL parsers split the host part at its last @, so p@ss in user:p@ss@host is one password).
# A double quote, angle bracket or backslash ends it too (never raw in a URL): a URL quoted in JSON
# text is followed by "," and more fields, which must not be taken for its user part.
_URL_USERINFO = re.compile(r"://(?P<userinfo>[^\s/?#\"<>\\]*)@")
# Parameters whose value is a secret, in a query string (?a=1&token=...) or in free text
# ("password=... host=..."): names ending in these words (access_token, X-Amz-Signature,
# client_secret, api-key, ...), or exactly `key`, `sig` or `pass`. `author=` does not end in one.
_SECRET_PARAMETER = re.compile(
    r"(?P<name>(?<![\w.-])(?:[\w.-]*?(?:password|passwd|pwd|token|secret|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|signature|credential|credentials|auth)|key|sig|pass)=)(?P<value>[^&#\s\"',;]+)",
    re.IGNORECASE)
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Secrets shorter than this are not masked as free text: masking "a" everywhere would mangle lines.
_MIN_SECRET_LENGTH = 4


class Redactor:
    """Masks known secret values and URL passwords in any text."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        # Longest first, so that a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        if "://" in value:
            value = _URL_USERINFO.sub(_mask_userinfo, value)
        if "=" in value:
            value = _SECRET_PARAMETER.sub(lambda m: m.group("name") + MASK, value)
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: MASK if _secret_key(k) and v is not None else self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        if value is None or isinstance(value, (bool, int, float)):
            return value
        return self.text(str(value))


def _secret_key(key: Any) -> bool:
    return isinstance(key, str) and key.lower() in REDACT_KEYS


def _mask_userinfo(match: re.Match) -> str:
    """user:password@ -> user:***@; a user part alone (often a token) -> ***@."""
    user, colon, _ = match.group("userinfo").partition(":")
    return f"://{user}:{MASK}@" if colon else f"://{MASK}@"


class JsonFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor | None = None):
        super().__init__()
        self.redactor = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        redact = self.redactor
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact.text(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_") or key in entry:
                continue
            entry[key] = MASK if _secret_key(key) and value is not None else redact.value(value)
        if record.exc_info:
            entry["exception"] = redact.text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact.text(self.formatStack(record.stack_info))
        # One line per record: orjson never emits a raw newline inside a string.
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO", secrets: Iterable[str | None] = (), stream=None) -> None:
    """Route every logger to one JSON-lines handler on stderr (or `stream`) at `level`.

    Python warnings and uncaught exceptions (main thread and other threads) become log records too,
    so that nothing but JSON lines reaches the log pipeline, a crash's traceback included.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(Redactor(secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kafka-python is chatty at INFO (every connection and group state change).
    logging.getLogger("kafka").setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind, error, traceback) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("worker").critical("uncaught exception, exiting", exc_info=(kind, error, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("worker").critical("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                                         exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def settings_secrets(settings: Any) -> list[str]:
    """Every secret value held by a settings object: its `repr=False` fields; for a URL only the
    password inside it, so that logs still say which host was meant."""
    secrets = []
    for value in _secret_fields(settings):
        if "://" in value:
            password = urlsplit(value).password
            if password:
                secrets.append(password)
        else:
            secrets.append(value)
    return secrets


def settings_summary(settings: Any) -> dict[str, Any]:
    """The settings as a nested dict to log at start, with secret fields masked."""
    summary: dict[str, Any] = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if dataclasses.is_dataclass(value):
            summary[field.name] = settings_summary(value)
        elif not field.repr:
            summary[field.name] = None if value is None else MASK
        else:
            summary[field.name] = value
    return summary


def _secret_fields(settings: Any) -> Iterable[str]:
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if dataclasses.is_dataclass(value):
            yield from _secret_fields(value)
        elif not field.repr and isinstance(value, str) and value:
            yield value
