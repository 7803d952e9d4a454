"""The base of every pipeline stage: one `process` method per stage; this class does the timing,
the per-page time limit and the conversion of failures into DLQ reasons."""
from __future__ import annotations

import signal
from abc import ABC, abstractmethod
import threading
import time
from contextlib import contextmanager
from typing import Generic, Iterator, TypeVar

from ..config.service import IMPORT_GRACE_SECONDS
from ..errors import DependencyError, PageRejected, Reason, StageTimeout
from ..metrics import Metrics

In = TypeVar("In")
Out = TypeVar("Out")


class Stage(ABC, Generic[In, Out]):
    """Subclasses set `name` and implement `process`.

    `process` raises PageRejected for a page it cannot turn into output. Any other exception is a
    bug or a page the stage cannot handle: it becomes a DLQ record with reason stage_error rather
    than a crash, so one bad page never stops the stream. DependencyError passes through:
    that is not the page's fault, and the service retries it.
    """

    name: str = "stage"
    # A stage that talks to an external service must not be interrupted half-way through a request.
    interruptible: bool = True

    def __init__(self, metrics: Metrics | None = None, timeout_seconds: float = 0.0):
        self.metrics = metrics or Metrics()
        self.timeout_seconds = timeout_seconds if self.interruptible else 0.0
        self._duration = self.metrics.stage_duration.labels(stage=self.name)

    @abstractmethod
    def process(self, item: In) -> Out:
        """Turn one item into its output, or raise PageRejected."""

    def process_batch(self, items: list[In]) -> list[Out]:
        """Override when a batch is cheaper than its items one by one (one round trip to a
        backend); it must give the results `process` would give item after item."""
        return [self.process(item) for item in items]

    def run_batch(self, items: list[In]) -> list[Out | PageRejected]:
        """Each item's output, or the PageRejected that sends it to the DLQ.

        An unexpected error in an overridden process_batch falls back to one item at a time, so
        that one bad page costs only itself. DependencyError passes through (retry the batch, or stop).
        """
        if type(self).process_batch is Stage.process_batch or not items:
            return [self._call_or_rejection(item) for item in items]
        started = time.perf_counter()
        try:
            outputs = list(self.process_batch(items))
        except DependencyError:
            raise
        except Exception:  # noqa: BLE001 - retried item by item, each with its own error handling
            return [self._call_or_rejection(item) for item in items]
        share = (time.perf_counter() - started) / len(items)
        for _ in items:
            self._duration.observe(share)
        return outputs

    def _call_or_rejection(self, item: In) -> Out | PageRejected:
        try:
            return self(item)
        except PageRejected as rejected:
            return rejected

    def __call__(self, item: In) -> Out:
        started = time.perf_counter()
        try:
            with _time_limit(self.timeout_seconds):
                return self.process(item)
        except PageRejected as rejected:
            rejected.stage = rejected.stage or self.name
            self._count_failure(rejected.reason)
            raise
        except StageTimeout:
            self._count_failure(Reason.STAGE_TIMEOUT)
            raise PageRejected(Reason.STAGE_TIMEOUT,
                               f"{self.name} took longer than {self.timeout_seconds:g}s on this page",
                               stage=self.name) from None
        except DependencyError:
            raise
        except Exception as error:  # noqa: BLE001 - see class docstring
            self._count_failure(Reason.STAGE_ERROR)
            raise PageRejected(Reason.STAGE_ERROR, f"{type(error).__name__}: {error}", stage=self.name) from error
        finally:
            self._duration.observe(time.perf_counter() - started)

    def _count_failure(self, reason: Reason) -> None:
        self.metrics.stage_failures.labels(stage=self.name, reason=reason.value).inc()


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` with StageTimeout.

    Uses SIGALRM, so it only applies on the main thread (where the worker runs its pipeline);
    elsewhere the block runs unbounded. StageTimeout is a BaseException, so extractor code that
    catches Exception cannot swallow it. C code (a parser) is interrupted when it returns to Python.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):  # noqa: ARG001
        if _importing(frame):
            # An import cut half-way leaves modules half initialized in sys.modules (trafilatura's
            # urllib3 without its util), and every later page of this process that needs them
            # fails, where a fresh process cleans it: the page's time is up once the import ends.
            signal.setitimer(signal.ITIMER_REAL, IMPORT_GRACE_SECONDS)
            return
        raise StageTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _importing(frame) -> bool:
    """Whether the interrupted code runs inside an import (a lazy one: trafilatura on the first page
    that needs it)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False
