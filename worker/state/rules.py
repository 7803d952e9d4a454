"""The decision rules every backend shares (base.DedupIndex states them): claim keys, the window
rule, and how a stored decision is written and read back.

The memory backend applies them in Python; the redis backend's Lua script applies the same rules
and is given the same keys and codes from here (redis.py), so neither side keeps its own copy.
"""
from __future__ import annotations

import struct
from collections.abc import Sequence

import xxhash

from ..models import DedupDecision
from .base import REPEATED_ON_SITE, Fingerprint

# Method codes, stored with every decision: 0 unique, then the methods in the order they are tried,
# then a unique page of the site rule (reason repeated_on_site), which stands for itself as a unique
# one does.
UNIQUE, URL, EXACT, NEAR, REPEATED = 0, 1, 2, 3, 4
METHODS = (None, "url", "exact", "near")
CODE = {method: code for code, method in enumerate(METHODS)}
UNIQUE_DECISION = DedupDecision.unique()
REPEATED_DECISION = DedupDecision(status=DedupDecision.UNIQUE_STATUS, reason=REPEATED_ON_SITE)

# Decisions carry similarity rounded to 4 decimals: it is stored exactly as an integer of 1e-4.
SIMILARITY_SCALE = 10_000

# Article ids, canonical URLs, content hashes and the site rule's keys are claimed by 64-bit xxh3
# digests, a seed per kind so that keys of two kinds never meet (chance collision of two of the
# ~1.4 million articles a 14-day window holds at 100k a day: about 1 in 20 million).
ID_SEED, URL_SEED, HASH_SEED, SITE_SEED, TITLE_SEED = 1, 2, 3, 4, 5
# claim_keys' place for an absent site or title key: never claimed, and what is found under it is
# never read.
NO_KEY = 0


def key64(text: str, seed: int) -> int:
    return xxhash.xxh3_64_intdigest(text.encode(), seed)


# An indexed article's origin key (its site and title, for the near step of the site rule): 64 bits,
# the site's 32-bit digest high; low, the title's digest in 30 bits and, above them, OFF_TITLE when
# the text is a long one off its title (fp.long_text) and SHORT when it is short (it has a site_key
# and is not long_text). Chance collisions: a title in a billion of one site's, a site in 4
# billion. NO_KEY: none (an article without fp.site).
ORIGIN_SEED = 6
SHORT = 0x80000000
OFF_TITLE = 0x40000000
_TITLE = OFF_TITLE - 1


def origin_key(fp: Fingerprint) -> int:
    """The origin key of fp.site, fp.title_words and whether fp is a short text or a long one off
    its title (NO_KEY when fp.site is "")."""
    if not fp.site:
        return NO_KEY
    site = xxhash.xxh32_intdigest(fp.site.encode(), ORIGIN_SEED)
    title = xxhash.xxh32_intdigest(fp.title_words.encode(), ORIGIN_SEED) & _TITLE
    flags = OFF_TITLE if fp.long_text else SHORT if fp.site_key else 0
    return (site << 32 | title | flags) or 1


def other_title_on_site(origin, candidate):
    """A candidate of this origin key is none for a page of that one: the same site, another title,
    and one of the two a short text (SHORT) or one of the two, not both, a long text off its title
    (OFF_TITLE). Symmetric, so the order in which the two pages come does not matter. Element-wise
    on numpy uint64 arrays as on ints (the memory backend checks a batch's candidates at once); the
    Lua script compares the same 8 bytes (packed_origin)."""
    return (origin != NO_KEY) & (candidate != NO_KEY) & ((origin >> 32) == (candidate >> 32)) & \
        ((origin & _TITLE) != (candidate & _TITLE)) & \
        ((((origin | candidate) & SHORT) != 0) | (((origin ^ candidate) & OFF_TITLE) != 0))


def packed_origin(key: int) -> bytes:
    """An origin key as 8 little-endian bytes (title first, site last), b"" for NO_KEY."""
    return struct.pack("<Q", key) if key != NO_KEY else b""


def claim_keys(fp: Fingerprint) -> list[int]:
    """The keys a decision looks up and claims: article id, URL, content hash, site key, title key
    (the last two NO_KEY when the fingerprint has none)."""
    return [key64(fp.article_id, ID_SEED), key64(fp.url_key, URL_SEED), key64(fp.content_hash, HASH_SEED),
            key64(fp.site_key, SITE_SEED) if fp.site_key else NO_KEY,
            key64(fp.title_key, TITLE_SEED) if fp.title_key else NO_KEY]


def packed_claim_keys(fp: Fingerprint) -> list[bytes]:
    """claim_keys as 8-byte little-endian strings (the redis backend's hash fields); b"" when absent."""
    return [struct.pack("<Q", key) if key != NO_KEY else b"" for key in claim_keys(fp)]


def keys_to_claim(keys: Sequence[int], taken: Sequence[bool], code: int) -> list[int]:
    """Step 3 of DedupIndex: of claim_keys, the id, and the URL, hash, site and title keys present
    and not taken (claimed by a claim usable for the page: taken has one flag for each of these
    four); a repeated_on_site page claims neither hash nor site."""
    repeated = code == REPEATED
    skip = (False, taken[0], taken[1] or repeated, taken[2] or repeated, taken[3])
    return [key for key, skipped in zip(keys, skip) if not skipped and key != NO_KEY]


def usable(at: float, claimed_at: float, window_seconds: float) -> bool:
    """A claim (or indexed article) counts for a page fetched at `at` when it was fetched less than
    a window before it; a later fetch counts too. Plain float64 arithmetic, as in the Lua script."""
    return at - claimed_at < window_seconds


def code_of(decision: DedupDecision) -> int:
    return REPEATED if decision.reason == REPEATED_ON_SITE else CODE[decision.method]


def is_canonical(code: int) -> bool:
    """A record of this code stands for itself (unique), not for the article it duplicates."""
    return code in (UNIQUE, REPEATED)


def decision_of(code: int, duplicate_of: str | None, similarity: float) -> DedupDecision:
    """A stored decision read back: its method code, canonical and similarity."""
    if code == UNIQUE:
        return UNIQUE_DECISION
    if code == REPEATED:
        return REPEATED_DECISION
    return DedupDecision.duplicate(duplicate_of or "", METHODS[code], similarity)


def scaled_similarity(decision: DedupDecision) -> int:
    return round((decision.similarity or 0.0) * SIMILARITY_SCALE)
