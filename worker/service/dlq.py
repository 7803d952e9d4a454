"""`python -m worker dlq`: list, count, show and replay dead letters, from the topic or a file.

The source is the dead-letter topic (read from its start to its end, outside any consumer group:
reading commits nothing), or a `process` output file (one dead-letter event per line). A selection
(--reason, --since, --until, --limit) narrows what is listed, counted or replayed; on the topic the
reason and time are read from the record's headers and timestamp, without parsing its JSON.

`replay` re-publishes the original key and value of each selected letter to the input topic, so
that the pages go through the pipeline again once the cause is fixed. It is safe to run twice: a
page that was published since comes out as the same decision (dedup decisions are keyed by
article_id), and a page that fails again becomes a new dead letter. Letters whose original was cut
to fit the broker's size limit (`value_truncated`, `key_truncated`) cannot be replayed faithfully:
they are skipped and counted.
"""
from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from contextlib import closing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

import orjson

from ..config import Settings
from ..config.service import DLQ_READ_IDLE_SECONDS
from ..errors import Reason
from ..models import decode_original, format_time, parse_time
from ..pipeline import dlq_headers
from ..transport.kafka_topic import TopicRecord, publish, read_topic

EXIT_OK = 0
# Some of the selection was not re-published (the rest was): the output says which.
EXIT_PARTIAL = 1
EXIT_USAGE = 2
# Refs named in a message about letters not re-published.
REFS_SHOWN = 20
ERROR_PREVIEW_CHARS = 100

_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@dataclass(slots=True)
class Letter:
    """One dead letter: where it is (`ref`: PARTITION:OFFSET in the topic, or the file's line
    number), its headers, its reason and time, and its JSON value parsed on demand."""

    ref: str
    headers: dict[str, str]
    failed_at: datetime | None
    key: bytes | None
    value: bytes
    _event: dict[str, Any] | None = None

    @property
    def reason(self) -> str:
        return self.headers.get("dlq.reason") or str(self.event.get("reason", "unknown"))

    @property
    def event(self) -> dict[str, Any]:
        if self._event is None:
            try:
                parsed = orjson.loads(self.value)
            except orjson.JSONDecodeError:
                parsed = None
            self._event = parsed if isinstance(parsed, dict) else {"unreadable": self.value.decode("utf-8", "replace")}
        return self._event

    def original(self) -> dict[str, Any]:
        original = self.event.get("original")
        return original if isinstance(original, dict) else {}

    def replayable_original(self) -> tuple[bytes | None, bytes | None] | None:
        """The original key and value, or None when they cannot be published again as they were:
        cut to fit, a whole record batch the worker could not decode (its records are read from the
        source topic), or a letter this worker did not write whose original does not decode."""
        original = self.original()
        if (not original or original.get("value") is None or original.get("value_truncated")
                or original.get("key_truncated") or self.reason == Reason.UNREADABLE_RECORD.value):
            return None
        return self.original_bytes()

    def original_bytes(self) -> tuple[bytes | None, bytes | None] | None:
        """The original key and value, or None when the letter's `original` does not decode."""
        original = self.original()
        try:
            return decode_original(original, "key"), decode_original(original, "value")
        except (AttributeError, TypeError, ValueError):  # (not text; base64 that is not: binascii.Error)
            return None


@dataclass(frozen=True, slots=True)
class Selection:
    reasons: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None

    @property
    def empty(self) -> bool:
        return not self.reasons and self.since is None and self.until is None and self.limit is None

    def matches(self, letter: Letter) -> bool:
        if self.reasons and letter.reason not in self.reasons:
            return False
        if self.since is not None and (letter.failed_at is None or letter.failed_at < self.since):
            return False
        return self.until is None or (letter.failed_at is not None and letter.failed_at < self.until)

    def apply(self, letters: Iterator[Letter]) -> Iterator[Letter]:
        count = 0
        for letter in letters:
            if self.limit is not None and count >= self.limit:
                return
            if self.matches(letter):
                count += 1
                yield letter


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """ISO-8601 (naive: UTC), or an age back from now: 30m, 2h, 1.5d. Raises ValueError."""
    match = _RELATIVE.match(text.strip())
    if match:
        now = now or datetime.now(timezone.utc)
        return now - timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    return parse_time(text)


def letters_from_topic(settings: Settings, idle_seconds: float = DLQ_READ_IDLE_SECONDS) -> Iterator[Letter]:
    with closing(read_topic(settings.kafka, settings.topics.pages_dlq, idle_seconds)) as records:
        yield from _letters_of(records)


def _letters_of(records: Iterator[TopicRecord]) -> Iterator[Letter]:
    for record in records:
        headers = {name: value.decode("utf-8", "replace") for name, value in record.headers}
        failed_at = _moment_of(record.timestamp_ms)
        yield Letter(f"{record.partition}:{record.offset}", headers, failed_at, record.key, record.value or b"")


