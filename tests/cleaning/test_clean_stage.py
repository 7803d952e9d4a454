"""The cleaning stage's contract: RawPage in, Article out, or a dead letter with a reason."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime

import orjson
import pytest

from worker.config import CleaningSettings, Settings
from worker.errors import PageRejected, Reason
from worker.models import RawPage, SourceRecord
from worker.pipeline import Pipeline
from worker.stages import clean as clean_module
from worker.stages.clean import CleanStage
from worker.state.memory import MemoryIndex

from tests.helpers import REPO, article_body

from .conftest import raw_page, seed_text

ARTICLE_HTML = """<!doctype html><html lang="en"><head><title>Council approves two schools - Daily Example</title>
<link rel="canonical" href="https://daily.example/schools"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Council approves two schools</h1>
<p>The council voted on Tuesday to build two new schools in the northern district, ending a debate that had
lasted for more than three years.</p>
<p>Construction is expected to begin next spring, and the first pupils could move in by the autumn of the
following year, the mayor said after the vote.</p>
<p>Opposition members had argued that the money would be better spent on repairing existing buildings.</p>
</article><footer>Copyright Daily Example</footer></body></html>"""


def record(page: dict) -> SourceRecord:
    return SourceRecord(topic="pages.raw", partition=0, offset=0, key=None, value=orjson.dumps(page))


def test_text_page_becomes_an_article(clean_stage):
    page = raw_page(seed_text("003_38367e894ac1c5e1"), url="https://www.worldnationnews.example/russia-troops")
    article = clean_stage(page)
    assert article.article_id == page.page_id
    assert article.canonical_url == page.url
    assert article.site_name == "worldnationnews.example"  # the dump names no site: the host does
    assert article.title == "Russia Sends More Troops to the West as Tensions Rise in Ukraine"
    assert article.language == "en"
    assert article.content_type == "text/plain"
    assert article.fetched_at == page.fetched_at
    assert "\n\n" in article.text and "\n\n\n" not in article.text


def test_html_page_becomes_an_article(clean_stage):
    article = clean_stage(raw_page(ARTICLE_HTML, url="https://daily.example/schools?utm_source=x",
                                   content_type="text/html"))
    assert article.title == "Council approves two schools"
    assert article.canonical_url == "https://daily.example/schools"
    assert article.text.startswith("The council voted on Tuesday")
    assert "Copyright" not in article.text and "World" not in article.text
    assert article.language == "en"


def test_the_event_keeps_the_publication_offset_the_page_states(clean_stage):
    """A reader in New York saw this on November 19; in UTC it is already the 20th."""
    page = ARTICLE_HTML.replace("</title>", '</title><meta property="article:published_time" '
                                'content="2019-11-19T21:05:00-05:00">')
    event = clean_stage(raw_page(page, url="https://daily.example/schools", content_type="text/html")).to_event()
    assert event["published_at"] == "2019-11-19T21:05:00-05:00"
    assert event["fetched_at"].endswith("Z")


def test_a_publication_time_without_an_offset_is_written_in_utc(clean_stage):
    page = ARTICLE_HTML.replace("</title>", '</title><meta property="article:published_time" '
                                'content="2019-11-19T21:05:00">')
    event = clean_stage(raw_page(page, url="https://daily.example/schools", content_type="text/html")).to_event()
    assert event["published_at"] == "2019-11-19T21:05:00Z"


@pytest.mark.parametrize("isolated", [False, True])
@pytest.mark.parametrize("declared", ['<meta property="article:published_time" content="2024-05-04T08:00:00Z">',
                                      '<script type="application/ld+json">{"@type": "NewsArticle", '
                                      '"datePublished": 1714809600}</script>',
                                      '<time>May 4, 2024</time>'])
def test_a_date_after_the_fetch_is_judged_against_the_fetch_not_the_clock(declared, isolated):
    """A page fetched on 2024-05-01 stating a date three days later (past the margin for time
    zones and embargoes) has no publication date, whenever it is (re)processed: judged against the
    wall clock, the same record published null when first read and the date on a later replay."""
    stage = CleanStage(CleaningSettings(html_isolate_above_chars=0), timeout_seconds=5.0 if isolated else 0.0)
    try:
        page = ARTICLE_HTML.replace("</title>", "</title>" + declared)
        for fetched, expected in (("2024-05-01T10:00:00Z", None), ("2024-05-03T10:00:00Z", "2024-05-04")):
            fetched_at = datetime.fromisoformat(fetched.replace("Z", "+00:00"))
            event = stage(raw_page(page, url="https://daily.example/schools", content_type="text/html",
                                   fetched_at=fetched_at)).to_event()
            assert (event["published_at"] or "")[:10] == (expected or ""), (declared, fetched)
    finally:
        stage.close()


@pytest.mark.parametrize("stated, fetched, expected", [
    ("May 4, 2024", "2024-05-01T10:00:00Z", None),  # after the fetch: not the publication date
    ("May 4, 2024", "2024-05-03T10:00:00Z", "2024-05-04"),
    ("March 3, 2099", "2024-05-01T10:00:00Z", None),
    ("1 January 1970", "2024-05-01T10:00:00Z", None),  # before DateLimits.earliest_year
])
def test_a_text_dumps_date_is_judged_as_the_html_paths(clean_stage, stated, fetched, expected):
    """The text path took any date written under the headline (2099, 1970), where the HTML path
    refuses those; both now judge a date against the page's fetch."""
    body = f"The council approves two schools\nBy John Smith\n{stated}\n\n" + article_body(3)
    fetched_at = datetime.fromisoformat(fetched.replace("Z", "+00:00"))
    event = clean_stage(raw_page(body, url="https://daily.example/news/schools", fetched_at=fetched_at)).to_event()
    assert (event["published_at"] or "")[:10] == (expected or "")


