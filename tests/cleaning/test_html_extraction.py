"""The HTML path: article paragraphs without boilerplate, and the metadata the page states."""
from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from worker.cleaning.html import extract_html

PAGES = Path(__file__).parent / "html_pages"
ARTICLE = [
    "The city council voted on Tuesday to turn the old tram depot into a public library, ending a "
    "debate that had divided the neighbourhood for almost a decade.",
    "Supporters said the building, empty since 2009, would finally serve the people who paid for it, "
    "while opponents warned that the renovation budget of 14 million euros was far too optimistic.",
    "The library is expected to open in 2027, with a reading room in the former engine hall, a "
    "children's section on the upper floor and a café facing the river.",
    "Construction will start next spring, once the last tenants of the workshops have moved out.",
]


def real_page(name: str) -> str:
    return gzip.decompress((PAGES / name).read_bytes()).decode("utf-8")


def article_page(head: str = "", article: str | None = None) -> str:
    """An article surrounded by the boilerplate news sites wrap around it."""
    body = article or "".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE)
    related = "".join(f'<li><a href="/news/{i}">Other headline number {i} about something</a></li>'
                      for i in range(8))
    comments = "".join(f"<div class='comment'><p>Reader {i} wrote a long comment, with opinions, about "
                       "the library and the council, that nobody asked for.</p></div>" for i in range(5))
    return f"""<!DOCTYPE html><html lang="en"><head><title>Library vote | The Example Times</title>{head}
    </head><body>
    <div class="cookie-consent">We use cookies to improve your experience. Accept all cookies?</div>
    <header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/sport">Sport</a></nav></header>
    <main><article>
      <h1>Old tram depot becomes a library</h1>
      <div class="byline">By Anna Example</div>
      <div class="article-body">{body}</div>
      <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
    </article>
    <aside><h3>Most read</h3><ul>{related}</ul></aside>
    <section id="comments"><h2>Comments</h2>{comments}</section>
    </main>
    <footer><p>Copyright 2024 The Example Times. All rights reserved. Terms of use, privacy policy.</p></footer>
    </body></html>"""


def test_real_page_title_body_and_metadata():
    found = extract_html(real_page("sciencealert-europa.html.gz"),
                         "https://www.sciencealert.com/nasa-finds-water-plumes-above-the-surface-of-jupiter-s-icy-moon-europa")
    assert found.title == "NASA Just Confirmed There Are Water Plumes Above The Surface of Jupiter's Moon Europa"
    assert found.paragraphs[0] == ("A team led by researchers out of NASA's Goddard Space Flight Center in "
                                   "Greenbelt, Maryland, has confirmed traces of water vapor above the surface "
                                   "of Jupiter's icy moon Europa.")
    assert found.paragraphs[-1] == "This article was originally published by Futurism. Read the original article."
    assert found.authors == ["Victor Tangermann"]  # the byline says "VICTOR TANGERMANN, FUTURISM"
    assert found.published_at == datetime(2019, 11, 18, tzinfo=timezone.utc)  # visible "18 NOV 2019"
    assert found.site_name == "ScienceAlert"
    assert found.language == "en"


def test_real_german_page_byline_and_date():
    found = extract_html(real_page("comwrap-dmexco-de.html.gz"), "https://blog.comwrap.com/comwrap-auf-der-dmexco-2018")
    assert found.title == "Take C.A.R.E. - comwrap auf der DMEXCO 2018"
    assert found.authors == ["Moritz Bachmann"]  # "Von Moritz Bachmann"
    assert found.published_at.date().isoformat() == "2018-07-30"  # "publiziert am 30. Juli 2018"
    assert found.paragraphs[0] == "Am 12. Bis 13. September startet wieder die DMEXCO 2018 in Köln – und comwrap ist mit dabei."


