"""Fingerprints: stable across processes, blind to case, punctuation and spinner artifacts;
short texts get no signature."""
from __future__ import annotations

import subprocess
from dataclasses import replace
import sys

import numpy as np

from worker.config import DedupSettings
from worker.dedup.comparable import UNRELATED_TO_TITLE
from worker.dedup.similarity import NearThresholds, matches, near_similarity
from worker.models import Article

from .conftest import article, story


def test_signature_has_num_perm_values_below_2_pow_8_and_one_key_per_band(fingerprinter):
    fp = fingerprinter.fingerprint(article("a", story(1)))
    settings = DedupSettings()
    values = np.frombuffer(fp.signature, "<u4")
    assert values.size == settings.num_perm and values.max() < 256
    assert len(fp.band_keys) == settings.lsh_bands and all(len(key) == 8 for key in fp.band_keys)
    assert fp.shingle_count > settings.min_shingles


def test_same_text_gives_the_same_fingerprint_in_another_process(fingerprinter):
    """Every replica and every restart must compute the same keys: no per-process hash seed."""
    text = story(2)
    code = ("from worker.config import DedupSettings; from worker.dedup.fingerprint import Fingerprinter;"
            "from tests.dedup.conftest import article, story;"
            "fp = Fingerprinter(DedupSettings()).fingerprint(article('a', story(2)));"
            "print(fp.signature.hex(), b''.join(fp.band_keys).hex(), fp.shingle_count)")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    fp = fingerprinter.fingerprint(article("a", text))
    assert other == [fp.signature.hex(), b"".join(fp.band_keys).hex(), str(fp.shingle_count)]


def test_case_punctuation_and_stray_commas_do_not_change_the_fingerprint(fingerprinter):
    text = story(3)
    noisy = text.upper().replace(". ", " , . ").replace("\n\n", "\n \n")
    a, b = fingerprinter.fingerprint(article("a", text)), fingerprinter.fingerprint(article("b", noisy))
    assert (a.signature, a.band_keys, a.content_hash) == (b.signature, b.band_keys, b.content_hash)


def test_short_text_has_no_signature_but_keeps_its_exact_and_url_keys(fingerprinter):
    fp = fingerprinter.fingerprint(article("a", "Police arrested a man on Tuesday in Springfield, officials said.",
                                           url="https://WWW.Site.example/brief/?utm_source=x"))
    assert fp.signature == b"" and fp.band_keys == ()
    assert fp.url_key == "https://site.example/brief" and fp.content_hash


BRIEF = ("Route 61 between Gent and Millbrook will be closed from 6 p.m. on Friday until 4 a.m. on Monday for "
         "resurfacing work. Drivers are advised to follow the signed diversion, which adds about 9 minutes.")


def test_short_lines_around_a_brief_do_not_change_its_exact_key(fingerprinter):
    # A page's leftovers (labels, a list of its projects' titles) around a reposted brief.
    alone = fingerprinter.fingerprint(article("a", BRIEF))
    wrapped = fingerprinter.fingerprint(article("b", "\n\n".join([
        "Advert", BRIEF, "Light a Wish by OGE Group", "Spider on the bridge by LAPS"])))
    assert wrapped.content_hash == alone.content_hash
    assert alone.content_hash == article("a", BRIEF).content_hash  # all prose: Article.content_hash


# An author's note a fiction site prints under every page, and another brief of the same kind.
NOTE = ("Not really a note, but do you know how different sauna and locker room etiquette can be from "
        "country to country, or from school to school and gym to gym? It is one of those weird things I "
        "never think about, and then I have to all of a sudden for the story.\n\n"
        "Other Alden is the most important character that never gets screen time. She looks like a cross "
        "between a dragon and a bipedal dinosaur, only small, and has her own little splashing pool.")
OTHER_BRIEF = ("County beat Town 6-2 on Saturday in front of a crowd of 9,500 in Reno. Goals in the 40th and "
               "25th minutes settled the match. County move up to 10th in the table, Town stay 10th.")


def titled(article_id: str, text: str, title: str) -> Article:
    return replace(article(article_id, text), title=title)


def test_a_brief_set_apart_from_its_templates_prose_is_compared_alone(fingerprinter):
    alone = fingerprinter.fingerprint(titled("a", BRIEF, "Road closure on Route 61"))
    reposted = fingerprinter.fingerprint(titled("b", "\n\n".join(
        [BRIEF, "Remove", "A note from the author", NOTE]), "Road closure on Route 61"))
    assert reposted.content_hash == alone.content_hash and reposted.signature == b""
    # Another brief on that template shares the note, not the brief: not the same key, no signature.
    other = fingerprinter.fingerprint(titled("c", "\n\n".join(
        [OTHER_BRIEF, "Remove", "A note from the author", NOTE]), "County beat Town 6-2"))
    assert other.content_hash not in (reposted.content_hash, alone.content_hash) and other.signature == b""


