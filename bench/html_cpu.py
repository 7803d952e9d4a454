"""CPU time per page of the HTML clean step now and at a baseline commit, in one run: extract_html
alone, and the whole clean step (CleanStage.process: extraction, normalization, language, quality
gate; in process, as for pages below the isolation threshold).

Pages: the HTML pages of all shared sets (bench/sets.py). The baseline's worker/ is read from git at
--baseline and imported beside the current one. Each page goes through both trees in turn, which
goes first alternating, so that the load of a shared machine falls on both alike; CPU time of this
process (time.process_time), which waiting for a busy core does not inflate. Check that the outputs
are the same with bench/html_outputs.py.

    .venv/bin/python bench/html_cpu.py --baseline REV [--rounds 5] [--shared PATH]
"""
from __future__ import annotations

import argparse
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sets import DEFAULT_SHARED, SET_NAMES, load_set  # noqa: E402


def load_tree(revision: str) -> str:
    """worker/ at a git revision, importable as package baseline_worker (its imports are relative)."""
    directory = Path(tempfile.mkdtemp(prefix="html-cpu-baseline-"))
    archive = subprocess.run(["git", "archive", revision, "worker"], cwd=REPO, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    (directory / "worker").rename(directory / "baseline_worker")
    sys.path.insert(0, str(directory))
    return "baseline_worker"


def steps(package: str):
    """(extract_html, the clean step) of a tree."""
    extract_html = importlib.import_module(f"{package}.cleaning.html").extract_html
    clean = importlib.import_module(f"{package}.stages.clean")
    errors = importlib.import_module(f"{package}.errors")
    models = importlib.import_module(f"{package}.models")
    stage = clean.CleanStage()

    def clean_step(page):
        try:
            stage.process(models.RawPage(url=page.url, fetched_at=FETCHED_AT, content_type="text/html",
                                         body=page.html))
        except errors.PageRejected:
            pass

    return (lambda page: extract_html(page.html, page.url)), clean_step


FETCHED_AT = datetime(2025, 1, 1, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    pages = [page for set_name in SET_NAMES for page in load_set(args.shared, set_name)]
    trees = {f"baseline {args.baseline}": steps(load_tree(args.baseline)), "current": steps("worker")}
    importlib.import_module("trafilatura")  # the fallback's import (a second) outside the clock

    for label, index in (("extract_html", 0), ("clean step", 1)):
        for tree in trees.values():
            for page in pages[:20]:  # warm-up: lazy imports, caches
                tree[index](page)
        totals = {name: 0.0 for name in trees}
        for round_ in range(args.rounds):
            spent = {name: 0.0 for name in trees}
            for number, page in enumerate(pages):
                order = list(trees) if (number + round_) % 2 == 0 else list(reversed(trees))
                for name in order:
                    started = time.process_time()
                    trees[name][index](page)
                    spent[name] += time.process_time() - started
            for name in trees:
                totals[name] += spent[name]
            print(f"{label}, round {round_ + 1}: " + ", ".join(
                f"{name} {spent[name] / len(pages) * 1000:.3f}" for name in trees) + " ms/page", flush=True)
        old, new = totals.values()
        print(f"{label}, {len(pages)} pages x {args.rounds} rounds: " + ", ".join(
            f"{name} {totals[name] / args.rounds / len(pages) * 1000:.3f}" for name in trees)
            + f" ms/page ({(new - old) / old * 100:+.1f}%)\n", flush=True)


if __name__ == "__main__":
    main()
