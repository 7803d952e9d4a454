"""The decision rules every backend shares (base.DedupIndex states them): claim keys, the window
rule, and how a stored decision is written and read back.

The memory backend applies them in Python; the redis backend's Lua script applies the same rules
and is given the same keys and codes from here (redis.py), so neither side keeps its own copy.
"""
from __future__ import annotations

import struct

import xxhash

from ..models import DedupDecision
from .base import Fingerprint

# Method codes, stored with every decision: 0 unique, then the methods in the order they are tried.
UNIQUE, URL, EXACT, NEAR = 0, 1, 2, 3
METHODS = (None, "url", "exact", "near")
CODE = {method: code for code, method in enumerate(METHODS)}
UNIQUE_DECISION = DedupDecision.unique()

# Decisions carry similarity rounded to 4 decimals: it is stored exactly as an integer of 1e-4.
SIMILARITY_SCALE = 10_000

# Article ids, canonical URLs and content hashes are claimed by 64-bit xxh3 digests, a seed per
# kind so that an id, a URL and a hash never share a key (chance collision of two of the ~1.4
# million articles a 14-day window holds at 100k a day: about 1 in 20 million).
ID_SEED, URL_SEED, HASH_SEED = 1, 2, 3


def key64(text: str, seed: int) -> int:
    return xxhash.xxh3_64_intdigest(text.encode(), seed)


def claim_keys(fp: Fingerprint) -> list[int]:
    """The keys a decision looks up and claims: article id, URL, content hash."""
    return [key64(fp.article_id, ID_SEED), key64(fp.url_key, URL_SEED), key64(fp.content_hash, HASH_SEED)]


def packed_claim_keys(fp: Fingerprint) -> tuple[bytes, bytes, bytes]:
    """claim_keys as 8-byte little-endian strings (the redis backend's hash fields)."""
    return tuple(struct.pack("<Q", key) for key in claim_keys(fp))  # type: ignore[return-value]


def usable(at: float, claimed_at: float, window_seconds: float) -> bool:
    """A claim (or indexed article) counts for a page fetched at `at` when it was fetched less than
    a window before it; a later fetch counts too. Plain float64 arithmetic, as in the Lua script."""
    return at - claimed_at < window_seconds


def decision_of(code: int, duplicate_of: str | None, similarity: float) -> DedupDecision:
    """A stored decision read back: its method code, canonical and similarity."""
    if code == UNIQUE:
        return UNIQUE_DECISION
    return DedupDecision.duplicate(duplicate_of or "", METHODS[code], similarity)


def scaled_similarity(decision: DedupDecision) -> int:
    return round((decision.similarity or 0.0) * SIMILARITY_SCALE)
