"""Metadata a text dump states in its visible lines: the title (and the site name glued to it) and
the byline. Dates are read by text_dates."""
from __future__ import annotations

import re

# "Title – Site", "Title | Site", "Site :: Title"
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—·•»:~/-]|-{2}|::)\s+")
# Longest site name we accept at the end of a title, in words and characters.
_SITE_MAX_WORDS = 5
_SITE_MAX_CHARS = 40

_BYLINE_PREFIX = re.compile(
    r"(?i)^(?:by|von|par|por|di|da|door|av|af|przez|autor|autorka|autore|auteur|author|written by|posted by"
    r"|reported by|words by|text|texto|texte|tekst|redakcja|reportage)\b\s*:?\s+(?P<names>.+)$")
_BYLINE_WORDS = frozenset(("by von par por di da door av af przez autor autorka autore auteur author written posted"
                           " reported words text texto texte tekst redakcja reportage").split())
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\boraz\b|\ben\b)\s*")
# Where a byline's names end: an agency or role after a separator, a date, "updated", a time.
_BYLINE_TAIL = re.compile(r"\s+[|/•·–—-]\s+|\s+\d|\s*\(|(?i:\s+(?:updated|published|posted|on|am|le|el|il|am)\s)")
_PARTICLES = frozenset("van von der den de del della di da dos das du la le al el bin ibn zu ter".split())


def looks_like_name(text: str) -> bool:
    """2 to 4 words, each capitalised (or a particle such as "van", "de"), letters only."""
    tokens = text.split()
    if not 2 <= len(tokens) <= 5:
        return False
    capitalised = 0
    for token in tokens:
        bare = token.strip(".'’-")
        if not bare:
            return False
        if bare.lower() in _PARTICLES:
            continue
        if not (bare[0].isupper() and all(ch.isalpha() or ch in ".'’-" for ch in token)):
            return False
        if token.isupper() and len(bare) > 2:  # "CNN WIRE": an organisation, not a person
            return False
        capitalised += 1
    return capitalised >= 2


def may_be_byline(line: str) -> bool:
    """Cheap test before parse_byline: a short line opening with a byline word, or with a "|"."""
    if len(line) > 120:
        return False
    return " | " in line or line.split(" ", 1)[0].lower().rstrip(":") in _BYLINE_WORDS


def parse_byline(line: str) -> list[str] | None:
    """The author names of a byline ("By A and B", "Von A", "A | Associated Press"); None if the
    line is not one."""
    if not may_be_byline(line):
        return None
    match = _BYLINE_PREFIX.match(line)
    if match:
        names = _BYLINE_TAIL.split(match.group("names"), maxsplit=1)[0]
        found = [part for part in _NAME_SPLIT.split(names) if part]
        authors = [name.strip(" .,") for name in found if looks_like_name(name.strip(" .,"))]
        return authors if authors and len(authors) == len(found) else None
    if " | " in line:
        head, _, tail = line.partition(" | ")
        if looks_like_name(head) and len(tail.split()) <= 5 and " | " not in tail:
            return [head.strip()]
    return None


def split_site_suffix(title: str, host: str) -> tuple[str, str | None]:
    """("Title – Site", host) -> ("Title", "Site") when the end looks like a site name: short and
    naming the host, or short and capitalised like a name. Otherwise the title unchanged."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title, None
    separators = _TITLE_SEPARATOR.findall(title)
    suffix = parts[-1].strip()
    prefix = title[: len(title) - len(suffix) - len(separators[-1])].strip()
    if _is_site_name(suffix, host) and len(prefix.split()) >= 2:
        return prefix, suffix
    first = parts[0].strip()
    if _names_host(first, host) and len(first.split()) <= _SITE_MAX_WORDS:
        return title[len(first) + len(separators[0]):].strip(), first
    return title, None


def _is_site_name(text: str, host: str) -> bool:
    words = text.split()
    if not words or len(words) > _SITE_MAX_WORDS or len(text) > _SITE_MAX_CHARS:
        return False
    if _names_host(text, host):
        return True
    return all(word[0].isupper() or word[0].isdigit() or word.lower() in _PARTICLES or word.lower() in
               ("of", "the", "and") for word in words) and not text.endswith((".", "?", "!"))


def _names_host(text: str, host: str) -> bool:
    compact = "".join(ch for ch in text.casefold() if ch.isalnum())
    if len(compact) < 2:
        return False
    labels = [label for label in host.casefold().split(".") if label not in ("www", "m", "amp")]
    host_compact = "".join(labels)
    return compact in host_compact or any(len(label) >= 4 and label in compact for label in labels[:-1])
