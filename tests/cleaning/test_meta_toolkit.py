"""The metadata toolkit (worker/cleaning/meta) both cleaning paths read pages with: dates in many
languages and glued forms, bylines and person names, page furniture that is neither, titles."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from worker.cleaning.meta.dates import date_in_url, find_date, is_calendar_word, local_day_differs, parse_date
from worker.cleaning.meta.hosts import host, names_host, site_words
from worker.cleaning.meta.bylines import parse_bare_name, parse_byline
from worker.cleaning.meta.names import split_authors, unglued
from worker.cleaning.meta.titles import is_furniture, split_site_suffix, strip_site_name


@pytest.mark.parametrize("text, day", [
    ("20 November 2019", date(2019, 11, 20)),
    ("20. November 2019", date(2019, 11, 20)),
    ("20 de noviembre de 2019", date(2019, 11, 20)),
    ("1er mai 2019", date(2019, 5, 1)),
    ("20 listopada 2019", date(2019, 11, 20)),  # Polish
    ("20. listopadu 2019", date(2019, 11, 20)),  # Czech
    ("24 сентября 2018", date(2018, 9, 24)),  # Russian
    ("3 лютого 2021", date(2021, 2, 3)),  # Ukrainian
    ("2 marts 2020", date(2020, 3, 2)),  # Danish
    ("12 augusti 2020", date(2020, 8, 12)),  # Swedish
    ("12 maart 2020", date(2020, 3, 12)),  # Dutch
    ("12. srpnja 2020.", date(2020, 7, 12)),  # Croatian
    ("5 martie 2020", date(2020, 3, 5)),  # Romanian
    ("14 Ιανουαρίου 2020", date(2020, 1, 14)),  # Greek
    ("15 يناير 2020", date(2020, 1, 15)),  # Arabic
    ("الجمعة 24 نيسان / أبريل 2020", date(2020, 4, 24)),  # Arabic, the Levantine and the Egyptian name
    ("15 בינואר 2020", date(2020, 1, 15)),  # Hebrew ("in January")
    ("5 Ağustos 2020", date(2020, 8, 5)),  # Turkish
    ("5 agustos 2020", date(2020, 8, 5)),  # Turkish without its letters
    ("2019年11月20日", date(2019, 11, 20)),
    ("2019년 11월 20일", date(2019, 11, 20)),
    ("Nov. 20, 2019", date(2019, 11, 20)),
    ("20.11.2019", date(2019, 11, 20)),
    ("2019-11-20", date(2019, 11, 20)),
])
def test_dates_in_many_languages(text, day):
    found = find_date(text)
    assert (found.date() if found else None) == day


@pytest.mark.parametrize("text, day", [
    ("Posted on28. Juli 2019AuthorAndreas Kalt", date(2019, 7, 28)),
    ("Eingetragen am 3. Januar 2020 vom Support Team", date(2020, 1, 3)),
    ("Veröffentlicht am14. März 2021", date(2021, 3, 14)),
    ("COVID19 March 2020", None),  # a capital before the digits: a name, not a glued word
])
def test_dates_glued_to_words(text, day):
    found = find_date(text)
    assert (found.date() if found else None) == day


def test_calendar_words():
    assert is_calendar_word("Nov.") and is_calendar_word("Juli") and is_calendar_word("Mittwoch")
    assert not is_calendar_word("Kalt")


def test_machine_dates_keep_their_offset():
    assert parse_date("2020-06-29T00:16:15+03:00").isoformat() == "2020-06-29T00:16:15+03:00"
    assert parse_date("Mon, 18 Nov 2019 16:07:38 -0600").isoformat() == "2019-11-18T16:07:38-06:00"
    assert parse_date("0001-01-01T00:00:00Z") is None


@pytest.mark.parametrize("text", ["Mon, 1 Jan 99999999999999999999 00:00:00 +0000", "Mon, 99999999999999999999 Jan 2019 00:00:00",
                                  "²" * 10, "¹" * 13])
def test_junk_in_a_machine_date_is_no_date(text):
    # (OverflowError from the RFC 2822 parser, ValueError from float(): the page was a stage_error)
    assert parse_date(text) is None


def test_dates_in_urls():
    utc = timezone.utc
    assert date_in_url("https://www.cnn.com/2019/11/18/politics/x.html") == datetime(2019, 11, 18, tzinfo=utc)
    assert date_in_url("https://example.com/2019/1/9/x") == datetime(2019, 1, 9, tzinfo=utc)
    assert date_in_url("https://example.com/news/20191118/x") == datetime(2019, 11, 18, tzinfo=utc)
    assert date_in_url("https://example.com/2019-11-18-budget") == datetime(2019, 11, 18, tzinfo=utc)
    assert date_in_url("https://example.com/2019/11/budget") is None


def test_a_utc_time_one_day_from_the_url_day():
    url_day = datetime(2020, 2, 17, tzinfo=timezone.utc)
    assert local_day_differs(datetime(2020, 2, 18, 2, 18, tzinfo=timezone.utc), url_day)  # 21:18 in Florida
    assert not local_day_differs(datetime(2020, 2, 18, 10, 4, tzinfo=timezone.utc), url_day)  # no US offset
    assert not local_day_differs(datetime(2020, 2, 18, 2, 18, tzinfo=parse_date("2020-01-01T00:00+05:00").tzinfo),
                                 url_day)  # a stated local offset is the publisher's own


@pytest.mark.parametrize("line, names", [
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Post author By Andreas Kalt", ["Andreas Kalt"]),
    ("Posted on28. Juli 2019AuthorAndreas Kalt", ["Andreas Kalt"]),
    ("Von Moritz Bachmann", ["Moritz Bachmann"]),
    ("Par Jean Dupont", ["Jean Dupont"]),
    ("Autor: Jan Kowalski", ["Jan Kowalski"]),
    ("Door Piet de Vries", ["Piet de Vries"]),
    ("Текст: Лида Буслаева · 11 октября 2018", ["Лида Буслаева"]),
    ("Автор: Иван Петров", ["Иван Петров"]),
    ("Eingetragen am 3. Januar 2020 von Support Team", None),  # a team, not a person
    ("By Reuters", None),
])
def test_bylines(line, names):
    assert parse_byline(line) == names


def test_a_name_with_its_agency():
    assert parse_bare_name("Tom Davies Associated Press") == ["Tom Davies"]
    assert parse_bare_name("Russia Sends More Troops to the West") is None


@pytest.mark.parametrize("line", ["Twitter Flickr YouTube Webseite", "Primäres Menü", "Skip Navigation"])
def test_menu_lines_are_no_names(line):
    assert parse_bare_name(line) is None
    assert parse_byline(line) is None
    assert split_authors(line) == []


def test_html_author_fields():
    assert split_authors("By Tom Krisher, AP Auto Writer") == ["Tom Krisher"]
    assert split_authors("Eingetragen am 3. Januar 2020 vom Support Team") == []
    assert split_authors("ERIC TUCKERAssociated Press") == ["Eric Tucker"]
    assert split_authors("LinkNaija", frozenset({"linknaija"})) == []


def test_unglued():
    assert unglued("Posted on28. Juli 2019AuthorAndreas Kalt") == "Posted on 28. Juli 2019 Author Andreas Kalt"
    assert unglued("By McDonald Smith") == "By McDonald Smith"


def test_titles_and_site_names():
    assert split_site_suffix("Budget passes in the Senate | The Herald", "www.herald.example") == (
        "Budget passes in the Senate", "The Herald")
    assert strip_site_name("Budget passes in the Senate - The New York Times", "The New York Times",
                           "https://www.nytimes.com/x") == "Budget passes in the Senate"


def test_hosts():
    assert host("https://WWW.Example.com:8080/a") == "www.example.com"
    assert host("http://[not-an-ipv6/") == ""
    assert names_host("Henry’s Club", "www.henrysclub.com", strict=True)
    assert "vortex" in site_words("Vortex", "https://blog.vortex.example/a")


@pytest.mark.parametrize("line, furniture", [
    ("Skip to content Skip to site index", True),
    ("facebook twitter youtube instagram", True),
    ("Show more sharing options", True),
    ("Share on Tumblr", True),  # (readability-pages' tuning part: share bars and account links)
    ("Sign In | Register", True),
    ("Edit Profile Sign Out", True),
    ("Stand by me: the sign that moved a city", False),
    ("Published Wed, Nov 20 2019 4:29 AM EST Updated an hour ago", True),
    ("(Reed Saxon / Associated Press)", True),
    ("Tom Davies Associated Press", True),
    ("News reporter @TomGillespie1", True),
    ("Republicans Are Following Trump to Nowhere", False),
    ("Share prices fall as markets open lower in Asia", False),
    ("Die elektronische Patientenakte (ePA) – der lange Marsch", False),
])
def test_page_furniture_is_no_headline(line, furniture):
    assert is_furniture(line) is furniture


def test_a_heading_of_a_hyphenated_compound_is_no_name():
    # "In-line Mathematics" (a section heading over the article) is two capitalised words, but
    # a name's hyphenated word is capitalised after its hyphen too ("Jean-Luc").
    assert parse_bare_name("In-line Mathematics") is None
    assert parse_bare_name("Follow-up Questions") is None
    assert parse_bare_name("Jean-Luc Martin") == ["Jean-Luc Martin"]


@pytest.mark.parametrize("line", [
    "Mozilla Corporation", "Brent Co", "Data Solutions", "Mobile Commerce", "Jeongdong Promotion",
    "Mansion Global", "AJ Taylor Audio", "Sheffield United", "Hunterdon County Democrat",
    "Agência O Globo", "Jornal O Papel", "NJ Cannabis Insider", "Company Name",
])
def test_an_organisations_name_is_no_name(line):
    # The last word names a company, a club, a newspaper or an agency ("Corporation", "United",
    # "Democrat", "Agência"): a header or a menu prints these beside the headline.
    assert parse_bare_name(line) is None
    assert parse_byline(f"By {line}") is None


@pytest.mark.parametrize("line, names", [
    ("João de Souza", ["João de Souza"]), ("Ludwig van Beethoven", ["Ludwig van Beethoven"]),
    ("Ursula von der Leyen", ["Ursula von der Leyen"]), ("Luiz Inácio Lula da Silva", ["Luiz Inácio Lula da Silva"]),
    ("Charles de Gaulle", ["Charles de Gaulle"]), ("Sandee LaMotte", ["Sandee LaMotte"]),
    ("Лида Буслаева", ["Лида Буслаева"]), ("Mary Clare Jalonick", ["Mary Clare Jalonick"]),
    ("Mohammed al-Fayed", ["Mohammed al-Fayed"]), ("Ahmed el-Sayed", ["Ahmed el-Sayed"]),
    ("Hamad bin Jassim", ["Hamad bin Jassim"]), ("Ελένη Παπαδοπούλου", ["Ελένη Παπαδοπούλου"]),
])
def test_names_with_particles_and_other_scripts_stay_names(line, names):
    assert parse_bare_name(line) == names


@pytest.mark.parametrize("line", [
    "Buy Now", "Tag Cloud", "Featured Contents", "Change Location", "Publish Date", "Cancel Unsubscribe",
    "Well-Known Member", "Alle Meldungen Alle", "Enviar Sugerencia", "Son Güncelleme",
    "Jogos de Corridas de Carros", "Noticias de Deportes", "AccuWeather.com Quick Look", "Am Ist", "Pm Myt",
    "Charleroi Actu", "En Minsk",
])
def test_menu_items_labels_and_sections_are_no_names(line):
    # Buttons, labels and section names, in several languages (a menu item's words joined by
    # "de" read like "João de Souza"), a site's host name, a time's zone cut off at the digits.
    assert parse_bare_name(line) is None
    assert parse_byline(f"By {line}") is None


@pytest.mark.parametrize("field, names", [
    ("Christal Hayes, Michael Collins, Nicholas Wu, USA TODAY", ["Christal Hayes", "Michael Collins", "Nicholas Wu"]),
    ("Agencia EFE", []), ("Mozilla Corporation", []), ("Hunterdon County Democrat", []),
    ("Sheffield United FC", []), ("Charles de Gaulle", ["Charles de Gaulle"]),
])
def test_html_author_fields_naming_an_organisation(field, names):
    # The HTML path's author fields (meta tags, JSON-LD) name newspapers, agencies and companies by
    # the same last words the text path's bare-name test refuses.
    assert split_authors(field) == names


@pytest.mark.parametrize("name", ["Mohammed al-Fayed", "Ahmed el-Sayed"])
def test_a_hyphen_joined_particle_is_part_of_the_name_on_both_paths(name):
    assert parse_bare_name(name) == [name]
    assert parse_byline(f"By {name}") == [name]
    assert split_authors(name) == [name]
    assert parse_bare_name("Follow-up Questions") is None  # (a compound's lower-case half is no particle)


@pytest.mark.parametrize("field, names", [
    ("Von Moritz von Uslar", ["Moritz von Uslar"]), ("Ursula von der Leyen", ["Ursula von der Leyen"]),
    ("Hans von Trapp, Jane Roe", ["Hans von Trapp", "Jane Roe"]), ("Ein Artikel von Jane Roe", ["Jane Roe"]),
    ("Von Moritz Bachmann", ["Moritz Bachmann"]), ("Von", []),
])
def test_html_author_fields_keep_a_names_own_von(field, names):
    # "von" is the German byline word and a name's particle: after a name's first word and before
    # its last (or another particle) it is the name's.
    assert split_authors(field) == names


def test_a_time_after_a_space_needs_its_colon():
    """ISO 8601's basic form (no colons) follows a "T"; after a space, four digits are a year (a
    second date), not a time and an offset."""
    assert parse_date("2020-01-01 2020-01-01").isoformat() == "2020-01-01T00:00:00+00:00"
    assert parse_date("2020-01-01 20:20").isoformat() == "2020-01-01T20:20:00+00:00"
    assert parse_date("20200101T202000Z").isoformat() == "2020-01-01T20:20:00+00:00"
