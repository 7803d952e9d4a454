"""What extracting HTML in a supervised child process costs (worker/stages/isolation.py): the clean
stage over every shared HTML page, in process (no time limit), with the child for pages above
CLEAN_HTML_ISOLATE_ABOVE_TAGS or longer than CLEAN_HTML_ISOLATE_ABOVE_CHARS (the default), and with
the child for every page. CPU seconds of the
worker process and its child, so that a shared machine's load does not decide the figure; the
outputs must be the same.

    .venv/bin/python bench/html_isolation.py [--shared ../shared] [--repeat 3]
"""
from __future__ import annotations

import argparse
import gzip
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from worker.config import CleaningSettings
from worker.models import RawPage
from worker.stages.clean import CleanStage

SETS = ("article-extraction", "readability-pages", "dates-mediacloud")


def child_cpu_seconds(stage: CleanStage) -> float:
    process = stage._html._process if stage._html is not None else None
    if process is None:
        return 0.0
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(stage: CleanStage, pages: list[RawPage]) -> tuple[float, list[str]]:
    started, child = time.process_time(), child_cpu_seconds(stage)
    outputs = []
    for page in pages:
        try:
            outputs.append(stage(page).text)
        except Exception as error:  # noqa: BLE001 - a rejected page is an output too
            outputs.append(type(error).__name__)
    return time.process_time() - started + child_cpu_seconds(stage) - child, outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    moment = datetime(2024, 5, 1, tzinfo=timezone.utc)
    pages = [RawPage(url=f"https://news.example.com/{n}", fetched_at=moment, content_type="text/html",
                     body=gzip.open(path, "rt", errors="replace").read())
             for n, path in enumerate(sorted(p for s in SETS for p in (args.shared / "benchmarks" / s / "html").glob("*.html.gz")))]
    settings = CleaningSettings()
    tags, chars = settings.html_isolate_above_tags, settings.html_isolate_above_chars
    stages = {"in process (no time limit)": CleanStage(),
              f"child above {tags} tags or {chars} chars (default)": CleanStage(timeout_seconds=60),
              "child for every page": CleanStage(CleaningSettings(html_isolate_above_tags=0), timeout_seconds=60)}
    for stage in stages.values():
        if stage._html is not None:
            stage._html.ensure_ready()
    results: dict[str, list[tuple[float, list[str]]]] = {name: [] for name in stages}
    for _ in range(args.repeat):  # interleaved, so that load changes hit every variant alike
        for name, stage in stages.items():
            results[name].append(run(stage, pages))
    baseline = results["in process (no time limit)"][0][1]
    isolated = sum(len(page.body) > chars or page.body.count("<") > tags for page in pages)
    print(f"{len(pages)} shared HTML pages, {isolated} above {tags} tags or {chars} chars")
    for name, runs in results.items():
        best = min(seconds for seconds, _ in runs)
        print(f"{name:34} {len(pages) / best:7.1f} pages per CPU second   same outputs: {runs[0][1] == baseline}")
    for stage in stages.values():
        stage.close()


if __name__ == "__main__":
    main()
