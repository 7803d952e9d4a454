"""Short pages of one site template against each other: are they kept apart, and found across sites?

bench/dedup_eval_independent.py puts a few pages into each real template; a site publishes many.
When cleaning misses a short page's article (a brief, a paywall teaser), what it keeps is a block
of the template (a sidebar, a teaser list, a comments notice), the same on every such page of the
site: two different pages then match as exact or near duplicates. Here every template donor of
the independent set (bench/build_dedup_eval_independent.py: real pages with their article taken
out) publishes the same few briefs and paywall teasers, as HTML and as a naive scraper's text
dump; each page is cleaned (worker.stages.clean.CleanStage) and fingerprinted
(worker/dedup/fingerprint.py), and pairs are judged as the index would (exact key, else verified
near similarity; a text not compared matches nothing, nor does a short text its site published
under another title: repeated_on_site, nor are two pages of one site under two titles near matched
when either is a short text):

- false pairs: two different pages of one template (and form) that match. Split by whether the
  cleaned texts hold their page's text (bench/metric.py recall >= 0.5): "missed" when neither does
  (template against template), "kept" when both do (the texts differ by what was put in);
- copies: the same brief in two different templates, both cleaned with the brief kept, that match;
- not compared: the pages whose text is not compared, by reason (dedup.reason).

Donors are split like the independent set (bench/splits.py over the shared sets' keys): tuning
and held-out apart, aggregate figures only (nothing of a held-out page is printed).

    .venv/bin/python bench/dedup_template_pairs.py [--split tuning|held-out|both]
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import build_dedup_eval_independent as independent  # noqa: E402
from bench.metric import page_score, recall  # noqa: E402
from bench.splits import HELD_OUT, TUNING  # noqa: E402
from worker.config import DedupSettings  # noqa: E402
from worker.dedup.fingerprint import Fingerprinter  # noqa: E402
from worker.dedup.similarity import NearThresholds, matches, near_similarity  # noqa: E402
from worker.errors import PageRejected  # noqa: E402
from worker.metrics import Metrics  # noqa: E402
from worker.models import RawPage  # noqa: E402
from worker.stages.clean import CleanStage  # noqa: E402
from worker.state.base import Fingerprint  # noqa: E402
from worker.state.rules import origin_key, other_title_on_site  # noqa: E402

SEED = 20261207
BRIEFS = 4  # briefs every template publishes
PAYWALLS = 2  # paywall teasers every template publishes (titles of other articles)
KEPT = 0.5  # a cleaned text "keeps" its page's text with this recall of it
AT = datetime(2025, 5, 5, 6, 0, tzinfo=timezone.utc)


class Page:
    def __init__(self, fingerprint: Fingerprint | None, kept: bool):
        self.fingerprint = fingerprint  # None: cleaning rejected the page
        self.kept = kept


class Judge:
    def __init__(self, settings: DedupSettings):
        self.fingerprinter = Fingerprinter(settings)
        self.thresholds = NearThresholds.from_settings(settings)
        self.num_perm = settings.num_perm
        self.clean = CleanStage(metrics=Metrics())
        self.number = 0

    def page(self, donor: independent.Donor, form: str, title: str, text: str) -> Page:
        html = donor.wrap(title, text)
        self.number += 1
        raw = RawPage(url=f"{donor.url.rstrip('/')}/page-{self.number}", fetched_at=AT,
                      content_type="text/html" if form == "html" else "text/plain",
                      body=html if form == "html" else independent.text_dump(html))
        try:
            article = self.clean(raw)
        except PageRejected:
            return Page(None, False)
        return Page(self.fingerprinter.fingerprint(article), recall(*page_score(text, article.text)) >= KEPT)

    def match(self, a: Page, b: Page) -> str | None:
        """"exact", "near" or None, as the index decides the pair (b decided after a)."""
        fa, fb = a.fingerprint, b.fingerprint
        if fa is None or fb is None or fa.not_compared or fb.not_compared:
            return None
        if fa.content_hash == fb.content_hash:
            if fa.site_key and fa.site_key == fb.site_key and not (fb.title_key and fa.title_key == fb.title_key):
                return None  # the index's site rule (worker/state/base.py): repeated_on_site
            return "exact"
        if other_title_on_site(origin_key(fb), origin_key(fa)):
            return None  # the site rule's near step: one site, another title, one of the two short
        if fa.signature and fb.signature and near_similarity(
                matches(fa.signature, fb.signature), self.num_perm, fa.shingle_count, fb.shingle_count,
                self.thresholds) is not None:
            return "near"
        return None


def run(split: str, settings: DedupSettings, donors: list, titles: list[str]) -> None:
    rng = random.Random(f"{SEED}/{split}")
    judge = Judge(settings)
    briefs = [independent.brief(rng) for _ in range(BRIEFS)]
    counts: Counter = Counter()
    published: list[tuple[int, str, list[Page]]] = []  # (donor, form, its briefs' pages)
    for number, donor in enumerate(donors):
        for form in ("html", "dump"):
            pages = [judge.page(donor, form, title, text) for title, text in briefs]
            pages += [judge.page(donor, form, rng.choice(titles), independent.PAYWALL[rng.randrange(len(
                independent.PAYWALL))]) for _ in range(PAYWALLS)]
            for page in pages:
                counts["pages"] += 1
                if page.fingerprint is None:
                    counts["rejected"] += 1
                elif page.fingerprint.not_compared:
                    counts[f"not compared: {page.fingerprint.not_compared}"] += 1
            for a, b in itertools.combinations(pages, 2):
                counts["pairs"] += 1
                method = judge.match(a, b)
                if method:
                    state = "kept" if a.kept and b.kept else "missed" if not a.kept and not b.kept else "one kept"
                    counts[f"false {method}, {state}"] += 1
            published.append((number, form, pages[:BRIEFS]))
    # The same brief in two templates (each donor against the next one, both forms).
    for (one, _, pages), (other, _, others) in zip(published, published[2:] + published[:2]):
        if one == other:
            continue
        for a, b in zip(pages, others):
            if a.kept and b.kept:
                counts["copies"] += 1
                counts["copies found"] += judge.match(a, b) is not None
    false = sum(v for k, v in counts.items() if k.startswith("false "))
    print(f"\nsplit={split}: {len(donors)} templates, {counts['pages']} pages, {counts['pairs']} pairs in one template")
    print(f"  false pairs {false}: " + ", ".join(f"{k[6:]} {v}" for k, v in sorted(counts.items())
                                                if k.startswith("false ")))
    print(f"  copies of a brief across templates found {counts['copies found']} of {counts['copies']}")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())
                           if k.startswith("not compared") or k == "rejected"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=(TUNING, HELD_OUT, "both"), default="both")
    args = parser.parse_args()
    settings = DedupSettings.from_env(os.environ)
    sources = independent.load_sources()
    donors = [donor for donor in (independent.Donor(s["key"], s["url"], s["html"], s["text"]) for s in sources
                                  if len(s["html"]) > 20_000) if donor.usable]
    for split in (TUNING, HELD_OUT) if args.split == "both" else (args.split,):
        part = [donor for donor in donors if independent.source_split(donor.key) == split]
        titles = [s["title"] for s in sources if independent.source_split(s["key"]) == split and s["title"]]
        run(split, settings, part, titles)


if __name__ == "__main__":
    main()
