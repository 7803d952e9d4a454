"""content_hash against its definition: blake2b of the case-folded words (str.isalnum runs), one
space between, written the plain way (a regex), on text of every plane."""
import hashlib
import random
import re

from worker.models import content_hash

_WORD = re.compile(r"[^\W_]+")  # \w without the underscore: exactly str.isalnum()


def reference(text: str) -> str:
    return hashlib.blake2b(" ".join(_WORD.findall(text.casefold())).encode(), digest_size=16).hexdigest()


def test_content_hash_matches_its_definition():
    texts = ["", " ", "_a_", "__", "a.b,c", "ab_cd  ef__ ", "e\u0301x", "a\u00a0b", "ǅ ß İ ﬁ", "١٢٣ abc",
             "Ⅻ ½ ²", "😀 abc 𝐀𝐁 𠀀x", "a😀", "Mixed CASE\nlines\n\n"]
    rng = random.Random(7)
    for _ in range(500):  # code points of every plane but the surrogates
        texts.append("".join(chr(rng.choice((rng.randrange(0x20, 0x250), rng.randrange(0x250, 0xD800),
                                             rng.randrange(0xE000, 0x110000)))) for _ in range(rng.randrange(40))))
    for text in texts:
        assert content_hash(text) == reference(text), repr(text)