def test_a_post_title_right_under_a_brief_and_numbers_of_dates_do_not_join_the_brief(fingerprinter):
    # A theatre's list of its posts (titles, no final stop), then a slider's data: file names,
    # sizes and dates whose numbers agree with the brief's by chance.
    template = ["2018 Jeongdong Theater Tradition Series Performance [The Palace: Tale of Jang Noksu] "
                "Welcome Daehak-ro Festival", "Share this entry", "Share by Mail",
                "http://theatre.example/wp-content/uploads/2018/10/KakaoTalk_20181015_0907.jpg 540 960 admin "
                "2018-10-15 10:33:49 2018-10-15 10:33:49 The Palace: Tale of Jang Noksu, the beauty of Korea "
                "revealed at the Welcome Daehak-ro Festival! To the actual scene, with 6 performers and 9 dancers!"]
    alone = fingerprinter.fingerprint(titled("a", BRIEF, "Road closure on Route 61"))
    wrapped = fingerprinter.fingerprint(titled("b", "\n\n".join([BRIEF, *template]), "Road closure on Route 61"))
    assert wrapped.content_hash == alone.content_hash


# A news site's sidebar: what cleaning keeps of its short pages when it misses their article.
SIDEBAR = ("Dubai's flagship carrier Emirates Airline has finalized a deal to purchase 30 of Boeing's 787-9 "
           "Dreamliner jets, executives of both companies announced Wednesday at the Dubai Air Show.\n\n"
           "The deal comes in addition to five 787 Dreamliner sales earlier this week and sets up for a "
           "reduction to a prior order of delayed 777x jets.")


def test_a_short_text_holding_none_of_its_titles_words_is_not_compared(fingerprinter):
    # Two short pages of one site whose article cleaning missed: the same sidebar, other titles.
    first = fingerprinter.fingerprint(titled("a", SIDEBAR, "Road closure on Route 61"))
    second = fingerprinter.fingerprint(titled("b", SIDEBAR, "County beat Town 6-2"))
    assert first.not_compared == second.not_compared == UNRELATED_TO_TITLE
    assert first.content_hash != second.content_hash and first.signature == second.signature == b""
    # The same text under a title it speaks of, or without a title (nothing to judge by), is compared.
    about = fingerprinter.fingerprint(titled("c", SIDEBAR, "Emirates buys 30 Dreamliners"))
    untitled = fingerprinter.fingerprint(titled("d", SIDEBAR, ""))
    assert about.not_compared is None and untitled.not_compared is None
    assert about.content_hash == untitled.content_hash
    # A title's numbers and function words are no evidence ("on", "61"); one of its words is ("route").
    assert fingerprinter.fingerprint(titled("e", SIDEBAR + " It was on 61.", "Road closure on Route 61")) \
        .not_compared == UNRELATED_TO_TITLE
    assert fingerprinter.fingerprint(titled("f", SIDEBAR + " On route 61.", "Road closure on Route 61")) \
        .not_compared is None


def test_a_short_text_speaking_of_its_urls_headline_is_compared_whatever_its_title(fingerprinter):
    # Cleaning took the blog's name for the title; the site wrote the brief's headline into its URL.
    def at(url: str, text: str):
        return fingerprinter.fingerprint(replace(titled("a", text, "Open Verilog flow for GreenPak4 devices"), url=url))

    assert at("https://blog.example/2019/11/emirates-airline-dreamliner-deal-4411/", SIDEBAR).not_compared is None
    # One word of it is chance (a template block holds "story" or "news"), and only the last segment counts.
    assert at("https://blog.example/story/emirates-4411", SIDEBAR).not_compared == UNRELATED_TO_TITLE
    assert at("https://blog.example/emirates-dreamliner/story-4411", SIDEBAR).not_compared == UNRELATED_TO_TITLE


