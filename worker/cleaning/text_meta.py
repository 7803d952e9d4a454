"""Metadata a text dump states in its visible lines: the title (and the site name glued to it) and
the byline. Dates are read by text_dates."""
from __future__ import annotations

import re

# "Title – Site", "Title | Site", "Site :: Title"
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—·•»:~/-]|-{2}|::)\s+")
# Longest site name we accept at the end of a title, in words and characters.
_SITE_MAX_WORDS = 5
_SITE_MAX_CHARS = 40
_LONGEST_BYLINE = 140

# Words that open a byline, by language ("By", "Von", "Par", "Por", "Di", "Door", "Av", "Przez", ...).
_BYLINE_WORDS = frozenset(("by von par por di da door av af przez autor autorka autore auteur author authors"
                           " written posted reported words text texto texte tekst redakcja reportage").split())
_BYLINE_OPENER = re.compile(
    r"(?i)(?:^|\s)(?:by|von|par|por|di|door|av|przez|autor(?:ka|e)?:?|auteur\s?:|author:?|authors:?"
    r"|written by|posted by|reported by|words by|text:|texto:|texte\s?:|tekst:)\s+(?=\S)")
# Where the names of a byline end: a handle, a separator, a digit (date, time), a parenthesis.
_NAMES_END = re.compile(r"\s@|\s[|/•·–—-]\s|\s*\d|\s*\(|\s+(?i:on|am|le|el|il|am|updated|published|posted)\s")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\boraz\b|\ben\b)\s*")
_PARTICLES = frozenset("van von der den de del della di da dos das du la le al el bin ibn zu ter y".split())
# Words that are never part of a person's name but often capitalised in a page header: section
# names, roles and organisation words ("Breaking News", "Senior Contributor", "Associated Press").
_NOT_NAME_WORDS = frozenset("""
news home world sports sport business politics opinion opinions live video videos more tech technology share
follow subscribe sign log in up menu search latest breaking top stories story fact checks about us contact
privacy policy terms photos photo gallery weather health science entertainment music travel life style food
games shop deals read comments comment print email posted updated published filed tags related local national
international edition the of and for to a an on at with desk staff team editorial admin press wire reuters
associated media group magazine daily times post journal today network online digital contributor contributors
senior writer reporter correspondent editor columnist author guest chief managing executive director producer
analyst partner associate host anchor photographer agency service services newsroom report reports review
reviews features feature culture arts economy markets market money finance investing personal view views
all rights reserved advertisement sponsored nachrichten startseite accueil inicio noticias actualités
redaktion rédaction redacción redazione redakcja autor
""".split())


def looks_like_name(text: str) -> bool:
    """2 to 4 words (plus particles such as "van", "de"), each capitalised, letters only, none of
    them a word of page furniture ("News", "Contributor")."""
    tokens = text.split()
    if not 2 <= len(tokens) <= 6:
        return False
    capitalised = 0
    for token in tokens:
        bare = token.strip(".'’-")
        if not bare:
            return False
        lowered = bare.lower()
        if lowered in _PARTICLES:
            continue
        if lowered in _NOT_NAME_WORDS or not bare[0].isupper():
            return False
        if not all(ch.isalpha() or ch in ".'’-" for ch in token):
            return False
        capitalised += 1
    return 2 <= capitalised <= 4


def may_be_byline(line: str) -> bool:
    """Cheap test before parse_byline: a short line with a byline word in it, or a "|"."""
    if len(line) > _LONGEST_BYLINE:
        return False
    # The byline word comes first, or after a date: within the first 40 characters.
    return " | " in line or not _BYLINE_WORDS.isdisjoint(line[:40].lower().replace(":", " ").split())


def parse_byline(line: str) -> list[str] | None:
    """The person names of a byline: "By A and B", "11/19/2019 by A", "Von A", "By A, Wednesday
    20 November", "By A @handle", "A | Associated Press". None if the line is not one.
    Organisations ("By Reuters") are not persons: such a byline gives None."""
    if len(line) > _LONGEST_BYLINE:
        return None
    opener = _BYLINE_OPENER.search(line)
    # The byline word opens the line, or follows a date ("11/19/2019 by ..."), not a sentence
    # ("Additional reporting by ...").
    if opener and (opener.start() == 0 or not any(ch.isalpha() for ch in line[:opener.start()])):
        return _names(line[opener.end():]) or None
    if " | " in line:
        head, _, tail = line.partition(" | ")
        name = _one_name(head)
        if name and len(tail.split()) <= 5:
            return [name]
    return None


def parse_bare_name(line: str) -> list[str] | None:
    """A line that is only a person's name, perhaps followed by a role or a handle ("Dallas
    Robinson", "Tanza Loudenback, Business Insider", "Bruce Y. Lee Senior Contributor").
    Callers use it only right next to the headline, where such lines are bylines."""
    if len(line) > 80:
        return None
    head = re.split(r"\s*[,|@(]\s*|\s[–—-]\s", line, maxsplit=1)[0]
    return _names(head, whole=True) or None


def _names(text: str, whole: bool = False) -> list[str]:
    text = _NAMES_END.split(text, maxsplit=1)[0]
    names = []
    for part in _NAME_SPLIT.split(text):
        name = _one_name(part, whole)
        if name is None:
            return [] if whole else names
        names.append(name)
    return names


def _one_name(text: str, whole: bool = False) -> str | None:
    """The person's name at the start of `text`, or None. A role or organisation after it
    ("Senior Contributor", "USA TODAY") is dropped; with `whole`, nothing else may follow."""
    tokens = text.strip(" .,:;").split()
    shouting = all(t.isupper() for t in tokens if t.isalpha())
    if tokens and shouting:
        tokens = [t.title() if len(t) > 1 else t for t in tokens]  # "LISA MASCARO" -> "Lisa Mascaro"
    kept = []
    for token in tokens:
        bare = token.strip(".'’-").lower()
        if bare in _NOT_NAME_WORDS or not (token[0].isupper() or bare in _PARTICLES):
            break
        if not shouting and len(token) > 2 and token.isupper():
            break  # "Kevin McCoy USA TODAY": the organisation after the name
        kept.append(token)
    half = len(kept) // 2
    if half >= 2 and kept[:half] == kept[half:]:  # "Sean Martin Sean Martin"
        kept = kept[:half]
    rest = tokens[len(kept):]
    if whole and any(t.strip(".,").lower() not in _NOT_NAME_WORDS and not t.isupper() for t in rest):
        return None
    name = " ".join(kept)
    return name if looks_like_name(name) else None


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
        # "Title | Section | Site": the section goes too when it is as short as a site name.
        if len(parts) >= 3 and _is_site_name(parts[-2].strip(), host) and len(parts[-2].split()) <= 3:
            shorter = prefix[: len(prefix) - len(parts[-2].strip()) - len(separators[-2])].strip()
            if len(shorter.split()) >= 3:
                prefix = shorter
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
