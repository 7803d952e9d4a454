"""Settings of input validation (the decode stage): what a raw page may look like before any work
is spent on it. A record outside these limits goes to the DLQ as invalid_field, at decode."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from .env import ConfigError, get_float, get_int, get_str


@dataclass(frozen=True)
class InputSettings:
    # Deepest nesting of arrays and objects in a record's value. The optional fields are carried
    # into the article event, and serializers stop at a recursion limit (orjson: 255 levels); a
    # real page's extra fields nest a few levels.
    max_depth: int = 64
    # fetched_at later than when its record was sent (now, for a record without a plausible send
    # time) plus this is a clock error or a forgery: it would let one record move the dedup window's
    # clock (hours).
    fetched_at_max_ahead_hours: float = 24.0
    # fetched_at before this is not a real fetch time (the web was not crawled before 1990).
    fetched_at_earliest: datetime = datetime(1990, 1, 1, tzinfo=timezone.utc)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> InputSettings:
        earliest = get_str(env, "INPUT_FETCHED_AT_EARLIEST")
        return cls(
            max_depth=get_int(env, "INPUT_MAX_DEPTH", cls.max_depth, minimum=2, maximum=200),
            fetched_at_max_ahead_hours=get_float(env, "INPUT_FETCHED_AT_MAX_AHEAD_HOURS",
                                                 cls.fetched_at_max_ahead_hours, minimum=0),
            fetched_at_earliest=_parse_earliest(earliest) if earliest else cls.fetched_at_earliest,
        )


def _parse_earliest(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"INPUT_FETCHED_AT_EARLIEST must be an ISO-8601 date or time, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
