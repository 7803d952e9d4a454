"""A table inside the article's prose (standings, results, prices) is kept by the text path in
both of the ways dumps print it (a row a line, a cell a line); tables and lists of the template
(a sidebar's standings, a ranked list of links, follower counts, an archive list, a menu) are not."""
from __future__ import annotations

from pathlib import Path

import pytest

from worker.cleaning.text import extract_text
from worker.cleaning.text_tables import table_lines
from worker.config.cleaning import TextDumpThresholds

DUMPS = Path(__file__).parent / "text_dumps"
STANDINGS_URL = "http://www.autoracing.com.br/classificacao-nascar/"
SNAPS_URL = ("https://www.dawgsbynature.com/2019/11/18/20970600/"
             "browns-defensive-snap-counts-stats-and-notes-week-11")
LEAD = ("The league published its final standings on Sunday evening, after the last race of a season that "
        "went down to the final laps, and the top four drivers were separated by thirteen points.")
AFTER = ("The champion said after the race that the title had been decided by the consistency of the whole "
         "team over thirty-six weekends, not by any single win, and thanked the crew for their work.")
ROWS = ["1 Kyle Busch 5040 5 1 17 27", "2 Martin Truex Jr. 5035 7 0 15 24", "3 Kevin Harvick 5033 4 6 15 26",
        "4 Denny Hamlin 5027 6 3 19 24"]
CELLS = ["Pos", "Driver", "Points", "1", "Kyle Busch", "5040", "2", "Martin Truex Jr.", "5035", "3",
         "Kevin Harvick", "5033", "4", "Denny Hamlin", "5027"]
TEASERS = ["Driver fined after a crash in the pit lane", "Team confirms its line-up for next season",
           "Rookie of the year named at the gala dinner"]


def _clean(lines: list[str]) -> list[str]:
    return extract_text("\n".join(lines), "https://racing.example/standings").paragraphs


def _fixed_point(paragraphs: list[str], url: str) -> None:
    assert extract_text("\n\n".join(paragraphs), url).paragraphs == paragraphs


def test_standings_a_row_a_line_are_kept_real_page():
    dump = (DUMPS / "autoracing-standings.html-text.txt").read_text(encoding="utf-8")
    paragraphs = extract_text(dump, STANDINGS_URL).paragraphs
    assert paragraphs[0].startswith("Nesta página você terá sempre a classificação atualizada")
    assert "1 Kyle Busch 5040 5 1 17 27" in paragraphs and "40 Casey Mears 1 0 0 0 0" in paragraphs
    assert "Pos. Piloto Pontos Vitórias Poles Top 5 Top 10" in paragraphs  # its header row
    _fixed_point(paragraphs, STANDINGS_URL)


def test_standings_a_cell_a_line_are_kept_real_page():
    dump = (DUMPS / "autoracing-standings.get-text.txt").read_text(encoding="utf-8")
    paragraphs = extract_text(dump, STANDINGS_URL).paragraphs
    assert paragraphs[0].startswith("Nesta página você terá sempre a classificação atualizada")
    start = paragraphs.index("Kyle Busch", 3)
    assert paragraphs[start - 1:start + 6] == ["1", "Kyle Busch", "5040", "5", "1", "17", "27"]
    assert "Casey Mears" in paragraphs
    assert paragraphs.count("0") > 40  # a table's cells repeat: they are no repeated line
    _fixed_point(paragraphs, STANDINGS_URL)


def test_tables_between_paragraphs_are_kept_real_page():
    dump = (DUMPS / "dawgsbynature-snap-counts.get-text.txt").read_text(encoding="utf-8")
    paragraphs = extract_text(dump, SNAPS_URL).paragraphs
    assert paragraphs[0].startswith("Below, we analyze the snap counts")
    for name, share in (("Larry Ogunjobi", "85%"), ("Joe Schobert", "100%"), ("Denzel Ward", "100%"),
                        ("Sheldrick Redwine", "45%")):
        assert paragraphs[paragraphs.index(name) + 2] == share
    _fixed_point(paragraphs, SNAPS_URL)


@pytest.mark.parametrize("table", [ROWS, CELLS], ids=["rows", "cells"])
def test_a_table_inside_the_prose_is_kept(table):
    paragraphs = _clean(["Racing News", "Home", "Standings", LEAD, *table, AFTER, "Share", "Privacy Policy"])
    assert paragraphs == [LEAD, *table, AFTER]


@pytest.mark.parametrize("table", [ROWS, CELLS], ids=["rows", "cells"])
def test_a_table_under_the_article_without_prose_after_it_is_the_templates(table):
    # (A sidebar's standings under the article's last paragraph, teasers under it.)
    paragraphs = _clean([LEAD, AFTER, "Standings", *table, "More news", *TEASERS])
    assert paragraphs == [LEAD, AFTER]


@pytest.mark.parametrize("lines", [
    ["1.", "Skin Cancer", "2.", "Snoring", "3.", "Flakka", "4.", "Fit at 50", "5.", "Autism"],  # a ranked list
    ["May 2016 (4)", "April 2016 (12)", "March 2016 (7)", "February 2016 (3)"],  # an archive list
    ["Blog", "(2)", "Community Post", "(4824)", "Diaspora", "(62)", "Events", "(56)", "Sports", "(1379)"],
    ["Formula 1", "News of Formula 1", "Standings of Formula 1", "Calendar of Formula 1"],  # a menu
], ids=["ranked", "archive", "archive-cells", "menu"])
def test_template_lists_are_no_table(lines):
    scores = [100.0] + [-10.0] * len(lines) + [100.0]
    assert table_lines([LEAD, *lines, AFTER], scores, TextDumpThresholds()) == []


def test_a_teaser_printed_again_and_again_is_no_table():
    teaser = "Winners of the 2020/7/11-12 races: 18 horses 2 hours ago"
    lines = [LEAD, *[teaser] * 6, AFTER]
    assert table_lines(lines, [100.0] + [-10.0] * 6 + [100.0], TextDumpThresholds()) == []


def test_follower_counts_under_the_share_bar_are_no_table():
    # (therepublic.com, get_text-style: the site's follower counts between the share bar and "About us".)
    widget = ["SHARE", "Facebook", "Twitter", "POLL", "STAY CONNECTED", "1", "Fans", "Like", "299", "Followers",
              "Follow", "7,412", "Followers", "Follow", "151", "Subscribers", "Subscribe", "ABOUT US"]
    paragraphs = _clean([LEAD, AFTER, *widget, "Nobody covers the city and the surrounding areas like we do."])
    assert paragraphs == [LEAD, AFTER]