def test_boilerplate_is_gone():
    found = extract_html(article_page(), "https://news.example/library")
    assert found.paragraphs == ARTICLE
    text = " ".join(found.paragraphs)
    for boilerplate in ("cookies", "Home", "Share on", "Other headline", "Reader 0", "Copyright", "Most read"):
        assert boilerplate not in text


def test_entities_decoded_and_whitespace_collapsed():
    article = ("<p>Caf&eacute;&nbsp;&amp;   bar\n\t<b>opened</b>   today,\nsaid the owner, who had waited "
               "for&#8239;years &mdash; and it shows.</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE))
    found = extract_html(article_page(article=article), "https://news.example/cafe")
    # Unicode spaces (no-break, narrow no-break) are whitespace too.
    assert found.paragraphs[0] == "Café & bar opened today, said the owner, who had waited for years — and it shows."


def test_json_ld_metadata():
    head = """<link rel="canonical" href="/2024/05/01/library-vote?ref=home">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "Example Times"},
      {"@type": "NewsArticle", "headline": "Old tram depot becomes a library",
       "author": [{"@type": "Person", "name": "Anna Example"}, {"@type": "Person", "name": "Jan Kowalski"},
                  {"@type": "Organization", "name": "Example Times Desk"}],
       "datePublished": "2024-05-01T22:30:00-04:00",
       "publisher": {"@type": "Organization", "name": "The Example Times"}}]}</script>"""
    found = extract_html(article_page(head).replace('lang="en"', 'lang="fr-FR"'), "https://news.example/a/b")
    assert found.title == "Old tram depot becomes a library"
    assert found.authors == ["Anna Example", "Jan Kowalski"]  # the visible byline names only the first
    # The offset the page states is kept: a reader in New York saw this on May 1 (May 2 in UTC).
    assert found.published_at == datetime(2024, 5, 2, 2, 30, tzinfo=timezone.utc)
    assert found.published_at.utcoffset() == timedelta(hours=-4)
    assert found.published_at.date().isoformat() == "2024-05-01"
    assert found.site_name == "The Example Times"
    assert found.language == "fr"
    assert found.canonical_url == "https://news.example/2024/05/01/library-vote?ref=home"


@pytest.mark.parametrize(("opening", "closing"), [("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>"), ("<!--", "-->")])
def test_json_ld_inside_cdata_or_a_comment_is_read(opening, closing):
    # XHTML-era pages wrap their scripts so that old parsers skip them.
    head = f"""<meta property="article:published_time" content="2024-05-03T08:00:00Z">
    <script type="application/ld+json">{opening}
      {{"@type": "NewsArticle", "headline": "Old tram depot becomes a library",
        "datePublished": "2024-05-01T10:00:00Z", "author": {{"@type": "Person", "name": "Anna Example"}}}}
    {closing}</script>"""
    found = extract_html(article_page(head), "https://news.example/a/b")
    assert found.published_at == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)  # JSON-LD first, as unwrapped
    assert found.authors == ["Anna Example"]


def test_open_graph_and_meta_tags_without_headline_element():
    head = """<meta property="og:title" content="Old tram depot becomes a library | The Example Times">
    <meta property="og:site_name" content="The Example Times">
    <meta property="article:published_time" content="2024-05-01T08:00:00Z">
    <meta name="author" content="By Anna Example and Jan Kowalski">
    <meta property="og:url" content="https://news.example/library">"""
    page = article_page(head).replace("<h1>Old tram depot becomes a library</h1>", "").replace(
        '<div class="byline">By Anna Example</div>', "")
    found = extract_html(page, "https://news.example/library?utm_source=x")
    assert found.title == "Old tram depot becomes a library"  # site name suffix stripped
    assert found.authors == ["Anna Example", "Jan Kowalski"]
    assert found.published_at == datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
    assert found.published_at.utcoffset() == timedelta(0)
    assert found.canonical_url == "https://news.example/library"


