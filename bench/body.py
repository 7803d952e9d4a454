"""Article body accuracy of both paths on every shared set, ours and trafilatura side by side.

HTML path: each page of article-extraction and readability-pages goes through the cleaning stage
(worker.stages.clean.CleanStage, text/html: extraction, normalization, quality gate) and through
trafilatura (default mode, body only); both texts are scored with bench/metric.py (a dead-lettered
page scores as empty; "F1 ungated" scores the text the page had before the quality gate, which
sets apart pages with no article at all; "F1 articles" leaves out the pages whose truth is no
article, fewer words than the quality gate's minimum: five synthetic readability test pages whose
whole body is "Test" or a few words); "F1 real" also leaves out the pages whose truth is placeholder
filler ("Lorem ipsum ..."): readability's synthetic test pages (readability.test/...), each built
to test one behaviour of its DOM cleaning (hidden nodes, runs of <br>, social buttons, a paragraph
pasted twice), whose expected text is readability's output on markup a text dump does not carry
(a hidden node's text is in the dump; a paragraph pasted twice is one repeat the cleaner drops, as
it drops a caption printed twice on real pages). They are no article: a rule tuned to them tunes
to readability's fixtures, not to pages. The header line counts them per split. "wrong block" counts the pages with an article where
trafilatura finds it (recall >= 0.8) and ours returns something else (recall < 0.2). dates-mediacloud has no body truth: it
reports the pages published with text and those dead-lettered (by reason).

Text path: the same pages as text dumps in every style of bench/make_text_dumps.py go through the
cleaning stage as text/plain; the uncleaned dump's F1 is the floor the text path starts from.

Every figure comes per split (bench/splits.py): tuning and held-out apart, never pooled. --worst
lists the worst pages of the TUNING part only: held-out pages are not looked at while tuning.
trafilatura's outputs and the dumps are cached in .cache/bench (bench/cache.py), keyed by the
versions that made them; trafilatura's pages/s comes from the run that filled the cache. Speed is
CPU time of this process (the machine is shared), the whole cleaning stage for ours; compare
revisions with bench/html_extraction.py or bench/text_cleaning.py --baseline, in one run.

    .venv/bin/python bench/body.py [--sets article-extraction,readability-pages,dates-mediacloud]
        [--limit N] [--styles html,html-text,html-text-no-title,get-text,seeds-like] [--worst N]
        [--no-cache]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from cache import Cache  # noqa: E402
from make_text_dumps import STYLES, dump, dumps_version  # noqa: E402
from metric import PageScore, page_score, precision, recall, summarize  # noqa: E402
from sets import DEFAULT_SHARED, SET_NAMES, BenchPage, load_set  # noqa: E402
from splits import SPLITS  # noqa: E402

HTML = "html"
WRONG_BLOCK_ANCHOR_RECALL = 0.8  # the anchor found the article...
WRONG_BLOCK_RECALL = 0.2  # ...and we returned (almost) none of it
FETCHED = datetime(2024, 5, 1, tzinfo=timezone.utc)


@dataclass
class Run:
    """What one extractor returned for the pages of one set in one style."""
    texts: dict[str, str] = field(default_factory=dict)  # key -> published text ("" when dead-lettered)
    extracted: dict[str, str] = field(default_factory=dict)  # key -> the text before the quality gate
    rejected: dict[str, str] = field(default_factory=dict)  # key -> DLQ reason
    seconds: float = 0.0


def trafilatura_texts(pages: list[BenchPage], use_cache: bool) -> Run:
    import trafilatura

    cache = Cache("trafilatura-cpu", trafilatura.__version__, pages[0].set_name, use_cache)
    run = Run()

    def extract(page: BenchPage) -> dict:
        start = time.process_time()
        text = trafilatura.extract(page.html, url=page.url, include_comments=False) or ""
        return {"text": text, "seconds": time.process_time() - start}

    for page in pages:
        value = cache.get(page.key, lambda: extract(page))
        run.texts[page.key] = value["text"]
        run.seconds += value["seconds"]
    cache.save()
    return run


def page_inputs(pages: list[BenchPage], style: str, use_cache: bool) -> dict[str, str]:
    if style == HTML:
        return {page.key: page.html for page in pages}
    cache = Cache("dumps", dumps_version(), f"{pages[0].set_name}.{style}", use_cache)
    inputs = {page.key: cache.get(page.key, lambda: dump(page.html, style, page.url)) for page in pages}
    cache.save()
    return inputs


def our_texts(pages: list[BenchPage], style: str, inputs: dict[str, str]) -> Run:
    from worker.config import CleaningSettings
    from worker.errors import PageRejected
    from worker.models import RawPage
    from worker.stages.clean import CleanStage

    settings = CleaningSettings()
    stage = CleanStage(settings)
    ungated = CleanStage(replace(settings, min_words=0))
    content_type = "text/html" if style == HTML else "text/plain"
    run = Run()
    for page in pages:
        raw = RawPage(url=page.url, fetched_at=FETCHED, content_type=content_type, body=inputs[page.key])
        start = time.process_time()
        try:
            text = stage.process(raw).text
        except PageRejected as rejected:
            text = ""
            run.rejected[page.key] = rejected.reason.value
        run.seconds += time.process_time() - start
        run.texts[page.key] = text
        if page.key in run.rejected:
            try:
                run.extracted[page.key] = ungated.process(raw).text
            except PageRejected:
                run.extracted[page.key] = ""
        else:
            run.extracted[page.key] = text
    return run


def scores(pages: list[BenchPage], texts: dict[str, str]) -> dict[str, PageScore]:
    return {page.key: page_score(page.truth, texts[page.key]) for page in pages}


def has_article(page: BenchPage) -> bool:
    """Whether the page's truth is an article at all: readability-pages holds a few synthetic test
    pages whose whole "body" is a word or two ("Test"), which the quality gate rightly rejects."""
    from worker.cleaning.normalize import count_words
    from worker.config import CleaningSettings

    return count_words(page.truth or "") >= CleaningSettings().min_words


def is_filler(page: BenchPage) -> bool:
    """Whether the page's truth is placeholder filler ("Lorem ipsum"): a synthetic test page, no
    article (see the module's docstring, "F1 real")."""
    return "lorem ipsum" in (page.truth or "").casefold()


def wrong_blocks(pages: list[BenchPage], ours: dict[str, PageScore], anchor: dict[str, PageScore]) -> list[str]:
    return [page.key for page in pages if has_article(page) and recall(*anchor[page.key]) >= WRONG_BLOCK_ANCHOR_RECALL
            and recall(*ours[page.key]) < WRONG_BLOCK_RECALL]


def body_rows(set_name: str, pages: list[BenchPage], styles: list[str], use_cache: bool, worst: int) -> None:
    anchor_run = trafilatura_texts(pages, use_cache)
    anchor = scores(pages, anchor_run.texts)
    fillers = [sum(p.split == split and is_filler(p) for p in pages) for split in SPLITS]
    print(f"\n## {set_name}: article body F1 ({len(pages)} pages; "
          f"{sum(p.split == SPLITS[0] for p in pages)} tuning, {sum(p.split == SPLITS[1] for p in pages)} held-out; "
          f"placeholder filler, left out of F1 real: {fillers[0]} tuning, {fillers[1]} held-out)")
    print("| input              | extractor      | split    | pages | F1    | P     | R     | empty | DLQ | "
          "F1 ungated | F1 articles | F1 real | wrong block  | pages/s |")
    print("|--------------------|----------------|----------|-------|-------|-------|-------|-------|-----|"
          "------------|-------------|---------|--------------|---------|")
    for style in styles:
        inputs = page_inputs(pages, style, use_cache)
        run = our_texts(pages, style, inputs)
        ours = scores(pages, run.texts)
        rows = [("ours", ours, run)]
        if style == HTML:
            rows.append(("trafilatura", anchor, anchor_run))
        else:
            rows.append(("dump uncleaned", scores(pages, inputs), None))
        for split in SPLITS:
            part = [p for p in pages if p.split == split]
            if not part:
                continue
            for name, per_page, source in rows:
                f1, p, r = summarize(per_page[page.key] for page in part)
                empty = sum(not (source.texts if source else inputs)[page.key].strip() for page in part)
                dlq = sum(page.key in source.rejected for page in part) if source else 0
                wrong = len(wrong_blocks(part, per_page, anchor)) if name == "ours" else 0
                before_gate = summarize(page_score(p.truth, source.extracted[p.key]) for p in part)[0] \
                    if source is not None and source.extracted else f1
                articles = summarize(per_page[page.key] for page in part if has_article(page))[0]
                real = summarize(per_page[page.key] for page in part if has_article(page) and not is_filler(page))[0]
                speed = f"{len(pages) / source.seconds:7.0f}" if source and source.seconds else "      -"
                print(f"| {style:<18} | {name:<14} | {split:<8} | {len(part):5d} | {f1:.3f} | {p:.3f} | {r:.3f} | "
                      f"{empty:5d} | {dlq:3d} | {before_gate:10.3f} | {articles:11.3f} | {real:7.3f} | "
                      f"{wrong:3d} ({wrong / len(part):5.1%}) | {speed} |")
        if worst:
            tuning = [p for p in pages if p.split == SPLITS[0]]
            wrong = set(wrong_blocks(tuning, ours, anchor))
            ranked = sorted(tuning, key=lambda p: precision(*ours[p.key]) + recall(*ours[p.key]))[:worst]
            print(f"\nworst {len(ranked)} tuning pages of ours, {style} (P, R, trafilatura's R):")
            for page in ranked:
                s, a = ours[page.key], anchor[page.key]
                mark = (" WRONG BLOCK" if page.key in wrong else "") + (" FILLER" if is_filler(page) else "")
                reason = f" dlq={run.rejected[page.key]}" if page.key in run.rejected else ""
                print(f"  {page.key[:16]:<16} P={precision(*s):.2f} R={recall(*s):.2f} "
                      f"traf R={recall(*a):.2f}{mark}{reason} {page.url[:70]}")
            print()


def published_rows(set_name: str, pages: list[BenchPage], styles: list[str], use_cache: bool, worst: int) -> None:
    """Sets without body truth: how many pages come out with text, how many are dead-lettered."""
    anchor_run = trafilatura_texts(pages, use_cache)
    print(f"\n## {set_name}: pages published with text (no body truth; {len(pages)} pages)")
    print("| input              | extractor      | split    | pages | with text | DLQ (reasons)              | "
          "pages/s |")
    print("|--------------------|----------------|----------|-------|-----------|----------------------------|"
          "---------|")
    for style in styles:
        run = our_texts(pages, style, page_inputs(pages, style, use_cache))
        rows = [("ours", run)] + ([("trafilatura", anchor_run)] if style == HTML else [])
        for split in SPLITS:
            part = [p for p in pages if p.split == split]
            for name, source in rows:
                with_text = sum(bool(source.texts[p.key].strip()) for p in part)
                reasons = Counter(source.rejected[p.key] for p in part if p.key in source.rejected)
                listed = ", ".join(f"{r} {n}" for r, n in reasons.most_common()) or "-"
                print(f"| {style:<18} | {name:<14} | {split:<8} | {len(part):5d} | {with_text:9d} | "
                      f"{sum(reasons.values()):3d} {listed:<22} | {len(pages) / source.seconds:7.0f} |")
        if worst:
            shown = [p for p in pages if p.split == SPLITS[0] and p.key in run.rejected][:worst]
            for page in shown:
                print(f"  DLQ {style}: {page.key} {run.rejected[page.key]} {page.url[:80]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--sets", default=",".join(SET_NAMES), help="comma-separated set names")
    parser.add_argument("--styles", default=",".join((HTML,) + STYLES),
                        help=f"comma-separated inputs: {HTML} and/or dump styles ({', '.join(STYLES)})")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set (by key)")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst TUNING pages per set and input")
    parser.add_argument("--no-cache", action="store_true", help="recompute trafilatura's outputs and the dumps")
    args = parser.parse_args()
    styles = [s.strip() for s in args.styles.split(",") if s.strip()]
    for style in styles:
        if style != HTML and style not in STYLES:
            parser.error(f"unknown input {style!r}")
    for set_name in (s.strip() for s in args.sets.split(",") if s.strip()):
        if set_name not in SET_NAMES:
            parser.error(f"unknown set {set_name!r}")
        pages = load_set(args.shared, set_name, args.limit)
        if pages[0].truth is None:
            published_rows(set_name, pages, styles, not args.no_cache, args.worst)
        else:
            body_rows(set_name, pages, styles, not args.no_cache, args.worst)


if __name__ == "__main__":
    main()
