"""Person names in author fields, for the HTML path (split_authors: an author field or a byline
element's text), and what the text path's bylines (bylines.py) share with it: page furniture, name
particles, news agencies, where a date starts after the names, words glued by markup.

Bylines carry more than names: "By Tom Krisher, AP Auto Writer", "Analysis by Chris Cillizza, CNN
Editor-at-large", "Von Moritz Bachmann", "Текст: Лида Буслаева", "Posted by Vortex", and author
fields often name an organisation ("Reuters", "BBC News", "HNN Staff") or an account ("admin").
split_authors keeps the persons; what counts as a person is decided by NOT looking like anything
else, since names themselves follow no pattern across languages.
"""
from __future__ import annotations

import re
from typing import Any, Final

from .dates import MONTH_NAMES, WEEKDAY_NAMES, is_calendar_word

MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 5
# A longer author field is no byline (and _HANDLE's "\S+@\S+" costs the square of a long word).
_MAX_FIELD_CHARS = 1000

_SPACES = re.compile(r"\s+")
# A byline keyword, possibly after a few words ("Analysis by", "Publicado por", "Posted by"):
# everything up to it is dropped. Not "de"/"di"/"da": they start names too ("De Souza", "Di Maio").
_BYLINE_LEAD = re.compile(
    r"^(?:[^\W\d_]+\s+){0,3}?(?:by|von|par|por|przez|door|av|af|autor|autora|autorin|author|auteur|"
    r"text|texto|tekst|текст|автор|written by)\s*:?\s+", re.I)
# "and" between names, in several languages. Case-sensitive so that initials survive ("Sarah E.
# Needleman", "Bruce Y. Lee"); all-caps bylines use AND.
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;&|/•·]|\s(?:and|AND|und|et|y|e|i|en|og|och)\s)\s*")
# News agencies and wire desks, also when glued to a name by markup ("ERIC TUCKERAssociated Press").
# Acronyms only in capitals: "Ani", "Efe" are names too.
_AGENCIES = re.compile(
    r"(?:(?i:the associated press|associated press|reuters|agence france-presse|bloomberg news|xinhua|"
    r"interfax|deutsche presse-agentur)|AFP|AP|ANSA|EFE|PTI|IANS|ANI|dpa)\b")
_HANDLE = re.compile(r"@\w+|\S+@\S+|https?://\S+|www\.\S+")
# Words that name a role, a desk or a publication rather than a person.
_NOT_A_PERSON = re.compile(
    r"\b(?:staff|reporter|writer|editor|editors|editorial|correspondent|columnist|contributor|"
    r"bureau|desk|team|newsroom|wire|services|news|media|press|agency|magazine|times|journal|"
    r"insider|international|network|online|daily|tribune|herald|digital|group|inc|ltd|llc|"
    r"admin|administrator|webmaster|guest|anonymous|gast|invité|invitado|redaktion|rédaction|"
    r"redacción|redazione|redakcja|redactie|гость|редакция|home|updated|published|posted|photo|"
    r"comments?|share|corporation|corp|company|gmbh|solutions|foundation|united|fc|club|democrat|gazette|"
    r"chronicle|courier|observer|inquirer|examiner|telegraph|dispatch|sentinel|bulletin|jornal|agencia|"
    r"agência|today)\b", re.I)
# Page furniture, capitalised in menus and headers: a line holding one of these words is no name
# ("Twitter Flickr YouTube Webseite", "Primäres Menü", "Eingetragen am ...").
PAGE_FURNITURE: Final = frozenset("""
facebook twitter instagram linkedin pinterest youtube telegram reddit flickr tiktok whatsapp xing vimeo tumblr
mastodon rss feed menu menü menú primäres primary hauptmenü navigation webseite website homepage startseite
springe skip posted published updated eingetragen veröffentlicht aktualisiert erstellt geschrieben publiziert
gepostet publié publicado pubblicato opublikowano gepubliceerd support kontakt impressum datenschutz
""".split())
# Lower-case words that do occur inside names ("Charles de Gaulle", "Ludwig van Beethoven").
PARTICLES: Final = frozenset({"de", "da", "di", "do", "dos", "das", "del", "della", "van", "von", "der", "den",
                              "ter", "ten", "la", "le", "du", "bin", "ibn", "al", "el", "y", "e", "zu"})
_ARTICLES = frozenset({"the", "a", "an", "le", "la", "les", "der", "die", "das", "el", "los", "il", "lo"})
# Where the names end: a weekday, or a month followed by a day ("Minh Do on Monday, November 18th").
DATE_START = re.compile(r"\b(?:" + WEEKDAY_NAMES + r")\b|\b(?:" + MONTH_NAMES + r")\.?\s+\d", re.I)
# Two texts glued by markup: "Jose AltoverosView More Articles", "Carrie ArnoldNovember 15".
# (Not "McDonald", "LaMotte", "DeArdo": the glue point needs three lower-case letters before it.)
_GLUED = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")


