"""Steps 2 and 3 of the HTML extractor (html_content.py): score the paragraph-like elements, take
the best node as the article's core (or the best inside the block the page marks as its article, or
under its headline), widen it to the ancestor and siblings that hold the rest of the article.
"""
from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborNode

from ..config.cleaning import HtmlMetadataThresholds, HtmlThresholds
from .html_prune import ARTICLE_BODY_PROP, paragraph_texts

PARAGRAPH_TAGS = "p, pre"
TEXT_HOLDER_TAGS = "div, section, article, span, font, td, blockquote, li"  # paragraphs when holding own text
_SCORED_TAGS = f"{PARAGRAPH_TAGS}, {TEXT_HOLDER_TAGS}"
T: Final = HtmlThresholds()  # the numbers, named and explained in worker/config/cleaning.py


def collapse(text: str) -> str:
    return " ".join(text.split())


def headline_node(body: LexborNode, title: str | None) -> LexborNode | None:
    """The <h1> showing the page's headline, if one does."""
    if not title:
        return None
    for node in body.css("h1")[:HtmlMetadataThresholds.max_headings]:  # (html_metadata reads as many)
        if collapse(node.text(deep=True)) == title:
            return node
    return None


def article_container(body: LexborNode, headline: LexborNode | None = None,
                      furniture: list[LexborNode] = ()) -> tuple[LexborNode | None, list[LexborNode]]:
    """The best-scoring node (widened by the climb) and the siblings that belong with it.
    furniture: blocks named as boilerplate that pruning spared (html_prune.prune); their paragraphs
    count T.furniture_weight of their score and length, so that a notice, a bio or a disclaimer
    there neither outscores a brief's paragraph or two elsewhere nor draws the container up to it."""
    scores: dict[int, float] = {}
    paragraph_chars: dict[int, int] = {}
    nodes: dict[int, LexborNode] = {}
    # <p>/<pre> count their full text (but those nested in another: html_prune.paragraph_texts),
    # other elements their own text only (their full text would make deeply nested pages quadratic).
    paragraphs = [(node, node.text(deep=False) if text is None else text)
                  for node, text in paragraph_texts(body, PARAGRAPH_TAGS)]
    paragraphs += [(node, node.text(deep=False)) for node in body.css(TEXT_HOLDER_TAGS)]
    in_furniture = {node.mem_id for block in furniture for node in block.css(_SCORED_TAGS)}
    for node, text in paragraphs:
        if len(text) < T.min_paragraph_chars or len(text := collapse(text)) < T.min_paragraph_chars:
            continue
        score, chars = 1 + text.count(",") + min(len(text) / 100, 3), len(text)
        if in_furniture and node.mem_id in in_furniture:
            score, chars = score * T.furniture_weight, int(chars * T.furniture_weight)
        ancestor = node.parent
        for level in range(T.credit_levels):
            if ancestor is None:
                break
            key = ancestor.mem_id
            paragraph_chars[key] = paragraph_chars.get(key, 0) + chars
            if level < 2:
                nodes[key] = ancestor
                scores[key] = scores.get(key, 0.0) + score / (1 + level)
            ancestor = ancestor.parent
    best, best_score = None, 0.0
    final: dict[int, float] = {}
    # Link density needs each candidate's full text: only the best-scoring few are worth it.
    for key in sorted(scores, key=scores.__getitem__, reverse=True)[:T.max_candidates]:
        node, score = nodes[key], scores[key]
        score *= 1 - _link_share(node)
        final[key] = score
        if score > best_score:
            best, best_score = node, score
    if best is None:
        return None, []
    # When the page says where its article is (schema.org microdata) and the best-scoring block is
    # elsewhere (a teaser list or a dialog outscoring a short article), the best candidate inside
    # the marked element is the article, and the container stays inside it.
    marked = _marked_article(body)
    inside = {}
    if marked is not None and not (_within(best, marked) or _within(marked, best)):
        inside = {key: score for key, score in final.items() if _within(nodes[key], marked)}
    # Without such marking, the headline marks it: the text under it is the article's when it
    # scores a fair share of the best-scoring block elsewhere (a teaser list, a product box or
    # a navigation column whose many short items outscore a brief).
    elif marked is None and headline is not None and _is_item_list(best):
        marked = _headline_block(headline, paragraph_chars)
        if marked is not None and not (_within(best, marked) or _within(marked, best)):
            inside = {key: score for key, score in final.items() if _within(nodes[key], marked)}
            if not inside or max(inside.values()) < T.anchored_share * best_score:
                inside = {}
    if inside:
        final = inside
        key = max(inside, key=inside.__getitem__)  # (the first of equals, as the scan above)
        best, best_score = nodes[key], inside[key]
    else:
        marked = None
    best = _shared_ancestor(best, best_score, final, nodes)
    ancestor = best.parent
    core_links = _listed_link_share(best)
    for _ in range(T.climb_levels):
        if ancestor is None or ancestor.tag in ("body", "html") or (
                marked is not None and not _within(ancestor, marked)):
            break
        gained, had = paragraph_chars.get(ancestor.mem_id, 0), paragraph_chars.get(best.mem_id, 1)
        if (gained >= T.climb_gain * had or (gained >= T.climb_min_ratio * had and gained - had >= T.climb_min_chars)) \
                and _listed_link_share(ancestor) <= core_links + T.climb_max_link_gain:
            best = ancestor
        ancestor = ancestor.parent
    parent = best.parent
    if parent is None:
        return best, [best]
    threshold = max(T.sibling_min_score, T.sibling_share * best_score)
    siblings = [node for node in parent.iter()
                if node.mem_id == best.mem_id or scores.get(node.mem_id, 0.0) >= threshold
                or (node.tag == "p" and _is_prose_paragraph(node))]
    if len(siblings) == 1:
        siblings = _template_blocks(best, marked)
    return best, siblings


