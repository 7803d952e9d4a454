"""Cookie and consent notices, newsletter and subscription prompts are dropped on both paths, in
any language; a dump that opens with the site's menus still gives the article and its headline."""
from __future__ import annotations

from pathlib import Path

import pytest

from worker.cleaning.html import extract_html
from worker.cleaning.prompts import is_prompt
from worker.cleaning.text import extract_text

DUMPS = Path(__file__).parent / "text_dumps"
PROSE = ("The city council voted on Tuesday to turn the old tram depot into a public library, ending a debate "
         "that had divided the neighbourhood for almost a decade, and construction starts in spring.")


@pytest.mark.parametrize("text", [
    "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
    "This website uses cookies to ensure you get the best experience on our website. Learn more",
    "Utilizziamo i cookie per essere sicuri che tu possa avere la migliore esperienza sul nostro sito.",
    "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis bieten zu können.",
    "Nous utilisons des cookies pour vous garantir la meilleure expérience sur notre site web.",
    "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
    "Używamy plików cookie, aby ułatwić korzystanie z naszego serwisu.",
    "Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.",
    "Subscribe to our newsletter.",
    "You have been successfully subscribed!",
    "No spam, we promise. You can unsubscribe at any time.",
    "Jetzt Newsletter abonnieren und nichts verpassen.",
])
def test_prompts_in_any_language_are_recognised(text):
    assert is_prompt(text)


@pytest.mark.parametrize("text", [
    "Regulators said websites must let users reject cookies as easily as they accept them.",
    "The company continued to sign up additional subscribers throughout the week.",
    "Her newsletter, which she started in 2019, now has 40,000 readers.",
    PROSE,
])
def test_article_sentences_about_cookies_or_subscribers_stay(text):
    assert not is_prompt(text)


def test_html_drops_a_consent_notice_inside_the_article():
    notice = "We use cookies to give you the best experience. By continuing to use this site you accept cookies."
    page = f"<html><body><article><p>{PROSE}</p><p>{notice}</p><p>{PROSE.replace('spring', 'May')}</p></article></body></html>"
    paragraphs = extract_html(page, "https://paper.example/a").paragraphs
    assert notice not in paragraphs and PROSE in paragraphs


def test_text_dump_ending_with_a_cookie_notice_is_cleaned_right():
    dump = (DUMPS / "remember8090-consent.html-text.txt").read_text(encoding="utf-8")
    found = extract_text(dump, "http://www.remember8090.it/remake-serie-animata-de-i-cavalieri-dello-zodiaco-per-netflix/")
    text = "\n".join(found.paragraphs)
    assert found.paragraphs[0].startswith("E’ stato annunciato in queste ore che Netflix")
    assert "cookie" not in text.lower() and "Lascia un commento" not in text


def test_text_dump_opening_with_menus_gives_the_article_and_its_headline():
    dump = (DUMPS / "ars-1-menu-first.html-text-no-title.txt").read_text(encoding="utf-8")
    found = extract_text(dump, "https://arstechnica.com/information-technology/2015/04/"
                               "just-released-minecraft-exploit-makes-it-easy-to-crash-game-servers/")
    assert found.title == "Just-released Minecraft exploit makes it easy to crash game servers"
    assert found.paragraphs[0].startswith("A flaw in the wildly popular online game Minecraft")
    assert not {"Skip to main content", "Biz & IT", "Subscribe", "Sign in"} & set(found.paragraphs)


CONSENT = ("We use cookies and similar technologies to give you the best experience on our website, to show you "
           "personalised content and to analyse our traffic. By continuing to browse you accept cookies.")


def test_a_page_whose_only_prose_is_a_consent_notice_has_no_article(clean_stage):
    """Two unrelated pages whose "article" is the same consent notice must not become duplicates:
    both go to the DLQ as no_content, on either path."""
    from worker.errors import PageRejected, Reason

    from .conftest import raw_page

    menus = "Home\nNews\nSport\nWeather\n"
    pages = [raw_page(f"{menus}\n{CONSENT}\n\nAccept all\nSettings", content_type="text/plain"),
             raw_page(f"<html><body><nav>{menus}</nav><div class='notice'><p>{CONSENT}</p></div></body></html>",
                      content_type="text/html")]
    for page in pages:
        with pytest.raises(PageRejected) as rejected:
            clean_stage(page)
        assert rejected.value.reason is Reason.NO_CONTENT


def test_html_source_leaked_into_a_dump_is_no_article_text():
    # html-text dumps keep the text of <noscript> and escaped widgets: page source, never prose.
    pixel = ('<div style="position:absolute;"><img width=1 height=1 alt="" '
             'src="https://beacon.example.com/b?s=2078710384&t=1489052700&f=cnetj-sci&path=/hl"></div>.')
    body = "\n".join(["Council votes for the library", pixel, PROSE, pixel, PROSE.replace("city", "town"), pixel,
                      "Most read", "Another story"])
    found = extract_text(body, "https://example.com/library").paragraphs
    assert found and not any("<div" in paragraph for paragraph in found)
