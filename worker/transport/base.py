"""What the service loop needs from a transport. Kafka, in-memory and file transports implement it.

A Source hands out records and takes offset commits; a Sink delivers outputs and says, for the
whole batch, whether the destination acknowledged every one of them, and which ones it refused for
good.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..models import SourceRecord
from ..pipeline import Output

# (topic, partition) -> the next offset to read, i.e. last processed offset + 1 (Kafka's convention).
Offsets = dict[tuple[str, int], int]


@dataclass(frozen=True, slots=True)
class Refused:
    """An output the destination refused for good, alone: sending it again cannot succeed (too
    large for its topic, refused by the broker's validation)."""

    output: Output
    error_class: str  # the broker's answer, e.g. MessageSizeTooLargeError
    why: str


class DeliveryFailed(Exception):
    """The destination did not acknowledge every output of a batch. Nothing is committed; the
    batch is delivered again (outputs are idempotent: same keys, same values)."""


class CommitFailed(Exception):
    """Offsets could not be committed (e.g. the partitions were reassigned meanwhile). The records
    are redelivered to their new owner, which at-least-once allows."""


class SourceUnavailable(Exception):
    """The broker could not be reached to fetch records or keep the group membership (e.g. it is
    restarting). Nothing was handed out; the loop waits and polls again."""


class Source(Protocol):
    def poll(self, max_records: int, timeout_ms: int) -> list[SourceRecord] | None:
        """Next records; [] when none arrived in time; None when a finite source is exhausted.
        Raises SourceUnavailable when the broker cannot be reached."""

    def commit(self, offsets: Offsets) -> None: ...

    def rewind(self, records: list[SourceRecord]) -> None:
        """Serve these records (the unprocessed end of the last batch, in order) again from the
        next poll on."""

    def keepalive(self) -> None:
        """Called while the loop waits on a dependency, so the group does not drop this member.
        Raises SourceUnavailable when the broker cannot be reached."""

    def owns(self, topic: str, partition: int) -> bool:
        """False once the partition was revoked: its uncommitted work belongs to the new owner."""

    def lag(self) -> dict[tuple[str, int], int]: ...

    def close(self) -> None: ...


class Sink(Protocol):
    def deliver(self, outputs: list[Output]) -> list[Refused]:
        """Send all outputs; return when every one is acknowledged or refused for good (the
        refused ones, each with why: every other one was acknowledged), else raise DeliveryFailed."""

    def close(self) -> None: ...


def next_offsets(records: list[SourceRecord]) -> Offsets:
    """The offsets to commit after processing `records` (each partition's records in order)."""
    offsets: Offsets = {}
    for record in records:
        key = (record.topic, record.partition)
        offsets[key] = max(offsets.get(key, 0), record.offset + 1)
    return offsets
