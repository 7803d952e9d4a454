"""Dates as pages write them, in many languages: "November 20, 2019", "20. November 2019",
"20 de noviembre de 2019", "20 listopada 2019", "2019-11-20", "20.11.2019", "2019年11月20日", glued
by markup to the words around them ("Posted on28. Juli 2019AuthorAndreas Kalt"); machine-written
dates (ISO 8601, RFC 2822, epoch seconds) in parse_date; dates in URLs. One module for the HTML and
the text path.

Calendar dates, as the page's reader sees them: a date becomes midnight UTC of the day written, so
its .date() is that day. Time zone names are not read (a page's "5:30 am ET" needs the site's zone
to mean anything); only a machine-written time with a numeric offset right after an ISO date
("2019-11-19T21:05:00-05:00") is kept whole, in the offset it states.
"""
from __future__ import annotations

import re
import contextlib
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Final

from ...config.cleaning import DateLimits

# Month names and usual abbreviations, lower case, by language (several forms where grammar needs
# them: Polish, Czech and Russian write the genitive in dates). Shared spellings map to one month.
_MONTHS: Final[dict[int, tuple[str, ...]]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro",
        "januari", "stycznia", "styczeń", "styczen", "ledna", "leden", "января", "январь", "ocak", "tammikuuta",
        "ianuarie", "januára", "január", "sausio", "січня", "ιανουαρίου", "ιανουάριος", "يناير", "كانون", "ינואר", "בינואר", "siječnja", "gener"),
    2: ("february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro",
        "fev", "februari", "lutego", "luty", "února", "unora", "únor", "февраля", "февраль", "şubat",
        "helmikuuta",
        "februarie", "február", "februára", "vasario", "лютого", "лютий", "φεβρουαρίου", "فبراير", "פברואר", "בפברואר", "veljače", "febrer", "subat",
        "شباط"),
    3: ("march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart", "marca", "marzec",
        "března", "brezna", "březen", "марта", "март", "mart", "maaliskuuta",
        "marts", "maret", "martie", "március", "березня", "березень", "μαρτίου", "مارس", "מרץ", "במרץ", "מרס", "ožujka", "març", "kovo",
        "آذار", "اذار"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwietnia", "kwiecień", "kwiecien", "dubna",
        "duben", "апреля", "апрель", "nisan", "huhtikuuta",
        "aprilie", "április", "apríla", "квітня", "квітень", "απριλίου", "أبريل", "ابريل", "אפריל", "באפריל", "travnja", "balandžio",
        "نيسان"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maja", "maj", "května", "kvetna", "květen",
        "мая", "май", "mayıs", "toukokuuta",
        "május", "mája", "травня", "травень", "μαΐου", "μαίου", "مايو", "מאי", "במאי", "svibnja", "maig", "mayis", "gegužės",
        "أيار", "ايار"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwca", "czerwiec", "června",
        "cervna", "červen", "июня", "июнь", "haziran", "kesäkuuta",
        "iunie", "június", "júna", "червня", "червень", "ιουνίου", "يونيو", "יוני", "ביוני", "lipnja", "juny", "birželio",
        "حزيران"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipca", "lipiec",
        "července", "cervence", "červenec", "июля", "июль", "temmuz", "heinäkuuta",
        "iulie", "július", "júla", "липня", "липень", "ιουλίου", "يوليو", "יולי", "ביולי", "srpnja", "juliol", "liepos",
        "تموز"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "augusti", "sierpnia", "sierpień",
        "sierpien", "srpna", "srpen", "августа", "август", "ağustos", "elokuuta",
        "augusztus", "augusta", "agustus", "серпня", "серпень", "αυγούστου", "أغسطس", "اغسطس", "אוגוסט", "באוגוסט", "kolovoza", "agost", "agustos", "rugpjūčio",
        "آب"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro",
        "września", "wrzesnia", "wrzesień", "září", "zari", "сентября", "сентябрь", "eylül", "syyskuuta",
        "septembrie", "szeptember", "septembra", "вересня", "вересень", "σεπτεμβρίου", "سبتمبر", "ספטמבר", "בספטמבר", "rujna", "setembre", "eylul", "rugsėjo",
        "أيلول", "ايلول"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out",
         "października", "pazdziernika", "październik", "října", "rijna", "říjen", "октября", "октябрь", "ekim",
         "lokakuuta",
        "octombrie", "október", "októbra", "жовтня", "жовтень", "οκτωβρίου", "أكتوبر", "اكتوبر", "אוקטובר", "באוקטובר", "spalio"),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "listopada", "listopad", "listopadu",
         "ноября", "ноябрь", "kasım", "marraskuuta",
        "noiembrie", "novembra", "листопада", "листопад", "νοεμβρίου", "نوفمبر", "נובמבר", "בנובמבר", "studenoga", "kasim", "lapkričio"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre",
         "dezembro", "grudnia", "grudzień", "grudzien", "prosince", "prosinec", "декабря", "декабрь", "aralık",
         "desember", "joulukuuta",
        "decembrie", "decembra", "desembre", "грудня", "грудень", "δεκεμβρίου", "ديسمبر", "דצמבר", "בדצמבר", "prosinca", "aralik", "gruodžio"),
}
MONTH_BY_NAME: Final = {name: number for number, names in _MONTHS.items() for name in names}
# Every month name as one regex alternation (no group), longest first.
MONTH_NAMES: Final = "|".join(sorted(map(re.escape, MONTH_BY_NAME), key=len, reverse=True))
_WEEKDAYS: Final = frozenset("""
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche
lunes martes miércoles jueves viernes sábado domingo lunedì martedì mercoledì giovedì venerdì sabato
segunda terça quarta quinta sexta poniedziałek wtorek środa czwartek piątek sobota niedziela
""".split())
WEEKDAY_NAMES: Final = "|".join(sorted(map(re.escape, _WEEKDAYS), key=len, reverse=True))
# Longest first, so that "sept" wins over "sep" and "marca" over "mar".
_MONTH: Final = "(?P<month>" + "|".join(sorted(map(re.escape, MONTH_BY_NAME), key=len, reverse=True)) + ")"
# Where a month name leads the pattern, any word stands in for it and the word is checked after the
# match: an alternation of 200 names tried case-insensitively at every word is the slowest part of
# reading dates. (A month name is a whole word of letters there: it is followed by ".", a space.)
_MONTH_WORD: Final = r"(?P<month>[^\W\d_]++)"  # (possessive: what follows it is never a letter)
_IS_MONTH: Final = re.compile(_MONTH, re.IGNORECASE)
_YEAR: Final = r"(?P<year>(?:19|20)\d\d)"
_DAY: Final = r"(?P<day>[0-3]?\d)"
# Where a pattern would start with a lookbehind ("not after a digit"), it starts with the character
# a match begins with instead, so that the regex engine skips ahead to the places a match can start
# rather than trying the whole pattern at every character (measured 1.4-2x faster on date lines):
# "(?:19|20)(?<!\d\d\d)" is "19" or "20" with no digit before it; "(?=\d)" before a lookbehind
# fails at once on the letters and spaces that most of a line is.
_YEAR_FIRST: Final = r"(?P<year>(?:19|20)(?<!\d\d\d)\d\d)"
# Between the month and the year: "Nov. 20, 2019", "mayo de 2019", and the month's other name in
# Arabic ("24 نيسان / أبريل 2020": the Levantine and the Egyptian name of April).
_AFTER_MONTH: Final = r"\.?,?\s+(?:de\s+|del\s+|/\s*[^\W\d_]+\s+)?"

