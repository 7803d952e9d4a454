"""`process --jobs N`: cleaning in N processes gives the outputs of one process, byte for byte."""
from __future__ import annotations

import random

import orjson
import pytest

from worker.cli import main
from tests.helpers import REPO, SAMPLES, page

SEEDS = sorted((REPO / "tests" / "cleaning" / "fixtures" / "seeds").glob("*.txt"))
# A paragraph each site prints under every article.
SITE_BLOCK = ("The {site} Gazette is an independent newspaper, founded in 1921 and read in three cities "
              "every morning, with correspondents across the whole region.")


def stream() -> list[bytes]:
    """Text dumps of five sites, some more frequent (their own block under paragraphs of the seed
    dumps), interleaved with the sample pages (HTML, recrawls, bad records)."""
    rng = random.Random(3)
    paragraphs = [p for seed in SEEDS for p in seed.read_text(encoding="utf-8").split("\n") if len(p) > 80]
    samples = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    values = []
    for n in range(48):
        site = f"site{rng.choice([0, 0, 0, 1, 1, 2, 3, 4])}.example"
        body = "\n".join(rng.sample(paragraphs, 6)) + "\n\n" + SITE_BLOCK.format(site=site)
        values.append(page(f"https://{site}/story/{n}", body))
        if n % 4 == 0:
            values.append(samples[n // 4 % len(samples)])
    return values


def outputs(directory) -> dict[str, list[dict]]:
    found = {}
    for path in sorted(directory.glob("*.jsonl")):
        events = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        for event in events:
            event.pop("failed_at", None)  # a dead letter's wall-clock time
        found[path.name] = events
    return found


def process(tmp_path, name: str, jobs: int, monkeypatch, **env: str) -> dict[str, list[dict]]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / name
    assert main(["process", "--input", str(tmp_path / "pages.jsonl"), "--output-dir", str(out),
                 "--jobs", str(jobs), "--no-progress"]) == 0
    return outputs(out)


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_give_the_outputs_of_one_process(tmp_path, monkeypatch, jobs):
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(stream()) + b"\n")
    # Small batches: several rounds of children.
    env = {"BATCH_MAX_RECORDS": "20"}
    one = process(tmp_path, "one", 1, monkeypatch, **env)
    assert process(tmp_path, f"jobs{jobs}", jobs, monkeypatch, **env) == one
    assert sum(map(len, one.values())) == 60 and one["articles.duplicates.jsonl"] and one["pages.dlq.jsonl"]


def test_jobs_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        main(["process", "--input", str(SAMPLES), "--output-dir", "/tmp/unused", "--jobs", "0"])
    assert "--jobs" in capsys.readouterr().err


def test_jobs_give_the_outputs_of_one_process_when_batches_are_cut_at_their_budget(tmp_path, monkeypatch):
    """A batch cut at its time budget is rewound while the next one may be read ahead already."""
    (tmp_path / "pages.jsonl").write_bytes(b"\n".join(stream()) + b"\n")
    one = process(tmp_path, "one", 1, monkeypatch, BATCH_MAX_RECORDS="20")
    cut = process(tmp_path, "cut", 2, monkeypatch, BATCH_MAX_RECORDS="20", BATCH_MAX_SECONDS="0.01")
    assert cut == one
