"""From a cleaned Article to the Fingerprint the dedup index decides on."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import numpy as np

from ..config import DedupSettings
from ..models import Article, content_hash
from ..state.base import Fingerprint
from .comparable import UNRELATED_TO_TITLE, Comparability, comparability
from .minhash import MinHasher
from .shingles import TokenSpans, bigrams, tokenize, word_hashes
from .urls import canonical_url, site_of


class Fingerprinter:
    def __init__(self, settings: DedupSettings, family: str = "newsworker"):
        self.settings = settings
        self.min_shingles = settings.min_shingles
        self.minhasher = MinHasher(settings.num_perm, settings.lsh_bands, settings.lsh_rows, family)

    def fingerprint(self, article: Article) -> Fingerprint:
        """A text not compared with others (Fingerprint.not_compared says why) keeps its URL key (a
        recrawl is still a recrawl) but gets no signature and, as content hash, a key no other page
        has ("uncompared:" and its article_id): backends treat the hash as an opaque key, so it
        neither matches nor is matched. The content hash of a compared text is exact_key's."""
        # The fetched URL, not a canonical URL the page declares: some sites declare their home page
        # or a section as canonical for every article, and a recrawl is a fetch of the same address.
        url_key = canonical_url(article.url)
        spans = tokenize(article.text)
        hashes, function = word_hashes(spans)
        found = comparability(spans, hashes, self.settings)
        reason = found.reason or self.unrelated_to_title(article, hashes, found)
        if reason is not None:
            return Fingerprint(article_id=article.article_id, url_key=url_key,
                               content_hash=f"uncompared:{article.article_id}", fetched_at=article.fetched_at,
                               not_compared=reason)
        brief = self.brief_lines(article, spans, hashes, function, found)
        if brief is not None:
            # A brief among its template's prose: the brief alone is compared (exactly, unsigned).
            lines = article.text.split("\n")
            brief_key = content_hash("\n".join(lines[i] for i in brief))
            return Fingerprint(article_id=article.article_id, url_key=url_key, content_hash=brief_key,
                               fetched_at=article.fetched_at,
                               **self.site_keys(article, url_key, brief_key, found, hashes))
        exact_key = self.exact_key(article, found)
        site_keys = self.site_keys(article, url_key, exact_key, found, hashes)
        pairs, lsh_pairs = bigrams(hashes, function)
        shingles = self.minhasher.shingles(pairs)
        if len(shingles) < self.min_shingles:
            return Fingerprint(article_id=article.article_id, url_key=url_key, content_hash=exact_key,
                               fetched_at=article.fetched_at, shingle_count=len(shingles), **site_keys)
        values = self.minhasher.minhash(shingles)
        lsh_shingles = self.minhasher.lsh_shingles(lsh_pairs)
        return Fingerprint(article_id=article.article_id, url_key=url_key, content_hash=exact_key,
                           fetched_at=article.fetched_at, signature=self.minhasher.signature(values),
                           band_keys=self.minhasher.band_keys(lsh_shingles), shingle_count=len(shingles),
                           **site_keys)

    def site_keys(self, article: Article, url_key: str, key: str, found: Comparability,
                  hashes: np.ndarray) -> dict[str, str | bool]:
        """Fingerprint.site and title_words of a compared text, and its site_key and title_key when its
        prose is short (under site_repeat_max_tokens tokens), with long_text when it is longer and off its
        title (off_title), then without title_key unless it is untitled. key is the text's content hash, the
        site is url_key's host (urls.site_of) and the title counts by its content words in any order, so
        that a headline's case, punctuation or word order does not make another title (a page without a
        title, or with none but function words, has the empty title: another title than any real one). When
        cleaning misses a short page's article, what it keeps is a block of the site's template, the same
        text on every such page of the site under each page's own title; the index tells that from a page
        reposted at another address (same title) by these keys (base.DedupIndex); and it does not near match
        such a page with a page of its site under another title (site and title_words), long or short,
        whichever comes first: the same block that cleaning kept of a short page is part of what it kept of
        a longer page of the site whose article it missed in part. A longer text off its title is such a
        block too (a site's comment thread, its teaser list, what cleaning left of the template's own
        article), the same under every title the site prints over it: it carries the site key (the same text
        on its site again is repeated_on_site), not the title key: a title its text does not speak of is no
        evidence that the page is the one seen before under it, not the template (the page's title cleaning
        takes from its template too; a URL variant has its URL key). An untitled page keeps it: the same
        untitled text on its site at another address is the page reposted (cleaning missed its title), as
        before. As long_text it is no short text for the near step: a page of its site under another title
        near it is not its copy when that page speaks of its own title (its template is all they share), and
        is when it is off its title too (one article under titles the site or a text dump words otherwise:
        cut, suffixed)."""
        words, named = _title_words(article.title or "")
        site, title_words = site_of(url_key), " ".join(map(str, sorted(words)))
        long_text = float(found.tokens[found.prose].sum()) >= self.settings.site_repeat_max_tokens
        if long_text and not self.off_title(named, hashes):
            return {"site": site, "title_words": title_words}
        site_key = f"{key} {site}"
        title_key = "" if long_text and named else f"{site_key} {title_words}"
        return {"site_key": site_key, "title_key": title_key, "site": site, "title_words": title_words,
                "long_text": long_text}

    def off_title(self, named: set[int], hashes: np.ndarray) -> bool:
        """The text holds fewer than site_repeat_title_share of its title's content words (numbers
        apart; named), or the title has none: what it says is not what its headline says."""
        if not named:
            return True
        held = len(named.intersection(hashes.tolist()))
        return held < self.settings.site_repeat_title_share * len(named)

    def unrelated_to_title(self, article: Article, hashes: np.ndarray, found: Comparability) -> str | None:
        """UNRELATED_TO_TITLE when the text is short (prose under unrelated_title_max_tokens tokens)
        and holds, in any line, none of its title's content words (the title having two at least,
        numbers apart), else None. Cleaning that misses a short page's article keeps a block of its
        template (a teaser, a sidebar, a comments or legal notice): every page of the site whose
        article is missed comes out as that block, and they would be exact or near duplicates of
        one another. A brief speaks of what its headline says; a long article may not repeat its
        headline's words, so longer texts are compared whatever their title. A text holding
        brief_related_words of the words of its URL's last path segment (_slug) is compared too: the
        site wrote the page's headline into its address, while cleaning may take its title from
        the template (the blog's name, a sidebar's headline); a template block holds them by chance
        only."""
        if not article.title or float(found.tokens[found.prose].sum()) >= self.settings.unrelated_title_max_tokens:
            return None
        _, wanted = _title_words(article.title)
        if len(wanted) < 2 or not wanted.isdisjoint(hashes.tolist()):
            return None
        _, slug = _title_words(_slug(article.url))
        if len(slug & set(hashes.tolist())) >= self.settings.brief_related_words:
            return None
        return UNRELATED_TO_TITLE

    def brief_lines(self, article: Article, spans: TokenSpans, hashes: np.ndarray, function: np.ndarray,
                    found: Comparability) -> list[int] | None:
        """The lines of a brief that cleaning kept with unrelated prose of its page (a gallery's
        captions, an author's note, a teaser), or None. Its prose lines are those holding half the
        title's content words (two at least, but one of a two-word title its URL spells) and those
        sharing brief_related_words content words (not numbers) with them, and so on; the others
        speak of something else. A brief is compared on its lines alone when:
        - the page's prose is short (under brief_page_max_tokens tokens) and some prose is left out;
        - no left-out prose line ending like a sentence and sharing a word (numbers apart) with the
          brief or its title follows or precedes one of the brief's directly (a label, a credit, a
          button or a post's title stands between them: an article's paragraphs follow one another
          and speak of one thing, while the template's own paragraph beside a brief, the site's
          blurb or a teaser, shares none of its words);
        - the brief is one (min_prose_tokens or more) too short for a signature (under
          min_shingles tokens), so that only exact copies of it match.
        A copy of the brief reposted in another site's template then has the brief's exact key,
        and two briefs of one template are not near duplicates of each other by the template's
        prose."""
        settings = self.settings
        if not article.title or int(found.prose.sum()) < 2 or \
                float(found.tokens[found.prose].sum()) >= settings.brief_page_max_tokens:
            return None
        wanted, _ = _title_words(article.title)
        if len(wanted) < 2:
            return None
        breaks = np.flatnonzero(spans.codes == 10)
        token_line = np.searchsorted(breaks, spans.starts)
        prose = np.flatnonzero(found.prose).tolist()
        # Each line's content words; numbers apart (a route's or a score's number is in the title,
        # but numbers of the brief and of dates and file names elsewhere agree by chance).
        content: list[set[int]] = [set() for _ in range(len(found.prose))]
        words: list[set[int]] = [set() for _ in range(len(found.prose))]
        text = spans.normalized
        for line, value, is_function, start, end in zip(token_line.tolist(), hashes.tolist(), function.tolist(),
                                                        spans.starts.tolist(), spans.ends.tolist()):
            if not is_function:
                content[line].add(value)
                if not text[start:end].isdigit():
                    words[line].add(value)
        # Half the title's content words, two at least; one of a two-word title that the URL's last
        # segment spells too ("Weather for Halifax" over a brief naming Halifax only): the site wrote
        # that headline into the page's address, so it is the page's, not the site's name or a
        # section's ("Minecraft News" over a post about one update).
        _, slug = _title_words(_slug(article.url))
        needed = len(wanted) / 2 if wanted <= slug else max(2, len(wanted) / 2)
        chosen = {i for i in prose if len(content[i] & wanted) >= needed}
        if not chosen:
            return None
        topic = set(wanted).union(*(words[i] for i in chosen))
        grown = True
        while grown:
            grown = False
            for i in prose:
                if i not in chosen and len(words[i] & topic) >= settings.brief_related_words:
                    chosen.add(i)
                    topic |= words[i]
                    grown = True
        if len(chosen) == len(prose):
            return None
        texts = article.text.split("\n")
        sentences = {i for i in prose if _ends_sentence(texts[i])}
        filled = [i for i, size in enumerate(found.tokens.tolist()) if size > 0]
        for before, after in zip(filled, filled[1:]):
            if (before in chosen) != (after in chosen) and before in sentences and after in sentences and \
                    words[after if before in chosen else before] & topic:
                return None
        lines = sorted(chosen)
        if not settings.min_prose_tokens <= float(found.tokens[lines].sum()) < self.min_shingles:
            return None
        return lines

    def exact_key(self, article: Article, found: Comparability) -> str:
        """The key exact duplicates share: the content hash of the text's prose lines (found.prose)
        when they hold at least exact_prose_share of its tokens, else of the whole text. A page's
        leftovers around a short article (a site's "Advert" label, the titles of a list of its
        projects, a repeated paragraph) do not make a copy of it another text; the same text with
        all its lines prose has the same key as before (Article.content_hash)."""
        tokens = float(found.tokens.sum())
        prose_tokens = float(found.tokens[found.prose].sum())
        lines = article.text.split("\n")
        if prose_tokens == tokens or prose_tokens < self.settings.exact_prose_share * tokens \
                or len(lines) != len(found.prose):
            return article.content_hash
        return content_hash("\n".join(line for line, prose in zip(lines, found.prose.tolist()) if prose))


def _title_words(title: str) -> tuple[set[int], set[int]]:
    """The hashes of a title's content words (function words apart), and of those that are not
    numbers."""
    spans = tokenize(title)
    hashes, function = word_hashes(spans)
    text = spans.normalized
    content: set[int] = set()
    words: set[int] = set()
    for value, is_function, start, end in zip(hashes.tolist(), function.tolist(), spans.starts.tolist(),
                                              spans.ends.tolist()):
        if not is_function:
            content.add(value)
            if not text[start:end].isdigit():
                words.add(value)
    return content, words


def _slug(url: str) -> str:
    """The words of a URL's last path segment ("/2019/11/acme-corp-shares-rise" -> "acme corp shares
    rise"): the headline a site wrote into the page's address."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[-_.+]+", " ", last)


_CLOSING = "\"'”’»)]"


def _ends_sentence(line: str) -> bool:
    """The line ends like a sentence (a paragraph of prose, not a headline or a post's title)."""
    line = line.rstrip().rstrip(_CLOSING)
    return bool(line) and line[-1] in ".!?…。！？"
