"""How much more CPU work N processes get done here than one: the ceiling of any speed-up from
processes on this machine at this moment (shared machines and CPU quotas make it far less than N).

    .venv/bin/python bench/cores.py [--processes 2] [--seconds 2]
"""
from __future__ import annotations

import argparse
import multiprocessing
import time


def _spin(seconds: float, results) -> None:
    end = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < end:
        for _ in range(10_000):
            count += 1
    results.put(count)


def _work(processes: int, seconds: float) -> int:
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_spin, args=(seconds, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    total = sum(results.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total


def parallel_capacity(processes: int = 2, seconds: float = 2.0) -> float:
    """Work of `processes` spinning processes over the work of one (one run before, one after)."""
    before = _work(1, seconds)
    many = _work(processes, seconds)
    after = _work(1, seconds)
    return many / ((before + after) / 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    print(f"{args.processes} processes get {parallel_capacity(args.processes, args.seconds):.2f}x the CPU work of one")


if __name__ == "__main__":
    main()
