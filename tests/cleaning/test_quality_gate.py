"""The quality gate counts words per script: a real article in any language is published, a page
without one still goes to the DLQ as no_content."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from worker.cleaning.normalize import article_word_count, count_words
from worker.errors import PageRejected, Reason

from .conftest import raw_page

PAGES = Path(__file__).parent / "html_pages"


@pytest.mark.parametrize("text, words", [
    ("The council voted on Tuesday.", 5),
    ("市議会は火曜日に決定した。", 12),  # Japanese: every kanji and kana a word, the full stop none
    ("凱爾特人在主場大勝湖人", 11),  # Chinese
    ("สภาเมืองลงมติ", 13),  # Thai: characters, vowel signs included
    ("מועצת העיר הצביעה ביום שלישי", 5),  # Hebrew: words between spaces
    ("صوّت مجلس المدينة يوم الثلاثاء", 5),  # Arabic
    ("Apple発表 iPhone 15", 5),  # mixed: two Latin words, two kanji, one number
    ("— | • ... 2024", 1),  # punctuation alone is no word
    ("", 0),
])
def test_words_are_counted_per_script(text, words):
    assert count_words(text) == words


@pytest.mark.parametrize("text", [
    "The council voted on Tuesday.", "市議会は火曜日に決定した。", "凱爾特人在主場大勝湖人", "สภาเมืองลงมติ",
    "מועצת העיר הצביעה ביום שלישי", "Apple発表 iPhone 15", "",
])
def test_an_article_event_counts_its_words_as_the_gate_does(text):
    assert article_word_count(text) == count_words(text)


def test_counting_stops_at_enough():
    assert count_words("word " * 1000, enough=25) == 25
    assert count_words("字" * 1000, enough=25) == 25
    assert count_words("two words", enough=25) == 2


def real_page(name: str) -> str:
    return gzip.decompress((PAGES / name).read_bytes()).decode("utf-8")


@pytest.mark.parametrize("name, url, phrase", [
    ("mediacloud-zh-sina.html.gz", "https://news.sina.com.tw/article/20200121/34046328.html", "凱爾特人在主場以139-107大勝湖人"),
    ("mediacloud-ja-prtimes.html.gz", "https://prtimes.jp/main/html/rd/p/000000232.000009812.html",
     "広告データ自動取得"),
    ("mediacloud-ar-sputnik.html.gz", "https://arabic.sputniknews.com/arab_world/202003171044893040/",
     "المتحدث الرسمي للوزارة"),
])
def test_articles_in_scripts_without_spaces_or_right_to_left_are_published(clean_stage, name, url, phrase):
    article = clean_stage(raw_page(real_page(name), url=url, content_type="text/html"))
    assert phrase in article.text
    assert count_words(article.text) >= clean_stage.settings.min_words
    # The event's count is the gate's (a lone dash aside), not a few space-separated "words".
    assert abs(article.to_event()["word_count"] - count_words(article.text)) <= 0.02 * count_words(article.text)


def test_hebrew_article_text_is_published(clean_stage):
    paragraph = ("מועצת העיר הצביעה ביום שלישי להפוך את מחסן החשמליות הישן לספרייה ציבורית, "
                 "ובכך הסתיים ויכוח שפילג את השכונה במשך כמעט עשור שלם.")
    page = f"<html lang='he' dir='rtl'><body><article><p>{paragraph}</p><p>{paragraph}</p></article></body></html>"
    article = clean_stage(raw_page(page, content_type="text/html"))
    assert "מחסן החשמליות" in article.text


@pytest.mark.parametrize("body, content_type", [
    ("<html><body><p>Request unsuccessful. Incapsula incident ID: 703000160143928249-19139896</p></body></html>",
     "text/html"),
    ("<html><body><nav><a>首页</a><a>新闻</a></nav><p>版权所有</p></body></html>", "text/html"),
    ("Home\nNews\nSport\n\nWe use cookies. Accept all", "text/plain"),
])
def test_pages_without_an_article_still_go_to_the_dlq(clean_stage, body, content_type):
    with pytest.raises(PageRejected) as rejected:
        clean_stage(raw_page(body, content_type=content_type))
    assert rejected.value.reason is Reason.NO_CONTENT
