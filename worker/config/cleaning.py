"""Thresholds of the cleaning stage, named and documented here (not scattered in the code)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .env import get_int


@dataclass(frozen=True)
class CleaningSettings:
    # Quality gate: a page whose cleaned text has fewer words than this has no article text
    # and goes to the DLQ with reason no_content.
    min_words: int = 25

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CleaningSettings:
        return cls(min_words=get_int(env, "CLEAN_MIN_WORDS", cls.min_words, minimum=0))