_PATTERNS: Final = [
    # 2019-11-20, 2019/11/20, 2019.11.20 (also Korean 2019. 11. 20.)
    re.compile(_YEAR_FIRST + r"(?P<sep>[-/.])\s?(?P<mon>[01]?\d)(?P=sep)\s?" + _DAY + r"(?!\d)"),
    # 2019年11月20日, 2019년 11월 20일
    re.compile(_YEAR_FIRST + r"\s?[年년]\s?(?P<mon>[01]?\d)\s?[月월]\s?" + _DAY + r"\s?[日일]"),
    # 20 November 2019, 20. November 2019, 20 de noviembre de 2019, 1er mai 2019, 20th Nov. 2019,
    # and glued after a word by markup: "Posted on28. Juli 2019"
    # (The month names are tried only where a lookahead finds a word and a year after the day.)
    re.compile(r"(?=\d)(?<![\d._])(?<!(?-i:[A-Z]))" + _DAY + r"(?:\.|er|st|nd|rd|th|º)?\s*(?:de\s+)?"
               + r"(?=[^\W\d_]++" + _AFTER_MONTH + r"(?:19|20)\d\d(?!\d))" + _MONTH + _AFTER_MONTH + _YEAR + r"(?!\d)",
               re.IGNORECASE),
    # November 20, 2019; Nov. 20th 2019
    # (a word that is no month name gives no month in _to_datetime: the match is passed over)
    re.compile(r"(?<!\w)" + _MONTH_WORD + r"\.?\s+" + _DAY + r"(?:st|nd|rd|th)?,?\s+" + _YEAR + r"(?!\d)",
               re.IGNORECASE),
    # 20.11.2019, 20/11/2019, 11/20/2019 (day or month first: decided below)
    re.compile(r"(?=\d)(?<![\d.])(?P<a>[0-3]?\d)(?P<sep>[./])\s?(?P<b>[0-3]?\d)(?P=sep)\s?" + _YEAR + r"(?!\d)"),
    # 11/19/19 (a two-digit year, in bylines: "By Tess Bonn - 11/19/19 06:56 AM EST")
    re.compile(r"(?=\d)(?<![\d./])(?P<a>[0-3]?\d)(?P<sep>/)(?P<b>[0-3]?\d)/(?P<year>[12]\d)(?![\d/])"),
]