def test_a_short_compared_text_carries_its_keys_on_its_site_and_under_its_title(fingerprinter):
    def on(url: str, article_id: str, text: str, title: str):
        return fingerprinter.fingerprint(replace(titled(article_id, text, title), url=url))

    first = on("https://site.example/a", "a", SIDEBAR, "Emirates buys 30 Dreamliners")
    assert first.not_compared is None and first.site_key and first.title_key
    # The title's content words in any order, case or punctuation; the site without "www.".
    same = on("https://www.site.example/b", "b", SIDEBAR, "Dreamliners: EMIRATES buys 30")
    assert (same.site_key, same.title_key) == (first.site_key, first.title_key)
    retitled = on("https://site.example/c", "c", SIDEBAR, "Emirates orders Boeing jets")
    assert retitled.site_key == first.site_key and retitled.title_key != first.title_key
    elsewhere = on("https://other.example/d", "d", SIDEBAR, "Emirates buys 30 Dreamliners")
    assert elsewhere.content_hash == first.content_hash and elsewhere.site_key != first.site_key
    # A page without a title has the empty title, another than any real one.
    untitled = on("https://site.example/e", "e", SIDEBAR, "")
    assert untitled.site_key == first.site_key and untitled.title_key not in (first.title_key, retitled.title_key)
    # None for a long text about its title, or one not compared.
    long = on("https://site.example/f", "f", story(4) + " Emirates buys Dreamliners.", "Emirates buys 30 Dreamliners")
    assert long.title_key == "" and not long.long_text
    uncompared = on("https://site.example/g", "g", SIDEBAR, "Road closure on Route 61")
    assert uncompared.site_key == ""
    # Every compared text, long or short, has its site and title words (the near step of the site
    # rule); the title by the same words as title_key.
    assert (first.site, long.site, elsewhere.site) == ("site.example", "site.example", "other.example")
    assert same.title_words == first.title_words == long.title_words != retitled.title_words
    assert untitled.title_words == "" and untitled.site == "site.example"
    assert (uncompared.site, uncompared.title_words) == ("", "")


def test_a_long_text_off_its_title_carries_its_keys_as_a_long_text(fingerprinter):
    # What cleaning kept of a page instead of its article (a comment thread, a teaser list), the
    # same under every title of its site: its site key (not its title's, unless it is untitled) for
    # the exact step of the site rule; long_text for the near step.
    def on(article_id: str, text: str, title: str):
        return fingerprinter.fingerprint(replace(titled(article_id, text, title), url=f"https://site.example/{article_id}"))

    text = story(4)
    first = on("a", text, "Emirates buys 30 Dreamliners")
    retitled = on("b", text, "Emirates orders Boeing jets")
    untitled = on("c", text, "")
    assert first.signature != b"" and first.long_text and untitled.long_text
    assert first.site_key == retitled.site_key == untitled.site_key
    assert first.title_key == retitled.title_key == "" != untitled.title_key
    # A long text holding a quarter of its title's words (numbers apart) speaks of it: no keys.
    words = text.split()
    about = on("d", text, f"{words[0]} {words[1]} {words[2]} quarantined zebras unanswered 30")
    assert about.site_key == about.title_key == "" and not about.long_text
    off = on("e", text, f"{words[0]} unanswered quarantined zebras rumbling")
    assert off.site_key and off.long_text
    # A short text has its keys whatever its title, and is no long text.
    assert not on("f", SIDEBAR, "Emirates buys 30 Dreamliners").long_text


def test_a_long_article_is_compared_whatever_its_title(fingerprinter):
    text = story(4)
    fp = fingerprinter.fingerprint(titled("a", text, "Quarantined zebras unanswered"))
    assert fp.not_compared is None and fp.signature != b""


def test_an_articles_paragraphs_one_after_another_are_no_brief_among_template_lines(fingerprinter):
    # Paragraphs that follow one another and speak of one thing (a word of the brief or its title,
    # "diversion", and no more) are one article, whatever words they share with the title.
    follow_up = ("The diversion was agreed with the bus company, whose timetables will not change, and it is "
                 "expected that the three busiest stops stay open throughout the weekend.")
    text = "\n\n".join([BRIEF, follow_up, NOTE])
    fp = fingerprinter.fingerprint(titled("a", text, "Road closure on Route 61"))
    assert fp.content_hash == article("a", text).content_hash and fp.signature != b""


def test_a_brief_right_before_a_template_paragraph_of_other_words_is_compared_alone(fingerprinter):
    # A site's own paragraph (a blurb, a teaser, an author's note) right under a reposted brief
    # shares none of its words: the brief is still set apart from it.
    alone = fingerprinter.fingerprint(titled("a", BRIEF, "Road closure on Route 61"))
    reposted = fingerprinter.fingerprint(titled("b", "\n\n".join([BRIEF, NOTE]), "Road closure on Route 61"))
    assert reposted.content_hash == alone.content_hash and reposted.signature == b""


