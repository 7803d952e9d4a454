"""The command line of the golden-output checks (bench/text_outputs.py, bench/html_outputs.py): write
one JSON line per page, or compare with a file written before and exit 1 on any difference. A pure
refactor or a speed change must leave it at 0 changed."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import orjson


def main(description: str, outputs: Callable[[Path], list[bytes]], default_shared: Path) -> None:
    """`outputs(shared)`: one JSON object a page, each with a "page" name."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--shared", type=Path, default=default_shared)
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
