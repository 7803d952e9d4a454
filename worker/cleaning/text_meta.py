"""Metadata a text dump states in its visible lines: the title (and the site name glued to it) and
the byline. Dates are read by text_dates."""
from __future__ import annotations

import re
from typing import Final

# "Title – Site", "Title | Site", "Site :: Title". (\s\s* is \s+ written to start with a character
# class: the regex engine then skips ahead to the next space instead of trying at every character.)
_TITLE_SEPARATOR: Final = re.compile(r"\s\s*(?:[|–—·•»:~/-]|-{2}|::)\s+")
# Longest site name we accept at the end of a title, in words and characters.
_SITE_MAX_WORDS: Final = 5
_SITE_MAX_CHARS: Final = 40
_LONGEST_BYLINE: Final = 140

# Words that open a byline, by language ("By", "Von", "Par", "Por", "Di", "Door", "Av", "Przez", ...).
_BYLINE_WORDS: Final = frozenset(("by von par por di da door av af przez autor autorka autore auteur author authors"
                           " written posted reported words text texto texte tekst redakcja reportage").split())
_LONGEST_BYLINE_WORD: Final = max(map(len, _BYLINE_WORDS))
_BYLINE_LABELS: Final = frozenset("analysis opinion commentary column story interview review report reportage essay"
                            " analyse kommentar meinung análisis opinión tribune".split())
# (The four patterns below open with a lookahead naming the characters a match can start with: at
# every other character the regex engine gives up at once instead of trying the whole pattern.)
_BYLINE_OPENER: Final = re.compile(
    r"(?i)(?=[\sbvpdawrt])(?:^|\s)(?:by|von|par|por|di|door|av|przez|autor(?:ka|e)?:?|auteur\s?:|author:?|authors:?"
    r"|written by|posted by|reported by|words by|text:|texto:|texte\s?:|tekst:)\s+(?=\S)")
# Where the names of a byline end: a handle, a separator, a digit (date, time), a parenthesis.
_NAMES_END: Final = re.compile(
    r"(?=[\s\d(])(?:\s@|\s[|/•·–—-]\s|\s*\d|\s*\(|\s+(?i:on|am|le|el|il|am|updated|published|posted)\s)")
# (The separators as one character class and one group of words: the same matches as an
# alternation of each, tried in the same order, in a third of the time.)
_NAME_SPLIT: Final = re.compile(r"(?=[\s,;&aeiouy])\s*(?:[,;&]|\b(?:and|und|et|y|e|i|oraz|en)\b)\s*")
# Where a bare name ends: a comma, "|", a handle, a parenthesis or a dash between spaces.
_BARE_NAME_END: Final = re.compile(r"(?=[\s,|@(])(?:\s*[,|@(]\s*|\s[–—-]\s)")
_PARTICLES: Final = frozenset("van von der den de del della di da dos das du la le al el bin ibn zu ter y".split())
# Words that are never part of a person's name but often capitalised in a page header: roles
# ("Senior Contributor"), which may follow a name, and organisation words and page furniture
# ("Associated Press", "Breaking News", "Watch"), which make the line something else than a name.
_ROLE_WORDS: Final = frozenset("""
contributor contributors senior writer reporter correspondent editor columnist author guest chief managing
executive director producer analyst partner associate host anchor photographer staff ms md phd rd mba jr sr
""".split())
_ORG_WORDS: Final = frozenset("""
news home world sports sport business politics opinion opinions live video videos more tech technology share
follow subscribe sign log in up menu search latest breaking top stories story fact checks about us contact
privacy policy terms photos photo gallery weather health science entertainment music travel life style food
games shop deals read comments comment print email posted updated published filed tags related local national
international edition the of and for to a an on at with desk team editorial admin press wire reuters
associated media group magazine daily times post journal today network online digital agency service services
newsroom report reports review reviews features feature culture arts economy markets market money finance
investing personal view views all rights reserved advertisement sponsored watch must new north south east west
courtesy via sharing buttons addthis just watched watching whatsapp facebook twitter instagram linkedin pinterest youtube telegram reddit chrome safari firefox
nachrichten startseite accueil inicio noticias actualités redaktion rédaction redacción redazione redakcja autor
january february march april may june july august september october november december monday tuesday
wednesday thursday friday saturday sunday
""".split())
# The last word of an organisation's name: a "name" followed by one is the organisation's.
_ORG_NOUNS: Final = frozenset("""agency press news media group magazine daily times post journal network sport sports
wire reuters desk newsroom service services online digital editorial team""".split())
_NOT_NAME_WORDS: Final = _ROLE_WORDS | _ORG_WORDS
# Characters a name's word never holds (looks_like_name: letters and .'’- only), and that have no
# case, so that title-casing a shouted line does not change them.
_NOT_NAME_CHAR: Final = re.compile(r"[\d:;!?/()\[\]\"“”«»,|@#&+=*%$€£<>]")


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
        # (isalpha first, a C call: most tokens are all letters, and then no character is checked here.)
        if not token.isalpha() and not all(ch.isalpha() or ch in ".'’-" for ch in token):
            return False
        capitalised += 1
    return 2 <= capitalised <= 4