def test_short_lines_that_outweigh_the_prose_keep_the_whole_text_in_the_key(fingerprinter):
    # Results under one standard paragraph: the short lines are what tells two pages apart.
    paragraph = ("Live coverage of this round has ended. The full reports from every ground will follow here "
                 "shortly, with the reactions of the managers and the updated league table.")
    results = [["Rovers 2 United 1", "Town 0 Albion 0", "City 3 County 1", "Athletic 1 Wanderers 2",
                "Rangers 0 Harriers 0", "Villa 2 Borough 2", "Dynamo 1 Sporting 3", "Rovers B 1 Celtic 1",
                "Olympic 0 Academy 5", "Thistle 2 Saints 1"],
               ["Rovers 0 United 4", "Town 1 Albion 1", "City 2 County 2", "Athletic 3 Wanderers 0",
                "Rangers 1 Harriers 0", "Villa 0 Borough 1", "Dynamo 2 Sporting 2", "Rovers B 0 Celtic 3",
                "Olympic 2 Academy 2", "Thistle 0 Saints 0"]]
    one, other = (fingerprinter.fingerprint(article(name, "\n\n".join([paragraph, *lines])))
                  for name, lines in zip("ab", results))
    assert one.not_compared is None and other.not_compared is None
    assert one.content_hash != other.content_hash


WEATHER = ("Halifax can expect sunny skies today with a high of 11 degrees and a low of 8. Winds from the south "
           "at 13 miles per hour. Tomorrow: a high of 17, chance of rain 50 percent.")


def titled_at(article_id: str, text: str, title: str, url: str) -> Article:
    return replace(article(article_id, text, url=url), title=title)


def test_a_brief_naming_one_word_of_its_two_word_title_spelt_in_its_address_is_set_apart(fingerprinter):
    # "Weather for Halifax" over a brief that names Halifax only: the address spells the headline,
    # so the one word is enough to find the brief among the template's prose.
    alone = fingerprinter.fingerprint(titled_at("a", WEATHER, "Weather for Halifax",
                                                "https://one.example/world/weather-for-halifax-581232"))
    reposted = fingerprinter.fingerprint(titled_at("b", "\n\n".join([WEATHER, NOTE]), "Weather for Halifax",
                                                   "https://two.example/2025/05/weather-for-halifax-38280"))
    assert reposted.content_hash == alone.content_hash and reposted.signature == b""


def test_a_two_word_title_not_in_the_address_needs_both_words(fingerprinter):
    # A blog's name taken for the title ("Halifax Weather" over every post): one of its words in a
    # paragraph does not make that paragraph a brief.
    text = "\n\n".join([WEATHER, NOTE])
    fp = fingerprinter.fingerprint(titled_at("a", text, "Halifax Weather",
                                             "https://blog.example/post/96439224994/sunny-skies-today"))
    assert fp.content_hash == article("a", text).content_hash


def _spun_pair() -> tuple[str, str]:
    """A text in the shape of prose (content words between runs of function words) and a copy
    with half its content words swapped for synonyms, as a spinner does: three bigrams of two
    content words in four are broken, while those of two function words all stay."""
    import random

    rng = random.Random(7)
    function_words = ["the", "of", "and", "in", "to", "a", "for", "with", "on", "at", "by", "from"]
    original, spun = [], []
    for _ in range(40):
        words, copy = [], []
        for _ in range(5):
            content = f"term{rng.randrange(3000)}"
            glue = [rng.choice(function_words), rng.choice(function_words)]
            words += [content, *glue]
            copy += [f"synonym{rng.randrange(3000)}" if rng.random() < 0.5 else content, *glue]
        original.append(" ".join(words).capitalize() + ".")
        spun.append(" ".join(copy).capitalize() + ".")
    return " ".join(original), " ".join(spun)


def test_a_spun_copy_shares_lsh_bands_with_its_original(fingerprinter):
    # A spinner's synonyms break most bigrams of two content words; the bands are taken over every
    # word bigram, as the signature is, so a copy the signature calls near is a candidate too.
    settings = DedupSettings()
    text, spun = _spun_pair()
    a, b = fingerprinter.fingerprint(article("a", text)), fingerprinter.fingerprint(article("b", spun))
    similarity = near_similarity(matches(a.signature, b.signature), settings.num_perm, a.shingle_count,
                                 b.shingle_count, NearThresholds.from_settings(settings))
    assert similarity is not None and similarity >= settings.near_jaccard
    assert len(set(a.band_keys) & set(b.band_keys)) >= 2
