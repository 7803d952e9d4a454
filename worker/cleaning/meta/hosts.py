"""Hosts: the host of a URL, whether a text names the site ("WSJ" for wsj.com), the words a site's
own name is made of. Used by the HTML and the text path."""
from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote, urlsplit

# Host labels that never name a site ("www.", "m.", "news.example.com", "example.co.uk").
GENERIC_HOST_LABELS: Final = frozenset({"www", "m", "amp", "blog", "blogs", "news", "en", "de", "fr", "es", "it",
                                        "pl", "co", "com", "org", "net", "hosted"})

_PLAIN_HOST: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9._~-]+)(?::[0-9]*)?(?=[/?#]|\Z)")
# What str.isalnum() rejects (\w is exactly isalnum() or "_").
_NOT_ALNUM: Final = re.compile(r"[\W_]+")

# How a text names a host (naming): not at all, by containing one of its labels, or by being its
# name (what names_host with `strict` accepts).
NAMES_NOT: Final = 0
NAMES_PART: Final = 1
NAMES_IS: Final = 2


def host(url: str) -> str:
    """The URL's host name, lower case ("" for none or a malformed URL)."""
    plain = _PLAIN_HOST.match(url)  # (the usual form, at a fifth of urlsplit's cost)
    if plain is not None:
        return plain[1].lower()
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[not-an-ipv6"
        return ""


def names_host(text: str, host_name: str, strict: bool = False) -> bool:
    """The text is the host's name ("WSJ" for wsj.com, "Henry’s Club" for henrysclub.com), or, unless
    `strict`, contains it ("pv magazine International" for pv-magazine.com)."""
    return names_labels(text, host_labels(host_name), strict)


def host_labels(host_name: str) -> list[str]:
    """The labels of a host that can name the site ("pvmagazine", "com" for www.pv-magazine.com)."""
    return [label if label.isalnum() else _NOT_ALNUM.sub("", label)
            for label in host_name.casefold().split(".") if label not in ("www", "m", "amp")]


def names_labels(text: str, labels: list[str], strict: bool = False) -> bool:
    """names_host with the host's labels (host_labels) given."""
    found = naming(text, labels, "".join(labels))
    return found == NAMES_IS if strict else found != NAMES_NOT


def naming(text: str, labels: list[str], joined: str) -> int:
    """How `text` names the host whose labels (host_labels) are `labels`, `joined` their concatenation."""
    compact = _alnum_only(text.casefold())
    if len(compact) < 2:
        return NAMES_NOT
    if compact in joined:
        return NAMES_IS
    return NAMES_PART if any(len(label) >= 4 and label in compact for label in labels[:-1]) else NAMES_NOT


def site_words(site_name: str | None, url: str) -> frozenset[str]:
    """The words a site's own name is made of, lower case: its host's specific labels and its
    stated name squashed ("linknaija", "vortex"). A "person" made only of them is the site."""
    labels = host(url).split(".")[:-1]
    words = {label.replace("-", "") for label in labels if label not in GENERIC_HOST_LABELS}
    if site_name:
        words.add(_NOT_ALNUM.sub("", site_name).casefold())
    return frozenset(w for w in words if len(w) >= 3)


def _alnum_only(text: str) -> str:
    """_NOT_ALNUM.sub("", text), sparing the regex for the usual words-and-spaces text."""
    if text.isalnum():
        return text
    text = "".join(text.split())
    return text if text.isalnum() else _NOT_ALNUM.sub("", text)


_PATH_WORD: Final = re.compile(r"[^\W\d_]{3,}")


def path_words(url: str) -> frozenset[str]:
    """The words of the URL's path (its slug: "/2019/11/19/opinion/republicans-trump-nowhere.html"
    -> {"opinion", "republicans", "trump", "nowhere", "html"}), case folded, three letters or more."""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return frozenset()
    return frozenset(_PATH_WORD.findall(path.casefold()))