def _template_blocks(best: LexborNode, marked: LexborNode | None) -> list[LexborNode]:
    """The blocks of an article its CMS writes as a row of elements of one class (its text between
    images, quotes or ads, each part in a block of its own): the container, or the wrapper it is the
    only element of, and the wrapper's siblings of its class holding a prose paragraph."""
    wrapper = best
    while (parent := wrapper.parent) is not None and parent.tag not in ("body", "html") \
            and _only_element(wrapper) and (marked is None or _within(parent, marked)):
        wrapper = parent
    name = wrapper.attributes.get("class")
    if not name or wrapper.parent is None:
        return [best]
    blocks = [node for node in wrapper.parent.iter() if node.mem_id == wrapper.mem_id or (
        node.attributes.get("class") == name and any(_is_prose_paragraph(p) for p in node.css("p")))]
    return blocks if len(blocks) > 1 else [best]


def _only_element(node: LexborNode) -> bool:
    """node is its parent's only element child."""
    return all(sibling.mem_id == node.mem_id for sibling in node.parent.iter())


def _is_item_list(node: LexborNode) -> bool:
    """node is a list of items of one kind (not paragraphs), most of them short and opening with a
    link: teasers of other articles, products, a navigation column (an article's sections open
    with headings that link nowhere)."""
    kinds: dict[tuple[str, str], int] = {}
    items = []
    for child in node.iter():
        if child.tag != "p":
            items.append(child)
            kind = (child.tag, child.attributes.get("class") or "")
            kinds[kind] = kinds.get(kind, 0) + 1
    if not kinds:
        return False
    kind, count = max(kinds.items(), key=lambda item: item[1])
    if count < T.list_min_items:
        return False
    linked = 0
    for item in items:
        if (item.tag, item.attributes.get("class") or "") == kind:
            text = collapse(item.text(deep=True))
            if 0 < len(text) <= T.list_item_max_chars:
                link = next((t for t in (collapse(a.text(deep=True)) for a in item.css("a")) if t), "")
                linked += bool(link) and text.startswith(link)
    return linked >= T.list_linked_share * count


