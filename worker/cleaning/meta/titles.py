"""Titles and site names: "Headline | Section | Site" -> ("Headline", "Site"), and lines that are
page furniture (menus, social links) rather than a headline. Used by the HTML and the text path."""
from __future__ import annotations

import re
from typing import Final

from .dates import find_date
from .hosts import NAMES_IS, NAMES_NOT, host, host_labels, names_labels, naming
from .names import PAGE_FURNITURE, PARTICLES, names_agency

# "Title – Site", "Title | Site", "Site :: Title". (\s\s* is \s+ written to start with a character
# class: the regex engine then skips ahead to the next space instead of trying at every character;
# it starts only at a run's first space and takes the run whole, so a long run of spaces costs its
# length, not its square.)
_TITLE_SEPARATOR: Final = re.compile(r"\s(?<!\s\s)\s*+(?:[|–—·•»:~/-]|-{2}|::)\s+")
# Longest site name we accept at the end of a title, in words and characters.
_SITE_MAX_WORDS: Final = 5
_SITE_MAX_CHARS: Final = 40


# Words of menus and share bars besides PAGE_FURNITURE's: a line made only of such words is no headline.
_MENU_WORDS: Final = PAGE_FURNITURE | frozenset("""
to content site index main share sharing this with options more show messenger email print comments
comment sign log in up out subscribe newsletter search close open toggle menü zum inhalt hauptinhalt
on by via register login account edit profile
""".split())
_SHORT_LINE_WORDS: Final = 12  # a date or an agency in a line this short makes it a dateline or a credit


def is_furniture(line: str) -> bool:
    """A line that is no headline though shaped like one: a menu or share bar ("Skip to content
    Skip to site index", "facebook twitter youtube"), a short date line ("Published Wed, Nov 20
    2019 4:29 AM EST"), a credit or byline naming an agency ("(Reed Saxon / Associated Press)"),
    a handle ("News reporter @TomGillespie1")."""
    words = [word.strip(".,:;|/()[]-–—•·").lower() for word in line.split()]
    words = [word for word in words if word]
    if not words or all(word in _MENU_WORDS for word in words):
        return True
    if line.startswith(("(", "[")) or "@" in line:
        return True
    if is_breadcrumb(line):
        return True
    return len(words) <= _SHORT_LINE_WORDS and (find_date(line) is not None or names_agency(line))


# What separates a breadcrumb's steps ("Blog > Weight Loss > Tips", "News / National /").
_CRUMB: Final = re.compile(r"\s(?:>|»|›|/)(?=\s|$)")


def is_breadcrumb(line: str) -> bool:
    """A trail of sections, not a headline: two steps' separators or more, or one ending the
    line ("T R D NATIONAL /"). (Not "|": <title>s set off the site name with it.)"""
    crumbs = _CRUMB.findall(line)
    return len(crumbs) >= 2 or (len(crumbs) == 1 and line.rstrip().endswith(crumbs[0].strip()))


def title_parts(title: str) -> list[str]:
    """The parts a title's separators divide it into ("Headline | Section | Site")."""
    return _TITLE_SEPARATOR.split(title)


def split_site_suffix(title: str, host: str) -> tuple[str, str | None]:
    """("Title | Section | Site", host) -> ("Title", "Site"): the parts after the headline that look
    like a site or section name (short and naming the host, or short and capitalised like a name),
    and a first part naming the host or a one-word section ("Opinion | Title"), go. The headline
    keeps at least three words. Returns (title, site name or None)."""
    head, colon, rest = title.partition(": ")
    # (The host's labels are worked out only for titles that have a part to compare with them.)
    labels = host_labels(host) if colon else []
    if colon and names_labels(head, labels, strict=True) and _enough_title([rest]):  # "The Space Review: Seeking ..."
        return rest.strip(), head.strip()
    if not _holds_separator_character(title):
        return title, None  # (most first paragraphs, which settled() asks about, and many titles)
    written = _TITLE_SEPARATOR.split(title)
    if len(written) < 2:
        return title, None
    parts = [part.strip() for part in written]
    labels = labels or host_labels(host)
    # How each later part names the host, worked out once: the two loops below ask about the last
    # one twice. (The first part, the headline, is asked about only when the loops leave two parts.)
    joined = "".join(labels)
    namings = [NAMES_NOT] + [naming(part, labels, joined) for part in parts[1:]]
    site = None
    hi = len(parts)  # the parts kept: parts[lo:hi]
    # (Whether parts[start:end] make enough of a title only gains from more parts: each test is
    # worked out once, as the first `end` that passes, so that a title of n parts costs O(n).)
    enough_2 = _first_enough(parts, 0, 2)
    # Everything from the first later part that names the host ("... - Remember 80/90 - Memorabilia").
    for k in range(max(1, enough_2), len(parts)):
        if namings[k] != NAMES_NOT:  # ("About bugs – Vortex Cannon")
            site, hi = parts[k], k
            break
    enough_3 = _first_enough(parts, 0, 3) if hi > 1 else hi + 1
    while hi - 1 >= enough_3 and _is_site_name(parts[hi - 1], namings[hi - 1] != NAMES_NOT):
        site = site or parts[hi - 1]
        hi -= 1
    lo = 0
    if hi > 1:
        first_names_host = naming(parts[0], labels, joined) == NAMES_IS
        if (first_names_host or _is_section(parts[0])) and hi >= _first_enough(parts, 1, 3):
            site = site or (parts[0] if first_names_host else None)
            lo = 1
    if hi - lo == len(written):
        return title, None
    return _rejoin(title, parts[lo:hi]), site


