"""Where one worker process spends its time per page, without the broker: the pipeline in process
(prepare and decide in batches of 500, as the consume loop does) over the pages bench/throughput.py
sends, with each stage's time from the worker's own stage histograms, then cProfile's top functions.

    .venv/bin/python bench/profile_pipeline.py [--sets text,html] [--text-repeat 3] [--html-repeat 1] [--top 20]

The in-process rate against bench/throughput.py's rate through the broker is the transport's share.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from throughput import add_page_arguments, load_pages  # noqa: E402
from worker.config import Settings  # noqa: E402
from worker.memory import keep_freed_memory  # noqa: E402
from worker.models import SourceRecord  # noqa: E402
from worker.pipeline import Pipeline  # noqa: E402
from worker.metrics import Metrics  # noqa: E402
from worker.state import MemoryIndex  # noqa: E402

BATCH = 500


def run(records: list[SourceRecord]) -> tuple[float, float, Metrics]:
    """(wall seconds, CPU seconds of this process) the records took, and the stage metrics. The clean
    stage's child process (large HTML pages) is started before the clock and closed after it: a
    worker pays that once, not per page."""
    settings = Settings()
    metrics = Metrics()
    pipeline = Pipeline(settings, MemoryIndex(settings.dedup), metrics)
    try:
        pipeline.clean.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        for i in range(0, len(records), BATCH):
            batch = records[i:i + BATCH]
            pipeline.decide(list(zip(batch, pipeline.prepare_each(batch))))
        return time.perf_counter() - started, time.process_time() - cpu_started, metrics
    finally:
        pipeline.close()


def stage_seconds(metrics: Metrics) -> dict[str, float]:
    totals = {}
    for metric in metrics.stage_duration.collect():
        for sample in metric.samples:
            if sample.name.endswith("_sum"):
                totals[sample.labels["stage"]] = sample.value
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_arguments(parser, text_repeat=3, html_repeat=1)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    keep_freed_memory()  # as `python -m worker` does at its start
    pages = load_pages(args.shared, None)
    repeats = {"text": args.text_repeat, "html": args.html_repeat}
    for set_name in args.sets.split(","):
        values = [page.value(r) for r in range(repeats[set_name]) for page in pages[set_name]]
        records = [SourceRecord("pages.raw", 0, n, None, value) for n, value in enumerate(values)]
        seconds, cpu_seconds, metrics = run(records)
        per_page = seconds / len(records) * 1000
        # CPU time is what to compare between two runs on a shared machine: waiting for a core is not in it.
        print(f"\n{set_name}: {len(records)} pages, {len(records) / seconds:.0f} pages/s in process "
              f"({per_page:.2f} ms/page, CPU {cpu_seconds / len(records) * 1000:.2f} ms/page)")
        stages = stage_seconds(metrics)
        for stage, total in stages.items():
            print(f"  {stage:12s} {total / len(records) * 1000:6.2f} ms/page")
        rest = seconds - sum(stages.values())
        print(f"  {'the rest':12s} {rest / len(records) * 1000:6.2f} ms/page (routing, event serialization, batching, metrics)")
        profiler = cProfile.Profile()
        profiler.enable()
        run(records)
        profiler.disable()
        print(f"  cProfile (a second run, slower by the profiler's cost), top {args.top} by own time:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
