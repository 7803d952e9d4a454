"""Shingles of an article body for near-duplicate matching: word bigrams, minus function-word pairs.

Why word bigrams (measured on the seeds and the 181 benchmark bodies, bench/dedup_eval.py):
- spun copies swap words and reword sentences, so long shingles break: for the real spun pair
  (seeds 000/001) Jaccard is 0.46 on word bigrams but 0.21 on 5-grams, the usual near-dup setting.
- different articles on the same story share their vocabulary, not their word sequences: on word
  unigrams they reach 0.22 (too close to spun copies), on bigrams at most 0.06 (seeds 002/003/004)
  and 0.22 for the closest pair in the benchmark (two rewrites of one press release).
Bigrams of two function words ("of the", "it is") are dropped: every English text has them, so
they carried most of the chance LSH collisions between unrelated articles (about 4x fewer
candidates to verify), while spun copies keep their similarity (function words survive spinning
next to swapped content words).

Text is NFKC-normalized and case-folded; tokens are runs of letters and digits, so punctuation,
spacing and stray " ," artifacts of spinners do not count.

Scripts written without spaces between words (Chinese, Japanese, Thai; also Lao, Khmer, Myanmar)
would make a whole clause one "word", so such a text got too few shingles for a signature. There
every character is a token (combining vowel and tone marks too), so its shingles are character
bigrams, the usual unit for these scripts. Hangul is treated the same: Korean spaces separate
phrases that carry their particles, so word bigrams of Korean rarely repeat between copies.
"""
from __future__ import annotations

import re
import unicodedata

# The scripts tokenized character by character (see above), by Unicode block: Thai, Lao, Myanmar,
# Khmer, Hangul Jamo, CJK and Kangxi radicals, Hiragana, Katakana, Hangul compatibility Jamo, CJK
# extension A, CJK unified ideographs, Hangul syllables, CJK compatibility ideographs, and the
# supplementary ideographic planes (NFKC has folded halfwidth Katakana and Hangul into these).
_UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff"
             "\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff")
# One character of those scripts, or a run of other letters and digits.
_TOKEN = re.compile(f"[{_UNSPACED}]|[^\\W{_UNSPACED}]+")

# Function words of the most frequent news languages. A shingle made of two of these is dropped.
# One list for all languages (no detection needed): a content word of one language that is a
# function word of another ("die", "war") only loses its pairings with other function words.
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


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def shingle_pairs(words: list[str]) -> list[tuple[str, str]]:
    """The word bigrams kept as shingles (duplicates included; the caller takes the set)."""
    function = FUNCTION_WORDS
    return [(a, b) for a, b in zip(words, words[1:]) if not (a in function and b in function)]
