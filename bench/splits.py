"""The frozen tuning / held-out split of every shared benchmark set, in one place.

A page is held out when the SHA-1 of "<set>/<key>" falls in the last third of the hash space. The
split depends only on the set's name and the page's key, so it never moves when pages, code or
thresholds change. Tuning looks only at the tuning part; every benchmark reports both parts apart,
and a change that helps the tuning part while hurting the held-out part is reverted.

    from bench.splits import split_of, TUNING, HELD_OUT
    split_of("readability-pages", "bbc-1")  # -> "tuning" or "held-out"
"""
from __future__ import annotations

import hashlib

TUNING = "tuning"
HELD_OUT = "held-out"
SPLITS = (TUNING, HELD_OUT)


def split_of(set_name: str, key: str) -> str:
    digest = hashlib.sha1(f"{set_name}/{key}".encode()).digest()
    return HELD_OUT if int.from_bytes(digest[:8], "big") % 3 == 2 else TUNING


def is_held_out(set_name: str, key: str) -> bool:
    return split_of(set_name, key) == HELD_OUT
