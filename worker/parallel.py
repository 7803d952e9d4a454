"""A Pipeline that prepares (cleans and fingerprints) in several processes and decides in input order.

The records of a batch are decoded, cleaned and fingerprinted in `jobs` child processes, and
decided here in input order, so the outputs are those of one process, byte for byte: cleaning a page
depends on nothing but the page, so any child may take it. The children take chunks of pages from one
queue, each the next chunk as soon as it is free (a child slowed down by other work on the machine
takes fewer). A batch is handed out as soon as `prepare_each` is called, so the loop can start the
next batch before it decides and delivers this one (ConsumeLoop's read_ahead), and the children are
not idle meanwhile.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Iterable, Iterator
from importlib import resources
from itertools import count

from .config import Settings
from .errors import PageRejected, Reason
from .models import SourceRecord
from .pipeline import Cleaned, Output, Pipeline, Preparer
from .metrics import Metrics
from .state import DedupIndex

# Pages sent to a child in one message: enough to amortize the queue's cost (~50 us a message),
# few enough that the first results come back soon.
CHUNK_PAGES = 8
# How often the parent checks, while waiting for a result, that no child died.
CHILD_CHECK_SECONDS = 1.0


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class PreparingProcessDied(RuntimeError):
    """A child preparing pages exited mid-batch: `process` stops with this error instead of waiting
    for its pages for ever."""


class ParallelPipeline(Pipeline):
    def __init__(self, settings: Settings, index: DedupIndex, metrics: Metrics | None = None, jobs: int = 2):
        super().__init__(settings, index, metrics)
        if jobs < 2:
            raise ValueError("ParallelPipeline needs at least 2 jobs; use Pipeline for one")
        self.jobs = jobs
        self._batches = count()
        self._children: list[multiprocessing.Process] = []
        self._tasks = None  # chunks of pages, (batch, [(index, page), ...]); any child takes the next
        self._results = None
        # Per batch handed out and not finished: its results arrived so far, by index in the batch.
        self._arrived: dict[int, dict[int, Cleaned | Output]] = {}
        self._start()

    def prepare_each(self, records: Iterable[SourceRecord]) -> Iterator[Cleaned | Output]:
        """Hands the records to the children now (not as the caller asks, as Pipeline does); the
        results come in input order. Closing the iterator abandons the batch: its results still to
        come are dropped (those of a batch never asked for, until close)."""
        records = list(records)
        batch = next(self._batches)
        self._arrived[batch] = {}
        # (undecoded: the children decode them, and raw bytes pickle as they are, where a page's
        # body would be encoded again)
        for start in range(0, len(records), CHUNK_PAGES):
            self._tasks.put((batch, list(enumerate(records[start:start + CHUNK_PAGES], start))))
        return self._in_order(batch, records)

    def _in_order(self, batch: int, records: list[SourceRecord]) -> Iterator[Cleaned | Output]:
        ready = self._arrived[batch]
        try:
            for i, record in enumerate(records):
                while i not in ready:
                    self._receive()
                item = ready.pop(i)
                if isinstance(item, tuple):  # why the child could not prepare the page, and its URL
                    (reason, message, stage, error_class), url = item
                    item = self.dead_letter(record, PageRejected(Reason(reason), message, stage=stage), url,
                                            error_class)
                yield item
        finally:
            del self._arrived[batch]

    def _receive(self) -> None:
        """Files the next results that arrive under their batch (those of an abandoned one are dropped)."""
        while True:
            try:
                batch, results = self._results.get(timeout=CHILD_CHECK_SECONDS)
            except queue.Empty:
                self._check_children()
                continue
            if batch in self._arrived:
                self._arrived[batch].update(results)
            return

    def _check_children(self) -> None:
        for child in self._children:
            if not child.is_alive():
                raise PreparingProcessDied(f"preparing process {child.pid} died (exit code {child.exitcode})")

    def _start(self) -> None:
        # fork: the children start at once with the parent's modules loaded (spawn would import the
        # worker again in each, about a second). They start with the pipeline, before any thread.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        if context.get_start_method() == "fork":
            _warm_up(self.settings)
        self._tasks, self._results = context.Queue(), context.Queue()
        for n in range(self.jobs):
            child = context.Process(target=_prepare_forever, args=(self.settings, self._tasks, self._results),
                                    name=f"prepare-{n}", daemon=True)
            child.start()
            self._children.append(child)

    def close(self) -> None:
        for _ in self._children:
            self._tasks.put(None)  # (each child takes one and stops)
        for child in self._children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join()
        self._children = []
        super().close()


def _warm_up(settings: Settings) -> None:
    """One bundled sample page prepared here, before the children are forked: what a process builds
    on its first page (the dedup's character and hash tables, its lexicons: about 20 ms) is then
    built once and shared by the children, rather than built again in each."""
    sample = (resources.files("worker") / "samples" / "pages.jsonl").read_bytes().split(b"\n", 1)[0]
    Preparer(settings).prepare(SourceRecord("warm-up", 0, 0, None, sample))


def _prepare_forever(settings: Settings, tasks, results) -> None:
    """A child: its own cleaner, the next chunk from the shared queue as soon as it is free."""
    preparer = Preparer(settings)
    while (message := tasks.get()) is not None:
        batch, chunk = message
        results.put((batch, [(index, _prepare(preparer, record)) for index, record in chunk]))
    preparer.clean.close()


def _prepare(preparer: Preparer, record: SourceRecord):
    """The record decoded, cleaned and fingerprinted, or why not: (_rejection, url)."""
    page = preparer.decode_page(record)
    if isinstance(page, PageRejected):
        return _rejection(page), None
    outcome = preparer.clean_page(page)
    if isinstance(outcome, PageRejected):
        return _rejection(outcome), page.url
    # The event's content hash, computed here and pickled with the article (Article._hashed): the
    # parent decides every page in turn, so what it is spared is the serial part of a run.
    outcome.article.content_hash  # noqa: B018
    return outcome


def _rejection(rejected: PageRejected) -> tuple[str, str, str | None, str]:
    """What the parent can unpickle (an exception with keyword fields does not pickle whole):
    reason, message, stage and the class of the error behind it."""
    return rejected.reason.value, rejected.message, rejected.stage, type(rejected.__cause__ or rejected).__name__
