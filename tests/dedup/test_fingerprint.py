"""Fingerprints: stable across processes, blind to case, punctuation and spinner artifacts;
short texts get no signature."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from worker.config import DedupSettings

from .conftest import article, story


def test_signature_has_num_perm_values_below_2_pow_8_and_one_key_per_band(fingerprinter):
    fp = fingerprinter.fingerprint(article("a", story(1)))
    settings = DedupSettings()
    values = np.frombuffer(fp.signature, "<u4")
    assert values.size == settings.num_perm and values.max() < 256
    assert len(fp.band_keys) == settings.lsh_bands and all(len(key) == 8 for key in fp.band_keys)
    assert fp.shingle_count > settings.min_shingles


def test_same_text_gives_the_same_fingerprint_in_another_process(fingerprinter):
    """Every replica and every restart must compute the same keys: no per-process hash seed."""
    text = story(2)
    code = ("from worker.config import DedupSettings; from worker.dedup.fingerprint import Fingerprinter;"
            "from tests.dedup.conftest import article, story;"
            "fp = Fingerprinter(DedupSettings()).fingerprint(article('a', story(2)));"
            "print(fp.signature.hex(), b''.join(fp.band_keys).hex(), fp.shingle_count)")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    fp = fingerprinter.fingerprint(article("a", text))
    assert other == [fp.signature.hex(), b"".join(fp.band_keys).hex(), str(fp.shingle_count)]


def test_case_punctuation_and_stray_commas_do_not_change_the_fingerprint(fingerprinter):
    text = story(3)
    noisy = text.upper().replace(". ", " , . ").replace("\n\n", "\n \n")
    a, b = fingerprinter.fingerprint(article("a", text)), fingerprinter.fingerprint(article("b", noisy))
    assert (a.signature, a.band_keys, a.content_hash) == (b.signature, b.band_keys, b.content_hash)


def test_short_text_has_no_signature_but_keeps_its_exact_and_url_keys(fingerprinter):
    fp = fingerprinter.fingerprint(article("a", "Police arrested a man on Tuesday in Springfield, officials said.",
                                           url="https://WWW.Site.example/brief/?utm_source=x"))
    assert fp.signature == b"" and fp.band_keys == ()
    assert fp.url_key == "https://site.example/brief" and fp.content_hash
