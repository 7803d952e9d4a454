"""Shingles of an article body for near-duplicate matching: word bigrams.

Why word bigrams (measured on the seeds and the 181 benchmark bodies, bench/dedup_eval.py):
- spun copies swap words and reword sentences, so long shingles break: for the real spun pair
  (seeds 000/001) Jaccard is 0.46 on word bigrams but 0.21 on 5-grams, the usual near-dup setting.
- different articles on the same story share their vocabulary, not their word sequences: on word
  unigrams they reach 0.22 (too close to spun copies), on bigrams at most 0.06 (seeds 002/003/004)
  and 0.22 for the closest pair in the benchmark (two rewrites of one press release).
The signature (which verifies) takes every bigram: spinners leave function words alone, so pairs
of them ("of the", "it is") survive spinning and separate spun copies from other articles on the
same story (on the tuning half of bench/dedup_eval_independent.py, true Jaccard of the least
similar spun copy 0.35 with them, 0.31 without; of the closest same-story pair 0.22 either way).
The LSH bands (which find candidates) take the bigrams of content words only, function words left
out: every English text has the function-word pairs, so they carried most of the chance LSH
collisions between unrelated articles (about 4x fewer candidates to verify).

Text is NFKC-normalized and case-folded; tokens are runs of letters, digits and combining marks
(so that Indic and other abugida words stay whole), so punctuation, spacing and stray " ," artifacts
of spinners do not count.

Tokens are found and hashed with numpy over the text's code points, with no Python work per word
(bench/dedup_fingerprint.py measures it): each character is classified by a table, and a token's
hash is the sum over its characters of a random 64-bit value per (character, place in the token),
mixed with the token's length. Hashes depend on nothing but the text and fixed constants: every
replica and every restart computes the same.

Scripts written without spaces between words (Chinese, Japanese, Thai; also Lao, Khmer, Myanmar)
would make a whole clause one "word", so such a text got too few shingles for a signature. There
every character is a token (combining vowel and tone marks too), so its shingles are character
bigrams, the usual unit for these scripts. Hangul is treated the same: Korean spaces separate
phrases that carry their particles, so word bigrams of Korean rarely repeat between copies.
"""
from __future__ import annotations

import unicodedata
from functools import cache
from typing import NamedTuple

import numpy as np