@pytest.mark.parametrize("content_type", ["text/html", "text/plain"])
@pytest.mark.parametrize("path, fetched, expected", [
    ("/2024/05/04/schools", "2024-05-01T10:00:00Z", None),  # after the fetch
    ("/2024/05/04/schools", "2024-05-03T10:00:00Z", "2024-05-04"),
    ("/1985/05/04/schools", "2024-05-01T10:00:00Z", None),  # before DateLimits.earliest_year
])
def test_a_urls_date_is_judged_against_the_fetch_on_both_paths(clean_stage, content_type, path, fetched, expected):
    """The URL's date is judged as every other date (meta.dates.date_in_url): the text path judged
    it against the fetch, the HTML path took it as it was."""
    body = ARTICLE_HTML if content_type == "text/html" else "The council approves two schools\n\n" + article_body(3)
    fetched_at = datetime.fromisoformat(fetched.replace("Z", "+00:00"))
    event = clean_stage(raw_page(body, url="https://daily.example" + path, content_type=content_type,
                                 fetched_at=fetched_at)).to_event()
    assert (event["published_at"] or "")[:10] == (expected or "")


@pytest.mark.parametrize("body, content_type", [
    ("Home\nWorld\nSport\nSign in\nSubscribe\nContact us", "text/plain"),
    ("", "text/plain"),
    ("<html><body><nav><a href='/'>Home</a></nav><p>Cookies.</p></body></html>", "text/html"),
])
def test_a_page_without_article_text_is_rejected_as_no_content(clean_stage, body, content_type):
    with pytest.raises(PageRejected) as rejected:
        clean_stage(raw_page(body, content_type=content_type))
    assert rejected.value.reason is Reason.NO_CONTENT
    assert rejected.value.stage == "clean"


def test_the_quality_gate_threshold_is_a_setting():
    text = ("The council voted on Tuesday to build two new schools in the northern district, ending a long "
            "debate about the city's budget.")
    lenient = CleanStage(CleaningSettings(min_words=5))
    strict = CleanStage(CleaningSettings(min_words=100))
    assert lenient(raw_page(text)).text == text
    with pytest.raises(PageRejected):
        strict(raw_page(text))


def _site_page(n: int) -> RawPage:
    """A text dump of one site: its own story between the header, "Related" list and blurb the site
    prints on every page."""
    lines = ["Daily Example", "Home", "City", "Sport", f"Headline number {n} of the day",
             f"Story {n}: the council met on day {n} and voted on item {n} of the agenda after a long debate "
             "that ran late into the evening, the mayor said.",
             f"Item {n} concerns the budget of the northern district, which has grown by {n} percent in the last "
             "year according to the city's own figures.",
             "Related articles",
             "The harbour reopens after two years of works on its northern quay and the new ferry terminal.",
             "The Daily Example is an independent newspaper covering the city and its region since 1901, with "
             "news, sport and culture every day."]
    return raw_page("\n".join(lines), url=f"https://daily.example/{n}")


def test_a_page_is_cleaned_the_same_whatever_was_cleaned_before():
    # A replay after a restart, or the page's partition moved to another replica: a stage that has
    # seen none of the site's other pages must publish the identical event.
    stream = CleanStage()
    articles = [stream(_site_page(n)) for n in range(8)]
    assert CleanStage()(_site_page(7)) == articles[7]


def _pipeline(timeout: float) -> Pipeline:
    settings = Settings()
    settings = replace(settings, service=replace(settings.service, stage_timeout_seconds=timeout))
    return Pipeline(settings, MemoryIndex(settings.dedup))


def test_no_content_goes_to_the_dead_letter_topic():
    pipeline = _pipeline(timeout=10.0)
    output = pipeline.process(record({"url": "https://paper.example/menu", "fetched_at": "2024-05-01T10:00:00Z",
                                      "content_type": "text/plain", "body": "Home\nNews\nSport"}))
    assert output.kind == "dlq" and output.label == "no_content"
    event = orjson.loads(output.value)
    assert event["reason"] == "no_content" and event["stage"] == "clean"
    assert output.topic == pipeline.settings.topics.pages_dlq


