"""Paragraphs at an article's end in another script than its title are the template's, not the article's."""
from __future__ import annotations

from worker.cleaning.scripts import script_of, without_foreign_tail

ARTICLE = ["Google Stadia launches tomorrow and early reviews are somewhat mixed about the service.",
           "According to one review, the platform does not run its showcase title in native 4K."]
SIDEBAR = ["Самые популярные диеты", "Белковая диета",
           "Популярная диета при активном ритме жизни. Результаты похудения до 10 кг за 14 дней."]


def test_script_of_a_text_is_that_of_most_of_its_letters():
    assert script_of("Google Stadia launches tomorrow", 0.8) == "latin"
    assert script_of("Самые популярные диеты", 0.8) == "cyrillic"
    assert script_of("東京都の新しい計画について", 0.8) == "cjk"
    assert script_of("Google Stadia: Самые популярные", 0.8) is None  # mixed
    assert script_of("2019 — 10:33", 0.8) is None  # no letters


def test_a_sidebar_in_another_script_after_the_article_goes():
    title = "Google Stadia launches tomorrow and early review are mixed"
    assert without_foreign_tail(ARTICLE + SIDEBAR, title, 0.8, 2) == ARTICLE


def test_an_article_in_another_script_than_its_title_is_kept_whole():
    # An English <title> over a Russian article: no paragraph before the run is in the title's script.
    assert without_foreign_tail(SIDEBAR + SIDEBAR, "Diets of the month", 0.8, 2) == SIDEBAR + SIDEBAR
    # One paragraph in the title's script is not enough to call the rest a sidebar.
    assert without_foreign_tail(ARTICLE[:1] + SIDEBAR, "Google Stadia launches", 0.8, 2) == ARTICLE[:1] + SIDEBAR


def test_a_quote_in_another_script_inside_the_article_stays():
    paragraphs = [ARTICLE[0], SIDEBAR[2], ARTICLE[1]]
    assert without_foreign_tail(paragraphs, "Google Stadia launches tomorrow", 0.8, 2) == paragraphs
