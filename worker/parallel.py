"""A Pipeline that prepares (cleans and fingerprints) in several processes and decides in input order.

The records of a batch are decoded, cleaned and fingerprinted in `jobs` child processes, and
decided here in input order, so the outputs are those of one process, byte for byte: cleaning a page
depends on nothing but the page, so any child may take it. A batch is cut into chunks of pages,
handed out as soon as `prepare_each` is called (so the loop can start the next batch before it
decides and delivers this one: ConsumeLoop's read_ahead), a few chunks to each child at a time (a
child slowed down by other work on the machine takes fewer).

The children are the sandbox of the HTML parsers, whose C code a signal cannot stop (see
stages/isolation.py): they extract every page in their own process, without a child of their own,
and this process watches them. A child notes in shared memory which page it is on and by when that
page must be done (STAGE_TIMEOUT_SECONDS for each stage, and a grace). A child that overruns it is
killed, and one that dies on a page (a crash in C code, the kernel's OOM killer) is replaced: the
page goes to the DLQ, the other pages handed to that child go to the others. Every child has pipes
of its own, so a child killed mid-message leaves no lock held that another needs.
"""
from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import queue
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import count
from multiprocessing.connection import Connection, wait
from typing import Any

from .config import Settings
from .errors import PageRejected, Reason
from .models import RawPage, SourceRecord
from .pipeline import Cleaned, Output, Pipeline, Preparer
from .metrics import Metrics
from .stages.isolation import at_memory_bound, be_the_first_to_go, bound_address_space
from .state import DedupIndex

# Pages sent to a child in one message: enough to amortize the queue's cost (~50 us a message),
# few enough that the first results come back soon.
CHUNK_PAGES = 8
# Chunks a child holds at once: the one it prepares and the next ones, so that it never waits for
# this process, which may be busy deciding and delivering.
CHUNKS_PER_CHILD = 3
# How often the children are looked at (alive, within their page's time) while results are awaited.
CHILD_CHECK_SECONDS = 0.25
# Time a page's stage may run past its limit before its child is killed: a stage interrupted in
# Python code (at its limit) sends its own dead letter meanwhile.
KILL_GRACE_SECONDS = 0.5
# What a child is doing, as noted in its slot (on no page: a deadline of 0).
_DECODE, _CLEAN = 1.0, 2.0
_PR_SET_PDEATHSIG = 1  # (linux/prctl.h)


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class PreparingProcessDied(RuntimeError):
    """A child preparing pages exited while on no page (not a page's doing): `process` stops with
    this error instead of waiting for its pages for ever."""


class _Slots:
    """Each child's page and deadline, in memory shared with the children: (chunk id, position in
    the chunk, phase, deadline on the monotonic clock, which all processes of the machine share)."""

    WIDTH = 4

    def __init__(self, context: Any, jobs: int):
        self._values = context.RawArray("d", self.WIDTH * jobs)

    def enter(self, n: int, chunk: int, position: int, phase: float, seconds: float) -> None:
        values, at = self._values, n * self.WIDTH
        values[at + 3] = 0.0  # (no deadline while the fields change: the watcher reads it first)
        values[at], values[at + 1], values[at + 2] = chunk, position, phase
        values[at + 3] = time.monotonic() + seconds if seconds > 0 else math.inf

    def leave(self, n: int) -> None:
        self._values[n * self.WIDTH + 3] = 0.0

    def read(self, n: int) -> tuple[float, int, int, float]:
        """(deadline, chunk, position, phase); a deadline of 0: on no page."""
        values, at = self._values, n * self.WIDTH
        deadline = values[at + 3]
        return deadline, int(values[at]), int(values[at + 1]), values[at + 2]


@dataclass
class _Child:
    process: Any  # multiprocessing.Process
    tasks: Any  # multiprocessing.Queue of chunks for this child only
    results: Connection  # its prepared chunks
    chunks: list[int] = field(default_factory=list)  # chunk ids handed to it, results not yet in