def test_a_page_that_takes_longer_than_the_stage_timeout_goes_to_the_dlq(monkeypatch):
    def slow_extract(body, url, thresholds=None, fetched_at=None):
        time.sleep(5)  # interrupted by the stage's time limit long before
        raise AssertionError("not reached")

    pipeline = _pipeline(timeout=0.2)
    # Warm up first: a first page's one-off costs (lazy tables, caches) are no part of the limit.
    warm = pipeline.process(record({"url": "https://paper.example/warm", "fetched_at": "2024-05-01T10:00:00Z",
                                    "content_type": "text/plain", "body": seed_text("002_2e71187361903d7a")}))
    assert warm.kind == "unique"
    monkeypatch.setattr(clean_module, "extract_text", slow_extract)
    started = time.perf_counter()
    output = pipeline.process(record({"url": "https://paper.example/slow", "fetched_at": "2024-05-01T10:00:00Z",
                                      "content_type": "text/plain", "body": seed_text("000_ebae451186ceb249")}))
    assert time.perf_counter() - started < 4  # cut short, not slept through
    assert output.kind == "dlq" and output.label == "stage_timeout"
    event = orjson.loads(output.value)
    assert event["reason"] == "stage_timeout" and event["stage"] == "clean"
    # The next page is cleaned normally.
    monkeypatch.undo()
    after = pipeline.process(record({"url": "https://paper.example/next", "fetched_at": "2024-05-01T10:00:00Z",
                                     "content_type": "text/plain", "body": seed_text("004_4a91718d60b2703c")}))
    assert after.kind == "unique"



# A fresh process (trafilatura is imported on the first page that needs it, under that page's time
# limit) whose stage alarm goes off while trafilatura's urllib3 is half imported: that page is out
# of time, but the import must not be left half done, or every later page of the process that needs
# trafilatura fails with it (stage_error "module 'urllib3' has no attribute 'util'") where a fresh
# process cleans it: the same page, another output.
_ALARM_DURING_IMPORT = """
import os, signal, sys
from datetime import datetime, timezone
from worker.errors import PageRejected
from worker.models import RawPage
from worker.stages.clean import CleanStage

class AlarmDuringImport:
    fired = False
    def find_spec(self, name, path=None, target=None):
        if name == "urllib3.connectionpool" and not AlarmDuringImport.fired:
            AlarmDuringImport.fired = True
            os.kill(os.getpid(), signal.SIGALRM)  # (the stage's time limit goes off here)
        return None

assert "trafilatura" not in sys.modules
sys.meta_path.insert(0, AlarmDuringImport())
stage = CleanStage(timeout_seconds=60, isolate_html=False)
page = RawPage(url="https://news.example/decisions", fetched_at=datetime(2024, 5, 1, tzinfo=timezone.utc),
               content_type="text/html", body=sys.argv[1])
for attempt in range(2):
    try:
        print("article", stage(page).text[:30])
    except PageRejected as rejected:
        print(rejected.reason.value, rejected.message[:100])
"""


def test_a_time_limit_during_a_first_import_costs_that_page_only():
    # Text straight in the body: the own extractor finds no paragraph, trafilatura is asked.
    text = " ".join(f"Point {i} of the decision explains, at some length, what the council decided about the "
                    "old depot and why." for i in range(6))
    body = f"<html><body><h1>Council decisions</h1>{text}</body></html>"
    done = subprocess.run([sys.executable, "-c", _ALARM_DURING_IMPORT, body], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    # (the first page's time is up once the import has ended: cut then, or done before the next tick)
    assert first.startswith("stage_timeout") or first == second
    assert second == "article Point 0 of the decision explai"


_HEBREW = ["משרד הבריאות הודיע היום כי מספר המקרים החדשים עלה במהלך השבוע האחרון בכמה ערים ברחבי הארץ.",
           "לדברי הדובר, הצוותים הרפואיים עובדים מסביב לשעון כדי לבלום את התפשטות המחלה ולסייע לחולים.",
           "הרשויות קראו לציבור להקפיד על ההנחיות ולהימנע מהתקהלויות גדולות במקומות ציבוריים בימים הקרובים."]


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u061c", "\u202b", "\u2067"])
def test_an_article_with_bidirectional_marks_is_written_alike_from_its_html_and_its_dump(clean_stage, mark):
    """Right-to-left text often ends each sentence with a mark: the text path reads dumps without
    them, so the HTML path writes its text without them too (one article, one text, one hash)."""
    marked = [line + mark for line in _HEBREW]
    html = ("<html><head><title>כותרת הידיעה</title></head><body><article><h1>כותרת הידיעה</h1><p>"
            + "</p><p>".join(marked) + "</p></article></body></html>")
    from_html = clean_stage(raw_page(html, content_type="text/html"))
    from_dump = clean_stage(raw_page("כותרת הידיעה\n\n" + "\n\n".join(marked)))
    assert from_html.text == from_dump.text == "\n\n".join(_HEBREW)
    assert from_html.content_hash == from_dump.content_hash
