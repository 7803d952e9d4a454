"""The dedup index interface: every backend decides atomically and answers replays identically."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from ..models import DedupDecision


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index needs to know of an article to decide whether it was seen before."""

    article_id: str
    url_key: str  # canonical URL
    content_hash: str  # hash of the normalized body
    fetched_at: datetime
    # Near-duplicate fields (worker/dedup computes them): the MinHash signature as packed
    # little-endian uint32 values (b"" when the text is too short for near-dup matching), the LSH
    # band keys derived from it, and the number of distinct shingles (for containment estimates).
    signature: bytes = b""
    band_keys: tuple[bytes, ...] = ()
    shingle_count: int = 0


class DedupIndex(ABC):
    """A window of remembered articles.

    Contract (tests/test_state_contract.py runs it on every backend):
    - decide() looks up and claims in one atomic step: of two copies decided concurrently, exactly
      one is unique.
    - a second decide() for the same article_id returns the first decision unchanged (a replay).
    - checkpoint() makes every decision so far durable; the service calls it before committing
      offsets, so after a restart the state is never behind the committed offsets.
    - an unreachable backend raises worker.errors.DependencyUnavailable (the service retries).
    """

    backend: str = "abstract"

    @abstractmethod
    def decide(self, fingerprint: Fingerprint) -> DedupDecision: ...

    def checkpoint(self) -> None:
        """Persist decisions made so far (no-op for backends that are durable on every decision)."""

    def ping(self) -> bool:
        """True when the backend can take decisions now (used by /readyz)."""
        return True

    @abstractmethod
    def size(self) -> int:
        """Number of articles in the window."""

    def close(self) -> None:
        """Release connections and files."""
