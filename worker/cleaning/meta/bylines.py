"""Bylines and bare names in the lines of a text dump, for the text path (worker/cleaning/text*.py):
may_be_byline (the cheap test first), parse_byline ("By A and B", "11/19/2019 by A", "A | Associated
Press"), parse_bare_name (a line that is only a person's name, next to the headline),
is_byline_word and opens_like_byline (a byline's word alone on a line, or opening it).

A dump's line has no markup to say what it is: a name there is two to four capitalised words of
letters, none of them a word of a role, an organisation or page furniture (looks_like_name), and
the names end where a date, a handle or a separator starts. Author fields of the HTML path are
read by names.split_authors. The thresholds are TextDumpThresholds' defaults (T: free functions).
"""
from __future__ import annotations

import re
from typing import Final

from ...config.cleaning import TextDumpThresholds
from .dates import HAS_YEAR, find_date, is_calendar_word
from .names import DATE_START, PAGE_FURNITURE, PARTICLES, names_agency, unglued

T: Final = TextDumpThresholds()  # the numbers, named and explained in worker/config/cleaning.py

# Words that open a byline, by language ("By", "Von", "Par", "Por", "Di", "Door", "Av", "Przez", ...).
_BYLINE_WORDS: Final = frozenset(("by von par por di da door av af przez autor autorka autore auteur author authors"
                           " written posted reported words text texto texte tekst redakcja reportage текст автор").split())
_LONGEST_BYLINE_WORD: Final = max(map(len, _BYLINE_WORDS))
_BYLINE_LABELS: Final = frozenset("analysis opinion commentary column story interview review report reportage essay"
                            " analyse kommentar meinung análisis opinión tribune post article artikel beitrag"
                            " bericht artículo articolo artigo artykuł".split())
# (The four patterns below open with a lookahead naming the characters a match can start with: at
# every other character the regex engine gives up at once instead of trying the whole pattern.)
_BYLINE_OPENER: Final = re.compile(
    r"(?i)(?=[\sbvpdawrtта])(?:^|\s)(?:by|von|par|por|di|door|av|af|przez|autor(?:ka|e)?:?|auteur\s?:|author:?|authors:?"
    r"|written by|posted by|reported by|words by|text:|texto:|texte\s?:|tekst:|текст:|автор:?)(?:(?<!:):)?\s+(?=\S)")
# Where the names of a byline end: a handle, a separator, a digit (date, time), a parenthesis.
_NAMES_END: Final = re.compile(
    r"(?=[\s\d(])(?:\s@|\s[|/•·–—-]\s|\s*\d|\s*\(|\s+(?i:on|am|le|el|il|am|updated|published|posted)\s)")
