"""Texts that are not articles (a consent wall, a paywall, a menu) are not compared with others:
two unrelated pages that cleaned to the same notice are not duplicates, and the event says why."""
from __future__ import annotations

from datetime import timedelta

import pytest

from worker.config import DedupSettings
from worker.dedup.comparable import CONSENT_NOTICE, PAYWALL, TOO_SHORT, reason_of
from worker.metrics import Metrics
from worker.stages.dedup import DedupStage
from worker.state.memory import MemoryIndex

from .conftest import T0, article, story

CONSENT = {
    "en": "We and our partners store and/or access information on a device, such as cookies, and process "
          "personal data for personalised ads and content, ad and content measurement and audience insights. "
          "You can change your preferences or withdraw your consent at any time.\n\nAccept all\n\nManage options",
    "de": "Wir verwenden Cookies und ähnliche Technologien. Mit Ihrer Einwilligung verarbeiten wir und unsere "
          "Partner personenbezogene Daten für personalisierte Anzeigen. Details finden Sie in der "
          "Datenschutzerklärung.\n\nAlle akzeptieren\n\nEinstellungen",
    "fr": "Ce site utilise des cookies. Avec votre consentement, nous et nos partenaires traitons des données "
          "personnelles pour des publicités personnalisées. Vous pouvez modifier vos préférences.\n\nTout accepter",
}
PAYWALL_TEXT = {
    "en": "This story is available to subscribers only. Subscribe today for unlimited digital access. Already a "
          "subscriber? Log in to continue reading.",
    "es": "Este artículo es exclusivo para suscriptores. Suscríbete para seguir leyendo sin límites. ¿Ya eres "
          "suscriptor? Inicia sesión.",
    "it": "Questo contenuto è riservato agli abbonati. Abbonati per continuare a leggere. Sei già abbonato? Accedi.",
}


def reason(text: str) -> str | None:
    return reason_of(text, DedupSettings())


@pytest.mark.parametrize("language", sorted(CONSENT))
def test_a_consent_notice_is_not_compared(language):
    assert reason(CONSENT[language]) == CONSENT_NOTICE


@pytest.mark.parametrize("language", sorted(PAYWALL_TEXT))
def test_a_paywall_teaser_is_not_compared(language):
    assert reason("Minister resigns\n\n" + PAYWALL_TEXT[language]) == PAYWALL


def test_menus_and_buttons_are_too_short_to_be_an_article():
    menu = "\n".join(["Home", "World", "Politics", "Business", "Sport", "Read more", "Share this article"] * 3)
    assert reason(menu) == TOO_SHORT
    assert reason("") == TOO_SHORT


def test_articles_are_compared_even_with_some_boilerplate_lines(seed_articles):
    for name, seed in seed_articles.items():
        assert reason(seed.text) is None, name
    assert reason(story(1) + "\n\n" + CONSENT["en"]) is None
    brief = ("Police arrested a 34-year-old man on Tuesday in connection with a burglary on Main Street, "
             "officials said. He is expected to appear in court later this week.")
    assert reason(brief) is None


def test_two_pages_with_the_same_consent_notice_are_unique_and_say_why():
    dedup = DedupStage(MemoryIndex(DedupSettings()), Metrics(), DedupSettings())
    first = dedup(article("a", CONSENT["en"], "https://one.example/story-1"))
    second = dedup(article("b", CONSENT["en"], "https://two.example/story-2", T0 + timedelta(hours=1)))
    for page in (first, second):
        assert page.to_event()["dedup"] == {"status": "unique", "duplicate_of": None, "method": None,
                                            "similarity": None, "reason": CONSENT_NOTICE}
    replay = dedup(article("b", CONSENT["en"], "https://two.example/story-2", T0 + timedelta(hours=1)))
    assert replay.to_event()["dedup"] == second.to_event()["dedup"]
    recrawl = dedup(article("c", CONSENT["en"], "https://one.example/story-1", T0 + timedelta(hours=2)))
    assert (recrawl.dedup.method, recrawl.dedup.duplicate_of, recrawl.dedup.reason) == ("url", "a", None)
    counted = dedup.metrics.registry.get_sample_value("newsworker_dedup_not_compared_total",
                                                      {"reason": CONSENT_NOTICE})
    assert counted == 3  # two pages and the replay


