"""Dedup settings: which state backend, how long decisions are remembered, similarity thresholds.

The shingling and MinHash/LSH figures below were chosen on bench/data/dedup_eval.jsonl.gz (see
bench/dedup_eval.py for the precision/recall table they give) and checked on the tuning half of the
independent set (bench/dedup_eval_independent.py, which also reports the held-out half); change them
together with a new run of both.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .env import ConfigError, get_choice, get_float, get_int, get_str

BACKENDS = ("memory", "redis")


@dataclass(frozen=True)
class DedupSettings:
    # memory: in-process, for one replica. redis: shared by every replica of a consumer group.
    backend: str = "memory"
    redis_url: str | None = field(default=None, repr=False)  # may carry a password
    # Articles are remembered for this long, measured on fetched_at.
    window_days: float = 14.0
    # Where the memory backend writes its checkpoint (None: state lives only in the process).
    state_dir: str | None = None

    # --- Near-duplicates (worker/dedup/similarity.py states how they are used) ---
    # MinHash signature length. More values: a finer Jaccard estimate (standard deviation
    # sqrt(J(1-J)/num_perm): 0.029 at J=0.3 with 256), more memory (1 byte each per indexed
    # article in the memory backend) and fingerprinting time.
    num_perm: int = 256
    # LSH: lsh_bands bands of lsh_rows MinHash values over the word bigrams (worker/dedup/
    # minhash.py); two articles become candidates when one band is equal, with probability
    # 1-(1-J^rows)^bands: 0.98 at J=0.25 with 64 bands of 2 (spun copies of the evaluation set
    # reach down to J=0.25; with 48 bands 1 to 3 of 110 were missed depending on the
    # permutations, with 64 none). More bands: more candidates to verify and 8 bytes per band per
    # indexed article.
    lsh_bands: int = 64
    lsh_rows: int = 2
    # Texts with fewer distinct shingles than this (about 70 words) get no signature and are only
    # matched by URL and exact hash: short formulaic briefs (police blotters, results) share most
    # of their bigrams while reporting other facts (the "short" kind of the evaluation set reaches
    # Jaccard 0.59 at 40 shingles).
    min_shingles: int = 60
    # A candidate is a near-duplicate when its estimated Jaccard similarity reaches this ... (on
    # the word bigrams of worker/dedup/shingles.py: different articles on one story reach 0.22 at
    # most, two rewrites of one press release; WordNet-spun copies of the independent evaluation's
    # tuning half 0.35 at least, the real pair of seeds 000/001 0.48; the estimate's standard
    # deviation is about 0.03). Below the spun copies' floor: what cleaning leaves of a copy's new
    # template (captions, a teaser, a sidebar line) lowers its cleaned text's Jaccard with the
    # original, and two standard deviations still part it from different articles on one story.
    near_jaccard: float = 0.28
    # ... or when the estimated share of the shorter text's shingles found in the longer one
    # reaches this (a truncated copy), provided the shorter text has at least
    # containment_min_shingles shingles. Well below the whole of a cut copy, for the same reason as
    # near_jaccard: the leftovers of its new template that cleaning keeps with a copy are shingles
    # of the shorter text that the longer one does not hold.
    near_containment: float = 0.65
    containment_min_shingles: int = 60
    # ... and the estimated Jaccard similarity reaches this. The containment estimate multiplies
    # the match count by (n_A + n_B) / min(n_A, n_B): for a 60-shingle text against a 5,000-shingle
    # one, 3 agreeing values of 256 (one agrees by chance in 8-bit values) would read as 98%
    # contained. 0.10 (26 values) is far above chance and keeps copies cut to a tenth or more.
    # Not read from the environment (README lists the variables); change it with an evaluation run.
    containment_min_jaccard: float = 0.10
    # At most this many near candidates are verified per decision, those sharing the most band keys
    # (worker/dedup/similarity.py candidate_floor). Pages of one template's series (weather, stock
    # or results reports) are candidates of most earlier ones while staying unique, so without a
    # bound every page verifies the whole series: a decision's cost grows with the index, and in
    # Redis the script blocks every replica meanwhile. A real copy shares many bands (J=0.5: 16 of
    # 64 on average), a chance candidate of the series 1 to 4. Not read from the environment.
    max_near_candidates: int = 64

    # --- Texts not compared at all (worker/dedup/comparable.py); not read from the environment ---
    # Not compared when lines worded like a consent notice or a paywall hold this share of the tokens.
    boilerplate_share: float = 0.5
    # ... nor when such lines hold at least notice_prose_share as many tokens as the prose lines
    # beside them and those hold fewer than notice_article_tokens: a wall with the template's
    # leftovers around it (a byline, a teaser, a sidebar paragraph) is no article, while an article
    # that kept a cookie line is longer and a brief with a "Log in" prompt has more prose than notice.
    notice_prose_share: float = 0.25
    notice_article_tokens: int = 150
    # A prose line has at least this many tokens and is not such a line (a repeated line counts once).
    prose_line_tokens: int = 8
    # Not compared with fewer prose tokens than this (the briefs reposted word for word in the
    # independent evaluation have 35 or more).
    min_prose_tokens: int = 25
    # In the counts above a character of the scripts written without spaces (a token of its own)
    # weighs this many words: a Chinese, Japanese or Korean word is about two characters, and a
    # site's short headlines in these scripts would otherwise count as lines of prose.
    unspaced_token_weight: float = 0.5
    # The exact-duplicate key is the hash of the prose lines alone when they hold this share of the
    # text's tokens at least (worker/dedup/fingerprint.py Fingerprinter.exact_key).
    exact_prose_share: float = 0.5
    # A text of fewer prose tokens than this whose prose about its title is a brief set apart
    # from the rest (min_prose_tokens to min_shingles tokens) is compared on that brief alone
    # (Fingerprinter.brief_lines); a prose line is about the brief when it shares this many
    # content words with the title and the brief's lines.
    brief_page_max_tokens: int = 300
    # A text of fewer prose tokens than this holding none of its title's content words is not
    # compared (Fingerprinter.unrelated_to_title): what cleaning kept of a short page is then its
    # template's (a teaser, a sidebar, a comments notice), the same on every page of the site. A
    # long article can have a headline it never repeats; a brief repeats its headline's words.
    unrelated_title_max_tokens: int = 150
    brief_related_words: int = 2
    # A compared text of fewer prose tokens than this carries the keys of its text on its site and
    # of its text, site and title (Fingerprint.site_key, title_key): the index takes the same short
    # text published again by one site under another title for the site's template, not a copy,
    # and a page of the site under another title near such a text, before or after it, for no near
    # copy of it either (base.DedupIndex). The length of a brief page, as brief_page_max_tokens: the template blocks
    # cleaning keeps of a site's short pages (teasers, sidebars, notices) are often longer than
    # unrelated_title_max_tokens, while a site may republish a real article under a new headline.
    site_repeat_max_tokens: int = 300
    # A longer compared text carries them too (with Fingerprint.long_text: Fingerprinter.site_keys
    # and rules.other_title_on_site say how the site rule takes it) when it holds fewer than this
    # share of its title's content words (numbers apart), or its title has none: an article speaks
    # of what its headline says, while a block of the template that cleaning kept instead of a
    # page's article (a comment thread, a teaser list, what is left of the template's own story) is
    # printed under every title of the site. A quarter: a long article mostly keeps half its
    # headline's words or more; the few that do not (a dateline, a byline or the site's name taken
    # for a title) lose only a copy on their own site under another title, taken for the site's
    # template.
    site_repeat_title_share: float = 0.25

    @property
    def window_seconds(self) -> float:
        return self.window_days * 86400.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DedupSettings:
        backend = get_choice(env, "DEDUP_BACKEND", "memory", BACKENDS)
        redis_url = get_str(env, "REDIS_URL")
        if backend == "redis" and redis_url is None:
            raise ConfigError("DEDUP_BACKEND=redis needs REDIS_URL (e.g. redis://redis:6379/0)")
        if backend == "redis":
            _check_redis_url(redis_url)
        return cls(
            backend=backend,
            redis_url=redis_url,
            window_days=get_float(env, "DEDUP_WINDOW_DAYS", cls.window_days, minimum=0.001),
            state_dir=get_str(env, "DEDUP_STATE_DIR"),
            num_perm=get_int(env, "DEDUP_NUM_PERM", cls.num_perm, minimum=8, maximum=1024),
            lsh_bands=get_int(env, "DEDUP_LSH_BANDS", cls.lsh_bands, minimum=1, maximum=1024),
            lsh_rows=get_int(env, "DEDUP_LSH_ROWS", cls.lsh_rows, minimum=1, maximum=16),
            min_shingles=get_int(env, "DEDUP_MIN_SHINGLES", cls.min_shingles, minimum=1),
            near_jaccard=get_float(env, "DEDUP_NEAR_JACCARD", cls.near_jaccard, minimum=0.01, maximum=1.0),
            near_containment=get_float(env, "DEDUP_NEAR_CONTAINMENT", cls.near_containment,
                                       minimum=0.01, maximum=1.0),
            containment_min_shingles=get_int(env, "DEDUP_CONTAINMENT_MIN_SHINGLES",
                                             cls.containment_min_shingles, minimum=1),
        )


def _check_redis_url(url: str) -> None:
    """The URL as redis-py reads it, read at start: a scheme or port it refuses raised ValueError
    when the backend was opened, a traceback on every restart. (The message names no part of the
    URL: it may hold the password.)"""
    from redis.connection import parse_url  # (only with the redis backend)

    try:
        parse_url(url)
    except ValueError as error:
        raise ConfigError(f"REDIS_URL is not a URL redis can use (redis://, rediss:// or unix://): {error}") from None
    parts = urlsplit(url)
    database = parts.path.strip("/")
    if parts.scheme in ("redis", "rediss") and database and not (database.isascii() and database.isdigit()):
        # (redis-py ignores such a path: the worker used database 0, shared with whatever else does)
        raise ConfigError(f"REDIS_URL's path must be a database number (redis://host:6379/0), not {database[:50]!r}")
