"""The text path as built: compiled by mypyc (setup.py), unless the package was built with
NEWS_WORKER_PURE_PYTHON=1 (set it for the tests of such a build too); compiled from the current
source; and giving the same results as that source run interpreted."""
from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import worker
from tests.fixtures.compiled_text_path import PURE_REBUILD, REBUILD, compiled_modules, stale_builds

from .conftest import SEED_EXPECTATIONS, seed_text

PURE_BUILD = os.environ.get("NEWS_WORKER_PURE_PYTHON") == "1"

# Run in a fresh interpreter on one copy of the package or another: every seed through extract_text
# on its own, then twice more as one site's stream through a SiteLineMemory, each page ending in a
# paragraph the site prints under every article, which the memory learns to drop. Prints which
# text.py ran and the results.
EXTRACT_SEEDS = """
import dataclasses, json, sys
import worker.cleaning.text
from worker.cleaning import SiteLineMemory, extract_text

def result(extraction):
    return json.dumps(dataclasses.asdict(extraction), default=str, sort_keys=True)

pages = json.load(sys.stdin)
memory = SiteLineMemory(min_pages=2)
site_block = ("The Stream Example Gazette is an independent newspaper, founded in 1921 and read in "
              "three cities every morning, with correspondents across the whole region.")
results = {}
for key, (url, body) in sorted(pages.items()):
    results[key] = result(extract_text(body, url))
for n in range(2):
    for key, (url, body) in sorted(pages.items()):
        page = f"https://stream.example/{n}/{key}"
        results[page] = result(extract_text(f"{body}\\n\\n{site_block}", page, memory))
json.dump({"text_module": worker.cleaning.text.__file__, "results": results}, sys.stdout)
"""


def extract_seeds(package_parent: Path, cwd: Path) -> dict:
    pages = {key: [expected["url"], seed_text(key)] for key, expected in SEED_EXPECTATIONS.items()}
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    done = subprocess.run([sys.executable, "-c", EXTRACT_SEEDS], input=json.dumps(pages), env=env, cwd=cwd,
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def test_the_text_path_runs_compiled_unless_a_pure_build_was_asked_for():
    for name in compiled_modules():
        module_file = importlib.import_module(name).__file__ or ""
        if PURE_BUILD:
            assert module_file.endswith(".py"), f"{name} is compiled ({module_file}) in a pure build"
        else:
            assert module_file.endswith(tuple(EXTENSION_SUFFIXES)), (
                f"{name} runs interpreted from {module_file}: the package was installed without compiling. "
                f"Compile: {REBUILD}; after {PURE_REBUILD}, run the tests with NEWS_WORKER_PURE_PYTHON=1")


def test_the_compiled_modules_are_built_from_the_current_source():
    assert stale_builds() == [], f"rebuild: {REBUILD}, or {PURE_REBUILD}"


@pytest.mark.skipif(PURE_BUILD, reason="pure build: nothing compiled to compare with its source")
def test_compiled_and_interpreted_text_path_give_the_same_results(tmp_path):
    installed = Path(worker.__file__).resolve().parent
    pure = tmp_path / "pure"
    shutil.copytree(installed, pure / "worker",
                    ignore=shutil.ignore_patterns(*(f"*{suffix}" for suffix in EXTENSION_SUFFIXES), "__pycache__"))

    compiled_run = extract_seeds(installed.parent, tmp_path)
    interpreted_run = extract_seeds(pure, tmp_path)

    assert compiled_run["text_module"].endswith(tuple(EXTENSION_SUFFIXES))
    assert interpreted_run["text_module"] == str(pure / "worker" / "cleaning" / "text.py")
    assert len(compiled_run["results"]) == 3 * len(SEED_EXPECTATIONS)
    assert compiled_run["results"] == interpreted_run["results"]
