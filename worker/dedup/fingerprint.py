"""From a cleaned Article to the Fingerprint the dedup index decides on."""
from __future__ import annotations

from ..config import DedupSettings
from ..models import Article, content_hash
from ..state.base import Fingerprint
from .comparable import Comparability, comparability
from .minhash import MinHasher
from .shingles import bigrams, tokenize, word_hashes
from .urls import canonical_url


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
        if found.reason is not None:
            return Fingerprint(article_id=article.article_id, url_key=url_key,
                               content_hash=f"uncompared:{article.article_id}", fetched_at=article.fetched_at,
                               not_compared=found.reason)
        exact_key = self.exact_key(article, found)
        pairs, content_pairs = bigrams(hashes, function)
        shingles = self.minhasher.shingles(pairs)
        if len(shingles) < self.min_shingles:
            return Fingerprint(article_id=article.article_id, url_key=url_key, content_hash=exact_key,
                               fetched_at=article.fetched_at, shingle_count=len(shingles))
        values = self.minhasher.minhash(shingles)
        # A signed text without two content words (possible only with a very low DEDUP_MIN_SHINGLES)
        # takes its bands from its shingles: every signed fingerprint has all its bands.
        lsh_shingles = self.minhasher.content_shingles(content_pairs if len(content_pairs) else pairs)
        return Fingerprint(article_id=article.article_id, url_key=url_key, content_hash=exact_key,
                           fetched_at=article.fetched_at, signature=self.minhasher.signature(values),
                           band_keys=self.minhasher.band_keys(lsh_shingles), shingle_count=len(shingles))

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