# (The separators as one character class and one group of words: the same matches as an
# alternation of each, tried in the same order, in a third of the time.)
_NAME_SPLIT: Final = re.compile(r"(?=[\s,;&aeiouy])\s*(?:[,;&]|\b(?:and|und|et|y|e|i|oraz|en)\b)\s*")
# Where a bare name ends: a comma, "|", a handle, a parenthesis, or a dash or a bullet between spaces.
_BARE_NAME_END: Final = re.compile(r"(?=[\s,|@(])(?:\s*[,|@(]\s*|\s[–—•·-]\s)")
# Words that are never part of a person's name but often capitalised in a page header: roles
# ("Senior Contributor"), which may follow a name, and organisation words and page furniture
# ("Associated Press", "Breaking News", "Watch"), which make the line something else than a name.
_ROLE_WORDS: Final = frozenset("""
contributor contributors senior writer reporter correspondent editor columnist author guest chief managing
executive director producer analyst partner associate host anchor photographer staff ms md phd rd mba jr sr
""".split())
# Buttons, labels and section names of other languages' menus ("Buy Now", "Tag Cloud", "Change
# Location", "Publish Date", "Alle Meldungen", "Jogos de Corridas de Carros": games, in Portuguese),
# and times' zones ("11:04 AM IST", shouted and cut at the digits).
_MENU_WORDS: Final = frozenset("""
buy now cancel unsubscribe change location publish date tag cloud featured content contents member members
article articles charts chart valuation comparison community find your our introducing enviar sugerencia
alle meldungen güncelleme mehr más mais plus companies information actu actus infos en em
noticias notícias notizie nachrichten wiadomości jogos juegos spiele jeux giochi esportes deportes desportos
vídeos fotos política politik politique economía economia wirtschaft économie cultura kultur salud saúde
gesundheit santé entretenimiento entretenimento início mundo welt monde
am pm ist gmt utc est edt cdt pst pdt cet cest bst myt wib
""".split())
_ORG_WORDS: Final = frozenset("""
news home world sports sport business politics opinion opinions live video videos more tech technology share
follow subscribe sign log in up menu search latest breaking top stories story fact checks about us contact
privacy policy terms photos photo gallery weather health science entertainment music travel life style food
games shop deals read comments comment print email posted updated published filed tags related local national
international edition the of and for to a an on at with desk team editorial admin press wire reuters
corporation corp company co inc ltd llc gmbh solutions commerce communications foundation global audio promotion
united fc club democrat gazette herald tribune chronicle courier observer inquirer examiner telegraph dispatch
sentinel bulletin jornal agencia agência insider
associated media group magazine daily times post journal today network online digital agency service services
newsroom report reports review reviews features feature culture arts economy markets market money finance
investing personal view views all rights reserved advertisement sponsored watch must new north south east west
courtesy via sharing buttons addthis just watched watching whatsapp facebook twitter instagram linkedin pinterest youtube telegram reddit chrome safari firefox
nachrichten startseite accueil inicio noticias actualités redaktion rédaction redacción redazione redakcja autor
january february march april may june july august september october november december monday tuesday
wednesday thursday friday saturday sunday
""".split()) | _MENU_WORDS
# The last word of an organisation's name: a "name" followed by one is the organisation's.
_ORG_NOUNS: Final = frozenset("""agency press news media group magazine daily times post journal network sport sports
wire reuters desk newsroom service services online digital editorial team
corporation corp company co inc ltd llc gmbh solutions commerce communications foundation global audio promotion
united fc club democrat gazette herald tribune chronicle courier observer inquirer examiner telegraph dispatch
sentinel bulletin jornal agencia agência insider""".split())
_NOT_NAME_WORDS: Final = _ROLE_WORDS | _ORG_WORDS | PAGE_FURNITURE
# Characters a name's word never holds (looks_like_name: letters and .'’- only), and that have no
# case, so that title-casing a shouted line does not change them.
_NOT_NAME_CHAR: Final = re.compile(r"[\d:;!?/()\[\]\"“”«»,|@#&+=*%$€£<>]")


# A host name's dot inside a word ("AccuWeather.com"); initials ("J.R.") have capitals after theirs.
_DOMAIN: Final = re.compile(r"[^\W\d_]\.[a-z]{2,}")


def _particle_joined(word: str) -> bool:
    """A particle joined to a capitalised name by a hyphen: "al-Fayed", "el-Sayed", "bin-Laden"."""
    particle, hyphen, rest = word.partition("-")
    return bool(hyphen) and particle.lower() in PARTICLES and rest[:1].isupper()


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
        if lowered in PARTICLES:
            continue
        if lowered in _NOT_NAME_WORDS or not (bare[0].isupper() or _particle_joined(bare)):
            return False
        # (isalpha first, a C call: most tokens are all letters, and then no character is checked here.)
        if not token.isalpha():
            if not all(ch.isalpha() or ch in ".'’-" for ch in token):
                return False
            if any(piece[:1].islower() for piece in bare.split("-")[1:]):
                return False  # "In-line Mathematics", "Follow-up Questions": a compound word, no name
            if _DOMAIN.search(bare) is not None:
                return False  # "AccuWeather.com Quick Look": a site's name
        capitalised += 1
    return 2 <= capitalised <= 4


def may_be_byline(line: str) -> bool:
    """Cheap test before parse_byline: a short line with a byline word in it, or a "|"; or a longer
    one opening with a byline word."""
    if len(line) > T.byline_max_chars:
        return len(line) <= T.opened_byline_max_chars and _BYLINE_OPENER.match(line) is not None
    # ("|" first: a search for one character costs a fraction of one for three, and most lines lack it.)
    if "|" in line and " | " in line:
        return True
    # The byline word comes first, or after a date: within T.byline_opening_chars. (A loop of set
    # lookups, not frozenset.isdisjoint: compiled, that method is a slower call; and few lines hold ":".
    # A word longer than any byline word is not looked up: its hash is not worked out.)
    head = line[:T.byline_opening_chars].lower()
    if ":" in head:
        head = head.replace(":", " ")
    for word in head.split():
        if len(word) <= _LONGEST_BYLINE_WORD and word in _BYLINE_WORDS:
            return True
    return False