# The scripts tokenized character by character (see above), by Unicode block: Thai, Lao, Myanmar,
# Khmer, Hangul Jamo, CJK and Kangxi radicals, Hiragana, Katakana, Hangul compatibility Jamo, CJK
# extension A, CJK unified ideographs, Hangul syllables, CJK compatibility ideographs, and the
# supplementary ideographic planes (NFKC has folded halfwidth Katakana and Hangul into these).
UNSPACED_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x1100, 0x11FF), (0x2E80, 0x2FDF),
                   (0x3040, 0x30FF), (0x3130, 0x318F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
                   (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
SEPARATOR, WORD, SINGLE = 0, 1, 2  # character classes: not in a token, in a word, a token by itself

_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
_K3 = np.uint64(0x165667B19E3779F9)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)

# Function words of the most frequent news languages, left out of the LSH bigrams. One list for all
# languages (no detection needed): a content word of one language that is a function word of
# another ("die", "war") is only left out of the bands.
FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are as at be been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here
hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or
other our ours out over own same she should so some such than that the their theirs them then there these
they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours s t d ll m re ve said says according
der die das den dem des ein eine einer eines einem einen und oder aber ist sind war waren wird werden hat
haben nicht mit von zu zum zur im am auf aus bei nach vor über unter für als wie auch sich es er sie wir
ihr dass noch nur so
le la les un une des du de et ou mais est sont était été il elle ils elles nous vous je en au aux dans par
pour sur avec sans ce cette ces qui que quoi dont où ne pas plus se sa son ses leur leurs
el los las uno una unos unas y o pero es son fue era del al en por para con sin su sus se lo que como más
muy ya
o os um uma e é são foi em no na nos nas do da dos das ao à pelo pela com sem seu sua que não mais
il lo gli uno una e o ma è sono era del della dei delle nel nella con per tra fra che non più
het een en of maar is zijn was waren van in op met voor dat die niet ook te
""".split())


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer (every input bit affects every output bit), on uint64 arrays."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


PLACES = 64  # places in a token with their own multiplier (then they repeat)


class _CharacterTables(NamedTuple):
    characters: np.ndarray  # a random 64-bit value per BMP character
    places: np.ndarray  # an odd random multiplier per place in a token


@cache
def _character_tables() -> _CharacterTables:
    # A character outside tokens has the value 0, so sums over a token's span need no mask.
    characters = mix(np.arange(0x10000, dtype=np.uint64) * _K2) * (_bmp_classes() != SEPARATOR)
    return _CharacterTables(characters, mix(np.arange(PLACES, dtype=np.uint64) + _K1) | np.uint64(1))


@cache
def _bmp_classes() -> np.ndarray:
    """The class of every character of the Basic Multilingual Plane (built once, ~30 ms)."""
    classes = np.zeros(0x10000, dtype=np.uint8)
    for code in range(0x10000):
        char = chr(code)
        if char.isalnum() or unicodedata.category(char)[0] == "M":
            classes[code] = WORD
    for low, high in UNSPACED_RANGES:
        if low < 0x10000:
            classes[low:high + 1][classes[low:high + 1] == WORD] = SINGLE
    return classes


def _classes(codes: np.ndarray) -> np.ndarray:
    classes = _bmp_classes()[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)
    for position in astral:  # rare (emoji, historic scripts, CJK extensions): looked up one by one
        code = int(codes[position])
        char = chr(code)
        if char.isalnum() or unicodedata.category(char)[0] == "M":
            classes[position] = SINGLE if 0x20000 <= code <= 0x3FFFF else WORD
        else:
            classes[position] = SEPARATOR
    return classes


class TokenSpans(NamedTuple):
    """A text tokenized once, for the fingerprint and the comparability check alike."""

    normalized: str  # NFKC, case-folded
    codes: np.ndarray  # its code points (uint32)
    inside: np.ndarray  # whether each code point is part of a token
    starts: np.ndarray  # where each token starts and ends (code point offsets)
    ends: np.ndarray


def tokenize(text: str) -> TokenSpans:
    normalized = unicodedata.normalize("NFKC", text).casefold()
    codes = np.frombuffer(normalized.encode("utf-32-le", "replace"), dtype="<u4")
    if not len(codes):
        empty = np.empty(0, dtype=np.intp)
        return TokenSpans(normalized, codes, np.empty(0, dtype=bool), empty, empty)
    classes = _classes(codes)
    in_word = classes == WORD
    single = classes == SINGLE
    before = np.empty_like(in_word)
    before[0] = False
    before[1:] = in_word[:-1]
    after = np.empty_like(in_word)
    after[-1] = False
    after[:-1] = in_word[1:]
    starts = np.flatnonzero(single | (in_word & ~before))
    ends = np.flatnonzero(single | (in_word & ~after)) + 1
    return TokenSpans(normalized, codes, in_word | single, starts, ends)


def unspaced(spans: TokenSpans) -> np.ndarray:
    """Whether each token is a character of the scripts written without spaces (a token of its own)."""
    return _classes(spans.codes[spans.starts]) == SINGLE


def tokens(text: str) -> list[str]:
    """The tokens of a text, as strings (what word_hashes hashes)."""
    spans = tokenize(text)
    return [spans.normalized[start:end] for start, end in zip(spans.starts.tolist(), spans.ends.tolist())]


def word_hashes(spans: TokenSpans | str) -> tuple[np.ndarray, np.ndarray]:
    """(64-bit hash of each token in order, whether each token is a function word)."""
    if isinstance(spans, str):
        spans = tokenize(spans)
    hashes = _hash_spans(spans.codes, spans.inside, spans.starts, spans.ends)
    return hashes, _is_function_word(hashes)


def _hash_spans(codes: np.ndarray, inside: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hash of each token: the sum over its characters of a random value per (character, place in
    the token), mixed with the token's length. Computed over the whole text (separators count 0),
    so no Python work and no gather per token."""
    if not len(starts):
        return np.empty(0, dtype=np.uint64)
    tables = _character_tables()
    values = tables.characters[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)
    if len(astral):
        values[astral] = mix(codes[astral].astype(np.uint64) * _K2) * inside[astral]
    marks = np.zeros(len(codes), dtype=np.intp)
    marks[starts] = starts
    place = np.arange(len(codes), dtype=np.intp)
    place -= np.maximum.accumulate(marks)
    values *= tables.places[place & (PLACES - 1)]
    sums = np.add.reduceat(values, starts)
    return mix(sums ^ ((ends - starts).astype(np.uint64) * _K3))


class HashSet:
    """A small set of 64-bit hashes: a 2^16-bit filter on the low bits first (one gather over the
    text's tokens), then a binary search for the tokens that pass it."""

    def __init__(self, hashes: np.ndarray):
        self.sorted = np.unique(hashes)
        self.filter = np.zeros(1 << 16, dtype=bool)
        self.filter[(self.sorted & np.uint64(0xFFFF)).astype(np.intp)] = True

    def positions_in(self, values: np.ndarray) -> np.ndarray:
        candidates = np.flatnonzero(self.filter[(values & np.uint64(0xFFFF)).astype(np.intp)])
        if not len(candidates):
            return candidates
        found = np.minimum(np.searchsorted(self.sorted, values[candidates]), len(self.sorted) - 1)
        return candidates[self.sorted[found] == values[candidates]]


@cache
def _function_hashes() -> HashSet:
    spans = tokenize(" ".join(sorted(FUNCTION_WORDS)))
    return HashSet(_hash_spans(spans.codes, spans.inside, spans.starts, spans.ends))


def _is_function_word(hashes: np.ndarray) -> np.ndarray:
    function = np.zeros(len(hashes), dtype=bool)
    function[_function_hashes().positions_in(hashes)] = True
    return function


PAIR_MIX = _K1  # a bigram's hash: (first * PAIR_MIX) ^ second


def bigrams(hashes: np.ndarray, function: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hashes of the word bigrams, of those the LSH bands are taken from), repeats included.
    The bands leave out the bigrams of two function words ("of the", "said that"): every text has
    them, so they only make chance candidates; a bigram with a content word in it still half
    survives a spinner's synonyms. (A text with no other bigram gives its bands all of them.)"""
    pairs = (hashes[:-1] * PAIR_MIX) ^ hashes[1:]
    lsh_pairs = pairs[~(function[:-1] & function[1:])]
    return pairs, lsh_pairs if len(lsh_pairs) else pairs
