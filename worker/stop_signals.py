"""SIGTERM and SIGINT from the first moment of `python -m worker`.

Python ends a process on SIGTERM until a handler is installed, and `run` installs its own only once
its modules are imported and its HTTP server listens (about half a second): a SIGTERM in that time
(a rolling update, a scale-down right after a start) ended it with 143 rather than the 0 of a stop
on request. worker/__main__.py calls remember() first, so a signal that early is only noted;
install() hands it to the command's handler as soon as that exists, and a command without one
(restore()) gets the default back and the noted signal delivered again, ending as before.

Only the standard library here: this runs before any of the worker's imports.
"""
from __future__ import annotations

import signal
from collections.abc import Callable

SIGNALS = (signal.SIGTERM, signal.SIGINT)
_noted: list[int] = []


def remember() -> None:
    """From now until install() or restore(), SIGTERM and SIGINT are noted, nothing else."""
    for signum in SIGNALS:
        signal.signal(signum, _note)


def install(handler: Callable) -> None:
    """handler(signum, frame) for SIGTERM and SIGINT; called at once for each noted before."""
    for signum in SIGNALS:
        signal.signal(signum, handler)
    while _noted:
        handler(_noted.pop(0), None)


def restore() -> None:
    """Python's own handling back (SIGTERM ends the process, SIGINT raises KeyboardInterrupt), and a
    signal noted meanwhile delivered again."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    while _noted:
        signal.raise_signal(_noted.pop(0))


def _note(signum: int, frame) -> None:  # noqa: ARG001
    _noted.append(signum)