def _moment_of(timestamp_ms: int | None) -> datetime | None:
    """A record's timestamp as a time, or None when it has none or one no datetime holds (a producer
    may set any 64-bit value)."""
    if not timestamp_ms or timestamp_ms <= 0:
        return None
    try:
        return datetime.fromtimestamp(timestamp_ms / 1000, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def letters_from_file(path: Path) -> Iterator[Letter]:
    """A `process` output file (<dlq topic>.jsonl): its events hold every header's field."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            letter = Letter(str(number), {}, None, None, line)
            event = letter.event
            letter.headers = {name: value.decode() for name, value in dlq_headers(event)}
            try:
                letter.failed_at = parse_time(event["failed_at"])
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # (missing, not a time string)
                letter.failed_at = None
            yield letter


def count(letters: Iterator[Letter], out: TextIO) -> int:
    """Dead letters per reason, with the first and last failure time of each."""
    per_reason: Counter[str] = Counter()
    first: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for letter in letters:
        reason = letter.reason
        per_reason[reason] += 1
        if letter.failed_at is not None:
            first[reason] = min(first.get(reason, letter.failed_at), letter.failed_at)
            last[reason] = max(last.get(reason, letter.failed_at), letter.failed_at)
    width = max([len("reason"), *map(len, per_reason)])
    out.write(f"{'reason':<{width}}  {'count':>7}  {'first':<20}  last\n")
    for reason, number in per_reason.most_common():
        out.write(f"{reason:<{width}}  {number:>7}  {_time(first.get(reason)):<20}  {_time(last.get(reason))}\n")
    out.write(f"{'total':<{width}}  {sum(per_reason.values()):>7}\n")
    return EXIT_OK


def list_letters(letters: Iterator[Letter], out: TextIO) -> int:
    """One line per dead letter: ref, time, reason, stage, where the original was, url, error."""
    for letter in letters:
        event = letter.event
        original = letter.original()
        where = f"{original.get('topic')}[{original.get('partition')}]@{original.get('offset')}"
        error = " ".join(str(event.get("error", "")).split())[:ERROR_PREVIEW_CHARS]
        out.write(f"{letter.ref}\t{_time(letter.failed_at)}\t{letter.reason}\t{event.get('stage', '')}\t{where}\t"
                  f"{event.get('url') or '-'}\t{error}\n")
    return EXIT_OK


def show(letters: Iterator[Letter], ref: str, out: TextIO) -> int:
    """The dead letter at `ref` in full: its headers and its event."""
    for letter in letters:
        if letter.ref == ref:
            out.write(orjson.dumps({"ref": letter.ref, "key": letter.key.decode("utf-8", "replace") if letter.key else None,
                                    "headers": letter.headers, "event": letter.event},
                                   option=orjson.OPT_INDENT_2).decode() + "\n")
            return EXIT_OK
    print(f"error: no dead letter at {ref}", file=sys.stderr)
    return 1


def replay(settings: Settings, read_letters: Callable[[], Iterator[Letter]], selection: Selection, target: str,
           out: TextIO, dry_run: bool = False) -> int:
    """Re-publish the originals of the selected letters to `target` with their original keys.

    Two reads of the letters (`read_letters()` each time): the first chooses them and keeps only
    their refs, the second publishes their originals as it meets them, so memory holds one letter
    at a time, not every original chosen (a selection of thousands of letters of up to a megabyte
    each). The second read ends at the last letter chosen: letters written meanwhile (pages that
    fail again) are never replayed by this run."""
    if selection.empty:
        print("error: replay needs a selection: --reason, --since, --until or --limit "
              "(re-publishing every dead letter at once is rarely what a fix calls for)", file=sys.stderr)
        return EXIT_USAGE
    chosen: set[str] = set()
    # A page that failed again after an earlier replay has two letters with one original (and
    # another after each replay): it is published once, or every run would double such pages.
    originals_seen: set[bytes] = set()
    skipped = again = 0
    for letter in selection.apply(read_letters()):
        original = letter.replayable_original()
        if original is None:
            skipped += 1
            continue
        digest = _digest(original)
        if digest in originals_seen:
            again += 1
            continue
        originals_seen.add(digest)
        chosen.add(letter.ref)
    if dry_run:
        out.write(f"would re-publish {len(chosen)} record(s) to {target}\n")
    else:
        sent: list[str] = []  # (the refs of the originals handed to the producer, in order)
        refused: list[tuple[int, str]] = []
        published = publish(settings.kafka, target, _originals(read_letters(), set(chosen), sent),
                            refused) if chosen else 0
        out.write(f"re-published {published} record(s) to {target}\n")
        if refused:
            refs = " ".join(sent[position] for position, _ in refused[:REFS_SHOWN])
            out.write(f"not re-published: {len(refused)} whose original is larger than KAFKA_MAX_REQUEST_SIZE "
                      f"({settings.kafka.max_request_size}; the worker's may be larger): {refs}\n")
        gone = len(chosen) - published - len(refused)
        if gone > 0:
            out.write(f"{gone} chosen letter(s) were gone when read again (retention?)\n")
        if refused:
            return EXIT_PARTIAL
    if again:
        out.write(f"skipped {again} whose original is that of another letter chosen (a page that failed again "
                  "after an earlier replay): published once\n")
    if skipped:
        out.write(f"skipped {skipped} whose original was cut to fit the size limit or is an unreadable record "
                  "batch or does not decode (not replayable faithfully; see them with `list`)\n")
    return EXIT_OK


def _digest(original: tuple[bytes | None, bytes | None]) -> bytes:
    """A digest of an original key and value (None and empty told apart)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in original:
        digest.update(b"-" if part is None else b"+%d:" % len(part) + part)
    return digest.digest()


def _originals(letters: Iterator[Letter], refs: set[str],
               sent: list[str]) -> Iterator[tuple[bytes | None, bytes | None]]:
    """The original key and value of each letter whose ref is in `refs`, until every one was met;
    the ref of each is appended to `sent` as it is handed out."""
    for letter in letters:
        if not refs:
            break
        if letter.ref in refs:
            refs.discard(letter.ref)
            originals = letter.original_bytes()
            if originals is not None:
                sent.append(letter.ref)
                yield originals
    if hasattr(letters, "close"):
        letters.close()  # (a topic's reader stops and closes its consumer)


def _time(moment: datetime | None) -> str:
    return format_time(moment.replace(microsecond=0)) if moment is not None else "-"
