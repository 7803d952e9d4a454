"""Lines that repeat across many pages of one site: author boxes, slogans, footers, teasers.

A stream sees the same site many times, so a line printed on most of its pages is boilerplate even
when it looks like prose. This memory counts, per site, on how many distinct pages each line was
seen. It is bounded (sites and lines per site), owned by one stage instance, and deterministic for
a given sequence of pages: counts change only after a page has been cleaned, so a page never
influences its own cleaning.
"""
from __future__ import annotations

from collections import Counter, OrderedDict, deque
from itertools import islice


class _SiteLines:
    __slots__ = ("counts", "recent_pages", "pages")

    def __init__(self, recent_pages: int) -> None:
        self.counts: Counter[int] = Counter()  # (its update() counts in C)
        self.recent_pages: deque[int] = deque(maxlen=recent_pages)
        self.pages = 0


class SiteLineMemory:
    """Per site, on how many pages each line was seen. `is_boilerplate` answers for a line once the
    site has shown it on at least `min_pages` distinct pages."""

    def __init__(self, *, max_sites: int = 256, max_lines_per_site: int = 2048, min_pages: int = 3,
                 recent_pages: int = 64) -> None:
        self.max_sites = max_sites
        self.max_lines_per_site = max_lines_per_site
        self.min_pages = min_pages
        self._recent_pages = recent_pages
        self._sites: OrderedDict[str, _SiteLines] = OrderedDict()

    def __len__(self) -> int:
        return len(self._sites)

    def repeated_lines(self, site: str, lines: list[str]) -> set[int]:
        """Indexes of `lines` that this site printed on at least min_pages other pages."""
        entry = self._sites.get(site)
        if entry is None or entry.pages < self.min_pages:
            return set()
        counts, threshold = entry.counts, self.min_pages
        return {i for i, key in enumerate(map(hash, lines)) if counts.get(key, 0) >= threshold}

    def remember(self, site: str, page_key: str, lines: list[str]) -> None:
        """Count the distinct lines of one page. A page seen again (same key: a recrawl or a replay)
        is not counted twice, or an article's own lines would look like the site's boilerplate."""
        entry = self._sites.get(site)
        if entry is None:
            entry = self._sites[site] = _SiteLines(self._recent_pages)
            if len(self._sites) > self.max_sites:
                self._sites.popitem(last=False)  # the least recently seen site
        else:
            self._sites.move_to_end(site)
        page_hash = hash(page_key)
        if page_hash in entry.recent_pages:
            return
        entry.recent_pages.append(page_hash)
        entry.pages += 1
        counts = entry.counts
        counts.update(set(map(hash, lines)))
        if len(counts) > self.max_lines_per_site:
            self._forget(entry)

    def _forget(self, entry: _SiteLines) -> None:
        """Forget the lines seen least often, down to half the bound: first the lines seen once,
        then twice, ... (ties keep their order), so that a site's boilerplate survives a stream of
        one-off article lines. One pass per level, no sort: this runs every few pages."""
        counts: dict[int, int] = entry.counts
        target, level = self.max_lines_per_site // 2, 1
        while len(counts) > target:
            kept = {key: count for key, count in counts.items() if count > level}
            if len(kept) < target // 2:  # this level would empty the memory: cut it by age instead
                # (islice: the newest lines without a list of all items first, 7x faster)
                kept = dict(islice(counts.items(), len(counts) - target, None))
            counts, level = kept, level + 1
        entry.counts = Counter(counts)
