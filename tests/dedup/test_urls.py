"""Variants of one address get one key; different pages keep different keys."""
import pytest

from worker.dedup.urls import canonical_url

SAME_PAGE = [
    ("https://example.com/news/story", [
        "http://example.com/news/story",
        "HTTPS://WWW.EXAMPLE.COM/news/story",
        "https://www.example.com:443/news/story/",
        "http://example.com:80/news/story",
        "https://example.com/news/story#comments",
        "https://example.com/news/story?utm_source=twitter&utm_medium=social",
        "https://example.com/news/story?fbclid=IwAR0abc&gclid=xyz&mc_cid=1",
        "https://example.com//news/./story",
        "https://example.com/news/x/../story",
        "https://user:secret@example.com/news/story",
        "https://example.com./news/story",
        "https://example.com/news/story?",
        "https://example.com/news/story/amp",
        "https://example.com/news/story/amp/?utm_source=twitter",
    ]),
    ("https://example.com/a?id=7&page=2", [
        "https://example.com/a?page=2&id=7",
        "https://example.com/a?page=2&utm_campaign=x&id=7#top",
    ]),
    ("https://example.com/~user/caf%C3%A9", [
        "https://example.com/%7euser/caf%c3%a9",
        "https://example.com/%7Euser/café",
    ]),
]


@pytest.mark.parametrize("expected, variant", [(key, v) for key, variants in SAME_PAGE for v in variants])
def test_variants_of_one_page_share_the_key(expected, variant):
    assert canonical_url(variant) == expected


@pytest.mark.parametrize("a, b", [
    ("https://example.com/news/Story", "https://example.com/news/story"),  # path case matters
    ("https://example.com/a?id=1", "https://example.com/a?id=2"),  # content parameters are kept
    ("https://example.com/a", "https://example.com:8443/a"),  # a non-default port is another server
    ("https://example.com/a", "https://news.example.com/a"),  # only www. is folded
    ("https://example.com/a%2Fb", "https://example.com/a/b"),  # an escaped slash is not a separator
    ("https://example.com/amp", "https://example.com/"),  # a page named amp, not an AMP version
    ("https://example.com/news/AMP", "https://example.com/news"),  # path case matters
])
def test_different_pages_keep_different_keys(a, b):
    assert canonical_url(a) != canonical_url(b)


def test_key_is_stable_when_canonicalized_again():
    for _, variants in SAME_PAGE:
        for variant in variants:
            key = canonical_url(variant)
            assert canonical_url(key) == key