def _headline_block(headline: LexborNode, paragraph_chars: dict[int, int]) -> LexborNode | None:
    """The nearest ancestor of the headline holding paragraph text (T.anchor_min_chars)."""
    node = headline.parent
    while node is not None and node.tag not in ("body", "html"):
        if paragraph_chars.get(node.mem_id, 0) >= T.anchor_min_chars:
            return node
        node = node.parent
    return None


def _marked_article(body: LexborNode) -> LexborNode | None:
    """The element the page marks as its article's body (itemprop articleBody), else as the
    article (an itemscope of type Article, NewsArticle, BlogPosting...), when there is one."""
    typed = None
    for node in body.css("[itemprop], [itemtype]"):
        attributes = node.attributes
        if ARTICLE_BODY_PROP in (attributes.get("itemprop") or "").lower():
            return node
        if typed is None and _ARTICLE_TYPE.search(attributes.get("itemtype") or ""):
            typed = node
    return typed


_ARTICLE_TYPE = re.compile(r"schema\.org/(?:\w*Article|BlogPosting)\b", re.IGNORECASE)


def _within(node: LexborNode, ancestor: LexborNode) -> bool:
    """node is ancestor or one of its descendants."""
    target = ancestor.mem_id
    while node is not None:
        if node.mem_id == target:
            return True
        node = node.parent
    return False


def _is_prose_paragraph(node: LexborNode) -> bool:
    """readability's test for a paragraph beside the container (an article's lead paragraphs
    beside the block holding the rest): long enough, and little of it links."""
    text = collapse(node.text(deep=True))
    if len(text) >= T.sibling_paragraph_chars:
        return _link_share(node) < T.sibling_paragraph_max_link_share
    # A shorter one holding a sentence and no link is too (a one-line lead, "Good morning!"):
    # labels, bylines and buttons are no sentences.
    return bool(text) and _SENTENCE_END.search(text) is not None and not node.css_first("a")


_SENTENCE_END = re.compile(r"\.(?: |$)")


def _shared_ancestor(best: LexborNode, best_score: float, final: dict[int, float],
                     nodes: dict[int, LexborNode]) -> LexborNode:
    """readability's rule: when several other candidates score nearly as well as the best, the
    article is split among them; their nearest common ancestor with the best is the container."""
    rivals = [nodes[key] for key, score in final.items()
              if key != best.mem_id and score >= T.rival_share * best_score]
    if len(rivals) < T.min_rivals:
        return best
    rival_ancestors = []
    for rival in rivals:
        ids, node = set(), rival.parent
        for _ in range(T.credit_levels):
            if node is None:
                break
            ids.add(node.mem_id)
            node = node.parent
        rival_ancestors.append(ids)
    ancestor = best.parent
    for _ in range(T.climb_levels):
        if ancestor is None or ancestor.tag in ("body", "html"):
            break
        if sum(ancestor.mem_id in ids for ids in rival_ancestors) >= T.min_rivals:
            return ancestor
        ancestor = ancestor.parent
    return best


def _link_share(node: LexborNode) -> float:
    """The share of node's text that is link text."""
    chars = len(node.text(deep=True)) or 1
    return min(sum(len(link.text(deep=True)) for link in node.css("a")) / chars, 1.0)


def _listed_link_share(node: LexborNode) -> float:
    """The share of node's text that is link text outside prose paragraphs: an article's inline
    links (a source, a "Related:" line in a paragraph) do not make it a link list; menus and
    teaser lists, whose links are most of their blocks' text, do."""
    chars = len(node.text(deep=True)) or 1
    links = sum(len(link.text(deep=True)) for link in node.css("a"))
    if not links:
        return 0.0
    for paragraph, text in paragraph_texts(node):
        if text is None:
            break
        inline = sum(len(link.text(deep=True)) for link in paragraph.css("a"))
        if inline and inline <= T.max_link_share * len(text):
            links -= inline
    return min(links / chars, 1.0)