class ParallelPipeline(Pipeline):
    def __init__(self, settings: Settings, index: DedupIndex, metrics: Metrics | None = None, jobs: int = 2):
        super().__init__(settings, index, metrics)
        if jobs < 2:
            raise ValueError("ParallelPipeline needs at least 2 jobs; use Pipeline for one")
        self.jobs = jobs
        self._batches = count()
        self._chunk_ids = count()
        # Chunks handed out or waiting, results not yet in: id -> (batch, [(index, record), ...]).
        self._chunks: dict[int, tuple[int, list[tuple[int, SourceRecord]]]] = {}
        self._waiting: deque[int] = deque()  # chunk ids not handed to a child yet
        # Per batch handed out and not finished: its results arrived so far, by index in the batch.
        self._arrived: dict[int, dict[int, Any]] = {}
        self._checked = 0.0
        # fork: the children start at once with this process's modules loaded (spawn would import
        # the worker again in each, about a second). The first ones start with the pipeline,
        # before any thread.
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else None)
        if self._context.get_start_method() == "fork":
            _warm_up(self.settings)
        self._slots = _Slots(self._context, jobs)
        self._children = [self._start_child(n) for n in range(jobs)]

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
            chunk = next(self._chunk_ids)
            self._chunks[chunk] = (batch, list(enumerate(records[start:start + CHUNK_PAGES], start)))
            self._waiting.append(chunk)
        self._hand_out()
        return self._in_order(batch, records)

    def _in_order(self, batch: int, records: list[SourceRecord]) -> Iterator[Cleaned | Output]:
        ready = self._arrived[batch]
        try:
            for i, record in enumerate(records):
                while i not in ready:
                    self._receive(CHILD_CHECK_SECONDS)
                item = ready.pop(i)
                if isinstance(item, tuple):  # why the child could not prepare the page, and its URL
                    (reason, message, stage, error_class), url = item
                    item = self.dead_letter(record, PageRejected(Reason(reason), message, stage=stage), url,
                                            error_class)
                yield item
                if i % CHUNK_PAGES == 0:  # (the children's next chunks, while the caller works)
                    self._receive(0)
        finally:
            del self._arrived[batch]

    def _receive(self, timeout: float) -> None:
        """Files the results that arrive within `timeout` under their batch (those of an abandoned
        one are dropped), hands out more chunks and looks at the children."""
        by_connection = {child.results: child for child in self._children}
        for connection in wait(list(by_connection), timeout):
            child = by_connection[connection]
            try:
                chunk, results = connection.recv()
            except (EOFError, OSError):  # it died, perhaps mid-message: the look below replaces it
                child.process.join(timeout=CHILD_CHECK_SECONDS)
                self._checked = 0.0
                continue
            child.chunks.remove(chunk)
            batch, _ = self._chunks.pop(chunk)
            if batch in self._arrived:
                self._arrived[batch].update(results)
        self._hand_out()
        now = time.monotonic()
        if now - self._checked >= CHILD_CHECK_SECONDS:
            self._checked = now
            self._look_at_children(now)

    def _hand_out(self) -> None:
        for child in self._children:
            while self._waiting and len(child.chunks) < CHUNKS_PER_CHILD:
                chunk = self._waiting.popleft()
                batch, pages = self._chunks[chunk]
                if batch not in self._arrived:  # abandoned
                    del self._chunks[chunk]
                    continue
                child.chunks.append(chunk)
                child.tasks.put((chunk, pages))

    def _look_at_children(self, now: float) -> None:
        """Kills a child past its page's deadline and replaces it, or one that died on a page."""
        limit = self.settings.service.stage_timeout_seconds
        for n, child in enumerate(self._children):
            alive = child.process.is_alive()
            deadline, chunk, position, phase = self._slots.read(n)
            if alive and not (deadline and now > deadline + KILL_GRACE_SECONDS):
                continue
            stage = "clean" if phase == _CLEAN else "decode"
            if alive:
                child.process.kill()
                child.process.join()
                rejection = (Reason.STAGE_TIMEOUT.value, f"{stage} took longer than {limit:g}s on this page",
                             stage, "StageTimeout")
            elif not deadline:
                raise PreparingProcessDied(f"preparing process {child.process.pid} died on no page "
                                           f"(exit code {child.process.exitcode})")
            else:
                rejection = (Reason.STAGE_ERROR.value, f"the process preparing this page died "
                             f"(exit code {child.process.exitcode})", stage, "PreparingProcessDied")
            self._replace(n, chunk, position, rejection, decoded=phase == _CLEAN)

    def _replace(self, n: int, chunk: int, position: int, rejection: tuple, decoded: bool) -> None:
        """The page at `position` of `chunk` dead-lettered, the other pages the child held handed
        to the others, and a new child in its place."""
        child = self._children[n]
        if chunk in child.chunks:
            batch, pages = self._chunks[chunk]
            index, record = pages[position]
            if batch in self._arrived:
                page = self.decode_page(record) if decoded else None  # (for the letter's URL)
                self._arrived[batch][index] = (rejection, page.url if isinstance(page, RawPage) else None)
            self._chunks[chunk] = (batch, pages[:position] + pages[position + 1:])
        self._waiting.extendleft(reversed(child.chunks))
        _discard(child)
        self._slots.leave(n)  # (the new child is on no page yet: not the old one's overdue page)
        self._children[n] = self._start_child(n)
        self._hand_out()

    def _start_child(self, n: int) -> _Child:
        tasks = self._context.Queue()
        results, sending = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_prepare_forever, name=f"prepare-{n}", daemon=True,
                                        args=(self.settings, n, self._slots, tasks, sending, os.getpid()))
        process.start()
        sending.close()  # (the child holds the only writing end: its death is an end of file here)
        return _Child(process, tasks, results)

    def close(self) -> None:
        # A child still holding chunks (a stopped run's) may be waiting to send them: it is killed.
        idle = [child for child in self._children if not child.chunks]
        for child in idle:
            child.tasks.put(None)  # (each stops when it takes it)
        for child in idle:
            child.process.join(timeout=5)
        for child in self._children:
            _discard(child)
        self._children = []
        super().close()