def test_no_metadata_stated_gives_none():
    found = extract_html("<html><body><p>" + " ".join(ARTICLE) + "</p></body></html>", "https://news.example/x")
    assert found.paragraphs == [" ".join(ARTICLE)]
    assert (found.title, found.authors, found.published_at, found.canonical_url) == (None, [], None, None)


@pytest.mark.parametrize("lang, byline, date_line, authors, day", [
    ("de", "Von Anna Schmidt und Jörg Müller", "publiziert am 3. März 2024", ["Anna Schmidt", "Jörg Müller"], "2024-03-03"),
    ("fr", "Par Jean Dupont et Marie Curie", "Publié le 14 juillet 2023", ["Jean Dupont", "Marie Curie"], "2023-07-14"),
    ("es", "Por María García y José López", "5 de mayo de 2022", ["María García", "José López"], "2022-05-05"),
    ("pl", "Przez Jan Kowalski", "12 listopada 2021", ["Jan Kowalski"], "2021-11-12"),
    ("pt", "Publicado por: Clarissa Borba", "05/10/2018", ["Clarissa Borba"], "2018-10-05"),
    ("en", "By Reuters", "Nov. 19, 2019", [], "2019-11-19"),
])
def test_multilingual_bylines_and_datelines(lang, byline, date_line, authors, day):
    page = (f'<html lang="{lang}"><body><h1>Ein Titel, un titre, un título</h1><p>{byline}</p>'
            f'<p>{date_line}</p><div>' + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div></body></html>")
    found = extract_html(page, "https://news.example/story")
    assert found.authors == authors
    assert found.published_at.date().isoformat() == day


def test_trafilatura_steps_in_when_own_extractor_finds_no_paragraphs():
    # Text only in list items: no paragraph-like element for the own scorer to find.
    items = "".join(f"<li>Point {i} of the decision explains, at some length, what the council decided about "
                    "the old depot and why.</li>" for i in range(6))
    found = extract_html(f"<html><body><h1>Council decisions</h1><ul>{items}</ul></body></html>",
                         "https://news.example/decisions")
    assert "Point 0 of the decision explains, at some length, what the council decided about the old depot and why." \
        in found.paragraphs
    assert found.title == "Council decisions"


def test_headline_is_not_repeated_as_a_paragraph():
    article = "<h1>Old tram depot becomes a library</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
    head = '<meta property="og:title" content="Old tram depot becomes a library">'
    page = article_page(head, article).replace("<h1>Old tram depot becomes a library</h1>\n", "", 1)
    found = extract_html(page, "https://news.example/library")
    assert found.title == "Old tram depot becomes a library"
    assert found.paragraphs == ARTICLE


def test_boilerplate_named_in_other_languages_is_gone():
    article = "".join(f"<p>{p}</p>" for p in ARTICLE)
    extras = ('<div class="Kommentare"><p>Leser 1 schrieb einen langen Kommentar, mit Meinungen, über die Bibliothek '
              'und den Rat, den niemand hören wollte.</p></div>'
              '<div class="articulos-relacionados"><p>Otro artículo sobre la biblioteca, con un resumen largo, que '
              'nadie pidió leer aquí.</p></div>'
              '<div class="teilen-leiste">Auf Facebook teilen, auf Twitter teilen, per E-Mail teilen</div>')
    found = extract_html(article_page(article=article + extras), "https://news.example/library")
    assert found.paragraphs == ARTICLE


def test_the_marked_article_body_stays_and_its_photo_gallery_goes():
    # A share widget names the article's own container after itself; the page's microdata says
    # it is the article body. The gallery of captions inside it is not the article.
    captions = "".join(f"<li><h2>{n}/40 A picture of the week</h2><p>A long caption of picture {n}, with its "
                       f"place, its people and the agency, that is no part of the article.</p></li>"
                       for n in range(1, 41))
    article = ('<div class="text-wrapper" itemprop="articleBody" id="share-btns-2_containerParent">'
               + "".join(f"<p>{p}</p>" for p in ARTICLE)
               + f'<div class="widget type-gallery"><ul class="legends">{captions}</ul></div></div>')
    found = extract_html(article_page(article=article), "https://news.example/library")
    assert found.paragraphs == ARTICLE


def test_an_article_written_as_a_list_is_found():
    # Release notes, explainers: the article's text sits in list items, not paragraphs.
    items = "".join(f"<li>{paragraph}</li>" for paragraph in ARTICLE)
    menu = "".join(f'<li><a href="/s/{i}">Section number {i} of the site</a></li>' for i in range(12))
    page = f"""<html><body><div class="site-menu"><ul>{menu}</ul></div>
    <div class="post"><h1>What changed this week</h1><ul>{items}</ul></div></body></html>"""
    assert extract_html(page, "https://example.org/notes").paragraphs[-4:] == ARTICLE


def test_lead_paragraphs_beside_the_container_are_kept():
    rest = "".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE[1:] * 2)
    page = f"""<html><body><div class="article-content"><p>{ARTICLE[0]}</p>
    <div class="toggle-group">{rest}</div></div></body></html>"""
    assert extract_html(page, "https://example.org/lead").paragraphs[0] == ARTICLE[0]