def test_a_compared_article_has_no_reason():
    dedup = DedupStage(MemoryIndex(DedupSettings()), Metrics(), DedupSettings())
    assert dedup(article("a", story(3))).to_event()["dedup"]["reason"] is None


def test_an_article_the_page_holds_twice_is_still_compared():
    twice = story(4) + "\n\n" + story(4)
    assert reason(twice) is None
    repeated_teasers = "\n".join(["Minister resigns over the budget row, the third this year in the cabinet"] * 6)
    assert reason(repeated_teasers) == TOO_SHORT


def test_a_sites_legal_notice_is_too_short_to_be_an_article():
    # What cleaning keeps of a brief's page when it returns the footer: every page of the site
    # cleaned so would be an exact duplicate of every other.
    footer = ("© 2019 Example Media. All rights reserved (About Us).\n\n"
              "The material on this site may not be reproduced, distributed, transmitted, cached or otherwise "
              "used, except with the prior written permission of Example Media.\n\n"
              "Registration on or use of this site constitutes acceptance of our User Agreement and Privacy Policy.")
    assert reason(footer) == TOO_SHORT
    court = ("The court ruled on Tuesday that the publisher had reproduced the photographs without permission, "
             "and ordered it to pay the photographer 40,000 euros in damages. The publisher said it would appeal "
             "the ruling, which its lawyers called a threat to the reporting of public events.")
    assert reason(court) is None


def test_a_wall_among_the_templates_leftovers_is_not_compared():
    """The leftovers of a site's template (a byline, a teaser, a credit line) around a consent wall
    or a paywall are all the prose there is: two pages of that template must not match on them."""
    leftovers = ("By Jane Doe, John Roe and Mary Major of the Associated Press\n\n"
                 "Unpredictable witness faces questions about the inquiry, the aid and the phone call\n\n"
                 "Associated Press writers Alan Fram, Zeke Miller and Laurie Kellman contributed to this report.")
    assert reason(leftovers + "\n\n" + CONSENT["en"]) == CONSENT_NOTICE
    assert reason(leftovers + "\n\n" + PAYWALL_TEXT["it"]) == PAYWALL
    # An article that kept a cookie line, and a brief with a sign-in prompt, are still compared.
    assert reason(story(1) + "\n\n" + CONSENT["fr"]) is None
    brief = ("Police arrested a 34-year-old man on Tuesday in connection with a burglary on Main Street, "
             "officials said. He is expected to appear in court later this week, a spokesman said.")
    assert reason(brief + "\n\nAlready a subscriber? Log in") is None


def test_an_article_about_online_tracking_is_compared():
    # Long sentences about privacy, consent and ads hold two of a notice's terms among many words.
    paragraphs = [
        "Nearly every website that you visit that has a like button is actually encouraging your browser "
        "to tell the social network about your browsing habits, even if you never click on it at all, and "
        "even if you have never signed up for an account there in the first place, which most readers find "
        "surprising when they first hear about it.",
        "But even if we accept that clicking through terms that no one reads can actually constitute true "
        "consent, the companies collecting this information rarely explain what they do with it later, how "
        "long they keep it, or to whom they sell it once the campaign that paid for its collection is over "
        "and the data has no other use for them.",
        "Privacy should not be a luxury good, and while I am happy to encourage people to opt out of these "
        "arrangements, I do not think that individual choices alone will solve the problem for most readers, "
        "who have neither the time nor the patience to read the fine print of every site they happen to visit "
        "during a single working day.",
    ]
    assert reason("\n\n".join(paragraphs)) is None
