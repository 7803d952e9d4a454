"""The dedup index interface: every backend decides atomically and answers replays identically."""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..models import DedupDecision

# The reason of a unique decision the index takes by its site rule (DedupIndex, step 2): the
# other reasons a text is not compared are the fingerprint's (worker/dedup/comparable.py).
REPEATED_ON_SITE = "repeated_on_site"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index needs to know of an article to decide whether it was seen before.

    Built by worker/stages/dedup.py (worker/dedup/fingerprint.py); backends treat url_key,
    content_hash and band_keys as opaque keys and only compare signatures (similarity.py).
    """

    article_id: str
    url_key: str  # canonical URL (worker/dedup/urls.py)
    content_hash: str  # hash of the normalized body
    fetched_at: datetime
    # Near-duplicate fields: the MinHash signature as packed little-endian uint32 values (b"" when
    # the text is too short for near-dup matching), the LSH band keys derived from it (8 bytes each,
    # the band's number is hashed in, so keys of different bands never meet; () without a
    # signature), and the number of distinct shingles (for the containment estimate).
    signature: bytes = b""
    band_keys: tuple[bytes, ...] = ()
    shingle_count: int = 0
    # Why the text is not compared with others (worker/dedup/comparable.py), or None. Such a
    # fingerprint has no signature and a content_hash no other page has; backends need not read it
    # (the stage puts it into the unique decision's reason).
    not_compared: str | None = None
    # Only for a short compared text (worker/dedup/fingerprint.py Fingerprinter.site_keys), else "":
    # opaque keys of its text on its site, and of its text, site and title; a longer text off its
    # title (long_text) has the first only, unless it is untitled. The index's site rule reads them
    # (DedupIndex, step 2).
    site_key: str = ""
    title_key: str = ""
    # For every compared text (worker/dedup/fingerprint.py Fingerprinter.site_keys), else "": its
    # site and its title's content words (the site and title of title_key, without the text). An
    # article indexed for near matching keeps them, and whether it is short (a site_key and not
    # long_text) or long_text, as one small key (rules.origin_key), which the near step of the site
    # rule reads (DedupIndex).
    site: str = ""
    title_words: str = ""
    # True for a text with site keys that is not short (a long one off its title): the site rule's
    # exact step takes it as a short text, its near step as a long one off its title (DedupIndex).
    long_text: bool = False


class DedupIndex(ABC):
    """A window of remembered articles.

    decide(fp) runs these steps as ONE atomic step (of two copies decided concurrently, exactly
    one is unique):

    1. Replay: a decision remembered for fp.article_id is returned unchanged; nothing else happens.
    2. A claim is usable for fp when fp.fetched_at - claim's fetched_at < window_seconds (the
       claim's fetched_at is that of the article that made it; later fetches are usable too).
       - url:   fp.url_key claimed by X        -> duplicate(X, "url", 1.0)
       - site:  only when fp.site_key != "" (a short text, or a long one off its title,
                worker/dedup/fingerprint.py):
                fp.title_key claimed by X      -> duplicate(X, "exact", 1.0)  (when not "")
                else fp.site_key claimed       -> unique with reason "repeated_on_site": the site
                published this text before under another title (or, for a long text off its
                title, which has no title_key, under any), so it is the site's template, not an
                article (not near matched either)
       - exact: fp.content_hash claimed by X   -> duplicate(X, "exact", 1.0)
       - near:  only when fp.signature != b"": candidates are the articles indexed for near
         matching (unique ones only) that share at least one band key with fp and are usable;
         each is verified and the best chosen exactly as worker/dedup/similarity.py states
         -> duplicate(X, "near", similarity). A page has no candidate indexed with fp.site and
         another title when either of the two is a short text (has a site_key, not long_text),
         or when one of the two, not both, is long_text (rules.other_title_on_site of their
         origin keys, which carry both): two pages of one site under different titles near
         alike, one of them short, or one off its title and the other about its own, are alike
         by its template, not one article (such an article is not a candidate at all, as one out
         of the window: it neither counts towards max_near_candidates nor is verified)
       - otherwise unique.
       First matching rule wins, in that order.
    3. Claims, in the same atomic step. canonical = fp.article_id when unique, else duplicate_of:
       - remember the decision under fp.article_id (for replays);
       - fp.url_key, fp.content_hash, and (when not "") fp.site_key and fp.title_key -> canonical,
         each unless already claimed by a claim usable for fp (an older, unusable claim is
         replaced); so a later recrawl of a URL first seen as a copy is a "url" duplicate of the
         same canonical. A repeated_on_site page claims neither content_hash nor site_key (the
         text stays its first page's), so its claims are its id, URL and title_key: a URL variant
         of it under the same title is its exact duplicate;
       - only when unique (not repeated_on_site) and fp.signature != b"": index fp for near
         matching (its signature, shingle_count, fetched_at, origin key when fp.site != "", and
         fp.article_id under each of fp.band_keys).
    Similarity and duplicate_of always name a unique (canonical) article, never a copy; a replay
    returns the stored decision with its reason (repeated_on_site) too.

    Retention: an article may be forgotten once its fetched_at is window_seconds older than the
    newest fetched_at the index has seen (memory backend) or one window after it was written (redis:
    relative key TTL); a replay of a forgotten article is decided afresh. Memory is bounded by the
    window, not by the stream length.

    Also (tests/state/ run the same contract on every backend):
    - checkpoint() makes every decision so far durable; the service calls it before delivering a
      batch's outputs, so after a restart the state is never behind what was published (a replay
      finds its stored decision) nor behind the committed offsets.
    - an unreachable backend raises worker.errors.DependencyUnavailable (the service retries).
    """

    backend: str = "abstract"

    @abstractmethod
    def decide(self, fingerprint: Fingerprint) -> DedupDecision: ...

    def decide_many(self, fingerprints: Sequence[Fingerprint]) -> list[DedupDecision]:
        """Exactly "decide each, in this order" (a backend may batch the round trips). A batch that
        fails half-way is retried whole: the decisions already taken come back as replays."""
        return [self.decide(fingerprint) for fingerprint in fingerprints]

    def checkpoint(self) -> None:
        """Persist decisions made so far (no-op for backends that are durable on every decision)."""

    def ping(self) -> bool:
        """True when the backend can take decisions now (used by /readyz)."""
        return True

    def check(self, deadline: float, stop: threading.Event | None = None) -> None:
        """At start: return once the backend is reachable and accepts the worker's credentials.
        Raises DependencyMisconfigured when it refuses them, DependencyUnavailable when it is still
        unreachable at `deadline` (a time.monotonic() value); returns early, between attempts, once
        `stop` is set. In-process state has nothing to check."""

    @abstractmethod
    def size(self) -> int:
        """Number of articles in the window."""

    def close(self) -> None:
        """Release connections and files."""