def test_a_short_lead_sentence_beside_the_container_is_kept_and_a_label_is_not():
    # A one-line lead ("Good morning!") is shorter than a paragraph counted as prose; it is kept
    # as readability keeps it: a sentence without links. A label or a link beside it is no sentence.
    rest = "".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE * 2)
    page = f"""<html><body><div class="post"><p>Good morning. Here is the news you need today.</p>
    <p>Editor's picks</p><p><a href="/signup">Get this in your inbox every morning.</a></p>
    <div class="toggle-group">{rest}</div></div></body></html>"""
    found = extract_html(page, "https://example.org/lead").paragraphs
    assert found[0] == "Good morning. Here is the news you need today."
    assert found[1:] == ARTICLE * 2


BRIEF = ("Route 9 between Millbrook and Ashford will be closed from 8 p.m. on Friday until 5 a.m. on Monday "
         "for resurfacing work. Drivers are advised to follow the signed diversion.")


@pytest.mark.parametrize("marking", ['itemprop="articleBody"', 'itemscope itemtype="https://schema.org/NewsArticle"'])
def test_a_short_article_the_page_marks_beats_a_longer_teaser_list(marking):
    # A brief of two sentences scores less than the stream of teasers beside it (each a linked
    # headline and a summary that is no link); the page's microdata says which is the article.
    teasers = "".join(
        f'<li><h3><a href="/news/{i}">Headline of another story number {i}</a></h3><p>The summary of story {i}, '
        "with a place, a person and a number, long enough to read like the start of an article.</p>"
        "<span>Good Morning Example</span></li>" for i in range(8))
    page = f"""<html><head><title>Road closure on Route 9</title></head><body>
    <div class="page"><h1>Road closure on Route 9</h1><div {marking}><div><p>{BRIEF}</p></div></div>
    <ul class="stream">{teasers}</ul></div></body></html>"""
    assert extract_html(page, "https://example.org/road-closure").paragraphs == [BRIEF]


def test_links_between_the_paragraphs_stay_and_links_after_them_go():
    # A changelog or a review roundup lists the links it discusses between its paragraphs; the
    # same kind of list after the last paragraph is "read more" and goes.
    discussed = "".join(f'<li><a href="/bug/{i}">Fixed the crash number {i} in the importer</a></li>'
                        for i in range(3))
    further = "".join(f'<li><a href="/news/{i}">Another story number {i} you may like</a></li>' for i in range(3))
    article = (f"<p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p><ul>{discussed}</ul><p>{ARTICLE[2]}</p>"
               f"<p>{ARTICLE[3]}</p><ul>{further}</ul>")
    found = extract_html(article_page(article=article), "https://news.example/library").paragraphs
    assert found == ARTICLE[:2] + [f"Fixed the crash number {i} in the importer" for i in range(3)] + ARTICLE[2:]


