"""Does a change to the text path change what it returns? Every field extract_text returns, for a
fixed corpus, written to a file or compared with one written before.

The corpus: the 181 benchmark dumps (bench/make_text_dumps.py), the five seeds, the 615 article
texts of the dedup evaluation set as dumps (title line first), and variants of every benchmark dump
(its first half, its second half, its lines in reverse, each line doubled) that reach code the
originals do not.
Speed work on the text path should leave this output byte-identical:

    .venv/bin/python bench/text_outputs.py --write /tmp/before.jsonl    # on the old code
    .venv/bin/python bench/text_outputs.py --compare /tmp/before.jsonl  # on the new code
"""
from __future__ import annotations

import gzip
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import golden  # noqa: E402
from make_text_dumps import DEFAULT_SHARED, make_dumps  # noqa: E402


def corpus(shared: Path) -> list[tuple[str, str, str]]:
    """(name, url, dump) of every page, in a fixed order."""
    pages = []
    dumps = make_dumps(shared)
    for page in dumps:
        pages.append((f"bench/{page.key}", page.url, page.dump))
    for path in sorted((shared / "seeds").glob("*.txt")):
        pages.append((f"seed/{path.name}", f"https://seed.example/{path.stem}", path.read_text(encoding="utf-8")))
    with gzip.open(REPO / "bench" / "data" / "dedup_eval.jsonl.gz", "rt", encoding="utf-8") as rows:
        for n, line in enumerate(rows):
            row = orjson.loads(line)
            pages.append((f"dedup/{n}", row["url"], f"{row['title']}\n\n{row['text']}"))
    for page in dumps:
        lines = page.dump.splitlines()
        half = len(lines) // 2
        pages.append((f"head/{page.key}", page.url, "\n".join(lines[:half])))
        pages.append((f"tail/{page.key}", page.url, "\n".join(lines[half:])))
        pages.append((f"reversed/{page.key}", page.url, "\n".join(reversed(lines))))
        pages.append((f"doubled/{page.key}", page.url, "\n".join(line for line in lines for _ in (0, 1))))
    return pages


def outputs(shared: Path) -> list[bytes]:
    from worker.cleaning.text import extract_text

    rows = []
    for name, url, dump in corpus(shared):
        found = extract_text(dump, url)
        rows.append(orjson.dumps({
            "page": name, "paragraphs": found.paragraphs, "title": found.title,
            "authors": found.authors, "site_name": found.site_name,
            "published_at": found.published_at.isoformat() if found.published_at else None}))
    return rows


if __name__ == "__main__":
    golden.main(__doc__.split("\n\n")[0], outputs, DEFAULT_SHARED)