def may_be_byline(line: str) -> bool:
    """Cheap test before parse_byline: a short line with a byline word in it, or a "|"."""
    if len(line) > _LONGEST_BYLINE:
        return False
    # ("|" first: a search for one character costs a fraction of one for three, and most lines lack it.)
    if "|" in line and " | " in line:
        return True
    # The byline word comes first, or after a date: within the first 40 characters. (A loop of set
    # lookups, not frozenset.isdisjoint: compiled, that method is a slower call; and few lines hold ":".
    # A word longer than any byline word is not looked up: its hash is not worked out.)
    head = line[:40].lower()
    if ":" in head:
        head = head.replace(":", " ")
    for word in head.split():
        if len(word) <= _LONGEST_BYLINE_WORD and word in _BYLINE_WORDS:
            return True
    return False


def opens_like_byline(line: str) -> bool:
    """"By ...", "Posted by ...", "Von ...": a byline even when what follows is not a person."""
    opener = _BYLINE_OPENER.match(line)
    return opener is not None


def parse_byline(line: str) -> list[str] | None:
    """The person names of a byline: "By A and B", "11/19/2019 by A", "Von A", "By A, Wednesday
    20 November", "By A @handle", "A | Associated Press". None if the line is not one.
    Organisations ("By Reuters") are not persons: such a byline gives None."""
    if len(line) > _LONGEST_BYLINE:
        return None
    opener = _BYLINE_OPENER.search(line)
    # The byline word opens the line, or follows a date ("11/19/2019 by ...") or a label ("Analysis
    # by ..."), not a sentence ("Additional reporting by ...").
    before = line[:opener.start()] if opener else ""
    # (A date or time before it has digits and no lower-case word: "5:45 AM PST 11/19/2019 by ...".)
    if opener and (not any(ch.islower() for ch in before) or before.strip().lower() in _BYLINE_LABELS):
        return _names(line[opener.end():]) or None
    if " | " in line:
        head, _, tail = line.partition(" | ")
        name = _one_name(head, whole=True)
        if name and len(tail.split()) <= 5:
            return [name]
    return None


def parse_bare_name(line: str) -> list[str] | None:
    """A line that is only a person's name, perhaps followed by a role or a handle ("Dallas
    Robinson", "Tanza Loudenback, Business Insider", "Bruce Y. Lee Senior Contributor").
    Callers use it only right next to the headline, where such lines are bylines."""
    if len(line) > 80 or _cannot_start_name(line):
        return None
    head = _BARE_NAME_END.split(line, maxsplit=1)[0]
    return _names(head, whole=True) or None


def _cannot_start_name(line: str) -> bool:
    """A cheap test that `line` does not start with a name (parse_bare_name would find none; most
    lines it is asked about are headlines and labels): a name's first two words open the line,
    and here one of them can never be in a name. Only words the name would hold whole are judged:
    the first, and the second when it is all letters (no separator can cut it)."""
    words = line.lstrip(" .,:;").split(None, 2)
    if len(words) < 2:
        return True  # a name has two words
    first = words[0]
    # (A word of letters holds none of _NOT_NAME_CHAR's characters: isalpha, a C loop, spares the
    # regex call for most first words.)
    if not first.isalpha() and _NOT_NAME_CHAR.search(first) is not None:
        return True
    return _never_in_name(first) or _never_in_name(words[1])


def _never_in_name(word: str) -> bool:
    """A word of letters that _one_name never keeps: lower case and no particle, or (in ASCII,
    where upper-casing a shouted line does not change its lower case) a word of page furniture."""
    if not word.isalpha():
        return False
    lowered = word.lower()
    if word[0].islower() and lowered not in _PARTICLES:
        return True
    return word.isascii() and lowered in _NOT_NAME_WORDS


def _names(text: str, whole: bool = False) -> list[str]:
    """Names at the start of `text` (a byline's); with `whole`, the text must be names only."""
    if not whole:
        text = _NAMES_END.split(text, maxsplit=1)[0]
    names: list[str] = []
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
            if bare in _ORG_NOUNS and token[0].isupper():
                return None  # "European Space Agency", "Telegraph Sport": an organisation
            break
        # (A token whose cased letters after the first are all lower case has at most one capital:
        # islower, a C call, spares the count over its characters for most tokens.)
        if not shouting and len(token) > 2 and not token[1:].islower() and (
                token.isupper() or sum(ch.isupper() for ch in token) >= 3):
            break  # "Kevin McCoy USA TODAY", "Jonathan Garber FOXBusiness": the organisation after the name
        kept.append(token)
    if len(kept) < 2:
        return None  # (looks_like_name wants two words: most lines stop here)
    half = len(kept) // 2
    if half >= 2 and kept[:half] == kept[half:]:  # "Sean Martin Sean Martin"
        kept = kept[:half]
    rest = tokens[len(kept):]
    if whole and any(t.strip(".,").lower() not in _ROLE_WORDS and not t.isupper() for t in rest):
        return None  # "European Space Agency", "Russia Sends More Troops ...": not a name and a role
    name = " ".join(kept)
    return name if looks_like_name(name) else None


