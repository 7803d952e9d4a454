"""Why a page is not published as an article: a machine-readable reason and a readable message."""
from __future__ import annotations

from enum import Enum


class Reason(str, Enum):
    """Values of the `reason` field of DLQ records (stable: dashboards and alerts use them)."""

    UNREADABLE_RECORD = "unreadable_record"  # the record batch could not be decoded (corrupt compression, damaged)
    INVALID_JSON = "invalid_json"  # value is not UTF-8 JSON, or not a JSON object
    INVALID_FIELD = "invalid_field"  # a required field missing, or a field of the wrong type/format
    UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type"
    BODY_TOO_LARGE = "body_too_large"
    NO_CONTENT = "no_content"  # cleaning found no article text
    STAGE_TIMEOUT = "stage_timeout"
    STAGE_ERROR = "stage_error"  # an unexpected exception inside a stage (a bug, or a page it cannot handle)
    OUTPUT_TOO_LARGE = "output_too_large"  # the article event exceeds the producer's record size limit
    OUTPUT_REFUSED = "output_refused"  # the broker refused the event for good (topic size limit, validation)


class PageRejected(Exception):
    """Raised by a stage when a page cannot become an article. The page goes to the DLQ."""

    def __init__(self, reason: Reason, message: str, *, stage: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.stage = stage


class StageTimeout(BaseException):
    """Raised inside a stage when its time budget for one page runs out.

    A BaseException so that library code catching Exception cannot swallow it.
    """


class DependencyError(Exception):
    """A service the worker needs failed it: never the page's fault, so stages let it through
    untouched (the page is neither dead-lettered nor dropped)."""


class DependencyUnavailable(DependencyError):
    """A service the worker needs (dedup state, broker) cannot be reached right now.

    Not the page's fault: the worker pauses, retries with backoff and never sends the page to the DLQ.
    """


class DependencyMisconfigured(DependencyError):
    """A service the worker needs refuses its configuration: authentication or permission refused,
    TLS certificate rejected. Not an outage: retrying cannot help, so the worker exits non-zero with
    a message naming the cause (at start, or when it happens later, e.g. a rotated password)."""


class StateIncompatible(RuntimeError):
    """The dedup state on disk was written with settings this worker cannot read (another format,
    another DEDUP_NUM_PERM), or DEDUP_STATE_DIR names no directory. Retrying cannot help: the
    worker exits 2 with the message, which says what to do."""
