"""A Pipeline that prepares (cleans and fingerprints) in several processes and decides in input order.

The records of a batch are decoded here (routing needs each page's URL and type), cleaned and
fingerprinted in `jobs` child processes, and decided here in input order, so the outputs are those of
one process, byte for byte.

One thing makes cleaning depend on earlier pages: the text path's memory of the lines a site repeats
(SiteLineMemory), read and updated per site, with the least recently seen sites forgotten beyond
CLEAN_SITE_MEMORY_SITES. So every text page of a site goes to the same child (by a stable hash of
its host), which holds that site's memory, and every child is told of the other children's text
pages (their host only), so that its memory forgets sites in the order one process would. HTML
pages, and text pages when the memory is off, depend on nothing else: they go to the child with the
fewest bytes in hand.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import zlib
from collections.abc import Iterable, Iterator
from itertools import count

from .cleaning.text import _host as memory_site  # the key SiteLineMemory files a text page under
from .config import Settings
from .models import RawPage, SourceRecord
from .pipeline import Cleaned, Output, Pipeline, Preparer
from .service.metrics import Metrics
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
    pass


class ParallelPipeline(Pipeline):
    def __init__(self, settings: Settings, index: DedupIndex, metrics: Metrics | None = None, jobs: int = 2):
        super().__init__(settings, index, metrics)
        if jobs < 2:
            raise ValueError("ParallelPipeline needs at least 2 jobs; use Pipeline for one")
        self.jobs = jobs
        self._memory_on = settings.cleaning.site_memory_sites > 0
        self._batches = count()
        self._children: list[multiprocessing.Process] = []
        self._tasks: list = []
        self._results = None

    def prepare_each(self, records: Iterable[SourceRecord]) -> Iterator[Cleaned | Output]:
        records = list(records)
        if not records:
            return
        self._start()
        batch = next(self._batches)
        ready: dict[int, Cleaned | Output] = {}
        # Per child: its entries not sent yet, (index, page) or a host to remember, in input order;
        # a chunk goes as soon as it holds CHUNK_PAGES pages, so the children start at once.
        plans: list[list] = [[] for _ in range(self.jobs)]
        load = [0] * self.jobs
        pages = [0] * self.jobs  # pages in each child's plan
        for i, record in enumerate(records):
            page = self.decode_record(record)
            if isinstance(page, Output):
                ready[i] = page
                continue
            child = self._route(page, load, plans)
            plans[child].append((i, page))
            load[child] += len(page.body)
            pages[child] += 1
            if pages[child] == CHUNK_PAGES:
                self._tasks[child].put((batch, plans[child]))
                plans[child], pages[child] = [], 0
        for child, plan in enumerate(plans):
            if plan:
                self._tasks[child].put((batch, plan))
        for i in range(len(records)):
            while i not in ready:
                ready.update(self._receive(batch))
            yield ready.pop(i)

    def _route(self, page: RawPage, load: list[int], plans: list[list]) -> int:
        if not (self._memory_on and page.content_type == "text/plain"):
            return load.index(min(load))
        site = memory_site(page.url)
        child = zlib.crc32(site.encode()) % self.jobs
        if page.body and not page.body.isspace():  # extract_text remembers only pages with a line
            for other, plan in enumerate(plans):
                if other != child:
                    plan.append((site, page.url))
        return child

    def _receive(self, batch: int) -> list[tuple[int, Cleaned | Output]]:
        while True:
            try:
                done_batch, results = self._results.get(timeout=CHILD_CHECK_SECONDS)
            except queue.Empty:
                self._check_children()
                continue
            if done_batch == batch:  # (results of a batch abandoned by a stop are dropped)
                return results

    def _check_children(self) -> None:
        for child in self._children:
            if not child.is_alive():
                raise PreparingProcessDied(f"preparing process {child.pid} died (exit code {child.exitcode})")

    def _start(self) -> None:
        if self._children:
            return
        # fork: the children start at once with the parent's modules loaded (spawn would import the
        # worker again in each, about a second). Nothing runs threads yet when they start.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._results = context.Queue()
        for n in range(self.jobs):
            tasks = context.Queue()
            child = context.Process(target=_prepare_forever, args=(self.settings, tasks, self._results),
                                    name=f"prepare-{n}", daemon=True)
            child.start()
            self._tasks.append(tasks)
            self._children.append(child)

    def close(self) -> None:
        for tasks in self._tasks:
            tasks.put(None)
        for child in self._children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join()
        self._children, self._tasks = [], []
        super().close()


def _prepare_forever(settings: Settings, tasks, results) -> None:
    """A child: its own cleaner (and so its own memory of its sites), chunk after chunk, in order."""
    preparer = Preparer(settings)
    memory = preparer.clean.site_lines
    while (message := tasks.get()) is not None:
        batch, chunk = message
        done = []
        for entry in chunk:
            if isinstance(entry[0], int):
                index, page = entry
                done.append((index, preparer.finish(page.record, page)))
            else:
                # Another child's page: only the order of sites matters here (this child never
                # reads that site's lines), so it is remembered without lines.
                site, url = entry
                memory.remember(site, url, [])
        results.put((batch, done))
    preparer.clean.close()