def split_site_suffix(title: str, host: str) -> tuple[str, str | None]:
    """("Title | Section | Site", host) -> ("Title", "Site"): the parts after the headline that look
    like a site or section name (short and naming the host, or short and capitalised like a name),
    and a first part naming the host or a one-word section ("Opinion | Title"), go. The headline
    keeps at least three words. Returns (title, site name or None)."""
    head, colon, rest = title.partition(": ")
    # (The host's labels are worked out only for titles that have a part to compare with them.)
    labels = _host_labels(host) if colon else []
    if colon and _names_labels(head, labels, strict=True) and _enough_title([rest]):  # "The Space Review: Seeking ..."
        return rest.strip(), head.strip()
    if not _holds_separator_character(title):
        return title, None  # (most first paragraphs, which settled() asks about, and many titles)
    written = _TITLE_SEPARATOR.split(title)
    if len(written) < 2:
        return title, None
    parts = [part.strip() for part in written]
    labels = labels or _host_labels(host)
    # How each later part names the host, worked out once: the two loops below ask about the last
    # one twice. (The first part, the headline, is asked about only when the loops leave two parts.)
    joined = "".join(labels)
    naming = [_NAMES_NOT] + [_naming(part, labels, joined) for part in parts[1:]]
    site = None
    hi = len(parts)  # the parts kept: parts[lo:hi]
    # (Whether parts[start:end] make enough of a title only gains from more parts: each test is
    # worked out once, as the first `end` that passes, so that a title of n parts costs O(n).)
    enough_2 = _first_enough(parts, 0, 2)
    # Everything from the first later part that names the host ("... - Remember 80/90 - Memorabilia").
    for k in range(max(1, enough_2), len(parts)):
        if naming[k] != _NAMES_NOT:  # ("About bugs – Vortex Cannon")
            site, hi = parts[k], k
            break
    enough_3 = _first_enough(parts, 0, 3) if hi > 1 else hi + 1
    while hi - 1 >= enough_3 and _is_site_name(parts[hi - 1], naming[hi - 1] != _NAMES_NOT):
        site = site or parts[hi - 1]
        hi -= 1
    lo = 0
    if hi > 1:
        first_names_host = _naming(parts[0], labels, joined) == _NAMES_IS
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
    return all(word[0].isupper() or word[0].isdigit() or word.lower() in _PARTICLES or word.lower() in
               ("of", "the", "and") for word in words) and not text.endswith((".", "?", "!"))


# What str.isalnum() rejects (\w is exactly isalnum() or "_"): removed by one regex call, not a
# Python loop over characters (names_host runs several times per page).
_NOT_ALNUM: Final = re.compile(r"[\W_]+")


def names_host(text: str, host: str, strict: bool = False) -> bool:
    """The text is the host's name ("WSJ" for wsj.com, "Henry’s Club" for henrysclub.com), or, unless
    `strict`, contains it ("pv magazine International" for pv-magazine.com)."""
    return _names_labels(text, _host_labels(host), strict)


def _host_labels(host: str) -> list[str]:
    """The labels of a host that can name the site ("pvmagazine", "com" for www.pv-magazine.com),
    worked out once per title by split_site_suffix, which asks about several parts."""
    return [label if label.isalnum() else _NOT_ALNUM.sub("", label)  # (isalnum: nothing to remove)
            for label in host.casefold().split(".") if label not in ("www", "m", "amp")]


def _names_labels(text: str, labels: list[str], strict: bool = False) -> bool:
    """names_host with the host's labels (_host_labels) given."""
    naming = _naming(text, labels, "".join(labels))
    return naming == _NAMES_IS if strict else naming != _NAMES_NOT


# How a text names a host (_naming): not at all, by containing one of its labels, or by being its
# name (what names_host with `strict` accepts).
_NAMES_NOT: Final = 0
_NAMES_PART: Final = 1
_NAMES_IS: Final = 2


def _alnum_only(text: str) -> str:
    """_NOT_ALNUM.sub("", text): the characters of `text` for which isalnum() holds. Site names are
    mostly words and spaces: removing the whitespace (never alnum) by split and join, then finding all
    left alnum, costs a third of the regex's substitution (the regex only reads the other texts)."""
    if text.isalnum():
        return text
    text = "".join(text.split())
    return text if text.isalnum() else _NOT_ALNUM.sub("", text)


def _naming(text: str, labels: list[str], joined: str) -> int:
    """How `text` names the host whose labels (_host_labels) are `labels`, `joined` their concatenation."""
    compact = _alnum_only(text.casefold())
    if len(compact) < 2:
        return _NAMES_NOT
    if compact in joined:
        return _NAMES_IS
    return _NAMES_PART if any(len(label) >= 4 and label in compact for label in labels[:-1]) else _NAMES_NOT