def _discard(child: _Child) -> None:
    """Stops the child if it still runs and frees its pipes. What was still on its way to a child
    that did not stop by itself is read back, so that this process's thread feeding its queue does
    not wait on a full pipe."""
    if child.process.is_alive():
        child.process.kill()
        child.process.join()
    while child.process.exitcode != 0:
        try:
            child.tasks.get(timeout=0.05)
        except (queue.Empty, OSError, EOFError):
            break
    child.tasks.close()
    child.tasks.cancel_join_thread()  # (the feeding thread ends by itself; exit never waits on it)
    child.results.close()


def _warm_up(settings: Settings) -> None:
    """One bundled sample page prepared here, before the children are forked: what a process builds
    on its first page (the dedup's character and hash tables, its lexicons: about 20 ms) is then
    built once and shared by the children, rather than built again in each."""
    sample = (resources.files("worker") / "samples" / "pages.jsonl").read_bytes().split(b"\n", 1)[0]
    Preparer(settings, isolate_html=False).prepare(SourceRecord("warm-up", 0, 0, None, sample))


def _prepare_forever(settings: Settings, n: int, slots: _Slots, tasks, results: Connection, parent: int) -> None:
    """A child: its own cleaner, extracting HTML in this process (the parent watches it), its next
    chunk from its own queue. Its slot holds the page and the end of its stages' time: decoding's
    limit, then cleaning's and fingerprinting's (each stage stops itself at its limit when in Python
    code)."""
    # Stop signals are the parent's to handle: one sent to every process of the run (a batch
    # scheduler, systemd, Ctrl-C) killed this one, and its pages became stage_error dead letters.
    # The parent ends it (None on its queue, SIGKILL), and the kernel does when the parent dies.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    be_the_first_to_go()  # (a page's tree that fills the memory costs this process, not the parent)
    preparer = Preparer(settings, isolate_html=False)
    # A hostile page's tree grows by hundreds of MB a second: past the bound it is a stage_error
    # at once, not the host's memory filled until the time limit.
    bound_mb = bound_address_space(settings.cleaning.html_child_max_mb)
    limit = settings.service.stage_timeout_seconds
    while (message := tasks.get()) is not None:
        chunk, pages = message
        prepared = []
        for position, (index, record) in enumerate(pages):
            slots.enter(n, chunk, position, _DECODE, limit)
            page = preparer.decode_page(record)
            if isinstance(page, RawPage):
                slots.enter(n, chunk, position, _CLEAN, 2 * limit)
            prepared.append((index, _prepared(preparer, page, bound_mb)))
        slots.leave(n)
        results.send((chunk, prepared))


def _die_with_parent(parent: int) -> None:
    """Asks the kernel to kill this process when its parent dies (Linux's PR_SET_PDEATHSIG): a
    parent killed outright cannot stop its children, and each would wait for its next chunk for
    ever (another child holds its queue's writing end open). Elsewhere, nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # (it died before the request)
        os._exit(1)


def _prepared(preparer: Preparer, page: RawPage | PageRejected, bound_mb: int):
    """The decoded page cleaned and fingerprinted, or why not: (_rejection, url)."""
    if isinstance(page, PageRejected):
        return _rejection(page), None
    outcome = preparer.clean_page(page)
    if isinstance(outcome, PageRejected):
        if outcome.reason is Reason.STAGE_ERROR:
            outcome.message += at_memory_bound(bound_mb)
        return _rejection(outcome), page.url
    # The event's content hash, computed here and pickled with the article (Article._hashed): the
    # parent decides every page in turn, so what it is spared is the serial part of a run.
    outcome.article.content_hash  # noqa: B018
    return outcome


def _rejection(rejected: PageRejected) -> tuple[str, str, str | None, str]:
    """What the parent can unpickle (an exception with keyword fields does not pickle whole):
    reason, message, stage and the class of the error behind it."""
    return rejected.reason.value, rejected.message, rejected.stage, type(rejected.__cause__ or rejected).__name__