def is_byline_word(line: str) -> bool:
    """A line that is only a byline word ("By", "Von", "Written by", "Autor:"): markup put the
    names on the next line."""
    words = line.strip().rstrip(":").lower().split()
    return 1 <= len(words) <= 2 and words[-1] in _BYLINE_WORDS and (len(words) == 1 or words[-1] == "by")


# A byline's names going on past the line's end: it ends with a comma or an "and" (get_text-style
# dumps put each linked name on its own line: "By Tariq Malik," / "Mike Wall").
_GOES_ON: Final = re.compile(r"(?:,|&|\s(?:and|und|et|y|e|i|oraz|en))\s*$", re.IGNORECASE)


def goes_on(line: str) -> bool:
    """The names of the byline `line` go on on the next line ("By Lia Eustachewich and")."""
    return _GOES_ON.search(line[-8:]) is not None


def holds_byline_word(line: str) -> bool:
    """A byline word in the line's first T.byline_opening_chars characters, where parse_byline
    looks for it ("Artikel von: Von ...", "11/19/2019 by ...")."""
    return _BYLINE_OPENER.search(line[:T.byline_opening_chars]) is not None


def opens_like_byline(line: str) -> bool:
    """"By ...", "Posted by ...", "Von ...": a byline even when what follows is not a person."""
    opener = _BYLINE_OPENER.match(line)
    return opener is not None


def parse_byline(line: str) -> list[str] | None:
    """The person names of a byline: "By A and B", "11/19/2019 by A", "Von A", "By A, Wednesday
    20 November", "By A @handle", "A | Associated Press". None if the line is not one.
    Organisations ("By Reuters") are not persons: such a byline gives None."""
    if len(line) > T.byline_max_chars:
        if len(line) > T.opened_byline_max_chars or _BYLINE_OPENER.match(line) is None:
            return None
        line = line[:T.byline_max_chars]  # ("By Alex Heath, a deputy editor and author of ...": the names open it)
    line = unglued(line)
    opener = _BYLINE_OPENER.search(line)
    # The byline word opens the line, or follows a date ("11/19/2019 by ...") or a label ("Analysis
    # by ..."), not a sentence ("Additional reporting by ..."); or it opens a part of a line of
    # parts ("Le Monde | 04.05.2015 à 13h36 • Mis à jour ... | Par Martin Untersinger").
    before = line[:opener.start()] if opener else ""
    # (A date or time before it has digits and no lower-case word: "5:45 AM PST 11/19/2019 by ...".)
    if opener and (not any(ch.islower() for ch in before) or before.strip().lower() in _BYLINE_LABELS
                   or before.rstrip()[-1:] in _PART_SEPARATORS
                   or (len(before.split()) <= 6 and find_date(before) is not None)):  # "Posted on 28. Juli 2019 Author"
        rest = line[opener.end():]
        again = _BYLINE_OPENER.match(rest)  # "Post author By X": a label, then the byline word
        rest = rest[again.end():] if again else rest
        # (A one-word name only after a byline word opening the line or following a date: "IAB
        # By Laws" is a menu's.)
        dated = not before.strip() or any(ch.isdigit() for ch in before)
        return _names(rest) or (_single_name(rest) if dated else []) or None
    if " | " in line:
        head, _, tail = line.partition(" | ")
        name = _one_name(head, whole=True)
        if name and len(tail.split()) <= T.affiliation_max_words:
            return [name]
    return None


# What separates the parts of a line of parts (site, date, byline): "|" and bullets.
_PART_SEPARATORS: Final = frozenset("|•·")


def _single_name(text: str) -> list[str]:
    """A byline's one-word name ("by Catherine", "by Regan September 15, 2014"): blogs sign with a
    first name. Only after a byline word, and only a capitalised word of letters that names no
    role, organisation or agency ("By Reuters", "By Staff"), alone before the date or the end."""
    end = _NAMES_END.search(text)
    words = (text[:end.start()] if end else text).strip(" .,:;").split()
    while end is not None and text[end.start():].lstrip()[:1].isdigit() and len(words) > 1 \
            and is_calendar_word(words[-1].strip(".,")):
        words.pop()  # ("Regan September 15, 2014", not "Theresa May")
    if len(words) != 1:
        return []
    word = words[0]
    if len(word) < T.single_name_min_chars or not word.isalpha() or not word[0].isupper() or word.isupper() \
            or not word[1:].islower() or word.lower() in _NOT_NAME_WORDS or names_agency(word) \
            or is_calendar_word(word):
        return []
    return [word]