@pytest.mark.parametrize("name", ["contributor-bio contributor-bio--align-l", "author-info", "about-the-author", "authorBox"])
def test_an_author_box_under_a_short_article_is_not_the_article(name):
    # The box's paragraph holds more text than a brief: named as an author box, it goes.
    page = f"""<html><head><title>Road closure on Route 9</title></head><body><main>
    <h1>Road closure on Route 9</h1><div class="chunks"><div><p>{BRIEF}</p></div></div>
    <div class="{name}"><p>Anna Example is a staff writer covering transport, roads and the city's budget, and
    she was formerly an editor at another paper, where she covered science, health and the weather.</p></div>
    </main></body></html>"""
    assert extract_html(page, "https://example.org/road-closure").paragraphs == [BRIEF]


# Furniture a brief page keeps: a footer's or a sidebar's notice holds more of a brief page's
# text than a weak name lets pruning take, and a class naming a block both as comments and as
# text is content to pruning. Their paragraph, longer and with more commas, outscores the brief.
NOTICE = ("Comments published are the sole responsibility of their authors, and those who post "
          "insults, threats or personal data will be banned, without notice, from commenting again. "
          "Posting a comment implies accepting the rules, the terms of use and the privacy policy.")
DISCLAIMER = ("The material on this site may not be reproduced, distributed, transmitted, cached or "
              "otherwise used, except with the prior written permission of the publisher, its "
              "partners, or its affiliates. Registration on or use of this site constitutes "
              "acceptance of our User Agreement, Privacy Policy and Cookie Statement.")
BIO = ("Anna Example is a staff writer covering transport, roads, housing and the city's budget, "
       "and she was formerly an editor at another paper, where she covered science, health, "
       "the courts and the weather, after years as a reporter in Lyon, Turin and Porto.")


@pytest.mark.parametrize("furniture", [
    f'<div class="footer"><div class="footer__disclaimer"><p>{DISCLAIMER}</p></div></div>',
    f'<div class="sidebar"><div class="box"><p>{BIO}</p></div></div>',
    f'<section id="community"><div class="comments-text"><p>{NOTICE}</p></div></section>',
], ids=["footer", "sidebar", "comments-text"])
def test_a_notice_in_spared_furniture_does_not_outscore_a_brief(furniture):
    page = f"""<html><head><title>Road closure on Route 9</title></head><body><main>
    <article><h1>Road closure on Route 9</h1><div class="entry-content"><div><p>{BRIEF}</p></div></div>
    </article>{furniture}</main></body></html>"""
    assert extract_html(page, "https://example.org/road-closure").paragraphs == [BRIEF]


def test_inline_links_do_not_stop_the_climb_to_an_article_split_into_cards():
    # Each paragraph in a card of its own, a list in one of them scoring best: the container
    # climbs to the cards' parent, whose paragraphs link their sources inline (no link list).
    steps = [f"Step {i}: widen the culvert under the road so that more water can pass in a storm." for i in range(7)]
    lead = ARTICLE[0].replace("public library", '<a href="/library">public library</a>')
    cards = [f"<p>{lead}</p>"] + [f'<p>{p} See <a href="/source/{i}">the full report of the engineers</a>.</p>'
                                   for i, p in enumerate(ARTICLE[1:])]
    cards.insert(2, "<div><ul>" + "".join(f"<li>{step}</li>" for step in steps) + "</ul></div>")
    body = "".join(f'<div class="card"><div class="card-content">{card}</div></div>' for card in cards)
    found = extract_html(article_page(article=body), "https://news.example/library").paragraphs
    assert len(found) == 11
    assert found[0] == ARTICLE[0] and found[-1] == ARTICLE[3] + " See the full report of the engineers."