# A time with a stated UTC offset straight after an ISO date: "T21:05:00-05:00", " 21:05Z".
_STATED_TIME: Final = re.compile(r"[T ](?P<H>[0-2]\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?(?:\.\d+)?"
                          r"(?P<tz>Z|[+-][01]\d:?[0-5]\d)(?![\d:])")

# A cheap test before the patterns: a line without a 4-digit year (or CJK date) has no full date.
# Written digit first ("a digit, then ..."): the regex engine then skips ahead to the next digit
# instead of trying each alternative at every character, 2x faster on the lines it is asked about.
HAS_YEAR: Final = re.compile(r"\d(?:(?<=1)9\d\d|(?<=2)0\d\d|/[12]\d\b)")
# (Dates are made with their tzinfo passed by position: datetime() reads keyword arguments by a
# slower parse.)
_UTC: Final = timezone.utc


def date_in_url(url: str, fetched_at: datetime | None = None) -> datetime | None:
    """The date in a URL's path (/2019/11/19/, /2019/1/9/, /2019-11-19-, /20191119/), as midnight UTC,
    if it can be a publication date (plausible, against `fetched_at`)."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        moment = datetime(int(match["year"]), int(match["mon"] or match["mon2"]), int(match["day"] or match["day2"]),
                          tzinfo=timezone.utc)
    except ValueError:
        return None
    return plausible(moment, fetched_at)


_URL_DATE: Final = re.compile(
    r"/(?P<year>(?:19|20)\d\d)(?:(?P<sep>[/_-])(?P<mon>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)"
    r"|(?P<mon2>[01]\d)(?P<day2>[0-3]\d))(?:[/_.?#-]|$)")


def year_in_url(url: str) -> int | None:
    match = _URL_YEAR.search(url)
    return int(match.group(1)) if match else None


_URL_YEAR: Final = re.compile(r"/((?:19|20)\d\d)[/_-]")
# "Nov 19", "Posted Nov. 18, 8:19 PM": a month and a day without the year.
_HAS_DIGIT: Final = re.compile(r"\d")
_NO_YEAR: Final = re.compile(
    r"(?<!\w)" + _MONTH_WORD + r"\.?\s+" + _DAY + r"(?:st|nd|rd|th)?(?![\d:])(?!,?\s+(?:19|20)\d\d)", re.IGNORECASE)


def find_date(text: str, *, month_first: bool = False, default_year: int | None = None) -> datetime | None:
    """The first full calendar date written in `text`, as midnight UTC; None if there is none.

    `month_first` decides numeric dates that read either way (03/04/2019): True for US usage.
    `default_year`, when known (from the URL), completes a date written without its year ("Nov 19").
    """
    # (HAS_YEAR needs "19", "20" or "/": most lines asked about hold none, and three searches for them
    # cost less than the pattern's call.)
    if not (("20" in text or "19" in text or "/" in text) and HAS_YEAR.search(text)):
        if default_year is None or not _HAS_DIGIT.search(text):  # (no day either: most lines)
            return None
        match = next((m for m in _NO_YEAR.finditer(text) if _IS_MONTH.fullmatch(m["month"])), None)
        if match is None or MONTH_BY_NAME.get(match["month"].lower()) is None:
            return None
        try:
            return datetime(default_year, MONTH_BY_NAME[match["month"].lower()], int(match["day"]), 0, 0, 0, 0, _UTC)
        except ValueError:
            return None
    best: tuple[int, datetime] | None = None
    # A pattern is not run where its separator is missing: the test costs a tenth of the search.
    slash, dot = "/" in text, "." in text
    runnable = (slash or dot or "-" in text, "年" in text or "년" in text, True, True, slash or dot, slash)
    for pattern, run in zip(_PATTERNS, runnable):
        if not run:
            continue
        for match in pattern.finditer(text):
            # (A match no earlier than the best one found cannot replace it: not read into a date.)
            if best is not None and match.start() >= best[0]:
                break
            moment = _to_datetime(match, month_first)
            if moment is not None:
                best = (match.start(), moment)
                break
        if best is not None and best[0] == 0:
            break  # (no later pattern can start earlier)
    return best[1] if best else None


def _to_datetime(match: re.Match, month_first: bool) -> datetime | None:
    groups = match.groupdict()
    year = int(groups["year"])
    if year < 100:
        year += 2000
    if groups.get("month"):
        month = MONTH_BY_NAME.get(groups["month"].lower())
        day = int(groups["day"])
    elif groups.get("mon"):
        month, day = int(groups["mon"]), int(groups["day"])
        if groups.get("sep") == "-":
            stated = _STATED_TIME.match(match.string, match.end())
            moment = _with_stated_time(year, month, day, stated) if stated is not None else None
            if moment is not None:
                return moment
    else:
        a, b = int(groups["a"]), int(groups["b"])
        if a > 12 or (b <= 12 and groups["sep"] == ".") or (b <= 12 and not month_first):
            day, month = a, b
        else:  # "11/20/2019", and US sites' "03/04/2019"; also "11.14.2019" (Wired), never a day-first date
            month, day = a, b
    if month is None:
        return None
    try:
        return datetime(year, month, day, 0, 0, 0, 0, _UTC)
    except ValueError:
        return None


def _with_stated_time(year: int, month: int, day: int, stated: re.Match) -> datetime | None:
    """The ISO date with the time and the UTC offset written after it, in that offset."""
    zone = stated["tz"]
    offset = timedelta(0)
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if zone[0] == "-":
            offset = -offset
    try:
        return datetime(year, month, day, int(stated["H"]), int(stated["M"]), int(stated["S"] or 0),
                        tzinfo=timezone(offset))
    except ValueError:
        return None


def is_calendar_word(word: str) -> bool:
    """A month or weekday name, or its abbreviation ("Nov.", "Mon", "Juli")."""
    word = word.rstrip(".").lower()
    return word in MONTH_BY_NAME or word in _WEEKDAYS


# -- machine-written dates (JSON-LD, meta tags, <time datetime>)

_ISO: Final = re.compile(
    r"(?P<y>(?:19|20)\d\d)-?(?P<m>[01]\d)-?(?P<d>[0-3]\d)"
    r"(?:(?:T| (?=[0-2]\d:))(?P<H>[0-2]\d):?(?P<M>[0-5]\d)(?::?(?P<S>[0-5]\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-][01]\d(?::?[0-5]\d)?)?)?", re.I)
LIMITS: Final = DateLimits()


def parse_date(value: object, *, month_first: bool = False, fetched_at: datetime | None = None) -> datetime | None:
    """A machine-written date (ISO 8601, RFC 2822, epoch seconds or ms) -> aware datetime in the
    offset it states (UTC when it states none); else the first date written for readers in it
    (find_date). None when there is none, or it cannot be a publication date (plausible, against
    `fetched_at`)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _epoch(float(value), fetched_at)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    # (isdecimal, not isdigit: float() takes no superscripts, "²²²²²²²²²²" raised ValueError)
    if text.isdecimal() and len(text) in (10, 13):
        return _epoch(float(text) / (1000 if len(text) == 13 else 1), fetched_at)
    match = _ISO.search(text)
    if match:
        return _from_iso_match(match, fetched_at)
    # (not an RFC 2822 date; OverflowError: numbers past a C long, "1 Jan 99999999999999999999")
    with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
        return plausible(parsedate_to_datetime(text), fetched_at)
    found = find_date(text, month_first=month_first)
    return plausible(found, fetched_at) if found else None


