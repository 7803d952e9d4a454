"""glibc's malloc told to keep freed memory for the next pages rather than hand it back at once.

A page of a few hundred KB is copied several times on its way through a worker process: the broker
client's receive buffers and the record's value (kafka-python, in its network thread), the decoded
JSON body (a str twice the page's size when one character is beyond Latin-1), the page pickled for
the HTML child. By default glibc gives blocks over 128 KB (raised as larger ones are freed) a
mapping of their own, unmapped when freed; trims the top of its heap once a little more than that
is free; and unmaps a thread's heap (at most 64 MB each) as soon as it is empty. Every copy of the
next page then lands in memory fresh from the kernel, each 4 KB of it a page fault on first touch:
with HTML pages that was about 450 faults and a sixth of the worker's CPU time per page, in the
kernel. Large blocks kept in the heap, and freed memory kept up to the thresholds in
worker/config/service.py, the next batch reuses it. One arena for all the threads: memory kept
for one thread (the network thread's fetch buffers) is then there for the others too, rather than
added to the process's peak (with an arena per thread, +20-40 MB at saturation).

Linux with glibc only (the image's Debian); elsewhere (musl, macOS) nothing changes.
"""
from __future__ import annotations

import ctypes
import sys

from .config.service import MALLOC_ARENAS, MALLOC_MMAP_THRESHOLD_BYTES, MALLOC_TOP_PAD_BYTES, MALLOC_TRIM_BYTES

# mallopt's parameters (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def keep_freed_memory() -> bool:
    """Sets this process's malloc up as above (once, at the start); whether it could."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    settings = ((M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD_BYTES), (M_TRIM_THRESHOLD, MALLOC_TRIM_BYTES),
                (M_TOP_PAD, MALLOC_TOP_PAD_BYTES), (M_ARENA_MAX, MALLOC_ARENAS))
    # (glibc returns 1 when it takes a value; musl's mallopt does nothing and returns 0)
    return all([mallopt(parameter, value) == 1 for parameter, value in settings])
