"""`python -m worker process --jobs N` against `--jobs 1` on the same file, in one run.

The file: the 181 article-extraction pages as text dumps (html-text, as bench/make_text_dumps.py
makes them) and as HTML, each repeated as recrawls (same URL, later fetched_at). Every --jobs value
runs --rounds times, interleaved (1, N, 1, N, ...), and its best wall time counts (the machine is
shared: the best run is the one least disturbed). The outputs of every run are compared with those
of --jobs 1 (dead letters' failed_at aside): they must be identical. First it measures how much
more CPU work --jobs processes get done here than one (bench/cores.py): no speed-up can exceed it.

Besides the wall-clock rate it prints the rate net of start-up (the best wall time of a one-page
file subtracted: imports, forking the children; a few hundred pages are a second or two, so the
start-up weighs on the ratio where a long file would not see it) and the CPU seconds of a run, all
processes together (more with --jobs N: what the queues and pickling cost; on N free cores a run
cannot take less wall time than its CPU seconds / N).

--side-by-side: each round also runs N `--jobs 1` runs at once, which share nothing but the machine,
and prints their CPU seconds: how much more the same work costs while N cores are busy at once
(caches, memory bandwidth), a part of the extra CPU of --jobs N that no change to the worker removes.

    .venv/bin/python bench/process_jobs.py [--jobs 2] [--text-repeat 5] [--html-repeat 1] [--rounds 2]
                                           [--side-by-side]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from cores import parallel_capacity  # noqa: E402
from throughput import add_page_arguments, load_pages  # noqa: E402


def outputs(directory: Path) -> dict[str, list[dict]]:
    found = {}
    for path in sorted(directory.glob("*.jsonl")):
        events = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        for event in events:
            event.pop("failed_at", None)
        found[path.name] = events
    return found


def run(input_path: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the process and the children it waited for) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "worker", "process", "--input", str(input_path), "--output-dir", str(out),
                    "--jobs", str(jobs), "--no-progress"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def side_by_side(input_path: Path, out: Path, runs: int) -> list[float]:
    """CPU seconds of each of `runs` `--jobs 1` runs started at once (each with its HTML child)."""
    processes = [subprocess.Popen([sys.executable, "-m", "worker", "process", "--input", str(input_path),
                                   "--output-dir", str(out / str(n)), "--jobs", "1", "--no-progress"],
                                  cwd=REPO, stdout=subprocess.DEVNULL) for n in range(runs)]
    seconds = []
    for process in processes:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        assert process.returncode == 0, f"a --jobs 1 run exited with {process.returncode}"
        seconds.append(usage.ru_utime + usage.ru_stime)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_arguments(parser, text_repeat=5, html_repeat=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--side-by-side", action="store_true",
                        help="also the CPU seconds of --jobs 1 runs, --jobs of them at once")
    args = parser.parse_args()
    pages = load_pages(args.shared, None)
    repeats = {"text": args.text_repeat, "html": args.html_repeat}
    print(f"{os.cpu_count()} cores; best of {args.rounds} interleaved runs each. Ceiling here now: {args.jobs} "
          f"spinning processes get {parallel_capacity(args.jobs):.2f}x the CPU work of one (bench/cores.py)")
    with tempfile.TemporaryDirectory(prefix="process-jobs-") as tmp:
        for set_name in args.sets.split(","):
            values = [page.value(r) for r in range(repeats[set_name]) for page in pages[set_name]]
            input_path = Path(tmp) / f"{set_name}.jsonl"
            input_path.write_bytes(b"\n".join(values) + b"\n")
            first_page = Path(tmp) / f"{set_name}-first.jsonl"
            first_page.write_bytes(values[0] + b"\n")
            best: dict[int, float] = {}
            start_up: dict[int, float] = {}
            cpu: dict[int, float] = {}
            together: list[float] = []
            reference = None
            for round_ in range(args.rounds):
                for jobs in (1, args.jobs):
                    out = Path(tmp) / f"{set_name}-{jobs}-{round_}"
                    seconds, cpu_seconds = run(input_path, out, jobs)
                    if seconds < best.get(jobs, float("inf")):
                        best[jobs], cpu[jobs] = seconds, cpu_seconds
                    found = outputs(out)
                    reference = reference or found
                    assert found == reference, f"--jobs {jobs} gave other outputs than --jobs 1"
                    seconds, _ = run(first_page, Path(tmp) / f"{set_name}-first-{jobs}", jobs)
                    start_up[jobs] = min(start_up.get(jobs, seconds), seconds)
                if args.side_by_side:
                    together += side_by_side(input_path, Path(tmp) / f"{set_name}-together-{round_}", args.jobs)
            one, many = len(values) / best[1], len(values) / best[args.jobs]
            net_one = len(values) / (best[1] - start_up[1])
            net_many = len(values) / (best[args.jobs] - start_up[args.jobs])
            print(f"{set_name}: {len(values)} pages; --jobs 1 {one:.0f} pages/s, --jobs {args.jobs} {many:.0f} pages/s: "
                  f"{many / one:.2f}x (outputs identical); net of start-up ({start_up[1]:.2f} s, "
                  f"{start_up[args.jobs]:.2f} s): {net_one:.0f} -> {net_many:.0f} pages/s, {net_many / net_one:.2f}x; "
                  f"CPU seconds {cpu[1]:.2f} -> {cpu[args.jobs]:.2f}", flush=True)
            if together:
                print(f"  {args.jobs} --jobs 1 runs side by side: CPU seconds {min(together):.2f}-{max(together):.2f} "
                      f"each (one alone, its best run: {cpu[1]:.2f})", flush=True)


if __name__ == "__main__":
    main()