def plausible(moment: datetime, fetched_at: datetime | None = None) -> datetime | None:
    """The moment, in its own offset, if it can be a publication date; None otherwise (copyright
    years, "0001-01-01" placeholders, dates of events far in the future).

    "The future" is that of the page's fetch when it is known: a page is cleaned the same way
    whenever it is (re)processed, so a replay publishes the identical event; the wall clock only
    stands in for callers without a fetch time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    reference = fetched_at if fetched_at is not None else datetime.now(timezone.utc)
    if moment.year < LIMITS.earliest_year or moment > reference + timedelta(days=LIMITS.days_ahead):
        return None
    return moment


def local_day_differs(moment: datetime, day: datetime) -> bool:
    """`day` (written by the publisher in its local time, as in a URL) is the day before or after a
    moment stated in UTC, and a publisher's offset (LIMITS.west_hours to LIMITS.east_hours) makes it so."""
    if moment.utcoffset() != timedelta(0):
        return False
    hours = moment.hour + moment.minute / 60
    gap = (day.date() - moment.date()).days
    return (gap == -1 and hours < LIMITS.west_hours) or (gap == 1 and hours >= 24 - LIMITS.east_hours)


def _from_iso_match(match: re.Match, fetched_at: datetime | None = None) -> datetime | None:
    parts = match.groupdict()
    try:
        moment = datetime(int(parts["y"]), int(parts["m"]), int(parts["d"]),
                          int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0))
    except ValueError:
        return None
    zone = (parts["tz"] or "").upper()
    offset = timedelta(0)
    if zone and zone not in ("Z", "UTC", "GMT"):
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        if zone[0] == "-":
            offset = -offset
    return plausible(moment.replace(tzinfo=timezone(offset)), fetched_at)


def _epoch(seconds: float, fetched_at: datetime | None = None) -> datetime | None:
    try:
        return plausible(datetime.fromtimestamp(seconds, tz=timezone.utc), fetched_at)
    except (OverflowError, OSError, ValueError):
        return None
