"""In-memory and file transports: the same service loop without a broker (tests, offline runs)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..models import SourceRecord
from ..pipeline import Output
from .base import DeliveryFailed, Offsets, Refused


class MemorySource:
    """Serves a fixed list of records in order, then reports exhaustion. Commits are recorded."""

    def __init__(self, records: list[SourceRecord]):
        self._records = list(records)
        self._position = 0
        self.committed: Offsets = {}

    def poll(self, max_records: int, timeout_ms: int) -> list[SourceRecord] | None:
        if self._position >= len(self._records):
            return None
        batch = self._records[self._position:self._position + max_records]
        self._position += len(batch)
        return batch

    def commit(self, offsets: Offsets) -> None:
        self.committed.update(offsets)

    def rewind(self, records: list[SourceRecord]) -> None:
        self._records[self._position:self._position] = records

    def keepalive(self) -> None:
        """Nothing to keep alive without a group."""

    def owns(self, topic: str, partition: int) -> bool:
        return True

    def lag(self) -> dict[tuple[str, int], int]:
        return {}

    def close(self) -> None:
        """Nothing to release."""


class MemorySink:
    """Collects delivered outputs per topic. `fail_next` makes the next N deliveries fail;
    `refuse(output)`, when it returns a reason, refuses that output for good, as a broker can."""

    def __init__(self, refuse: Callable[[Output], str | None] | None = None) -> None:
        self.topics: dict[str, list[Output]] = defaultdict(list)
        self.fail_next = 0
        self.refuse = refuse

    def deliver(self, outputs: list[Output]) -> list[Refused]:
        if self.fail_next:
            self.fail_next -= 1
            raise DeliveryFailed("simulated delivery failure")
        refused = []
        for output in outputs:
            why = self.refuse(output) if self.refuse else None
            if why:
                refused.append(Refused(output, "RefusedBySink", why))
            else:
                self.topics[output.topic].append(output)
        return refused

    def close(self) -> None:
        """Nothing to release."""


class JsonLinesSource(MemorySource):
    """A JSON-lines file of raw page values: line N is the record at offset N of partition 0."""

    def __init__(self, path: str | Path, topic: str):
        records = []
        with open(path, "rb") as handle:
            for number, line in enumerate(handle):
                line = line.rstrip(b"\r\n")
                if line.strip():
                    records.append(SourceRecord(topic=topic, partition=0, offset=number, key=None, value=line))
        super().__init__(records)

    def __len__(self) -> int:
        return len(self._records)


class JsonLinesSink:
    """Writes DIR/<topic>.jsonl, one event per line, for every output topic (created empty up front)."""

    def __init__(self, directory: str | Path, topics: list[str]):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[bytes]] = {t: open(self.directory / f"{t}.jsonl", "wb") for t in topics}
        self.counts: dict[str, int] = {t: 0 for t in topics}

    def deliver(self, outputs: list[Output]) -> list[Refused]:
        for output in outputs:
            self._files[output.topic].write(output.value + b"\n")
            self.counts[output.topic] += 1
        for handle in self._files.values():
            handle.flush()
        return []

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
