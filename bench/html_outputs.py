"""Does a change to the HTML path change what it returns? Every field extract_html returns, for the
HTML pages of all shared sets, written to a file or compared with one written before.

Speed work on the HTML path should leave this output byte-identical:

    .venv/bin/python bench/html_outputs.py --write /tmp/before.jsonl    # on the old code
    .venv/bin/python bench/html_outputs.py --compare /tmp/before.jsonl  # on the new code
"""
from __future__ import annotations

import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import golden  # noqa: E402
from sets import DEFAULT_SHARED, SET_NAMES, load_set  # noqa: E402


def outputs(shared: Path) -> list[bytes]:
    from worker.cleaning.html import extract_html

    rows = []
    for set_name in SET_NAMES:
        for page in load_set(shared, set_name):
            found = extract_html(page.html, page.url)
            rows.append(orjson.dumps({
                "page": f"{set_name}/{page.key}", "paragraphs": found.paragraphs, "title": found.title,
                "authors": found.authors, "site_name": found.site_name, "language": found.language,
                "canonical_url": found.canonical_url,
                "published_at": found.published_at.isoformat() if found.published_at else None}))
    return rows


if __name__ == "__main__":
    golden.main(__doc__.split("\n\n")[0], outputs, DEFAULT_SHARED)
