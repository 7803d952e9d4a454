"""Bylines -> persons, written dates -> UTC: the pieces the HTML metadata is built from."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from worker.cleaning.html_authors import split_authors
from worker.cleaning.html_dates import date_in_url, parse_date, parse_prose_date


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
    ("2019-11-18T23:04:24-05:00", datetime(2019, 11, 19, 4, 4, 24, tzinfo=timezone.utc)),
    ("2019-11-20T01:50:59.403Z", datetime(2019, 11, 20, 1, 50, 59, tzinfo=timezone.utc)),
    ("2019-11-20 06:09:25", datetime(2019, 11, 20, 6, 9, 25, tzinfo=timezone.utc)),  # no zone: UTC
    ("20191119", datetime(2019, 11, 19, tzinfo=timezone.utc)),
    ("Mon, 18 Nov 2019 16:07:38 -0600", datetime(2019, 11, 18, 22, 7, 38, tzinfo=timezone.utc)),
    ("1574168580", datetime(2019, 11, 19, 13, 3, tzinfo=timezone.utc)),
    ("November 20, 2019 13:42", datetime(2019, 11, 20, 13, 42, tzinfo=timezone.utc)),
    ("0001-01-01T00:00:00Z", None), ("2999-01-01", None), ("", None), (None, None), ("soon", None),
])
def test_parse_machine_dates(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize("text, day_first, day", [
    ("Updated Nov. 19, 2019 8:21 am ET", False, "2019-11-19"),
    ("publiziert am 25. September 2018", False, "2018-09-25"),
    ("24 сентября 2018", False, "2018-09-24"),
    ("12 listopada 2021", False, "2021-11-12"),
    ("5 de mayo de 2022", False, "2022-05-05"),
    ("13.11.2019, 23:06", False, "2019-11-13"),
    ("05/10/2018", True, "2018-10-05"),
    ("11/20/2019", False, "2019-11-20"),
    ("05/10/2018", False, None),  # ambiguous without knowing the page's language
])
def test_parse_dates_written_for_readers(text, day_first, day):
    found = parse_prose_date(text, day_first)
    assert (found.date().isoformat() if found else None) == day


def test_date_in_url():
    assert date_in_url("https://www.cnn.com/2019/11/18/politics/story/index.html") == datetime(
        2019, 11, 18, tzinfo=timezone.utc)
    assert date_in_url("https://example.com/articles/12345") is None
