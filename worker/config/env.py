"""Typed reads of environment variables, with errors that name the variable.

Every settings class builds itself with these helpers so that a bad value fails at start-up with
one clear message (ConfigError) instead of deep inside a stage.
"""
from __future__ import annotations

import math
from collections.abc import Mapping


class ConfigError(ValueError):
    """A setting is missing or malformed. The message names the variable and what is expected."""


def get_str(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def require_str(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = get_str(env, name, default)
    if value is None:
        raise ConfigError(f"{name} is required but not set")
    return value


def get_int(env: Mapping[str, str], name: str, default: int, *, minimum: int | None = None,
            maximum: int | None = None) -> int:
    raw = get_str(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    _check_range(name, value, minimum, maximum)
    return value


def get_float(env: Mapping[str, str], name: str, default: float, *, minimum: float | None = None,
              maximum: float | None = None) -> float:
    raw = get_str(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    # float() reads "nan", "inf" and 1e400 too: nan passes every range check and then compares false
    # everywhere (a stage timeout that never fires, a shutdown bound that is always exceeded), and
    # inf overflows the clients' timers.
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {raw!r}")
    _check_range(name, value, minimum, maximum)
    return value


def get_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = get_str(env, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def get_choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = require_str(env, name, default)
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be <= {maximum}, got {value}")