def test_an_article_in_a_row_of_text_blocks_of_one_class_is_whole():
    # A CMS writes the article as a row of blocks of one class, an image between them; the
    # longer block scores best, the lead block beside it is of the same class. A block of that
    # class without a prose paragraph (the headline's, a label) is not the article's.
    def block(inner: str) -> str:
        return f'<div class="article__block article__block_text"><div class="block-text">{inner}</div></div>'

    page = f"""<html><body><div class="article__content">
    {block("<h2>Old tram depot becomes a library</h2><p>Updated at noon</p>")}
    {block(f"<p>{ARTICLE[0]}</p>")}
    <div class="article__block article__block_image"><img src="/a.jpg"></div>
    {block("".join(f"<p>{p}</p>" for p in ARTICLE[1:] * 2))}
    </div></body></html>"""
    assert extract_html(page, "https://example.org/blocks").paragraphs == ARTICLE[:1] + ARTICLE[1:] * 2


def _brief_beside(block: str, before: bool) -> str:
    rail = f'<div class="rail">{block}</div>' if before else ""
    after = "" if before else f'<div class="more">{block}</div>'
    return f"""<html><head><title>Road closure on Route 9 | County News</title></head><body>{rail}
    <div class="main"><div class="art"><h1>Road closure on Route 9</h1><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p>
    </div></div>{after}
    </body></html>"""


TEASERS = "".join(
    f'<div class="card"><h3><a href="/n/{i}">Headline of another story number {i} in the county</a></h3>'
    f"<p>The summary of story {i}, with a place, a person and a number, long enough to read like the "
    "start of an article.</p></div>" for i in range(10))
PRODUCTS = "".join(
    f'<div class="item"><h4><a href="/p/{i}">Great Widget {i}</a></h4><p>Our best-selling widget, now with '
    "a longer battery life, a brighter screen, and free delivery on all orders over 20 euros.</p>"
    "<span>19.99</span></div>" for i in range(6))
SECTIONS = "<ul>" + "".join(
    f"<li><a href='/c/{i}'>Category {i}</a> - news, analysis, opinion and comment from our reporters in "
    "the region</li>" for i in range(15)) + "</ul>"


@pytest.mark.parametrize("before", [False, True])
@pytest.mark.parametrize("block", [TEASERS, PRODUCTS, SECTIONS], ids=["teasers", "products", "navigation"])
def test_a_list_of_linked_items_outscoring_a_brief_under_the_headline_is_not_the_article(block, before):
    # Ten teasers (or products, or a navigation column's entries) score more than a brief of two
    # paragraphs; they are items opening with a link, away from the headline, and the brief is under it.
    found = extract_html(_brief_beside(block, before), "https://example.org/road-closure").paragraphs
    assert found == ARTICLE[:2]


def test_an_article_written_as_a_list_of_linked_items_under_its_headline_stays():
    # A roundup ("10 things you need to know") is such a list, but it is the text under the headline.
    items = "".join(f'<li><strong><a href="/s/{i}">Story number {i} of the day</a></strong> is summed up here in '
                    "a sentence or two, with a figure and a name.</li>" for i in range(10))
    page = f"""<html><head><title>Ten things to know today | County News</title></head><body>
    <div class="rail">{TEASERS}</div><div class="post"><h1>Ten things to know today</h1>
    <p>Good morning. Here is what you need to know.</p><ol>{items}</ol></div></body></html>"""
    found = extract_html(page, "https://example.org/ten-things").paragraphs
    assert found[0] == "Good morning. Here is what you need to know." and len(found) == 11


@pytest.mark.parametrize("heading", ["More from UK", "Related news", "À lire aussi :", "Mehr zum Thema"])
def test_a_box_of_other_headlines_inside_the_article_goes_and_the_article_goes_on(heading):
    # A box of other stories between two paragraphs, and one after the last: their headlines are
    # short lines the link test can miss (the link is on the box); the heading says what they are.
    box = f"<div class='box'><h3>{heading}</h3>" + "".join(
        f"<div><a href='/n/{i}'><span>Another headline number {i} about the county</span></a></div>"
        f"<div>Headline of story {i}</div>" for i in range(3)) + "</div>"
    article = f"<p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p>{box}<p>{ARTICLE[2]}</p><p>{ARTICLE[3]}</p>{box}"
    assert extract_html(article_page(article=article), "https://news.example/library").paragraphs == ARTICLE


