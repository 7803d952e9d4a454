"""Does a change to the HTML path change what it returns? Every field extract_html returns, for the
HTML pages of all shared sets, written to a file or compared with one written before.

Speed work on the HTML path should leave this output byte-identical:

    .venv/bin/python bench/html_outputs.py --write /tmp/before.jsonl    # on the old code
    .venv/bin/python bench/html_outputs.py --compare /tmp/before.jsonl  # on the new code
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the outputs to this file")
    group.add_argument("--compare", type=Path, help="compare the outputs with this file")
    args = parser.parse_args()
    rows = outputs(args.shared)
    if args.write:
        args.write.write_bytes(b"\n".join(rows) + b"\n")
        print(f"{len(rows)} outputs written to {args.write}")
        return
    before = args.compare.read_bytes().splitlines()
    changed = [(old, new) for old, new in zip(before, rows) if old != new]
    for old, new in changed[:5]:
        print(f"changed: {orjson.loads(old)['page']}\n  before: {old[:300]!r}\n  after:  {new[:300]!r}")
    print(f"{len(rows)} outputs, {len(changed)} changed" + (
        f", {abs(len(rows) - len(before))} missing" if len(rows) != len(before) else ""))
    sys.exit(1 if changed or len(rows) != len(before) else 0)


if __name__ == "__main__":
    main()
