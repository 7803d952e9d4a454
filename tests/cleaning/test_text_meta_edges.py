"""Names and dates at the edges the quick tests of text_meta and text_dates decide on their own
(a line ruled out by its first two words; a date pattern not run when its separator is missing):
these must read as the full parse reads them."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from worker.cleaning.meta.dates import find_date
from worker.cleaning.meta.bylines import _NOT_NAME_CHAR, parse_bare_name, parse_byline
from worker.cleaning.meta.titles import split_site_suffix


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
    ("a20 November 2019", None, day(2019, 11, 20)),  # a day glued to a word by markup ("Posted on28. Juli")
    ("A20 November 2019", None, None),  # but not to a capital: "COVID19", "A20" name things
    ("3/4/21 6:38 AM", None, day(2021, 3, 4)),  # a year written without "19" or "20": found by its "/"
    ("Nov 2, 2021", None, day(2021, 11, 2)),
])
def test_dates_with_and_without_their_separators(text, year, expected):
    assert find_date(text, month_first=True, default_year=year) == expected


def test_site_suffix_of_a_host_named_in_a_colon_title_and_of_one_without_separator():
    assert split_site_suffix("The Space Review: Seeking a new path to the Moon", "www.thespacereview.com") == (
        "Seeking a new path to the Moon", "The Space Review")
    assert split_site_suffix("A headline with no separator at all", "www.example.com") == (
        "A headline with no separator at all", None)

@pytest.mark.parametrize("title, host, expected", [
    ('Opinion | Republicans Are Following Trump to Nowhere - The New York Times', 'www.nytimes.com', ('Republicans Are Following Trump to Nowhere', 'The New York Times')),
    ("Browns player on Mason Rudolph's role in fight: He asked for it - CBSSports.com", 'www.cbssports.com', ("Browns player on Mason Rudolph's role in fight: He asked for it", 'CBSSports.com')),
    ('Zach Parise heating up, scores twice as Wild beat Sabres 4-1 – Twin Cities', 'www.twincities.com', ('Zach Parise heating up, scores twice as Wild beat Sabres 4-1', 'Twin Cities')),
    ('Local Council Approves New School Budget\xa0— Daily Planet', 'dailyplanet.com', ('Local Council Approves New School Budget', 'Daily Planet')),
    ('About bugs – Vortex Cannon', 'vortexcannon.com', ('About bugs', 'Vortex Cannon')),
    ('PV Magazine :: Solar Prices Fall Again This Year', 'www.pv-magazine.com', ('Solar Prices Fall Again This Year', 'PV Magazine :')),
    ('Markets · Stocks Rise As Fed Holds Rates Steady · Reuters', 'www.reuters.com', ('Stocks Rise As Fed Holds Rates Steady', 'Reuters')),
    ('Storm Hits Coast Overnight » Weather » Example News', 'm.example-news.org', ('Storm Hits Coast Overnight', 'Example News')),
    ('Storm Hits Coast -- The Herald ~ Section', 'www.herald.co.uk', ('Storm Hits Coast', 'The Herald')),
    ('Seven Tips For Better Sleep / Health / Henry’s Club', 'henrysclub.com', ('Seven Tips For Better Sleep', 'Henry’s Club')),
    ('Seven tips for better sleep', 'henrysclub.com', ('Seven tips for better sleep', None)),
])
def test_site_suffix_after_each_separator(title, host, expected):
    """Every separator character (a title without one is never split), the site named by a later part,
    a first part, a non-breaking space before the dash, a site name with punctuation."""
    assert split_site_suffix(title, host) == expected


@pytest.mark.parametrize("line, names", [
    ('By Meg Kinnard and Errin Haines, Associated Press', ['Meg Kinnard', 'Errin Haines']),
    ('By Anna Smith, Bob Jones & Carla Diaz', ['Anna Smith', 'Bob Jones', 'Carla Diaz']),
    ('Von Hans Müller und Eva Schmidt', ['Hans Müller', 'Eva Schmidt']),
    ('By Juan Pérez y María López | 20 noviembre 2019', ['Juan Pérez', 'María López']),
    ('By Reuters', None),
    ('By Jane Doe and the Editorial Board', ['Jane Doe']),
])
def test_bylines_of_several_names(line, names):
    """Names split at commas, "&" and "and" in several languages; the first part that is no name ends them."""
    assert parse_byline(line) == names


@pytest.mark.parametrize("line, names", [
    ('Meg Kinnard and Errin Haines, Associated Press', ['Meg Kinnard', 'Errin Haines']),
    ('Anna Smith and bob', None),
    ('Anna Smith, Bob Jones', ['Anna Smith']),
    ('Anna Smith; Bob Jones and Carla Diaz', ['Anna Smith', 'Bob Jones', 'Carla Diaz']),
    # Capitals inside a word: a name's (two) or an organisation's (three or more, or all).
    ("Kevin McCoy USA TODAY", ["Kevin McCoy"]),
    ("Mary MacDonald", ["Mary MacDonald"]),
    ("Ab CDe Fgh", ["Ab CDe Fgh"]),
    ("Jonathan Garber FOXBusiness", None),
])
def test_bare_lines_of_several_names(line, names):
    """A bare name line is names only: a part that is no name (lower case, an organisation) fails it."""
    assert parse_bare_name(line) == names


def test_no_letter_is_among_the_characters_a_name_never_holds():
    """_cannot_start_name skips the search of _NOT_NAME_CHAR in a first word of letters only."""
    assert not any(_NOT_NAME_CHAR.search(chr(cp)) for cp in range(0x110000) if chr(cp).isalpha())
