"""Publication dates as pages write them -> timezone-aware datetimes in the page's own offset.

Pages state dates in machine form (JSON-LD, meta tags, <time datetime>: ISO 8601, RFC 2822, epoch
seconds) and in prose ("Nov. 19, 2019", "19 novembre 2019", "19.11.2019"). Both are parsed here
without guessing: a day-month order is only accepted where it cannot be read another way (day > 12)
or where the month is a word. The offset a page states is kept (not converted to UTC): readers and
the metadata labels go by the publisher's local calendar day, and 21:05 in New York is already the
next day in UTC. A date without a time zone, and epoch seconds, are taken as UTC.
"""
from __future__ import annotations

import contextlib

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# Oldest and newest plausible publication dates: anything else is a parsing accident
# (copyright years, "0001-01-01" placeholders, dates of events far in the future).
EARLIEST_YEAR = 1990
LATEST_AHEAD = timedelta(days=2)

_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-?(?P<m>[01]\d)-?(?P<d>[0-3]\d)"
    r"(?:[T ](?P<H>[0-2]\d):?(?P<M>[0-5]\d)(?::?(?P<S>[0-5]\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-][01]\d(?::?[0-5]\d)?)?)?", re.I)
_SLASHED = re.compile(r"\b(?P<y>(?:19|20)\d\d)[/.](?P<m>[01]?\d)[/.](?P<d>[0-3]?\d)\b")
_NUMERIC_DATE = re.compile(r"\b(?P<a>\d{1,2})[./](?P<b>\d{1,2})[./](?P<y>(?:19|20)\d\d)\b")
_WORD_DATE = re.compile(
    r"(?:(?P<d1>[0-3]?\d)(?:st|nd|rd|th|er|\.|º)?\s*(?:de\s+)?(?P<mon1>[^\W\d_]{3,12})\.?,?\s*(?:de\s+)?(?P<y1>(?:19|20)\d\d))"
    r"|(?:(?P<mon2>[^\W\d_]{3,12})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d))",
    re.I)
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|-|\b)")

# Month names (and their usual abbreviations: the first letters of each name are tried) in the
# languages the stream carries most; genitive forms where a language uses them in dates.
_MONTHS = {
    1: "january janvier januar enero gennaio janeiro januari januar stycznia styczeń leden ledna января январь ocak",
    2: "february février fevrier februar febrero febbraio fevereiro februari lutego luty únor února февраля февраль şubat",
    3: "march mars märz maerz marzo março maart marca marzec březen března марта март mart",
    4: "april avril abril aprile kwietnia kwiecień duben dubna апреля апрель nisan",
    5: "may mai mayo maggio maio mei maja maj květen května мая май mayıs",
    6: "june juin juni junio giugno junho czerwca czerwiec červen června июня июнь haziran",
    7: "july juillet juli julio luglio julho lipca lipiec červenec července июля июль temmuz",
    8: "august août aout agosto augustus sierpnia sierpień srpen srpna августа август ağustos",
    9: "september septembre septiembre settembre setembro września wrzesień září сентября сентябрь eylül",
    10: "october octobre oktober octubre ottobre outubro października październik říjen října октября октябрь ekim",
    11: "november novembre noviembre novembro listopada listopad listopadu ноября ноябрь kasım",
    12: "december décembre decembre dezember diciembre dicembre dezembro grudnia grudzień prosinec prosince декабря декабрь aralık",
}
_MONTH_BY_NAME = {name: month for month, names in _MONTHS.items() for name in names.split()}


def parse_date(value: object) -> datetime | None:
    """A machine-written date (ISO 8601, RFC 2822, epoch seconds or ms) -> aware datetime in the
    offset it states (UTC when it states none), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit() and len(text) in (10, 13):
        return _epoch(float(text) / (1000 if len(text) == 13 else 1))
    match = _ISO.search(text)
    if match:
        return _from_iso_match(match)
    with contextlib.suppress(TypeError, ValueError, IndexError):  # not an RFC 2822 date
        return _plausible(parsedate_to_datetime(text))
    return parse_prose_date(text)


def parse_prose_date(text: str, day_first: bool = False) -> datetime | None:
    """The first date written for readers in text ("Nov. 19, 2019", "19 listopada 2019", "19.11.2019").

    day_first: read an ambiguous 05/10/2018 as 5 October (most of the world) rather than May 10 (US).
    """
    match = _WORD_DATE.search(text)
    while match:
        name = (match.group("mon1") or match.group("mon2")).lower()
        month = _month_number(name)
        if month:
            day = int(match.group("d1") or match.group("d2"))
            year = int(match.group("y1") or match.group("y2"))
            found = _make(year, month, day)
            if found:
                return found
        match = _WORD_DATE.search(text, match.end())
    for pattern in (_ISO, _SLASHED):
        match = pattern.search(text)
        if match:
            found = _make(int(match.group("y")), int(match.group("m")), int(match.group("d")))
            if found:
                return found
    match = _NUMERIC_DATE.search(text)
    if match:  # dd.mm.yyyy is day first; for a/b/yyyy the numbers decide unless the page's language does
        first, second, year = int(match.group("a")), int(match.group("b")), int(match.group("y"))
        if "." in match.group(0) or first > 12 or (day_first and second <= 12):
            return _make(year, second, first)
        if second > 12:
            return _make(year, first, second)
    return None


def date_in_url(url: str) -> datetime | None:
    """/2019/11/19/ or /2019-11-19- style dates in a URL path (many news sites put the day there)."""
    match = _URL_DATE.search(url)
    return _make(int(match.group("y")), int(match.group("m")), int(match.group("d"))) if match else None


def _month_number(name: str) -> int | None:
    month = _MONTH_BY_NAME.get(name)
    if month is None and len(name) >= 3:
        candidates = {m for full, m in _MONTH_BY_NAME.items() if full.startswith(name)}
        month = candidates.pop() if len(candidates) == 1 else None
    return month


def _from_iso_match(match: re.Match) -> datetime | None:
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
    return _plausible(moment.replace(tzinfo=timezone(offset)))


def _make(year: int, month: int, day: int) -> datetime | None:
    try:
        return _plausible(datetime(year, month, day, tzinfo=timezone.utc))
    except ValueError:
        return None


def _epoch(seconds: float) -> datetime | None:
    try:
        return _plausible(datetime.fromtimestamp(seconds, tz=timezone.utc))
    except (OverflowError, OSError, ValueError):
        return None


def _plausible(moment: datetime) -> datetime | None:
    """The moment, in its own offset, if it can be a publication date; None otherwise."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment.year < EARLIEST_YEAR or moment > datetime.now(timezone.utc) + LATEST_AHEAD:
        return None
    return moment