def parse_bare_name(line: str) -> list[str] | None:
    """A line that is only a person's name, perhaps followed by a role or a handle ("Dallas
    Robinson", "Tanza Loudenback, Business Insider", "Bruce Y. Lee Senior Contributor").
    Callers use it only right next to the headline, where such lines are bylines."""
    if len(line) > T.bare_name_max_chars or _cannot_start_name(line):
        return _dated_name(line) or None
    head, *rest = _BARE_NAME_END.split(line, maxsplit=1)
    # After a comma or a dash come a role or affiliation (a few words) or the date ("Dan Goodin - Apr 16, 2015").
    if rest and len(rest[0].split()) > T.affiliation_max_words and find_date(rest[0]) is None:
        return None  # "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play": a headline
    names = _names(head, whole=True)
    if not names:  # "Mike Conley December 18, 2020": the name, then the date (a byline's)
        at = _DATE_OR_DIGIT.search(line)
        if at is not None and at.start() > 0 and find_date(line[at.start():]) is not None:
            names = _names(line[:at.start()], whole=True)
    return names or _dated_name(line) or None


# A blog's post line: a date and the author's name, set off by the date or a separator, with more
# after it ("November 20, 2019 Emiliano Bellini", "Jane Roe 23/08/2018 2 comments Reading").
_DATE_PIECES: Final = re.compile(r"\d[\d/.:,-]*|[|•·]|\s[–—-]\s")


def _dated_name(line: str) -> list[str]:
    """The names of the first piece of a dated line that is not part of the date: the pieces are
    what digits and separators leave, without the month and weekday words at their ends. Only that
    piece is read, and it must be names only."""
    if len(line) > T.dated_name_max_chars or HAS_YEAR.search(line) is None or find_date(line) is None:
        return []
    for piece in _DATE_PIECES.split(line):
        words = piece.strip(" ,.;:").split()
        while words and is_calendar_word(words[0].strip(".,")):
            words.pop(0)
        while words and is_calendar_word(words[-1].strip(".,")):
            words.pop()
        if words:
            return _names(" ".join(words), whole=True)
    return []


# Where a date starts: a weekday, a month and a day, or a digit.
_DATE_OR_DIGIT: Final = re.compile(DATE_START.pattern + r"|\d", re.I)


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
    if word[0].islower() and lowered not in PARTICLES:
        return True
    return word.isascii() and lowered in _NOT_NAME_WORDS


def _names(text: str, whole: bool = False) -> list[str]:
    """Names at the start of `text` (a byline's); with `whole`, the text must be names only."""
    if not whole:
        end = _NAMES_END.search(text)
        if end is not None:
            dated = text[end.start():].lstrip()[:1].isdigit()
            text = text[:end.start()]
            words = text.split()
            if dated and len(words) > 2 and is_calendar_word(words[-1].strip(".,")):
                # "By GILLIAN MOHNEY March 11, 2015": the date's month, not a third name (and
                # mixed case beside a shouted name); "By Theresa May" keeps hers
                text = " ".join(words[:-1])
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
    elif len(tokens) > 2 and tokens[0].isupper() and tokens[1].isupper() and not tokens[2].isupper():
        # A shouted name before its affiliation in mixed case ("LISA MASCARO The Associated Press"):
        # the shouted words are the name's, what follows goes as an organisation after a name does.
        shouted = next(k for k, t in enumerate(tokens) if not t.isupper())
        tokens = [t.title() if len(t) > 1 else t for t in tokens[:shouted]] + tokens[shouted:]
        shouting = True
    kept = []
    for token in tokens:
        bare = token.strip(".'’-").lower()
        if bare in _NOT_NAME_WORDS or not (token[0].isupper() or bare in PARTICLES or _particle_joined(token)):
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
    # (A news agency after the name is the byline's affiliation: "Tom Davies Associated Press".)
    if whole and not names_agency(" ".join(rest)) and any(
            t.strip(".,").lower() not in _ROLE_WORDS and not t.isupper() for t in rest):
        return None  # "European Space Agency", "Russia Sends More Troops ...": not a name and a role
    name = " ".join(kept)
    return name if looks_like_name(name) else None
