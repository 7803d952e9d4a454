"""Main article text of an HTML page: prune boilerplate, find the article's container, emit its blocks.

Works on a selectolax (lexbor) tree, which parses in about 0.6 ms per benchmark page (lxml: 1.4 ms),
and keeps Python-level work to the few hundred nodes that carry text. The method is readability's,
measured and adjusted on the article-extraction benchmark (bench/html_extraction.py):

1. prune (html_prune.py): elements that never hold article text (scripts, navigation, figures,
   forms' widgets), hidden elements, dialogs, and elements whose class/id names them as comments,
   sharing, related links...
2. score (html_container.py): every paragraph-like element (p, pre, and divs, cells, list items...
   holding their own text) adds a score (commas, length) to its parent and half of it to its
   grandparent; the best node, discounted by its link density, is the article's core. Where the
   page marks its article (microdata) or shows its headline, and the best node is elsewhere (for
   the headline: a list of linked items, teasers or products), the best candidate inside the
   marked or headed block is.
3. widen (html_container.py): articles split into several sibling sections (NYT's "companion
   columns", WIRED's chunks) leave the core holding only one of them, so the container climbs to
   an ancestor while that ancestor holds clearly more paragraph text (climb_*) without being more
   of a link list; before that, as readability does, when several other candidates score nearly
   as well as the best (rival_*), the container is the ancestor they share with it. Beside the
   container, its siblings scoring well, prose paragraphs and (when there are none) blocks of its
   class holding prose (an article split into a row of text blocks by its images) are the
   article's too.
4. emit (here): the container's text, one entry per block element (or <br>-separated run), dropping
   blocks that are mostly link text (menus, "read more" lists) unless they stand between the
   article's prose blocks, boxes of other headlines under a heading that says so ("Related"),
   and the comments' heading after the last prose block with what follows it.

The thresholds are HtmlThresholds in worker/config/cleaning.py, each chosen by its effect on F1
(bench/body.py).
"""
from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config.cleaning import HtmlThresholds
from .html_container import article_container, collapse, headline_node
from .html_prune import prune
from .prompts import is_prompt
from .text_lines import COMMENTS, SECTION_END, phrase_kind

T: Final = HtmlThresholds()  # the numbers, named and explained in worker/config/cleaning.py

BLOCK_TAGS = frozenset(
    "p div section article main header h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr td th "
    "tbody thead caption hr br center address details summary".split())


def parse(html: str | bytes) -> LexborHTMLParser:
    return LexborHTMLParser(html)


# Start tags of the formatting elements the parser re-opens ("reconstructs the active formatting
# elements", HTML standard) at each new block while they are left open: every one left open adds
# an element per block, so a 27 KB page of 1,500 of them and 1,500 <p> builds 2.2 million elements
# (800 MB). (<a> and <nobr> are left out: a new one closes the one open before.)
_FORMATTING_START = re.compile(r"<(?:b|big|code|em|font|i|s|small|strike|strong|tt|u)[\s/>]", re.IGNORECASE)


def formatting_tags(html: str) -> int:
    """The formatting start tags of a page: a bound on the elements the parser re-opens per tag."""
    return sum(1 for _ in _FORMATTING_START.finditer(html))


def article_paragraphs(tree: LexborHTMLParser, title: str | None = None) -> list[str]:
    """The article's paragraphs (whitespace collapsed, entities decoded). Prunes the tree in place.
    title: the page's headline (html_metadata), when known: the article is the text under it."""
    body = tree.body
    if body is None:
        return []
    furniture = prune(tree, body)
    container, siblings = article_container(body, headline_node(body, title), furniture)
    if container is None:
        return []
    blocks = _without_headline_boxes([block for node in siblings for block in _blocks(node)])
    first, last = _prose_span(blocks)
    # After the article's last prose block, the heading of its comments ("Comments", "Leave a
    # reply": the text path's phrases) ends it: what follows is the comment form and thread.
    for i in range(last + 1, len(blocks)):
        if phrase_kind(blocks[i][0]) == COMMENTS:
            blocks = blocks[:i]
            break
    paragraphs = []
    for i, (text, link_chars) in enumerate(blocks):
        # A block of mostly links is a menu or a "read more" list before or after the article's
        # prose; between two of its prose blocks it is the article's own (a list of the links it
        # discusses, a table of them).
        if (link_chars <= T.max_link_share * len(text) or first < i < last) and not is_prompt(text):
            paragraphs.append(text)
    return paragraphs


def _without_headline_boxes(blocks: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The blocks without the boxes of other articles inside or after the article: a heading of
    the text path's phrases for them ("Related", "More from ...", in the stream's languages) and
    the headlines under it, up to the next prose block."""
    kept = []
    in_box = False
    for text, link_chars in blocks:
        prose = len(text) >= T.span_prose_chars and link_chars <= T.max_link_share * len(text)
        if prose:
            in_box = False
        elif phrase_kind(text) == SECTION_END:
            in_box = True
        if not in_box:
            kept.append((text, link_chars))
    return kept


def _prose_span(blocks: list[tuple[str, int]]) -> tuple[int, int]:
    """The indexes of the first and last prose block (T.span_prose_chars long, few links), or (0, 0)."""
    prose = [i for i, (text, link_chars) in enumerate(blocks)
             if len(text) >= T.span_prose_chars and link_chars <= T.max_link_share * len(text)]
    return (prose[0], prose[-1]) if prose else (0, 0)


def _blocks(root: LexborNode) -> list[tuple[str, int]]:
    """(text, characters inside links) of each block under root, in document order.

    Iterative rather than recursive: pages nest elements deeper than Python's recursion limit.
    """
    blocks: list[tuple[str, int]] = []
    parts: list[str] = []
    link_chars = 0
    links_open = 0

    def flush() -> None:
        nonlocal link_chars
        if parts:
            text = collapse("".join(parts))
            if text:
                blocks.append((text, link_chars))
            parts.clear()
        link_chars = 0

    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            if node.tag == "a":
                links_open -= 1
            elif node.tag in BLOCK_TAGS:
                flush()
            continue
        if node.is_text_node:
            text = node.text_content
            if text:
                parts.append(text)
                if links_open:
                    link_chars += len(text.strip())
            continue
        if not node.is_element_node:
            continue
        if node.tag in BLOCK_TAGS:
            flush()
        elif node.tag == "a":
            links_open += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))
    flush()
    return blocks