# The characters every title separator holds (_TITLE_SEPARATOR), most frequent first: a title with
# none of them has one part, found by a few memchr-like searches instead of the pattern's scan.
_SEPARATOR_CHARACTERS: Final = ("-", "|", ":", "–", "—", "/", "·", "•", "»", "~")


def _holds_separator_character(title: str) -> bool:
    for character in _SEPARATOR_CHARACTERS:
        if character in title:
            return True
    return False


def _rejoin(title: str, parts: list[str]) -> str:
    """The kept parts as written in the title (with their original separators)."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else " - ".join(parts)


def _enough_title(parts: list[str], words: int = 3) -> bool:
    text = " ".join(parts)
    # (split stops after `words` words: a headline's later words are not made into strings.)
    return len(text.split(None, words - 1)) >= words or (len(text) >= 6 and not any(ch.isupper() or ch.islower() for ch in text[:6]))


def _first_enough(parts: list[str], start: int, words: int = 3) -> int:
    """The smallest `end` for which _enough_title(parts[start:end], words) holds (len(parts) + 1
    when none does), without joining any prefix: the join's words are the parts' words (the parts
    are stripped and joined by a space) and its first six characters are those of the first parts.
    Once true the test stays true for any longer list: its words only grow, and its first six
    characters stop changing once there are six."""
    count = 0
    length = -1  # the join's length so far (no separator before the first part)
    head = ""  # the join's first six characters
    for end in range(start + 1, len(parts) + 1):
        part = parts[end - 1]
        if len(head) < 6:
            head = (head + " " + part if length >= 0 else part)[:6]
        length += 1 + len(part)
        count += len(part.split(None, words - count - 1)) if part else 0
        if count >= words or (length >= 6 and not any(ch.isupper() or ch.islower() for ch in head)):
            return end
    return len(parts) + 1


def _is_section(text: str) -> bool:
    """"Opinion", "Column", "Live": a one-word capitalised label before the headline."""
    return " " not in text and len(text) <= 20 and text[:1].isupper() and text.isalpha()


def _is_site_name(text: str, names_host: bool) -> bool:
    """A short part of a title that names the host (`names_host`: _naming found it does) or is
    capitalised like a name."""
    if len(text) > _SITE_MAX_CHARS:
        return False  # (before the split: the later part of a long first paragraph is often long)
    words = text.split()
    if not words or len(words) > _SITE_MAX_WORDS:
        return False
    if names_host:
        return True
    if not any(ch.isupper() or ch.islower() for ch in text):
        return len(text) <= 30  # a name in a script without case (CJK, Arabic, ...)
    return all(word[0].isupper() or word[0].isdigit() or word.lower() in PARTICLES or word.lower() in
               ("of", "the", "and") for word in words) and not text.endswith((".", "?", "!"))


# -- the HTML path's titles, with the site name the page states

def is_site_text(text: str, site_name: str | None, url: str) -> bool:
    """True when text is the site's name ("The GiveWell Blog", "India Post"), not a headline."""
    squashed = loose(text).replace(" ", "")
    if not squashed:
        return True
    site = loose(site_name or "").replace(" ", "")
    host_name = host(url).removeprefix("www.").split(".")[0].replace("-", "")
    return squashed in (site, host_name) or (len(host_name) >= 4 and squashed == f"the{host_name}")


def loose(text: str) -> str:
    """Words only, case folded: 'The Giving-Blog!' -> 'the giving blog'."""
    return re.sub(r"\W+", " ", text).strip().casefold()


def strip_site_name(title: str, site_name: str | None, url: str) -> str:
    """'Headline - The New York Times' -> 'Headline': drop a separated part naming the site (its
    stated name, from the HTML page's metadata, or its host). The HTML path's; the text path, which
    knows no site name, uses split_site_suffix."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    host_words = loose(host(url).removeprefix("www.").replace(".", " "))
    site = loose(site_name or "")

    def names_site(part: str) -> bool:
        words = loose(part)
        squashed = words.replace(" ", "")
        return bool(words) and (words == site or (squashed and squashed in host_words.replace(" ", ""))
                                or (site and (words in site or site in words)))

    while len(parts) > 1 and names_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and names_site(parts[0]):
        parts.pop(0)
    if len(parts) == len(_TITLE_SEPARATOR.split(title)):
        return title
    # Rebuild from the original text so separators inside the headline survive.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else title