def split_authors(text: Any, site_words: frozenset[str] = frozenset()) -> list[str]:
    """'By Jane Doe and John Roe, Staff Writers' -> ['Jane Doe', 'John Roe']; [] when no person.

    site_words: the site's own name and host words, lower case: a "name" made only of them is the
    site itself ("LinkNaija", "Vortex").
    """
    if not isinstance(text, str) or len(text) > _MAX_FIELD_CHARS:
        return []
    text = _SPACES.sub(" ", _HANDLE.sub(" ", unglued(text))).strip()
    if not text or len(text) > 4 * MAX_NAME_CHARS:
        return []
    text = _without_lead(text)
    text = _GLUED.split(text, maxsplit=1)[0]
    with_agency = _AGENCIES.search(text) is not None
    text = _AGENCIES.sub(",", text)
    text = DATE_START.split(text, maxsplit=1)[0]
    text = re.split(r"\d", text, maxsplit=1)[0]  # a date or time follows the names
    text = re.sub(r"(?<=[^\W\d_]{3})\.\s+(?=[A-ZÀ-ÖØ-ÞА-Я])", ", ", text)  # "Cunningham. Sputnik"
    parts = [_trailing_lowercase(_without_lead(part).strip(" .,:;-–—|()"))
             for part in _NAME_SEPARATORS.split(text)]
    names = [part for part in parts if is_person_name(part, site_words)]
    if with_agency or any(" " in name for name in names):
        # "Victor Tangermann, Futurism": a one-word part beside full names is an affiliation;
        # "PTI, Washington": beside an agency, a place.
        names = [name for name in names if " " in name]
    unique: list[str] = []
    for name in names:
        name = _undouble(name.title() if name.isupper() else name)
        if name not in unique:
            unique.append(name)
    return unique


def _without_lead(text: str) -> str:
    """text without its byline lead ("By ", "Analysis by ", "Von "). A lower-case "von" after a
    name's first word, before one more word or another particle, is the name's own particle
    ("Hans von Trapp", "Ursula von der Leyen"), not the German "by" ("Ein Bericht von Jane Roe")."""
    lead = _BYLINE_LEAD.match(text + " ")
    if lead is None:
        return text.strip()
    rest = (text + " ")[lead.end():].strip()
    if lead.group().rstrip(": ").endswith(" von") and lead.group()[:1].isupper():
        words = _NAME_SEPARATORS.split(rest, maxsplit=1)[0].split()
        if len(words) == 1 or (words and words[0] in PARTICLES):
            return text.strip()
    return rest


def is_person_name(name: str, site_words: frozenset[str] = frozenset()) -> bool:
    words = name.split()
    if not words or len(name) > MAX_NAME_CHARS or len(words) > MAX_NAME_WORDS:
        return False
    if _without_lead(name) != name.strip() or all(is_calendar_word(word) for word in words):
        return False  # "By", "Nov"
    if words[0].casefold() in _ARTICLES:
        return False  # "The Russian and Syrian defense ministries"
    if not all(any(ch.isalpha() for ch in word) or word in "-'" for word in words):
        return False
    if any(ch.isdigit() or ch in "_@/:=.[]()" and not _is_initial(word) for word in words for ch in word):
        return False
    if _NOT_A_PERSON.search(name) or _AGENCIES.fullmatch(name) or any(
            word.lower() in PAGE_FURNITURE for word in words):
        return False
    squashed = re.sub(r"\W", "", name).casefold()
    if squashed and any(squashed in site or site in squashed for site in site_words if len(site) >= 3):
        return False
    if any(ch.isalpha() and ch.lower() != ch.upper() for ch in name):  # a script with letter case
        if not name[0].isupper():
            return False  # "admin", "kevin-r": an account, not a name
        if len(words) == 1 and name.isupper():
            return False  # "PTI", "CNN", "KWCHCIK", "HOME"
        if any(word.islower() and word not in PARTICLES for word in words):
            return False  # "Syrian defense ministries", "Siamo un memorabilia": words, not a name
    return True


def _undouble(name: str) -> str:
    """'Sean Martin Sean Martin' (a byline's link and its text, glued) -> 'Sean Martin'."""
    words = name.split()
    half = len(words) // 2
    return " ".join(words[:half]) if len(words) % 2 == 0 and words[:half] == words[half:] else name


def names_agency(text: str) -> bool:
    """A news agency or wire desk is named ("Associated Press", "AFP", "Reuters")."""
    return _AGENCIES.search(text) is not None


def has_byline_lead(text: str) -> bool:
    """True when text introduces names as a byline does ("By ...", "Von ...", "Текст: ...")."""
    return _BYLINE_LEAD.match(text.strip() + " ") is not None


def _trailing_lowercase(name: str) -> str:
    """'Minh Do on' -> 'Minh Do': a short connecting word after the names (before a date)."""
    words = name.split()
    if len(words) > 1 and words[-1].islower() and len(words[-1]) <= 3:
        words.pop()
    return " ".join(words)


def _is_initial(word: str) -> bool:
    return bool(re.fullmatch(r"(?:[^\W\d_]\.)+|[^\W\d_]+\.?", word))


# Words glued by markup ("Posted on28. Juli 2019AuthorAndreas Kalt"): a year and the word after it,
# a byline word and the name after it, "on"/"am" and the day after it.
_GLUED_YEAR: Final = re.compile(r"(?<=(?:19|20)\d\d)(?=[^\W\d_])")
_GLUED_LEAD: Final = re.compile(r"(?<![^\W\d_])((?i:author|autor|autorin|auteur|by|von|vom|par|por|door|posted))(?=[A-Z])")
_GLUED_DAY: Final = re.compile(r"(?<![^\W\d_])((?i:on|am|le|el|il|den))(?=\d)")


def unglued(line: str) -> str:
    """The line with a space where markup glued a date or a byline word to the next word."""
    line = _GLUED_YEAR.sub(" ", line)
    line = _GLUED_LEAD.sub(r"\1 ", line)
    return _GLUED_DAY.sub(r"\1 ", line)
