"""Build worker/samples/pages.jsonl, the sample stream of the demo and the tests.

Made once from ../shared/seeds (the five scraped text dumps) and two pages of the public
article-extraction benchmark (MIT licence), with made-up URLs and fetch times, plus the kinds of
traffic a real stream carries: a recrawl under a tracking-parameter URL variant and bad records.
Run: python scripts/make_samples.py ../shared
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

SEEDS = [
    ("000_ebae451186ceb249.txt", "https://www.kazpost.news/world/ukrainian-military-report-says-120000-russian-troops-near-border",
     "2021-12-09T07:41:12Z", "kazpost"),
    ("001_422543fb29edb296.txt", "https://henrysclub.net/ukrainian-military-report-says-120000-russian-soldiers-near-border/",
     "2021-12-09T15:02:45Z", "henrysclub"),
    ("002_2e71187361903d7a.txt", "https://whyd.news/world/russian-troops-leave-ukraine-border-after-drills",
     "2021-12-26T09:30:00Z", "whyd"),
    ("003_38367e894ac1c5e1.txt", "https://worldnationnews.net/russia-sends-more-troops-to-the-west-as-tensions-rise-in-ukraine/",
     "2022-01-18T18:20:05Z", "worldnationnews"),
    ("004_4a91718d60b2703c.txt", "https://www.marketsdaily.info/2022/02/16/nato-says-russia-is-increasing-troop-numbers-on-ukrainian-border.html",
     "2022-02-16T21:12:40Z", "marketsdaily"),
]
HTML_PAGES = ["042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856",
              "04a6711caa7c687592777718866e781e976e0fe684faebe8b3cedcef8cd0ea34"]


def main(shared: Path) -> None:
    lines: list[str] = []
    for name, url, fetched_at, source in SEEDS:
        body = (shared / "seeds" / name).read_text(encoding="utf-8")
        lines.append(json.dumps({"url": url, "fetched_at": fetched_at, "content_type": "text/plain; charset=utf-8",
                                 "body": body, "source": source, "status": 200}, ensure_ascii=False))
    truth = json.loads((shared / "benchmarks/article-extraction/ground-truth.json").read_text())
    for i, key in enumerate(HTML_PAGES):
        html = gzip.decompress((shared / f"benchmarks/article-extraction/html/{key}.html.gz").read_bytes())
        lines.append(json.dumps({"url": truth[key]["url"], "fetched_at": f"2022-03-0{i + 1}T12:00:00Z",
                                 "content_type": "text/html; charset=utf-8",
                                 "body": html.decode("utf-8", "replace"), "source": "benchmark",
                                 "headers": {"server": "nginx"}, "status": 200}, ensure_ascii=False))
    # A recrawl of seed 000 a day later under a tracking-parameter URL: a duplicate by URL.
    first = json.loads(lines[0])
    first.update(url=first["url"] + "?utm_source=twitter&utm_medium=social", fetched_at="2021-12-10T07:41:12Z")
    lines.append(json.dumps(first, ensure_ascii=False))
    # Bad input, which must reach the dead-letter topic with its reason.
    lines.append('{"url": "https://www.kazpost.news/broken", "fetched_at": "2021-12-09T08:00:00Z", "body": ')
    lines.append(json.dumps({"url": "https://whyd.news/report.pdf", "fetched_at": "2021-12-26T10:00:00Z",
                             "content_type": "application/pdf", "body": "%PDF-1.7"}))
    lines.append(json.dumps({"url": "https://whyd.news/tag/ukraine", "fetched_at": "2021-12-26T10:05:00Z",
                             "content_type": "text/plain", "body": "Ukraine\nLatest news\nSubscribe"}))
    out = Path(__file__).resolve().parent.parent / "worker" / "samples" / "pages.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} records to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