@pytest.mark.parametrize("heading", ["Leave a Reply", "2 Comments", "Kommentare (12)"])
def test_the_heading_of_the_comments_after_the_article_ends_it(heading):
    # The comment thread is pruned by its name; its heading and form's notes, named otherwise, are not.
    tail = f"<h3>{heading}</h3><p>Your email address will not be published.</p><p>Required fields are marked *</p>"
    page = f"<html><body><div class='post'>{''.join(f'<p>{p}</p>' for p in ARTICLE)}{tail}</div></body></html>"
    assert extract_html(page, "https://example.org/post").paragraphs == ARTICLE


def test_form_labels_inside_the_container_are_not_article_text():
    # A search box or a "send to a friend" form inside the article's wrapper: its labels name form
    # fields (the fields themselves are pruned), they are no sentences of the article.
    form = ("<form><label for='q'>What do you want to find?</label><input id='q'>"
            "<label>Your e-mail address, so that we can answer you *</label><input></form>")
    page = f"<html><body><div class='post'>{''.join(f'<p>{p}</p>' for p in ARTICLE)}{form}</div></body></html>"
    assert extract_html(page, "https://example.org/post").paragraphs == ARTICLE


def test_an_embedded_players_fallback_text_is_not_article_text():
    # A radio interview's audio player holds the file's address for browsers that cannot play it.
    player = ('<audio controls><source src="/a/interview.wav"><a href="/a/interview.wav">'
              "https://radio.example/wp-content/uploads/2020/10/interview.wav</a></audio>")
    page = (f"<html><body><div class='post'><p>{ARTICLE[0]}</p>{player}"
            f"{''.join(f'<p>{p}</p>' for p in ARTICLE[1:])}</div></body></html>")
    assert extract_html(page, "https://radio.example/interview").paragraphs == ARTICLE


CONSENT = ("<p>We and our partners store and access information on your device, such as unique identifiers in "
           "cookies, to process personal data for personalised ads and content, ad and content measurement, "
           "audience research and the development of our services.</p><p>You may accept or manage your choices "
           "at any time, including your right to object where legitimate interest is used, in the settings of "
           "this site, which are available from the link at the bottom of every page.</p>")


@pytest.mark.parametrize("opening", ['<div id="sp-banner" role="dialog" aria-label="Privacy">',
                                     '<div class="box" aria-modal="true">', "<dialog open>"])
def test_a_consent_dialog_longer_than_a_brief_is_not_the_article(opening):
    closing = "</dialog>" if opening.startswith("<dialog") else "</div>"
    page = f"""<html><head><title>Road closure on Route 9</title></head><body>{opening}{CONSENT}{closing}
    <div class="page"><h1>Road closure on Route 9</h1><div class="text"><p>{BRIEF}</p></div></div></body></html>"""
    assert extract_html(page, "https://example.org/road-closure").paragraphs == [BRIEF]


def test_an_article_opened_in_a_dialog_over_a_list_stays():
    # Some sites open the article in a dialog over the list it was chosen from: that is most of the page.
    teasers = "".join(f'<li><a href="/n/{i}">Headline number {i}</a></li>' for i in range(5))
    page = f"""<html><body><ul>{teasers}</ul><div role="dialog" aria-modal="true"><h1>Old tram depot becomes a
    library</h1>{''.join(f'<p>{p}</p>' for p in ARTICLE * 3)}</div></body></html>"""
    assert extract_html(page, "https://example.org/library").paragraphs == ARTICLE * 3
