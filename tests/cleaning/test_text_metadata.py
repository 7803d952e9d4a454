"""Title, byline and date as text dumps show them, in several languages."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from worker.cleaning.text import extract_text
from worker.cleaning.meta.dates import date_in_url, find_date
from worker.cleaning.meta.hosts import path_words
from worker.cleaning.meta.bylines import is_byline_word, parse_bare_name, parse_byline
from worker.cleaning.meta.titles import is_breadcrumb, split_site_suffix

PARAGRAPH = ("The committee met for three hours on Tuesday and agreed on a budget that raises spending on schools, "
             "roads and hospitals while keeping taxes where they were last year.")


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("November 20, 2019", day(2019, 11, 20)),
    ("Updated Nov. 20, 2019 5:30 am ET", day(2019, 11, 20)),
    ("20. November 2019, 10:14 Uhr", day(2019, 11, 20)),
    ("le 20 novembre 2019 à 10h14", day(2019, 11, 20)),
    ("20 de noviembre de 2019", day(2019, 11, 20)),
    ("20 listopada 2019", day(2019, 11, 20)),
    ("1er mai 2019", day(2019, 5, 1)),
    ("2019-11-20T10:14:00Z", datetime(2019, 11, 20, 10, 14, tzinfo=timezone.utc)),  # with its offset: whole
    ("20.11.2019", day(2019, 11, 20)),
    ("2019年11月20日", day(2019, 11, 20)),
    ("By Tess Bonn - 11/19/19 06:56 AM EST", day(2019, 11, 19)),
    ("31.02.2019", None),
    ("in 2019 the city grew", None),
])
def test_dates_in_many_languages(text, expected):
    assert find_date(text, month_first=True) == expected


@pytest.mark.parametrize("text, expected", [
    # A machine-written time with a numeric offset after an ISO date is kept in that offset.
    ("Posted 2019-11-19T21:05:00-05:00", "2019-11-19T21:05:00-05:00"),
    ("2019-11-19 21:05+0100", "2019-11-19T21:05:00+01:00"),
    ("2019-11-18T20:51:19Z", "2019-11-18T20:51:19+00:00"),
    # Without an offset the time is not read: the day written, at midnight UTC.
    ("2019-11-20 14:35:08", "2019-11-20T00:00:00+00:00"),
    ("2019-11-20T27:05:00-05:00", "2019-11-20T00:00:00+00:00"),  # no such time: the day alone
])
def test_an_iso_time_with_its_offset_keeps_the_offset(text, expected):
    assert find_date(text).isoformat() == expected


def test_numeric_dates_read_day_first_unless_the_site_writes_month_first():
    assert find_date("03/04/2019") == day(2019, 4, 3)
    assert find_date("03/04/2019", month_first=True) == day(2019, 3, 4)
    assert find_date("11/20/2019") == day(2019, 11, 20)  # no 20th month: month first whatever the site


def test_date_in_url():
    assert date_in_url("https://techcrunch.com/2019/11/18/new-york-state/") == day(2019, 11, 18)
    assert date_in_url("https://example.com/news/2019-11-18-budget") == day(2019, 11, 18)
    assert date_in_url("https://example.com/2019/11/budget") is None


@pytest.mark.parametrize("line, names", [
    ("By Sherif Saed, Wednesday, 20 November 2019 08:05 GMT", ["Sherif Saed"]),
    ("By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKER", ["Lisa Mascaro", "Mary Clare Jalonick", "Eric Tucker"]),
    ("11/19/2019 by Lars Brandle", ["Lars Brandle"]),
    ("Vladimir Isachenkov | Associated Press", ["Vladimir Isachenkov"]),
    ("Von Moritz Bachmann", ["Moritz Bachmann"]),
    ("Par Jean-Pierre Dupont et Marie Curie", ["Jean-Pierre Dupont", "Marie Curie"]),
    ("Por Ana García y Luis Pérez", ["Ana García", "Luis Pérez"]),
    ("Written by Rachael Link, MS, RD on November 14, 2019", ["Rachael Link"]),
    ("By Alex Heath, a deputy editor and author of the Command Line newsletter. He’s covered the tech "
     "industry for over a decade at The Information and The Verge.", ["Alex Heath"]),  # (a long one)
    ("February 1, 2019 | BY: Ilana Muhlstein, MS, RDN", ["Ilana Muhlstein"]),  # (a colon after "By")
    ("Текст: Венера Ерофеева · 24 сентября 2018", ["Венера Ерофеева"]),
    ("By Reuters", None),  # an agency is not a person
    ("By the end of the year, prices had doubled.", None),
    ("Additional reporting by CNN’s Katharina Krebs in Kiev.", None),
])
def test_bylines(line, names):
    assert parse_byline(line) == names


@pytest.mark.parametrize("line, names", [
    ("Dallas Robinson", ["Dallas Robinson"]),
    ("Tanza Loudenback, Business Insider", ["Tanza Loudenback"]),
    ("Bruce Y. Lee Senior Contributor", ["Bruce Y. Lee"]),
    ("Kevin Johnson and Kevin McCoy USA TODAY", ["Kevin Johnson", "Kevin McCoy"]),
    ("Mike Conley December 18, 2020", ["Mike Conley"]),  # (a blog's byline: the name, then the day)
    ("Jane Doe Tuesday, March 3, 2019 10:00", ["Jane Doe"]),
    ("Taylor Swift 2019 Tour", None),  # a number that is no date: not a byline
    ("Dan Goodin - Apr 16, 2015 8:02 pm UTC", ["Dan Goodin"]),
    # (article-extraction's tuning part: a headline whose first words are a name, then a comma)
    ("Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay", None),
    ("Breaking News", None),
    ("Russia Sends More Troops to the West as Tensions Rise in Ukraine", None),
])
def test_lines_that_are_only_a_name(line, names):
    assert parse_bare_name(line) == names


@pytest.mark.parametrize("title, host, expected", [
    ("Ukrainian military report says 120,000 Russian soldiers near border – Henry’s Club", "henrysclub.com",
     ("Ukrainian military report says 120,000 Russian soldiers near border", "Henry’s Club")),
    ("Google Stadia, Microsoft xCloud: So Many Ways to Play - WSJ", "www.wsj.com",
     ("Google Stadia, Microsoft xCloud: So Many Ways to Play", "WSJ")),
    ("Bubonic plague: third case in China | Science | Express.co.uk", "www.express.co.uk",
     ("Bubonic plague: third case in China", "Express.co.uk")),
    ("Biden meets Putin - again", "news.example", ("Biden meets Putin - again", None)),
])
def test_site_name_is_taken_off_the_title(title, host, expected):
    assert split_site_suffix(title, host) == expected


def test_visible_headline_byline_and_date_after_a_menu():
    dump = "\n".join([
        "Haushalt: Stadtrat beschließt neue Schulen - Tagesblatt",
        "Startseite", "Politik", "Wirtschaft", "Sport", "Kultur", "Suche",
        "Freitag, 3. Mai 2024",  # the site header's date of the scrape day
        "Haushalt: Stadtrat beschließt neue Schulen",
        "Von Anna Schmidt",
        "20. November 2019, 10:14 Uhr",
        "Der Stadtrat hat am Dienstag nach dreistündiger Sitzung einen Haushalt beschlossen, der mehr Geld für "
        "Schulen, Straßen und Krankenhäuser vorsieht.",
        "Die Steuern bleiben dabei auf dem Stand des Vorjahres, wie der Kämmerer nach der Abstimmung erklärte.",
        "Teilen", "Kommentare", "Das könnte Sie auch interessieren",
    ])
    found = extract_text(dump, "https://www.tagesblatt.example/politik/haushalt")
    assert found.title == "Haushalt: Stadtrat beschließt neue Schulen"
    assert found.site_name == "Tagesblatt"
    assert found.authors == ["Anna Schmidt"]
    assert found.published_at == day(2019, 11, 20)
    assert found.paragraphs[0].startswith("Der Stadtrat hat am Dienstag")
    assert found.paragraphs[-1].startswith("Die Steuern bleiben")


def test_a_bare_date_above_the_headline_is_the_scrape_date_not_the_publication_date():
    dump = "\n".join(["Daily Courier", "Saturday, June 3, 2023", "Council agrees on a new budget for schools",
                      PARAGRAPH, PARAGRAPH.replace("three", "four")])
    found = extract_text(dump, "https://courier.example/budget")
    assert found.title == "Council agrees on a new budget for schools"
    assert found.published_at is None


def test_a_timed_date_above_the_headline_is_the_publication_date():
    dump = "\n".join(["Menu", "Nov. 20, 2019 5:52 AM EST", "Council agrees on a new budget for schools",
                      PARAGRAPH, PARAGRAPH.replace("three", "four")])
    assert extract_text(dump, "https://courier.example/budget").published_at == day(2019, 11, 20)


@pytest.mark.parametrize("line", ["PTI | July 9, 2020 | Updated 08:24 IST", "Reuters | 9 July 2020"])
def test_a_date_between_separators_under_the_standfirst_is_read(line):
    # The agency, the date and the update time separated like a menu's items ("a | b | c").
    dump = "\n".join(["Council agrees on a new budget for schools", "Home | News | Sport", "Menu",
                      "Council agrees on a new budget for schools", PARAGRAPH, line,
                      PARAGRAPH.replace("three", "four"), PARAGRAPH.replace("three", "five")])
    assert extract_text(dump, "https://courier.example/budget").published_at == day(2020, 7, 9)


# A dump without the <title> line (html-text-no-title style), lines from article-extraction's tuning
# part (nytimes.com): the byline comes after the standfirst, which opens the article run, and the
# menu prints "Continue reading the main story" twice above the headline.
NO_TITLE_STANDFIRST_THEN_BYLINE = [
    "Log In", "Advertisement", "Continue reading the main story", "Opinion", "Supported by",
    "Continue reading the main story",
    "Republicans Are Following Trump to Nowhere",
    "There’s an impeachment lesson hiding in the president’s failure to produce the political results he wants.",
    "By Jamelle Bouie", "Opinion Columnist",
    "Americans have gone to the polls four times this month to vote in major, statewide races. In Virginia, "
    "they voted for control of the state legislature.",
    PARAGRAPH,
]


def test_without_the_title_line_the_headline_is_above_a_byline_under_the_standfirst():
    found = extract_text("\n".join(NO_TITLE_STANDFIRST_THEN_BYLINE), "https://www.nytimes.com/2019/11/19/opinion/x.html")
    assert found.title == "Republicans Are Following Trump to Nowhere"
    assert found.authors == ["Jamelle Bouie"]


def test_a_line_under_the_headlines_date_is_a_standfirst_not_the_headline():
    lines = ["Menu", "Search", "Council agrees on a new budget for schools", "November 19, 2019",
             "The vote came after three hours of debate and a walkout by two members",  # (no final period)
             PARAGRAPH, "By Anna Smith", PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://courier.example/budget")
    assert found.title == "Council agrees on a new budget for schools"
    assert found.published_at == day(2019, 11, 19)


def test_a_time_line_under_the_headline_is_not_the_headline():
    # (suntimes.com, article-extraction's tuning part: "Today 12:01 AM" sits between headline and byline)
    lines = ["Search", "Advice",
             "Dear Abby: Husband springs for business class flight to India, but leaves wife in economy seat",
             "Today 12:01 AM", "By Abigail Van Buren", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://chicago.suntimes.com/2019/11/20/dear-abby")
    assert found.title.startswith("Dear Abby: Husband springs")
    assert found.authors == ["Abigail Van Buren"]


def test_an_explicit_byline_beats_a_label_shaped_like_a_name_above_it():
    # (The shape of readability-pages' wapo-2, tuning part: a share bar's "Resize Text" sits just
    # above the article, whose caption comes before the "By ..." line.)
    lines = ["Where do strained relations go after the election?", "Share on Facebook", "Share on Twitter",
             "Resize Text", "Print Article",
             "The prime minister reacts as he visits the Western Wall in Jerusalem on March 18 following his party's win.",
             "By Steven Mufson March 18 at 12:22 PM Follow @StevenMufson",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://www.washingtonpost.com/world/relations")
    assert found.authors == ["Steven Mufson"]


def test_the_site_headers_date_is_not_the_publication_date_when_no_headline_is_found():
    # (The seeds' shape, as bench/make_text_dumps.py's seeds-like style makes it of readability-pages'
    # tumblr, tuning part: the site's name, the day of the scrape, then the post without a headline.)
    dump = "\n\n".join(["Minecraft Update News", "Sunday, Nov 03, 2024", "Powered by Tumblr",
                        PARAGRAPH, PARAGRAPH.replace("three", "four")])
    assert extract_text(dump, "http://mcupdate.tumblr.com/post/96439224994/minecraft").published_at is None


def test_a_bare_date_under_a_long_title_line_still_counts():
    dump = "\n".join(["Council agrees on a new budget for schools | Noticias de Maracaibo y del Zulia",
                      "Miércoles, 15 de Abril de 2020", PARAGRAPH, PARAGRAPH.replace("three", "four")])
    assert extract_text(dump, "https://noticia.example/budget").published_at == day(2020, 4, 15)


def test_a_bare_date_right_above_the_headline_below_the_menu_is_the_publication_date():
    # (The shape of article-extraction's phys.org page, tuning part: section labels, the date, the
    # headline, its byline; no date under the headline.)
    lines = ["Home", "Search", "Menu", "Space", "Astronomy & Space", "Astrobiology", "November 18, 2019",
             "Hibernating astronauts would need smaller spacecraft", "By Jane Smith",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://phys.org/news/hibernating-astronauts.html")
    assert found.title == "Hibernating astronauts would need smaller spacecraft"
    assert found.published_at == day(2019, 11, 18)


def test_a_byline_naming_an_organisation_marks_the_headline_above_it():
    lines = ["Home", "Search", "Menu", "Astronomy & Space", "Astrobiology", "November 18, 2019",
             "Hibernating astronauts would need smaller spacecraft", "by European Space Agency",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    # (Blank lines between blocks, as html-text writes them: "by ..." is not the headline's continuation.)
    found = extract_text("\n\n".join(lines), "https://phys.org/news/hibernating-astronauts.html")
    assert found.title == "Hibernating astronauts would need smaller spacecraft"
    assert found.authors == []  # (an organisation is no person)


def test_a_byline_word_alone_on_its_line_takes_the_name_on_the_next():
    # (get_text-style dumps split "By" from the linked name: nytimes.com in article-extraction's
    # tuning part, "By" / "Jamelle Bouie" / "Opinion Columnist".)
    lines = ["Opinion", "Republicans Are Following Trump to Nowhere",
             "There’s an impeachment lesson hiding in the president’s failure to produce the political results he wants.",
             "By", "Jamelle Bouie", "Opinion Columnist", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://www.nytimes.com/2019/11/19/opinion/x.html")
    assert found.authors == ["Jamelle Bouie"]


@pytest.mark.parametrize("line, expected", [
    ("By", True), ("Von", True), ("Written by", True), ("Autor:", True), ("by the way", False), ("Bye", False)])
def test_byline_words_alone(line, expected):
    assert is_byline_word(line) is expected


@pytest.mark.parametrize("date_line", ["08:22, 24.11.2020", "24.11.2020 21:55", "2020-11-24"])
def test_a_date_line_of_digits_alone_is_read(date_line):
    # (news.am and actualno.com in dates-mediacloud's tuning part: no letters in the date line,
    # which phrase_kind calls boilerplate.)
    lines = ["Menu", "Council agrees on a new budget for schools", date_line, PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n".join(lines), "https://news.example/615163.html").published_at == day(2020, 11, 24)


def test_the_date_under_a_run_that_ends_early_is_read():
    # (The article run is a standfirst alone when the article's text was not in the dump; the date
    # under it is still the page's.)
    lines = ["Menu", "Council agrees on a new budget for schools", PARAGRAPH, "Anna Smith", "11 de Outubro de 2020, 8:34",
             "Partilhar notícia", "Partilhar no Facebook", "Partilhar no Twitter", "Mais lidas", "Outra notícia aqui"]
    assert extract_text("\n".join(lines), "https://publico.example/covid").published_at == day(2020, 10, 11)


# The shape of article-extraction's latimes.com page (tuning part) without its <title> line: the
# headline sits over a teaser with a date, which made that teaser look like the headline.
LATIMES_HEADLINE = "Column: The Gannett/GateHouse merger sends a dismal signal about the future of local news"
LATIMES_LINES = ["Skip to content", "Local Politics", "Business", "Sports", "Entertainment", LATIMES_HEADLINE,
                 "Tribune Publishing renames its flagship newspaper", "Nov. 19, 2019",
                 "Share on Facebook", "Share on Twitter", PARAGRAPH, PARAGRAPH.replace("three", "four")]
LATIMES_URL = "https://www.latimes.com/business/story/2019-11-19/gannett-gatehouse-merger-future-local-news"


def test_without_the_title_line_the_line_the_url_slug_names_is_the_headline():
    assert extract_text("\n\n".join(LATIMES_LINES), LATIMES_URL).title == LATIMES_HEADLINE


def test_path_words():
    assert path_words("https://www.nytimes.com/2019/11/19/opinion/republicans-trump.html?x=1") == {
        "opinion", "republicans", "trump", "html"}


def test_a_menu_item_opening_the_dump_and_printed_again_is_no_headline():
    # (Dumps without the <title> line often open with a menu item the menu prints again, which
    # was taken for the <title> and its copy for the headline.)
    assert extract_text("\n\n".join(["Business", *LATIMES_LINES]), LATIMES_URL).title == LATIMES_HEADLINE


def test_the_slug_names_the_headline_before_a_first_line_that_is_no_title():
    # (article-extraction's detroitnews.com page, tuning part, without its <title> line: the
    # consent banner's first line shares "Detroit News" with the byline's desk.)
    lines = ["Welcome to The Detroit News’s EUROPEAN UNION EXPERIENCE", "Learn More",
             "Tuesday's college football: Eastern Michigan routs Northern Illinois to become bowl eligible",
             "Detroit News wire services", "Published 11:11 PM EST Nov 19, 2019",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://www.detroitnews.com/story/sports/college/2019/11/19/"
                                            "eastern-michigan-routs-northern-illinois-become-bowl-eligible/4244125002/")
    assert found.title.startswith("Tuesday's college football: Eastern Michigan routs")


def test_the_sites_name_printed_again_is_no_headline_when_the_slug_names_another_line():
    # (The seeds' shape, made by bench/make_text_dumps.py's seeds-like style of article-extraction's
    # nypost.com page, tuning part: the site's name first, printed again by its logo.)
    lines = ["New York Post", "Tuesday, Mar 19, 2024", "Skip to main content", "Sections", "New York Post",
             "News", "Taliban say they freed US, Australian hostages for 3 terrorist figures",
             "By Lia Eustachewich", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://nypost.com/2019/11/19/taliban-say-they-freed-us-australian-"
                                            "hostages-for-3-terrorist-figures/")
    assert found.title == "Taliban say they freed US, Australian hostages for 3 terrorist figures"
    assert found.authors == ["Lia Eustachewich"]


def test_the_headline_opening_the_articles_run_is_the_title():
    # (A headline ending in a quote counts as a sentence and opens the article's run: the slug
    # names it there too, and the date under it is the article's, not the site header's.)
    headline = "Mayor Says The Budget Is ‘Finally Back In Balance’"
    lines = ["Daily Courier", "Thursday, Dec 12, 2024", "Sections", "News, Opinion and Sports for the Valley",
             headline, "The council approved the plan after a long night of debate over roads and schools.",
             "By Jane Roe November 19, 2019, 07:47 PM EST", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://www.courier.example/news/mayor-says-the-budget-is-finally-back-"
                                            "in-balance")
    assert found.title == headline
    assert found.published_at == day(2019, 11, 19)
    assert headline not in found.paragraphs


def test_a_breadcrumb_printed_before_the_headline_is_no_part_of_the_title():
    # (The breadcrumb's words are the URL's path's too, so its line named more of the slug.)
    headline = "Harbor authority announces a new ferry line between the two islands"
    lines = ["Contact us", "Home News Harbor News " + headline, headline, "October 12, 2017",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    url = ("https://www.harbor.example/news/harbor-news/harbor-authority-announces-a-new-ferry-line-between-"
           "the-two-islands.html")
    assert extract_text("\n\n".join(lines), url).title == headline


@pytest.mark.parametrize("line, names", [
    ("November 20, 2019 Emiliano Bellini", ["Emiliano Bellini"]),  # the date, then the author
    ("Jane Roe 23/08/2018 2 comments Reading, Schools, Games and Toys", ["Jane Roe"]),  # the author, date, tags
    ("21/06/2014 Jane Roe All, Books, Reviews", None),  # the name runs into the tags: not read
    ("Tuesday, May 3, 2019", None),
    ("Nov 19, 2019 Breaking News Today", None),
])
def test_a_blog_post_line_names_its_author_beside_the_date(line, names):
    assert parse_bare_name(line) == names


def test_the_name_on_the_post_line_under_the_headline_is_the_author():
    lines = ["Solar Weekly", "Panel makers raise prices for the third month in a row",
             "November 20, 2019 Emiliano Bellini", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://solar.example/2019/11/20/panel-prices/")
    assert found.authors == ["Emiliano Bellini"]


@pytest.mark.parametrize("line, names", [
    ("September 10, 2018 | by Catherine", ["Catherine"]),  # blogs sign with a first name
    ("by Regan September 15, 2014", ["Regan"]),
    ("By Reuters", None), ("By Staff", None), ("by admin", None), ("By AFP", None),
    ("IAB By Laws", None),  # a menu's "By Laws", not a byline
])
def test_a_byline_may_give_a_single_first_name(line, names):
    assert parse_byline(line) == names


def test_a_one_word_byline_naming_the_site_is_no_author():
    lines = ["Vortex Blog", "How the cannon keeps its ring of smoke together",
             "By Vortex", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://vortex.example/cannon-smoke-ring").authors == []


def test_a_lone_by_line_starts_the_byline_and_does_not_end_the_headline():
    # (get_text-style dumps put every text node on its own line: "by <a>Name</a>" is split, and
    # the lower-case "by" was joined to the headline above it as a sentence's continuation.)
    lines = ["Council approves two new schools in the northern district", "by", "Jane Roe",
             "November 20, 2019", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://paper.example/2019/11/20/schools")
    assert found.title == "Council approves two new schools in the northern district"
    assert found.authors == ["Jane Roe"]
    # ("a film by" + a name on the next line is a sentence going on: still joined)
    film = extract_text("\n".join([PARAGRAPH[:-1] + " and a film", "by", "the director Jane Roe was shown."]),
                        "https://paper.example/film").paragraphs
    assert film == [PARAGRAPH[:-1] + " and a film by the director Jane Roe was shown."]


def test_a_breadcrumb_between_the_headline_and_its_date_is_no_headline():
    lines = ["Menu", "Programs", "Close", "How to keep a garden green through a dry summer",
             "BLOG > Gardening > Summer Tips", "February 1, 2019 | BY: Jane Roe", PARAGRAPH,
             PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://garden.example/blog/jane-roe-dry-summer")
    assert found.title == "How to keep a garden green through a dry summer"


@pytest.mark.parametrize("line, crumb", [
    ("BLOG > Weight Loss > Tips", True), ("T R D NATIONAL /", True), ("News » Politics » Congress", True),
    ("AC/DC plays Berlin", False), ("Either/or: a headline / two", False), ("Headline | Site | Section", False),
])
def test_breadcrumbs(line, crumb):
    assert is_breadcrumb(line) is crumb


def test_a_date_over_the_headline_in_the_first_lines_counts_without_a_site_header():
    # (The <title> line, a section, then the date and the headline: no site header opens the dump,
    # so the date is the article's, not the day the page was fetched.)
    lines = ["Oil price falls to an 18-year low - El Sol", "Finanzas", "/ martes 17 de marzo de 2020",
             "Oil price falls to an 18-year low", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://sol.example/finanzas/oil-price-falls-to-an-18-year-low")
    assert found.published_at == day(2020, 3, 17)
    # The seeds' shape: the site's name, then the day it was fetched: still not the article's.
    seeds = ["El Sol", "Tuesday, Mar 17, 2020", "Oil price falls to an 18-year low", PARAGRAPH,
             PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(seeds), "https://elsol.example/finanzas/oil-low").published_at is None


def test_a_date_under_the_lead_its_photo_and_the_share_buttons_is_found():
    # (The date line sits under the lead paragraph, the lead image's caption and credit, another
    # paragraph and the share buttons: the tenth line of the article.)
    lines = ["Menu", "Council agrees on a new budget for its schools and roads", PARAGRAPH.replace("three", "two"),
             "Image", "Photo: Jane Roe", PARAGRAPH.replace("three", "five"), "Share", "Tweet", "Email",
             PARAGRAPH.replace("three", "six"), "Nov. 20, 2019", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://courier.example/budget").published_at == day(2019, 11, 20)


def test_a_long_site_name_over_the_fetch_day_is_a_site_header_not_the_title():
    # (The seeds' shape with a site whose og:site_name is a tagline: the name over the day the page
    # was fetched is the site header, whatever the name's length; the headline is further down.)
    lines = ["Expert advice for weekend gardeners", "Saturday, Nov 09, 2024", "Training", "Tools", "Home",
             "News", "Four things to plant in October", PARAGRAPH.replace("three", "two"), "Author:",
             "Jane Roe", "Publish date:", "Oct 4, 2018", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://garden.example/news/things-to-plant")
    assert found.title == "Four things to plant in October"
    assert found.published_at == day(2018, 10, 4)


def test_a_menu_of_names_is_no_headline_over_its_byline():
    # (A list of the group's papers, each of two or three capitalised words, reads as a line and
    # the name under it: neither a headline nor a byline.)
    lines = ["Sections", "The Star Ledger", "South Jersey Times", "Hunterdon County Democrat", "Sign In",
             "Council agrees on a new budget for its schools", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://paper.example/news/2019/11/budget.html")
    assert found.title == "Council agrees on a new budget for its schools"
    assert found.authors == []


def test_a_headline_under_a_menu_of_names_is_no_standfirst():
    # (A line under a byline is a standfirst, not a headline, when its own byline or date comes
    # after the article's first line; a menu item that is only a name is no such byline.)
    headline = "Nadal keeps Spain alive against Russia in the Davis Cup"
    lines = ["Sections", "Tennis", "NHL LIVE ™", "Hometown Hockey", headline,
             "Spain's Rafael Nadal celebrates a point against Karen Khachanov in Madrid, Spain, Tuesday, Nov. 19, 2019.",
             "Associated Press November 19, 2019, 9:02 AM", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://sports.example/tennis/argentina-wins-opener-chile/")
    assert found.title == headline
    assert found.authors == []


@pytest.mark.parametrize("line, names", [
    ("By GILLIAN MOHNEY March 11, 2015 3:46 PM Good Morning America", ["Gillian Mohney"]),  # the date's month
    ("By Jane Roe May 3, 2019", ["Jane Roe"]),
    ("by Regan September 15, 2014", ["Regan"]),
    ("By Theresa May", None),  # no date after it: no month to drop, and no half of her name
])
def test_the_month_of_the_date_after_a_byline_is_no_name(line, names):
    assert parse_byline(line) == names


@pytest.mark.parametrize("line", ["Jane Roe • 8h", "Jane Roe • February 16, 2017", "Jane Roe · Staff Writer"])
def test_a_bullet_sets_a_bare_name_off_as_a_dash_does(line):
    assert parse_bare_name(line) == ["Jane Roe"]


@pytest.mark.parametrize("opening, expected", [
    ("July 9, 2020 at 6:40 PM EDT With the number of cases increasing across much of the country, ",
     day(2020, 7, 9)),
    ("| 17 de Febrero 2020 Silvia Pinal permanecerá unos días más en el hospital, así lo compartió su hija ",
     day(2020, 2, 17)),
    ("Published on Apr 13, 2020 Here are the day's figures for the country, region by region, with the ",
     day(2020, 4, 13)),
    ("The city council said on July 9, 2020 that the budget would be raised for schools across the district, ",
     None),  # a date inside the sentence is about something else
])
def test_a_long_line_opening_with_a_date_gives_the_date(opening, expected):
    # (get_text-style dumps glue the date line to the article's first paragraph.)
    lines = ["Menu", "Council agrees on a new budget for its schools", opening + PARAGRAPH,
             PARAGRAPH.replace("three", "four")]
    assert extract_text("\n".join(lines), "https://paper.example/budget").published_at == expected


def test_without_the_title_line_the_headline_is_the_line_the_lead_restates_not_a_label_over_the_date():
    # (Without the <title> line, the headline-like line nearest the article over a byline or date
    # was the title: here the author box's "Email Bio Follow"-like label. The lines before the
    # article are scored instead: the headline's words are the lead's.)
    lines = ["Sections", "Politics", "Committee agrees on a budget for schools and roads", "By Anna Smith",
             "National reporter covering the city council", "Listen to this article", "November 19, 2019",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://paper.example/a/1234567")
    assert found.title == "Committee agrees on a budget for schools and roads"
    assert found.authors == ["Anna Smith"]
    assert found.published_at == day(2019, 11, 19)


def test_a_menu_item_opening_the_dump_and_printed_again_is_no_title_without_the_slug():
    # (A dump without the <title> line opens with a menu item that the page prints again above the
    # article: "Training", "Business", "TVN24". The copy is no headline: the lines above are scored.)
    lines = ["Training", "Health", "Subscribe", "Training", "Health", "Home", "News",
             "Committee agrees on a budget for schools", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://paper.example/a/1234567").title == (
        "Committee agrees on a budget for schools")


def test_a_short_first_line_printed_again_is_the_title_when_the_article_names_it():
    # (A one-word headline, "Mozilla": the article's lead names it, as it seldom names a menu item.)
    lead = ("Mozilla is a free software community founded in 1998 by members of Netscape, which "
            "develops the Firefox web browser and the Thunderbird mail client.")
    lines = ["Mozilla", "Main page", "Contents", "Mozilla", "For other uses, see the disambiguation page", lead,
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://wiki.example/wiki/Mozilla").title == "Mozilla"


def test_a_caption_or_a_dated_teaser_above_the_article_is_no_headline():
    # (Without the <title> line: the photo's caption right above the article restates the lead
    # too, but holds the day the photo was taken.)
    lines = ["Menu", "Business", "Committee agrees on a budget for schools", "1 Min Read", "Share this article",
             "Print this page", "The committee agreed on a budget for schools, roads and hospitals on Tuesday, 19.11.2019",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://paper.example/a/1234567").title == (
        "Committee agrees on a budget for schools")


def test_a_byline_over_the_headline_in_the_header_is_still_read():
    # (Without the <title> line the byline and date are read under the line over them, though the
    # headline chosen is further down: a blog's editing bar names the author above the headline.)
    lines = ["Menu", "Ready to publish?", "Change the story title, subtitle, and visibility as needed",
             "Anna Smith", "4 min read", "Share on Twitter", "Committee agrees on a budget for schools",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://blog.example/@anna/1234567")
    assert found.title == "Committee agrees on a budget for schools"
    assert found.authors == ["Anna Smith"]


def test_with_a_first_line_unlike_any_line_the_headline_is_scored_not_the_label_over_the_date():
    # (The first line, a consent banner's or a <title> worded apart from the headline, matches no
    # line before the article: the label nearest the article over the date is no headline.)
    lines = ["Welcome to the Courier's European Union experience", "Learn more", "Sections",
             "Committee agrees on a budget for schools", "By Anna Smith", "Listen to this article",
             "November 19, 2019", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://paper.example/a/1234567")
    assert found.title == "Committee agrees on a budget for schools"
    assert found.authors == ["Anna Smith"]
    assert found.published_at == day(2019, 11, 19)


@pytest.mark.parametrize("byline", [["By", "Jane Roe"], ["JANE ROE"]])
def test_the_byline_under_another_copy_of_the_headline_is_read(byline):
    # (get_text-style dumps of news pages: the headline, its byline and date, a photo gallery,
    # then the headline printed again right over the article.)
    headline = "Council approves two new schools in the northern district"
    lines = [f"{headline} - The Courier", "News", "Local", headline, *byline, "Published", "November 20, 2019",
             "Image 1 of 9", "Caption", "Close", headline, "1 / 9", "Back to Gallery",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://paper.example/news/article/schools-14847624.php")
    assert found.title == headline
    assert found.authors == ["Jane Roe"]


@pytest.mark.parametrize("byline, names", [
    (["By Jane Roe and", "John Doe"], ["Jane Roe", "John Doe"]),
    (["By Jane Roe,", "John Doe"], ["Jane Roe", "John Doe"]),
    (["By Jane Roe,", "Staff Writer"], ["Jane Roe"]),  # (a role on the next line adds no name)
])
def test_a_byline_going_on_on_the_next_line_takes_its_names(byline, names):
    # (get_text-style dumps put each linked name of a byline on its own line.)
    lines = ["Council approves two new schools in the northern district", *byline, "November 20, 2019",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n".join(lines), "https://paper.example/2019/11/20/schools").authors == names


@pytest.mark.parametrize("line, names", [
    ("Le Monde | 04.05.2015 à 13h36 • Mis à jour le 05.05.2015 à 20h13 | Par Martin Untersinger (avec Damien "
     "Leloup et Morgane Tual)", ["Martin Untersinger"]),
    ("The Courier | Local news • By Jane Roe and John Doe", ["Jane Roe", "John Doe"]),
    ("Home | Sections | By Laws", None),  # (a menu's item, not a byline: no name follows)
    ("Home | He was stopped by Jane Roe", None),  # (the byline word inside a sentence opens no part)
])
def test_a_byline_word_opening_a_part_of_a_line_of_parts(line, names):
    assert parse_byline(line) == names


def test_an_explicit_byline_under_the_lead_image_is_read():
    # (get_text-style dumps: the standfirst opens the article's run, then the lead image's label,
    # caption and credit, and only then "By" / the name; a bare name that far in is no byline.)
    lines = ["Council approves two new schools in the northern district",
             "The vote ends a year of debate over where the children of the new estates will go to school.",
             "Image", "The site of the first school, north of the ring road, as seen from the bridge.", "Credit",
             "Credit", "Jane Doe/The Courier", "By", "Jane Roe", "Nov. 20, 2019",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://paper.example/2019/11/20/schools.html")
    assert found.authors == ["Jane Roe"]
    bare = [line for line in lines if line != "By"]
    assert extract_text("\n".join(bare), "https://paper.example/2019/11/20/schools.html").authors == []


def test_a_byline_holding_an_email_address_is_still_a_byline():
    # (The address makes it a link line, boilerplate; opening with "By" it is the byline.)
    lines = ["Council approves two new schools in the northern district",
             "The vote ends a year of debate over where the children of the new estates will go to school.",
             "By Jane Roe | jroe@courier.example | Courier News Group", "PUBLISHED: November 20, 2019",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://paper.example/2019/11/20/schools.html")
    assert found.authors == ["Jane Roe"]
    assert not any("jroe@" in paragraph for paragraph in found.paragraphs)


@pytest.mark.parametrize("line, names", [
    ("By AMANDA SEITZ and BEATRICE DUPUY The Associated Press", ["Amanda Seitz", "Beatrice Dupuy"]),
    ("By LISA MASCARO The Associated Press", ["Lisa Mascaro"]),
    ("By JANE ROE For The Courier", ["Jane Roe"]),
    ("By LOS ANGELES Times Staff", None),  # (a shouted place before the paper's name: no person)
])
def test_shouted_names_before_a_mixed_case_affiliation(line, names):
    assert parse_byline(line) == names


@pytest.mark.parametrize("line, names", [
    ("Artikel von: Von Britta Schultejans, dpa", ["Britta Schultejans"]),  # (a label, then the byline)
    ("Af Jens Hansen", ["Jens Hansen"]),  # (Danish "by")
    ("Af de 20 deltagere var 12 fra Danmark.", None),
])
def test_byline_labels_and_words_of_more_languages(line, names):
    assert parse_byline(line) == names


def test_a_split_byline_over_the_headline_and_its_date_is_read():
    # (html-text prints "By Jane Roe Published May 14, 2020 1:34 pm" over the headline as one
    # line; get_text-style dumps give each piece its own line.)
    lines = ["Coronavirus", "By", "Jane Roe", "Published", "May 14, 2020", "1:34 pm",
             "Council approves two new schools in the northern district", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://paper.example/news/2020/05/14/schools")
    assert found.title == "Council approves two new schools in the northern district"
    assert found.authors == ["Jane Roe"]


@pytest.mark.parametrize("byline, names", [
    (["Jane Roe", ","], ["Jane Roe"]),  # (the byline's link, then its comma)
    (["by Jane Roe, The Courier,"], ["Jane Roe"]),
])
def test_a_byline_joined_to_the_headline_is_split_off(byline, names):
    # (get_text-style dumps: the line joiner takes the byline's link for a link inside a sentence.)
    headline = "Council approves two new schools in the northern district"
    lines = ["Menu", headline, *byline, "The Courier 20.11.2019, 08:57 facebook twitter email print",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://paper.example/council-approves-two-new-schools-2019-11")
    assert found.title == headline
    assert found.authors == names
    # (A headline ending in "by" and a name, with no comma after it, is left whole.)
    whole = extract_text("\n\n".join(["Song covered by Taylor Swift tops the charts again", PARAGRAPH,
                                      PARAGRAPH.replace("three", "four")]), "https://paper.example/song")
    assert whole.title == "Song covered by Taylor Swift tops the charts again"


@pytest.mark.parametrize("byline, names", [
    ("Von Britta Schultejans, dpa", ["Britta Schultejans"]),
    ("By Jane Roe, AP", ["Jane Roe"]),
    ("Jane Roe, AP", []),  # (no byline word: a photo's credit)
])
def test_a_wire_byline_ending_with_its_agency_is_no_photo_credit(byline, names):
    lines = ["Council approves two new schools in the northern district", byline,
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://paper.example/2019/11/20/schools").authors == names


def test_a_byline_read_further_into_the_article_leaves_the_output_a_fixed_point():
    # (Hypothesis found it: a byline line in the first lines is marked and goes; cleaned again,
    # the article starts where the next byline-like line falls in the wider window.)
    body = ("The council voted on Tuesday to build two new schools in the northern district, ending a long "
            "debate.\nConstruction is expected to begin next spring, and the first pupils could move in next "
            "autumn.\nBy Jane Doe\nA\n0;\nBy Jane Doe, a reporter who wrote this long byline line that ends "
            "with a period.")
    once = extract_text(body, "https://example.com/a").paragraphs
    assert extract_text("\n\n".join(once), "https://example.com/a").paragraphs == once


def test_a_name_under_the_headline_and_its_split_date_lines_is_the_byline():
    # (get_text-style dumps split "Published Tue, Nov 19 2019 7:05 AM EST Updated ..." into lines.)
    lines = ["Menu", "Council approves two new schools in the northern district", "Published Tue, Nov 19 2019",
             "7:05 AM EST", "Updated Tue, Nov 19 2019", "7:16 AM EST", "Jane Roe", "@janeroe", "VIDEO", "3:45",
             "Why the district needs two new schools", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n".join(lines), "https://paper.example/2019/11/19/schools.html")
    assert found.authors == ["Jane Roe"]


@pytest.mark.parametrize("line", ["Jump to content", "Skip to Main Content", "Jump to navigation Jump to search",
                                  "Skip to content Skip to site index",
                                  "Aller au contenu principal"])
def test_a_row_of_skip_links_is_boilerplate(line):
    from worker.cleaning.text_lines import BOILER, phrase_kind

    assert phrase_kind(line) == BOILER


def test_a_skip_link_opening_a_dump_without_its_title_line_is_no_title():
    # (The shape of readability-pages' wikipedia-4 page, tuning part, without its <title> line: the
    # skip link was taken for the <title>, there being no line worded like it.)
    lines = ["Jump to content", "Main menu", "Search", "Create account", "Log in", "Personal tools", "Contents",
             "hide", "(Top)", "See also", "References", "List of films featuring time loops", "6 languages",
             "Article", "Talk", "Read", "Edit", "View history", "From Wikipedia, the free encyclopedia",
             PARAGRAPH, PARAGRAPH.replace("three", "four")]
    found = extract_text("\n\n".join(lines), "https://en.wikipedia.org/?curid=37092311")
    assert found.title == "List of films featuring time loops"


@pytest.mark.parametrize("reading_time", ["14 min read", "Oct 18, 2019 · 8 min read", "5 minute read"])
def test_a_name_over_the_reading_time_is_the_author(reading_time):
    # (readability-pages' Medium pages, tuning part: the author's name over the reading time, a menu
    # between it and the headline.)
    lines = ["The committee's budget for schools", "Ready to publish?", "Jane Roe", "Follow", reading_time,
             "Featured Close Publish changes", "Sign in / Sign up", "Next story", "Next story",
             "The committee's budget for schools", "Share on Twitter", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://medium.com/@jroe/budget-1a2b3c").authors == ["Jane Roe"]


def test_a_byline_over_the_reading_time_is_read_as_a_byline():
    lines = ["Allen has new publisher, memoir out Monday", "By Jane Roe The Associated Press",
             "Mon., March 23, 2020 timer 5 min. read", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://paper.example/allen").authors == ["Jane Roe"]


@pytest.mark.parametrize("first", ["linux video", "Mozilla"])
def test_a_title_line_of_a_word_or_two_is_the_title_when_nothing_else_names_the_article(first):
    # (readability-pages' jwz.org page, tuning part: "linux video" over the article; no line
    # of three words or more before it, the title was None.)
    lines = [first, "Notes", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://paper.example/linux/video").title == first


@pytest.mark.parametrize("first", ["Menu", "Example", "Jane Roe"])
def test_a_menu_word_the_sites_name_or_a_name_opening_a_dump_is_no_title(first):
    lines = [first, "Notes", PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n\n".join(lines), "https://www.example.com/linux/video").title is None


@pytest.mark.parametrize("credit", ["Foto: Agencije", "Photo: Jane Roe / Reuters", "Foto: Luis Ramírez / Agencia Reforma"])
def test_a_caption_naming_who_is_pictured_is_no_byline(credit):
    # A photo's caption under the headline names the person pictured ("Luka Petrović" over "Foto:
    # Agencije"): the person the article is about, not its author.
    lines = ["Menu", "Search", "Director of the power utility tests positive for the virus",
             "Luka Petrović", credit, PARAGRAPH, PARAGRAPH.replace("three", "four")]
    assert extract_text("\n".join(lines), "https://courier.example/budget").authors == []
    lines[3:5] = ["Luka Petrović", "November 19, 2019"]  # a name over the date is the byline
    assert extract_text("\n".join(lines), "https://courier.example/budget").authors == ["Luka Petrović"]
