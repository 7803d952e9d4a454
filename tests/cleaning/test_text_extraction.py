"""Where the article is in a text dump, and what around it goes."""
from __future__ import annotations

import pytest

from worker.cleaning.text import extract_text

SENTENCES = [
    "The council voted on Tuesday to build two new schools in the northern district, ending a debate that "
    "had lasted for more than three years.",
    "Construction is expected to begin next spring, and the first pupils could move in by the autumn of the "
    "following year, the mayor said.",
    "Opposition members had argued that the money would be better spent on repairing existing buildings, many "
    "of which date from the nineteen-sixties.",
    "Parents who attended the meeting applauded the decision, although several asked how the new schools would "
    "be staffed given the shortage of teachers.",
]


def dump(*lines: str) -> str:
    return "\n".join(lines)


def test_menus_headline_lists_and_prompts_around_the_article_go():
    found = extract_text(dump(
        "Home", "World", "Politics", "Sport", "Sign in", "Subscribe",
        "Council approves two new schools",
        *SENTENCES,
        "Share this article", "Related Articles",
        "Mayor opens new bridge after two years of works",
        "Storm leaves thousands without power in the east",
        "Local team wins the regional cup final on penalties",
        "LEAVE A REPLY", "Please enter your comment!", "Please enter your name here",
    ), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES
    assert found.title == "Council approves two new schools"


def test_a_rail_of_teasers_cut_short_with_an_ellipsis_is_no_prose():
    # Other articles' first sentences, each cut short ("..."), under their headlines: together they
    # outweigh the article and would join it; one trailing-off sentence inside prose stays.
    teasers = [line for n in range(6) for line in (
        f"Storm number {n} leaves thousands without power in the east",
        f"Thousands of homes in the eastern valleys were still without electricity on Sunday night after storm {n} "
        f"brought down power lines across the region, and the utility said that...")]
    trailing = SENTENCES[1][:-1] + " and then…"
    article = [SENTENCES[0], trailing, *SENTENCES[2:]]
    found = extract_text(dump("Council approves two new schools", *article, "More news", *teasers),
                         "https://paper.example/schools")
    assert found.paragraphs == article


def test_teasers_cut_short_after_a_comma_or_a_full_stop_are_a_rail_too():
    # Teaser rails cut at a length, wherever it falls: after a comma ("Rekhi, 41,...", "Bundle”,...")
    # or a sentence's full stop ("numbered...."), as on the article-extraction set's India Post and
    # MSPoweruser pages; the rail is not the article.
    teasers = [
        "Indian-origin man pleads guilty to fraud scheme in US NEW YORK: An Indian-origin man has pleaded guilty "
        "to theft, embezzlement and misapplication of bank funds in connection with a fraud scheme to illegally "
        "make loans. Raminder Singh Rekhi, 41,...",
        "Imran Khan-led govt’s days are numbered: warns Pak cleric Fazlur Rehman KARACHI: Firebrand cleric-cum-"
        "politician Maulana Fazlur Rehman has fired a fresh salvo at Prime Minister Imran Khan, saying the "
        "government has its days numbered....",
        "Microsoft is now offering a deal on its Surface Go that’s specially tailored to families with tech-savvy "
        "kids. Starting from $440, you can build a “Surface Go Kids Bundle”,...",
        "All schools and colleges are now open in the region and there is 98 per cent attendance in these "
        "institutions, the government told Parliament on Wednesday. It...",
    ]
    brief = SENTENCES[:2]
    found = extract_text(dump("Council approves two new schools", "Breaking News", *teasers, "November 20",
                              "Print This Article", *brief, "Related Articles"), "https://paper.example/schools")
    assert found.paragraphs == brief


def test_a_brief_under_its_byline_ends_at_the_section_end_above_teasers():
    # The template's teasers (headline, then a long summary) outweigh a one-paragraph brief; a
    # "Read more" heading after the brief ends it.
    brief = ("Route 96 between Gent and Millbrook will be closed from 2 p.m. on Saturday until 8 a.m. on Monday "
             "for resurfacing work, the county said.")
    teasers = [line for n in range(4) for line in (
        f"Columnist number {n} on the week in politics",
        f"Columnist {n} writes that the week in politics showed once again how little the parties agree on, "
        f"from the budget to the schools, and why the voters are tired of hearing the same promises every year.")]
    found = extract_text(dump("Road closure on Route 96", "Home", "News", "Road closure on Route 96",
                              "By Jane Roe", "March 13, 2015 9:00PM", brief, "Read more", "More stories", *teasers),
                         "https://paper.example/road-closure")
    assert found.paragraphs == [brief]


def test_the_links_of_a_related_box_inside_the_article_go_and_the_article_goes_on():
    # The run steps over a "Related" box between two parts of the article: its heading and the
    # headlines under it go; a line ending like a sentence under a heading that closed a box above
    # it ("More in <topic>") leads into the article again and stays.
    found = extract_text(dump(
        "Council approves two new schools", *SENTENCES[:2], "Related Articles",
        "Mayor opens new bridge after two years of works", "Storm leaves thousands without power in the east",
        *SENTENCES[2:]), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES
    found = extract_text(dump(
        "Council approves two new schools", *SENTENCES[:2], "More in Politics", "Here is what the mayor said:",
        *SENTENCES[2:]), "https://paper.example/schools")
    assert found.paragraphs == [*SENTENCES[:2], "Here is what the mayor said:", *SENTENCES[2:]]


def test_the_comment_section_ends_the_article_even_when_it_is_longer():
    comments = [f"I completely disagree with this decision, comment number {n}, because the old schools could "
                f"have been repaired for a fraction of the price and nobody asked the neighbours." for n in range(12)]
    found = extract_text(dump("Council approves two new schools", *SENTENCES, "34 Comments",
                              *comments), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_comment_thread_below_its_form_does_not_take_the_place_of_the_article():
    # The thread outweighs the article and the form's lines part them: the best run is the
    # thread, and the article is the run before the comments heading.
    comments = [f"I completely disagree with this decision, comment number {n}, because the old schools could "
                f"have been repaired for a fraction of the price and nobody asked the neighbours." for n in range(12)]
    found = extract_text(dump(
        "Council approves two new schools", "Home", "Sign in", *SENTENCES[:2], "Share", "Tweet", "Comments",
        "Your name", "Your email", "Post comment", "Sort by", "Newest", "Oldest",
        *[line for comment in comments for line in ("Reader", "3 days ago", comment, "Reply")],
    ), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES[:2]


def test_the_site_name_printed_again_in_the_footer_does_not_move_the_article_there():
    # The dump's first line is the site's name, not a headline; its copy in the footer sits above a
    # long teaser quote. The article is the prose above the footer (a template page of the dedup
    # evaluation set once came out as the teaser, and so as a copy of every other such page).
    teaser = ("Today the minister's closest adviser testified that the deal had been discussed at a dinner in "
              "the capital with a businessman who later paid millions in so-called consulting fees to the firm")
    found = extract_text(dump(
        "KazPost", "Kazakhstan News", "Saturday, Apr 27, 2024", *SENTENCES, "Newsletter", "Related Articles",
        "KazPost", "0:00", "Close", "Paper straws found to contain long-lasting chemicals", teaser,
        "Musk announces Twitter name and logo change to X.com",
    ), "https://kazpost.example/news/schools")
    assert found.paragraphs == SENTENCES

def test_lists_of_other_articles_in_other_languages_go():
    french = [
        "Le conseil municipal a voté mardi la construction de deux nouvelles écoles dans le quartier nord, "
        "mettant fin à un débat de plus de trois ans.",
        "Les travaux devraient commencer au printemps prochain, a précisé le maire lors de la séance.",
    ]
    found = extract_text(dump("Accueil", "Politique", "Deux nouvelles écoles pour le quartier nord", *french,
                              "À lire aussi", "Le pont rouvre après deux ans de travaux",
                              "Tempête : des milliers de foyers privés d’électricité"), "https://journal.example/a")
    assert found.paragraphs == french


def test_a_photo_caption_and_its_credit_go():
    found = extract_text(dump(
        "Council approves two new schools",
        SENTENCES[0],
        "Pupils in a classroom of the old school building in the northern district on Monday.",
        "Jane Doe | AFP | Getty Images",
        *SENTENCES[1:],
    ), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_caption_printed_twice_over_its_credit_goes_with_it():
    # The caption in full and cut short by a "more" button, or printed twice (alt text, caption).
    caption = ("Pupils in a classroom of the old school building in the northern district on Monday, "
               "the day the council voted on the two new schools.")
    for prints in ([caption + " less", caption[:110] + "... more"], [caption, caption]):
        found = extract_text(dump("Council approves two new schools", SENTENCES[0], *prints, "Photo: Jane Doe, AP",
                                  *SENTENCES[1:]), "https://paper.example/schools")
        assert found.paragraphs == SENTENCES


def test_a_caption_ending_in_its_credit_without_brackets_goes():
    captions = ["Pupils in a classroom of the old school building in the northern district on Monday. "
                "Jane Doe / AFP - Getty Images",
                "The mayor speaks to parents after the vote in the town hall. REUTERS/John Roe",
                "Die Bürgermeisterin nach der Abstimmung im Rathaus am Dienstag. Foto: Max Muster/dpa"]
    prose = "A poll published on Monday by Reuters/Ipsos found that most parents support the plan."
    found = extract_text(dump("Council approves two new schools", SENTENCES[0], captions[0], SENTENCES[1],
                              captions[1], prose, SENTENCES[2], captions[2], *SENTENCES[3:]),
                         "https://paper.example/schools")
    assert found.paragraphs == SENTENCES[:2] + [prose] + SENTENCES[2:]


def test_a_paragraph_repeated_inside_the_page_is_kept_once():
    found = extract_text(dump("Council approves two new schools", *SENTENCES, SENTENCES[1]),
                         "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_paragraph_repeated_in_capitals_is_kept_once_and_other_paragraphs_of_its_length_stay():
    quoted = "“We will not wait any longer,” the mayor told reporters outside the town hall on Tuesday night."
    other = "“We must not wait any longer,” the mayor told reporters outside the town hall on Tuesday night."
    assert len(quoted) == len(other)
    found = extract_text(dump("Council approves two new schools", SENTENCES[0], quoted, other, *SENTENCES[1:],
                              quoted.upper()), "https://paper.example/schools")
    assert found.paragraphs == [SENTENCES[0], quoted, other, *SENTENCES[1:]]


def test_summary_bullets_repeated_by_the_body_are_kept_once():
    found = extract_text(dump(SENTENCES[0], *("- " + s for s in SENTENCES[1:]), *SENTENCES[1:]),
                         "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_list_that_the_body_does_not_repeat_stays():
    steps = ["- Bring the signed form to the school office", "- Pay the deposit before the end of June",
             "- Collect the uniform in the first week of September"]
    found = extract_text(dump("How to enrol in the new schools", SENTENCES[0], *steps, *SENTENCES[1:]),
                         "https://paper.example/enrol")
    assert found.paragraphs == [SENTENCES[0], *steps, *SENTENCES[1:]]


def test_japanese_text_is_found():
    japanese = ["市議会は火曜日、北部地区に新しい学校を二校建設することを決定し、三年以上続いた議論に終止符を打った。",
                "工事は来年の春に始まる予定で、最初の生徒は翌年の秋までに入学できる見込みだと市長は述べた。"]
    found = extract_text(dump("ホーム", "ニュース", "北部地区に新しい学校 - 市民新聞", "北部地区に新しい学校", *japanese,
                              "関連記事"), "https://shimin.example/a")
    assert found.paragraphs == japanese
    assert found.title == "北部地区に新しい学校"


def test_a_page_with_no_prose_gives_no_paragraphs():
    assert extract_text("", "https://paper.example/").paragraphs == []
    assert extract_text(dump("Home", "News", "Sport", "Contact"), "https://paper.example/").paragraphs == []


def test_a_most_read_box_inside_the_article_repeating_the_headline_does_not_cut_it():
    # (The shape of readability-pages' seattletimes-1, tuning part: the <title> line is printed as
    # the headline, above its date and byline, and again in a "Most Read" box inside the article.)
    headline = "Council approves two new schools in the northern district"
    found = extract_text(dump(
        f"{headline} | The Daily Courier", "Skip to content", "Menu", "Local News", "Business",
        headline, "November 19, 2019 at 6:01 am", "By", "Anna Smith",
        *SENTENCES[:2],
        "Most Read Local Stories", "Housing market splits into two pieces", headline,
        "Bridge closure extended by two weeks", "How to stop robocall spammers",
        *SENTENCES[2:],
        "Related", "More on schools",
    ), "https://courier.example/2019/11/19/schools")
    assert found.paragraphs[0] == SENTENCES[0]
    assert found.paragraphs[-1] == SENTENCES[-1]
    assert found.title == headline
    assert found.authors == ["Anna Smith"]


def test_short_calls_ending_in_full_width_marks_are_no_prose():
    # "今ならお得な特典付き！" ends like "Save now!": short exclamations are ad copy, not sentences,
    # whichever width the mark is written in.
    ads = [f"{offer}{n}名様に当たる！" for n in (100, 200, 300) for offer in
           ("今ならお得な特典付きで", "抽選で", "最新のスマホも対象で", "春の新生活キャンペーンで", "期間限定で")]
    article = ["トレンドマイクロは3月9日、Wi-Fi利用時の通信を暗号化し保護するスマートフォンとタブレット向けの"
               f"新しいセキュリティアプリの提供を開始したと発表した。第{n}段落では、その背景と仕組みを説明する。"
               for n in range(1, 6)]
    found = extract_text(dump("ニュース", "ビジネス", *article, *ads),
                         "https://news.example.jp/article/1").paragraphs
    assert found == article


def test_an_article_made_of_a_bulleted_list_is_published():
    # A changelog: every line a short list item, none ending like a sentence.
    items = [f"+ Added {thing} to the game, with new item drops" for thing in
             ("granite blocks", "slime blocks", "iron trapdoors", "sea lanterns", "ocean monuments", "banners",
              "armor stands", "rabbits", "guardian mobs", "endermites", "coarse dirt", "red sandstone")]
    items += [f"* Rebalanced {thing} for survival worlds" for thing in ("villager trading", "anvil repairs",
                                                                          "enchanting costs", "render distance")]
    found = extract_text(dump("Minecraft News", "Powered by Tumblr", "Minecraft 1.8 - The Bountiful Update",
                              *items, "Older posts", "Archive", "Random post"),
                         "https://mcupdate.example.com/post/1").paragraphs
    assert found == items


def test_a_menu_flattened_into_one_long_line_is_no_prose():
    # Navigation written out as one line of capitalized labels, long enough to pass for prose.
    menu = ("Latest News Applications OS Channel Programs Cloud Components & Peripherals Data Center "
            "Internet Of Things Mobility Networking Security Storage Managed Services Careers Events")
    found = extract_text(dump("X", "Homepage", menu, menu.replace("Latest", "All Carousels"), "Sections",
                              "Council approves two new schools", "By Anna Example", *SENTENCES),
                         "https://www.example.com/news/council-approves-two-new-schools")
    assert found.paragraphs == SENTENCES
    assert found.title == "Council approves two new schools"


def test_a_short_article_ends_at_the_related_heading_after_it_whatever_comes_next():
    # A brief under its headline, then the site's "Recommended" box and footer: the teasers'
    # summaries and the site's blurb hold more prose than the brief, but the article is over.
    brief = SENTENCES[:2]
    template = [f"Summary of another story number {n}, with a place, a person and a figure of {n}0 percent, "
                "long enough to read like the first paragraph of an article." for n in range(5)]
    found = extract_text(dump(
        "Council approves two new schools | Paper", "Home", "Politics", "Sign in",
        "Council approves two new schools", "By Anna Example", *brief,
        "Share", "Tweet", "Email", "Recommended",
        *[line for n, summary in enumerate(template) for line in (f"Headline number {n}", summary)],
        "The Paper is the daily newspaper of the northern district, published every morning since 1897 "
        "and read by more than two hundred thousand people in print and online.",
    ), "https://paper.example/schools")
    assert found.paragraphs == brief


@pytest.mark.parametrize("heading", ["More From The Daily Paper", "Related Topics", "Mehr aus Berlin",
                                     "More From the Los Angeles Times", "Mehr zum Thema Mac OS X Passwort",
                                     "More Great WIRED Stories", "Top Local Stories", "MORE HEADLINES",
                                     "Latest National News", "All Articles", "Todas as Notícias",
                                     "Tutte le notizie", "Все новости", "Alle Meldungen", "Next Up In Culture",
                                     "Материалы по теме"])
def test_a_heading_named_by_its_first_words_ends_the_article(heading):
    # "More from <site>", "Related <anything>": no phrase list holds every site's or section's name.
    teaser = ("The new bridge over the river opened to traffic on Monday after two years of works and a "
              "long dispute over its cost.")
    found = extract_text(dump("Council approves two new schools", *SENTENCES, heading,
                              "Mayor opens new bridge", teaser), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_link_to_one_article_opening_like_a_heading_is_no_section_end():
    # "Related post: <headline>" inside an article (on either path) is a link, not a heading over
    # the teasers: with a colon, a line of more than section_heading_max_words words goes on.
    from worker.cleaning.text_lines import SECTION_END, TEXT, phrase_kind

    assert phrase_kind("Related post: Pickled Brussels Sprouts Recipe") == TEXT
    assert phrase_kind("More From the Los Angeles Times") == SECTION_END
    assert phrase_kind("More on this story: what the council decided") == TEXT
    # (A short line naming more news with a colon introduces a list the article gives.)
    assert phrase_kind("More games news:") == TEXT
    assert phrase_kind("More Business News") == SECTION_END


def test_the_site_footer_from_its_rights_notice_on_goes():
    # The legal notices under the footer are prose too; the rights notice says where they are.
    notices = ["Results vary depending on starting point, goals and effort; consult your physician before "
               "beginning any exercise program or diet.",
               "© 2019 Paper Media, LLC. All rights reserved. Paper is a registered trademark of Paper Media, "
               "and its logo and designs are trademarks of Paper Media in the United States."]
    found = extract_text(dump("Council approves two new schools", *SENTENCES, "Facebook", "Twitter",
                              "Subscribe", *notices), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_rights_notice_in_front_of_a_longer_document_stays():
    # A document's own front matter (an RFC's "Copyright Notice") is followed by more prose than it.
    notice = ("Copyright (c) 2014 IETF Trust and the persons identified as the document authors. All rights "
              "reserved.")
    found = extract_text(dump("Council schools protocol", *SENTENCES[:2], notice, *SENTENCES[2:], *SENTENCES[:2]),
                         "https://paper.example/rfc")
    assert notice in found.paragraphs


def test_a_list_of_long_headlines_without_full_stops_is_no_prose():
    # Teaser lists of tabloid headlines: each longer than long_line_chars, none ending like a sentence.
    headlines = [f"Star striker number {n} reveals his manager REFUSED to let him leave for a bigger club during the "
                 f"summer window 'because the team needed him' and explains why he stayed at the club for {n} years"
                 for n in range(4)]
    found = extract_text(dump("Council approves two new schools", *SENTENCES, "Sport", *headlines),
                         "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_rows_of_sentences_without_a_final_full_stop_stay():
    # A table's rows, each holding sentences, end in a footnote mark: prose all the same.
    rows = [f"Film number {n} 1993 A weatherman is forced to relive the same day over and over. He learns to "
            f"be kind to the people of the small town where he is stuck, one day after another [{n}]"
            for n in range(4)]
    found = extract_text(dump("Films with time loops", *SENTENCES[:1], *rows), "https://wiki.example/loops")
    assert found.paragraphs == SENTENCES[:1] + rows


def test_a_related_link_under_a_lead_sentence_does_not_cut_the_article():
    # The same heading after a single short sentence (a standfirst) is a box inside the article.
    found = extract_text(dump(
        "Council approves two new schools", "Home", "Council approves two new schools",
        "Two schools for the north.", "Read more", "Other headline one", "Other headline two",
        "Other headline three", "Other headline four", *SENTENCES,
    ), "https://paper.example/schools")
    assert found.paragraphs[-4:] == SENTENCES


def test_a_wordpress_comments_title_quoting_the_headline_ends_the_article():
    # "12 thoughts on “Headline”" is longer than any phrase and ends in a quote, like a sentence.
    comments = [f"Thanks for writing this, comment number {n}: I read it twice, and I will share it with "
                "everybody at the school board meeting next week." for n in range(6)]
    found = extract_text(dump(
        "Council approves two new schools", *SENTENCES,
        "12 thoughts on “Council approves two new schools, ending a debate of three years”",
        *[line for comment in comments for line in ("Reader Name", "August 8, 2018 at 3:17 pm", comment)],
    ), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_captions_with_their_credit_go_from_the_article():
    # A caption written as a sentence with its credit in brackets at its end, or a caption whose
    # credit line is a name and an agency ("Michael Conroy, AP"), is not the article's text.
    found = extract_text(dump(
        "Council approves two new schools", "Home", "Council approves two new schools", SENTENCES[0],
        "Parents wait outside the town hall in the northern district on Tuesday, Nov. 19, 2019. "
        "(Photo by Jane Doe/Getty Images)",
        SENTENCES[1], SENTENCES[2],
        "The mayor speaks to reporters after the vote on Tuesday in the northern district.", "Michael Conroy, AP",
        SENTENCES[3],
    ), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_sentence_ending_in_brackets_is_no_caption():
    lines = [SENTENCES[0], "The budget, 14 million euros, was approved by 31 votes to 12 (two abstained).",
             *SENTENCES[1:]]
    found = extract_text(dump("Council approves two new schools", *lines), "https://paper.example/schools")
    assert found.paragraphs == lines


def test_a_news_ticker_after_the_article_is_not_read_as_article():
    # A "latest news" rail of timestamped headlines, some with a summary sentence, after the article.
    ticker = [
        "14:44 Storm closes the coastal road for the second time this week",
        "14:32 Museum reopens after a year of works",
        "14:10", "Transport.",
        "The regional railway announced that trains on the northern line will run every ten minutes from "
        "next month, after complaints from commuters about overcrowding.",
        "13:54 Local team signs a new goalkeeper",
        "13:43 Heat wave expected at the weekend, forecasters say",
    ]
    found = extract_text(dump("Council approves two new schools", *SENTENCES, "Newsletter", "Live", *ticker),
                         "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_gallery_of_numbered_slides_after_the_article_is_not_read_as_article():
    slides = []
    for n in range(1, 6):
        slides += [f"{n}/20 Business story number {n}",
                   f"Shares in the company number {n} rose sharply on Monday after it reported better than "
                   "expected results for the third quarter of the year.", "Getty Images"]
    found = extract_text(dump("Council approves two new schools", *SENTENCES, "Business in pictures",
                              *slides), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_an_article_going_on_after_a_gallery_inside_it_is_kept_whole():
    # (readability-pages' independent.co.uk page, tuning part: a gallery of 50 slides between the
    # article's fifth and sixth points; the run stopped at the gallery.)
    slides = []
    for n in range(1, 21):
        slides += [f"{n}/20 Business story number {n}",
                   f"Shares in the company number {n} rose sharply on Monday after it reported better than "
                   "expected results for the third quarter of the year.", "Getty Images"]
    found = extract_text(dump("Council approves two new schools", *SENTENCES[:2], *slides, *SENTENCES[2:]),
                         "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


BRIEF = ("Route 53 between Perth and Dunmore will be closed from 2 p.m. on Saturday until 4 a.m. on Monday for "
         "resurfacing work. Drivers are advised to follow the signed diversion.")


def test_a_gallerys_captions_before_a_short_article_are_not_read_as_article():
    # Slides counted "1 of 4" .. "4 of 4", their caption on the counter's line or under it: four
    # captions outweigh a brief, wherever the gallery sits.
    inline = [f"{n} of 4 A shopper looks at extension cords at a hardware store on Tuesday, in preparation "
              f"of the planned power shutdown number {n}. (Photo agency)" for n in range(1, 5)]
    below = []
    for n in range(1, 5):
        below += [f"Image {n} of 4", f"An artist's concept of the lunar lander number {n} on the surface of the "
                  "moon, as the company imagines it for the next decade of missions.", "(Image credit: Agency)"]
    for gallery in (inline, below):
        found = extract_text(dump("Road closure on Route 53", "Home", "News", "Road closure on Route 53",
                                  "By Jane Roe", *gallery, "Most popular", BRIEF, "About us", "Contact"),
                             "https://paper.example/route-53")
        assert found.paragraphs == [BRIEF]


def test_a_film_listed_under_one_time_again_and_again_is_no_ticker():
    lines = [SENTENCES[0], SENTENCES[1], "12:01",
             "A man relives the same day over and over again, until he finds a way out of the loop.",
             "12:01", "A scientist relives the same hour in a laboratory until she stops the experiment.",
             "12:01", "A short film about a clerk who relives one minute of his day on the night shift."]
    found = extract_text(dump("Films with time loops", *lines), "https://wiki.example/time-loops")
    assert found.paragraphs == [line for line in lines if line != "12:01"]


def test_pieces_of_a_formula_on_lines_of_their_own_do_not_cut_the_article():
    # get_text-style dumps print every text node on its own line: a formula, footnote marks or
    # list numbers inside the article become lines of no letters, which go without cutting it.
    formula = ["[", "1", "]", "=", "2", "+", "3", "=", "5", "(", "4", ")", "×", "7", "=", "35"]
    found = extract_text(dump("Council approves two new schools", SENTENCES[0], SENTENCES[1], *formula,
                              SENTENCES[2], SENTENCES[3]), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_chinese_blog_writing_pauses_as_spaces_without_full_stops_is_found():
    # Chinese bloggers often end a line with no punctuation and write a pause as a space; the
    # sidebar's archive list, a long line of months and counts, is no prose for all its length.
    post = [
        "今天早上從台北出發 沿著山路一路往上開 兩個小時後終於抵達營地",
        "營地裡的楓香樹已經轉紅 金黃和火紅交錯在一起 讓人忍不住停下腳步",
        "中午在民宿的餐廳吃飯 老闆娘準備了好幾道山上的野菜 味道非常清爽",
        "下午天空放晴 孩子們在草地上奔跑 大人們則坐在樹下聊天喝茶",
        "晚上氣溫降到十度以下 大家圍著營火烤肉 聊到深夜才回帳篷休息",
        "隔天一早被鳥叫聲喚醒 走出帳篷看見山谷裡的雲海 真是難忘的景色",
        "收拾好裝備後 我們依依不捨地告別了營地 約好明年秋天再來一次",
    ]
    archive = "文章精選 " + " ".join(f"{year} {month} ({n})" for year in (2016, 2015)
                                    for month, n in (("十月", 1), ("八月", 2), ("七月", 3), ("五月", 1)))
    found = extract_text(dump("楓紅營地露營記 - 史蒂文的家", "首頁", "旅遊", "露營", "楓紅營地露營記", *post,
                              "最新留言", "謝謝分享！", archive, "所有文章列表"),
                         "https://blog.example/post/39926056")
    assert found.paragraphs == post


def test_a_comments_button_in_a_share_bar_does_not_end_the_article():
    # "Comments" between "Twitter" and "Print" is a button of the share bar under the standfirst,
    # not the heading of the comment section.
    lead = ["Two new schools will be built in the northern district, the council decided on Tuesday night "
            "after three years of debate about the cost of the buildings and the shortage of teachers.",
            "The vote ends one of the longest disputes the town has known, and the mayor promised that the "
            "first of the two schools would open its doors to pupils within two years.",
            "Both buildings will be heated by the district's new network, the first in the region to run "
            "on heat recovered from the water treatment plant."]
    found = extract_text(dump("Paper", "Home", "Business", "Council approves two new schools", *lead,
                              "Facebook", "Twitter", "Comments", "Print", "Email", *SENTENCES,
                              "Advertisement"), "https://paper.example/schools")
    assert found.paragraphs == [*lead, *SENTENCES]


def test_the_headline_is_found_when_it_writes_its_quotes_otherwise_than_the_title_line():
    # The <title> line has "Mayor’s", the visible headline "Mayor's": the headline still anchors the
    # article, so a longer comments-policy paragraph at the end of the page is not taken for it.
    headline = "Mayor's plan for two new schools approved"
    policy = ("The Example Times is committed to maintaining a lively but civil forum for discussion and "
              "encourages all readers to share their views on our articles. Comments may take up to an hour "
              "for moderation before appearing on the site. We ask you to keep your comments relevant and "
              "respectful. We have enabled email notifications, and you will now receive an email if you "
              "receive a reply to your comment, there is an update to a comment thread you follow or if a "
              "user you follow comments. Visit our community guidelines for more information.")
    found = extract_text(dump(
        "Mayor’s plan for two new schools approved | The Example Times", "Home", "News", "Sport",
        headline, "Reuters", "March 16, 2020", "Share this story", "Facebook", "Twitter",
        *SENTENCES[:2], "(Reporting by Anna Example)", "Comments", "Join the conversation",
        "Weather", "Top Stories", "Why the bridge was closed again on Sunday", "Comments", policy,
        "Sign in to Comment", "Classifieds", "Careers",
    ), "https://paper.example/schools")
    assert found.paragraphs[:2] == SENTENCES[:2] and policy not in found.paragraphs
    assert found.title == headline


@pytest.mark.parametrize("heading", [(), ("Anna Example",), ("About Anna Example",)])
def test_the_author_box_at_the_end_goes(heading):
    # Two articles by one author end with the same box: left in, it is what a short one would be
    # matched on.
    found = extract_text(dump(
        "Council approves two new schools", "By Anna Example", *SENTENCES, *heading,
        "Anna Example is a freelance writer based in the northern district. Her work has appeared in a "
        "number of regional newspapers and magazines.",
    ), "https://paper.example/schools")
    assert found.authors == ["Anna Example"]
    assert found.paragraphs == SENTENCES


@pytest.mark.parametrize("heading", ["About Anna Example", "Über Anna Example", "Sobre Anna Example"])
def test_the_author_box_under_its_heading_goes_however_it_opens(heading):
    # (article-extraction's comwrap.com and a Portuguese blog's pages, tuning part: "Als Inbound
    # Sales Manager bildet <name> ...", "Pai de ... , <name> é ...".)
    found = extract_text(dump(
        "Council approves two new schools", "By Anna Example", *SENTENCES, heading,
        "As the paper's education reporter, Anna Example covers schools in the northern district. Her "
        "work has appeared in a number of regional newspapers and magazines.",
    ), "https://paper.example/schools")
    assert found.paragraphs == SENTENCES


def test_a_last_paragraph_naming_the_author_without_a_heading_stays():
    last = ("The district's parents wrote to Anna Example and the other reporters of the paper to say the "
            "decision was the best news they had heard in years.")
    found = extract_text(dump("Council approves two new schools", "By Anna Example", *SENTENCES, last),
                         "https://paper.example/schools")
    assert found.paragraphs == [*SENTENCES, last]


def test_a_last_paragraph_opening_with_another_name_stays():
    last = ("Mark Other, who chairs the parents' association, said the decision was the best news the "
            "district had heard in years.")
    found = extract_text(dump("Council approves two new schools", "By Anna Example", *SENTENCES, last),
                         "https://paper.example/schools")
    assert found.paragraphs == [*SENTENCES, last]


def test_the_first_line_of_a_get_text_dump_is_not_joined_to_lower_case_menu_items():
    # (get_text-style dumps of readability-pages, article-extraction and dates-mediacloud: the
    # <title> line followed by "Jump to", "content", "sign up", "msn back to msn home".)
    from worker.cleaning.text_shapes import joined_lines

    title = "Council approves two new schools | The Example Times"
    assert joined_lines("\n".join([title, "Jump to", "content", "sign up", "Home"]))[0] == title
    # A first line that is a sentence's start goes on with it when the next line is no link's few words.
    start = "The committee met for three hours on Tuesday and agreed on a budget that"
    rest = "raises spending on schools, roads and the two libraries of the northern district."
    assert joined_lines("\n".join([start, rest])) == [f"{start} {rest}"]


def test_an_author_bio_under_its_byline_is_not_the_article():
    # The bio outweighs a brief; it opens with the first name of the byline right above it.
    brief = ("Town beat Albion 9-1 on Saturday in front of a crowd of 6,200 in Dayton. Goals in the 80th and "
             "65th minutes settled the match. Town move up to 9th in the table, Albion stay 7th.")
    bio = ("Devindra has been obsessed with technology for as long as he can remember, starting with the first "
           "time he ever glimpsed a games console. He spent several years fixing other people's computers before "
           "he started down the treacherous path of writing about technology, reviews and the business of games.")
    found = extract_text(dump(
        "Town beat Albion 9-1", "Home", "Gear", "Gaming", "Reviews", "Log in",
        "Town beat Albion 9-1", "Devindra Hardawar, @devindra", "11.03.17 in Gadgetry", "Comments", "Share",
        "Key Specs", "Buy Now",
        brief,
        "Engadget Score", "Poor", "Good", "Excellent", "Pros", "Cons", "Summary", "Buy Now",
        "In this article: av, consoles, gaming, gear, review",
        "By Devindra Hardawar @devindra",
        bio,
        "2192 Shares", "Share", "Tweet", "Comments", "Sign In",
    ), "https://www.gadgets.example/town-beat-albion")
    assert found.paragraphs == [brief]



def test_the_headline_copy_over_the_comments_does_not_displace_the_one_over_the_byline():
    # (The shape of a magazine template: the <title> printed in the breadcrumbs, then as the
    # headline over its byline and date, then again over the comments. The breadcrumbs' copy and
    # the headline lead to the same run; the headline is the copy with the byline under it, not
    # the one nearest its run.)
    headline = "County beat City 3-1 in front of a home crowd"
    brief = [
        "County beat City 3-1 on Saturday in front of a crowd of 2,900 at the old ground. Goals in the 30th, "
        "62nd and 85th minutes settled the match after City had equalised early in the second half.",
        "County move up to fifth in the table, City stay twelfth after a third defeat in a row.",
    ]
    notice = ("The Courier moderates comments to facilitate an informed, substantive, civil conversation. Abusive, "
              "profane, self-promotional, misleading, incoherent or off-topic comments will be rejected.")
    found = extract_text(dump(
        f"{headline} | The Daily Courier", "Menu", "Sports", headline, "Read Later", "Football", "Read Later",
        "Share", headline, "By Anna Smith", "November 19, 2019",
        *brief,
        "Share this article", "Copied!", "Newsletter", "Get the Courier delivered to your inbox", "Subscribe now",
        "Most recent newsletter", "The Courier Newsletter", "Get the day's most important news in your inbox",
        "Subscribe", "Most recent newsletter",
        headline, notice, "Show comments", "About us", "Contact",
    ), "https://courier.example/2019/11/19/county-city")
    assert found.paragraphs == brief
    assert found.title == headline
    assert found.authors == ["Anna Smith"]


_ARABIC = ["قال المسؤولون في وزارة الصحة إن عدد الحالات الجديدة ارتفع خلال الأسبوع الماضي بشكل ملحوظ في عدة مدن.",
           "وأضاف المتحدث باسم الوزارة أن الفرق الطبية تعمل على مدار الساعة لاحتواء الوضع ومنع انتشار المرض.",
           "ودعت السلطات المواطنين إلى الالتزام بالإجراءات الوقائية وتجنب التجمعات الكبيرة في الأماكن العامة."]


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u061c", "\u202c", "\u2069", "\u200b", "\ufeff"])
def test_format_marks_at_line_ends_do_not_hide_the_article(mark):
    """Right-to-left text often ends each sentence with a right-to-left mark: no line read as a
    sentence (the last character was the mark), and the whole article went to the DLQ as no_content."""
    plain = extract_text("عنوان الخبر هنا\n\n" + "\n\n".join(_ARABIC), "https://news.example/a")
    marked = extract_text("عنوان الخبر هنا\n\n" + "\n\n".join(
        ("\u2067" if mark == "\u2069" else "") + line + mark for line in _ARABIC), "https://news.example/a")
    assert marked.paragraphs == plain.paragraphs == _ARABIC
    assert marked.title == plain.title == "عنوان الخبر هنا"


def test_a_utf16_dump_read_as_an_8_bit_charset_is_read_without_its_nuls():
    """A NUL after every ASCII letter: no line read as prose, and the page went to the DLQ."""
    from tests.helpers import article_body

    dump = "A story here\n\n" + article_body(7)
    clean = extract_text(dump, "https://news.example/a")
    found = extract_text(dump.encode("utf-16-le").decode("latin-1"), "https://news.example/a")
    assert found.paragraphs == clean.paragraphs and len(clean.paragraphs) >= 3
    assert found.title == clean.title == "A story here"
