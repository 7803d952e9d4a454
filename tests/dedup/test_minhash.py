"""One-permutation MinHash with densification: agreement rate estimates Jaccard similarity for long
and short texts alike; token hashes depend only on the token."""
from __future__ import annotations

import random

import numpy as np

from worker.dedup.minhash import MinHasher
from worker.dedup.shingles import bigrams, tokens, word_hashes


def _words(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(count)]


def _estimate_and_truth(hasher: MinHasher, a: list[str], b: list[str]) -> tuple[float, float]:
    shingles_a = hasher.shingles(bigrams(*word_hashes(" ".join(a)))[0])
    shingles_b = hasher.shingles(bigrams(*word_hashes(" ".join(b)))[0])
    agree = np.count_nonzero(hasher.minhash(shingles_a) == hasher.minhash(shingles_b)) / hasher.num_perm
    truth = len(np.intersect1d(shingles_a, shingles_b)) / len(np.union1d(shingles_a, shingles_b))
    return agree, truth


def test_agreement_rate_estimates_jaccard_for_long_and_short_texts():
    hasher = MinHasher(256, 64, 2)
    rng = random.Random(7)
    for length in (70, 1500):  # 70 words: most of the 256 bins are empty and densified
        errors = []
        for _ in range(40):
            a = _words(rng, length)
            b = list(a)
            for i in rng.sample(range(length), length // 3):
                b[i] = _words(rng, 1)[0]
            agree, truth = _estimate_and_truth(hasher, a, b)
            errors.append(agree - truth)
        assert abs(np.mean(errors)) < 0.02, (length, np.mean(errors))
        assert np.std(errors) < 0.06, (length, np.std(errors))


def test_unrelated_texts_agree_only_by_chance():
    hasher = MinHasher(256, 64, 2)
    rng = random.Random(8)
    agree, truth = _estimate_and_truth(hasher, _words(rng, 400), _words(rng, 400))
    assert truth < 0.01 and agree < 0.03


def test_a_token_hashes_the_same_wherever_it_stands_and_distinct_tokens_differ():
    rng = random.Random(9)
    vocabulary = sorted(set(_words(rng, 20000)))
    text = " ".join(vocabulary)
    hashes, _ = word_hashes(text)
    assert len(hashes) == len(vocabulary) and len(np.unique(hashes)) == len(vocabulary)
    again, _ = word_hashes("x, " + " -- ".join(reversed(vocabulary)))
    assert np.array_equal(again[1:], hashes[::-1])


def test_tokens_are_runs_of_letters_digits_and_marks_casefolded():
    assert tokens("Hello, WORLD! नमस्ते दुनिया 3.5% co-op") == ["hello", "world", "नमस्ते", "दुनिया", "3", "5", "co", "op"]


def test_function_words_are_flagged():
    _, function = word_hashes("The minister said that the budget of Rome")
    assert function.tolist() == [True, False, True, True, True, False, True, False]
