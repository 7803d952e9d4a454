"""Names and dates at the edges the quick tests of text_meta and text_dates decide on their own
(a line ruled out by its first two words; a date pattern not run when its separator is missing):
these must read as the full parse reads them."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from worker.cleaning.text_dates import find_date
from worker.cleaning.text_meta import parse_bare_name, split_site_suffix


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, tzinfo=timezone.utc)


@pytest.mark.parametrize("line, names", [
    # Names that open with a particle, a lower-case word or a word that is not all letters.
    ("de la Cruz Maria Lopez", ["de la Cruz Maria Lopez"]),
    ("van der Berg Jan Pieter", ["van der Berg Jan Pieter"]),
    ("Ludwig van Beethoven", ["Ludwig van Beethoven"]),
    ("JOHN o'brien", ["John O'Brien"]),  # a shouted line is title-cased, the lower-case word too
    ("María José García", ["María José García"]),
    ("Jean-Luc Picard | Starfleet", ["Jean-Luc Picard"]),
    ("Tom Krisher, Ap Auto Writer", ["Tom Krisher"]),
    # Lines whose first or second word no name holds.
    ("sarah smith", None),
    ("Published Nov 19", None),
    ("Toobin: Today was a graveyard for GOP talking points", None),
    ("5 Things To Know", None),
    ("Next Story", None),
    ("Facebook", None),
])
def test_bare_names_decided_by_their_first_words(line, names):
    assert parse_bare_name(line) == names


@pytest.mark.parametrize("text, year, expected", [
    ("Posted Nov. 18, 8:19 PM", 2019, day(2019, 11, 18)),  # no year: the URL's
    ("Nov 19", None, None),  # no year and none known
    ("Transportation", 2019, None),  # no digit: no day either
    ("Updated 3:27 am PST, Wednesday, November 20, 2019", None, day(2019, 11, 20)),
    ("20th Nov. 2019", None, day(2019, 11, 20)),
    ("20 Kasım 2019", None, day(2019, 11, 20)),
    ("Room 12 opens on 3 mars 2020", None, day(2020, 3, 3)),
    ("2019/11/20", None, day(2019, 11, 20)),
    ("20/11/2019 and 2019-11-21", None, day(2019, 11, 20)),  # the first date written wins
    ("12019-11-20", None, None),  # a five-digit number is no year
    ("a20 November 2019", None, None),  # nor is a day glued to a word
])
def test_dates_with_and_without_their_separators(text, year, expected):
    assert find_date(text, month_first=True, default_year=year) == expected


def test_site_suffix_of_a_host_named_in_a_colon_title_and_of_one_without_separator():
    assert split_site_suffix("The Space Review: Seeking a new path to the Moon", "www.thespacereview.com") == (
        "Seeking a new path to the Moon", "The Space Review")
    assert split_site_suffix("A headline with no separator at all", "www.example.com") == (
        "A headline with no separator at all", None)
