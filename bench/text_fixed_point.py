"""Is the text path a fixed point on its own output, on real dumps? extract_text promises that
cleaning its paragraphs again returns them unchanged (tests/cleaning/test_properties.py checks it
on generated dumps); this checks it on every dump of bench/text_outputs.py's corpus and on the
pages of both benchmark sets in every dump style. Pages that are not are named (tuning part only:
held-out pages are counted, never shown), with the rounds they took to settle.

    .venv/bin/python bench/text_fixed_point.py
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from make_text_dumps import DEFAULT_SHARED, STYLES, dump  # noqa: E402
from sets import load_set  # noqa: E402
from splits import is_held_out  # noqa: E402
from text_outputs import corpus  # noqa: E402

from worker.cleaning.text import extract_text  # noqa: E402

MAX_ROUNDS = 10


def rounds_to_settle(text: str, url: str) -> int:
    """0 when the first result is a fixed point; else the further cleanings it took (MAX_ROUNDS: never)."""
    paragraphs = extract_text(text, url).paragraphs
    for rounds in range(MAX_ROUNDS):
        again = extract_text("\n\n".join(paragraphs), url).paragraphs
        if again == paragraphs:
            return rounds
        paragraphs = again
    return MAX_ROUNDS


def main() -> None:
    pages = [(name, url, text, name.startswith(("bench/", "head/", "tail/", "reversed/", "doubled/"))
              and is_held_out("article-extraction", name.split("/", 1)[1]))
             for name, url, text in corpus(DEFAULT_SHARED)]
    for set_name in ("article-extraction", "readability-pages"):
        for page in load_set(DEFAULT_SHARED, set_name):
            for style in STYLES:
                pages.append((f"{set_name}/{style}/{page.key}", page.url, dump(page.html, style, page.url),
                              is_held_out(set_name, page.key)))
    failed: Counter[str] = Counter()
    for name, url, text, held_out in pages:
        rounds = rounds_to_settle(text, url)
        if rounds:
            failed["held-out" if held_out else "tuning"] += 1
            if not held_out:
                print(f"not a fixed point (settled after {rounds} more): {name}")
    print(f"{len(pages)} dumps; not a fixed point: {failed['tuning']} tuning, {failed['held-out']} held-out")


if __name__ == "__main__":
    main()
