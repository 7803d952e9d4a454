"""Bylines -> persons, written dates -> UTC: the pieces the HTML metadata is built from."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from worker.cleaning.meta.names import split_authors
from worker.cleaning.meta.dates import date_in_url, find_date, parse_date


@pytest.mark.parametrize("byline, names", [
    ("By Sarah E. Needleman", ["Sarah E. Needleman"]),  # initials are not "and" in another language
    ("By Tom Krisher, AP Auto Writer", ["Tom Krisher"]),
    ("Analysis by Chris Cillizza, CNN Editor-at-large", ["Chris Cillizza"]),
    ("By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKERAssociated Press",
     ["Lisa Mascaro", "Mary Clare Jalonick", "Eric Tucker"]),
    ("By Matthew Digby , Minh Do on Monday, November 18th, 2019 at 11:08 a.m.", ["Matthew Digby", "Minh Do"]),
    ("Written by Rachael Link, MS, RD on November 14, 2019", ["Rachael Link"]),
    ("Victor Tangermann, Futurism", ["Victor Tangermann"]),
    ("Jose AltoverosView More Articles", ["Jose Altoveros"]),
    ("Текст: Лида Буслаева", ["Лида Буслаева"]),
    ("Von Moritz Bachmann", ["Moritz Bachmann"]),
    ("Charles de Gaulle", ["Charles de Gaulle"]),
    ("By Ani Smith and Paul Read", ["Ani Smith", "Paul Read"]),  # not the agency ANI, not "read"
    ("Reuters", []), ("The Associated Press", []), ("PTI, Washington, Nov 20 2019", []),
    ("HNN Staff", []), ("Editorial", []), ("admin", []), ("By", []), ("https://www.facebook.com/someone", []),
])
def test_split_authors_keeps_persons(byline, names):
    assert split_authors(byline) == names


def test_the_site_itself_is_not_an_author():
    assert split_authors("LinkNaija", frozenset({"linknaija"})) == []


@pytest.mark.parametrize("written, expected", [
    # The offset the page states is kept (its calendar day is the one readers saw); none stated: UTC.
    ("2019-11-18T23:04:24-05:00", "2019-11-18T23:04:24-05:00"),
    ("2019-11-20T01:50:59.403Z", "2019-11-20T01:50:59+00:00"),
    ("2019-11-20T10:15:00+0530", "2019-11-20T10:15:00+05:30"),
    ("2019-11-20 06:09:25", "2019-11-20T06:09:25+00:00"),
    ("20191119", "2019-11-19T00:00:00+00:00"),
    ("Mon, 18 Nov 2019 16:07:38 -0600", "2019-11-18T16:07:38-06:00"),
    ("1574168580", "2019-11-19T13:03:00+00:00"),
    ("November 20, 2019 13:42", "2019-11-20T13:42:00+00:00"),
    ("0001-01-01T00:00:00Z", None), ("2999-01-01", None), ("", None), (None, None), ("soon", None),
])
def test_parse_machine_dates(written, expected):
    found = parse_date(written)
    assert (found.isoformat() if found else None) == expected


@pytest.mark.parametrize("text, month_first, day", [
    ("Updated Nov. 19, 2019 8:21 am ET", True, "2019-11-19"),
    ("publiziert am 25. September 2018", False, "2018-09-25"),
    ("24 сентября 2018", False, "2018-09-24"),
    ("12 listopada 2021", False, "2021-11-12"),
    ("5 de mayo de 2022", False, "2022-05-05"),
    ("13.11.2019, 23:06", True, "2019-11-13"),
    ("05/10/2018", False, "2018-10-05"),
    ("11/20/2019", False, "2019-11-20"),
    ("05/10/2018", True, "2018-05-10"),  # an English (US) page
])
def test_parse_dates_written_for_readers(text, month_first, day):
    found = find_date(text, month_first=month_first)
    assert (found.date().isoformat() if found else None) == day


def test_date_in_url():
    assert date_in_url("https://www.cnn.com/2019/11/18/politics/story/index.html") == datetime(
        2019, 11, 18, tzinfo=timezone.utc)
    assert date_in_url("https://example.com/articles/12345") is None
