"""Main article text of an HTML page: prune boilerplate, find the article's container, emit its blocks.

Works on a selectolax (lexbor) tree, which parses in about 0.6 ms per benchmark page (lxml: 1.4 ms),
and keeps Python-level work to the few hundred nodes that carry text. The method is readability's,
measured and adjusted on the article-extraction benchmark (bench/html_extraction.py):

1. prune: elements that never hold article text (scripts, navigation, figures, forms' widgets),
   hidden elements, and elements whose class/id names them as comments, sharing, related links...
2. score: every paragraph-like element (p, pre, and divs, cells, list items... holding their own text)
   adds a score (commas, length) to its parent and half of it to its grandparent; the best node,
   discounted by its link density, is the article's core. Where the page marks its article
   (microdata) or shows its headline, and the best node is elsewhere (for the headline: a list of
   linked items, teasers or products), the best candidate inside the marked or headed block is.
3. widen: articles split into several sibling sections (NYT's "companion columns", WIRED's chunks)
   leave the core holding only one of them, so the container climbs to an ancestor while that
   ancestor holds clearly more paragraph text (climb_*) without being more of a link list;
   before that, as readability does, when several other candidates score nearly as well as the
   best (rival_*), the container is the ancestor they share with it. Beside the container, its
   siblings scoring well, prose paragraphs and (when there are none) blocks of its class holding
   prose (an article split into a row of text blocks by its images) are the article's too.
4. emit: the container's text, one entry per block element (or <br>-separated run), dropping
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

from ..config.cleaning import HtmlMetadataThresholds, HtmlThresholds
from .prompts import is_prompt
from .text_lines import COMMENTS, SECTION_END, phrase_kind

# Elements whose whole subtree is never article text.
NON_CONTENT_TAGS = ["script", "style", "noscript", "svg", "iframe", "template", "button", "select", "input",
                    "textarea", "nav", "aside", "footer", "figure", "figcaption", "label",
                    # embedded media: what they hold is for browsers that cannot play them (a file's address)
                    "audio", "video", "object", "embed", "canvas", "map"]
# (<form> is kept: ASP.NET pages wrap the whole page, article included, in one form; its fields'
# <label>s go, they name a field, not a sentence.)
HIDDEN = ('[hidden], [aria-hidden="true"], [style*="display:none"], [style*="display: none"], '
          '[style*="visibility:hidden"], [style*="visibility: hidden"]')
# Dialogs: consent and cookie banners, newsletter and login pop-ups, menus; removed unless holding
# a headline or an article's prose (some sites open the article in a dialog over a list).
DIALOGS = 'dialog, [role="dialog"], [role="alertdialog"], [aria-modal="true"]'

# class/id names of boilerplate: always removed, unless the name also says it is the content.
BOILERPLATE_NAME = re.compile(
    r"comment|share|sharing|social|related|recommend|newsletter|cookie|consent|subscribe|signup|"
    r"breadcrumb|byline|caption|gallery|slideshow|carousel|popup|modal|outbrain|taboola|trending|most-?popular|"
    r"author-?(?:bio|info|box)|contributor-?(?:bio|info|box)|about-?the-?author|"
    # the same in the languages of the stream, where sites name classes in their own language
    r"komment|teilen|verwandt|commentaire|partag|compartir|comentari|relacionad|correlat|komentarz|"
    r"udostepnij|powiazan")
# Names that are boilerplate on small elements but also appear on page-wide wrappers
# ("has-sidebar", "Page-ad-margins"): removed only when small and holding no prose (T.weak_*).
WEAK_BOILERPLATE_NAME = re.compile(
    r"promo|advert|sidebar|footer|menu|masthead|toolbar|widget|credit|read-?more|"
    r"werbung|anzeige|publicit|publicidad|pubblicit|reklam")
WEAK_BOILERPLATE_WORD = re.compile(r"\b(?:ads?\b|tags?\b|nav)")  # the same, as words ("ad", not "head")
CONTENT_NAME = re.compile(r"article|content|body|main|story|post|entry|text")
# (Each alternative of these patterns starts with a letter: the regex engine then tries a match only
# where one of those first letters stands. One alternative starting with a group or a \b makes it try
# at every character, a 1.5-3 times slower search.)
# The name patterns are lower case and matched against lower-cased names: re.IGNORECASE makes
# these alternations several times slower. The three letters it would also match to "i" and "s"
# are folded first, so the result is the same.
_FOLD_LIKE_IGNORECASE = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
PROTECTED_TAGS = frozenset({"html", "body", "article", "main"})
# An element the page marks as the article's body (schema.org microdata) is never pruned by its
# class/id names: widgets name it after themselves (an id "gigya-share-btns-2_gig_containerParent").
ARTICLE_BODY_PROP = "articlebody"

PARAGRAPH_TAGS = "p, pre"
TEXT_HOLDER_TAGS = "div, section, article, span, font, td, blockquote, li"  # paragraphs when holding own text
T: Final = HtmlThresholds()  # the numbers, named and explained in worker/config/cleaning.py

BLOCK_TAGS = frozenset(
    "p div section article main header h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr td th "
    "tbody thead caption hr br center address details summary".split())


def parse(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def article_paragraphs(tree: LexborHTMLParser, title: str | None = None) -> list[str]:
    """The article's paragraphs (whitespace collapsed, entities decoded). Prunes the tree in place.
    title: the page's headline (html_metadata), when known: the article is the text under it."""
    body = tree.body
    if body is None:
        return []
    _prune(tree, body)
    container, siblings = _article_container(body, _headline(body, title))
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


def collapse(text: str) -> str:
    return " ".join(text.split())


def _prune(tree: LexborHTMLParser, body: LexborNode) -> None:
    tree.strip_tags(NON_CONTENT_TAGS)
    # Children come after their parents in document order: removing in reverse never touches a
    # node whose ancestor was already freed.
    # lexbor lists an element once per selector it matches: each is removed once (a second
    # decompose would free it twice).
    hidden = {node.mem_id: node for node in body.css(HIDDEN)}
    for node in reversed(list(hidden.values())):
        node.decompose()
    dialogs = {node.mem_id: node for node in body.css(DIALOGS)}
    for node in reversed(list(dialogs.values())):
        if node.css_first("h1") is None and not _holds_prose(node):
            node.decompose()
    page_chars = len(body.text(deep=True)) or 1
    doomed = []
    weak_checks = 0
    kinds: dict[str, str] = {}  # class/id name -> its kind; pages repeat the same names a lot
    # Every element with a name is looked at: selecting only those whose names hold a hint of the
    # patterns above took lexbor one pass per hint, several times the cost of this loop. lexbor
    # lists an element matching both selectors twice: each is checked (and removed) once.
    seen: set[int] = set()
    for node in body.css("[class], [id]"):
        if node.tag in PROTECTED_TAGS or node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        attributes = node.attributes
        if ARTICLE_BODY_PROP in (attributes.get("itemprop") or "").lower():
            continue
        name = f"{attributes.get('class') or ''} #{attributes.get('id') or ''}"
        kind = kinds.get(name)
        if kind is None:
            kind = kinds[name] = _name_kind(name)
        if kind == "boilerplate":
            doomed.append(node)
        elif kind == "weak" and weak_checks < T.max_weak_checks:
            weak_checks += 1
            if len(node.text(deep=True)) < T.weak_max_share * page_chars and not _holds_prose(node):
                doomed.append(node)
    for node in reversed(doomed):
        node.decompose()


def _holds_prose(node: LexborNode) -> bool:
    """Whether node holds article-like prose: paragraphs of some length, few of them links (a
    collapsed "read more" part of the article, not a teaser list or an ad)."""
    chars = links = 0
    for paragraph in node.css("p"):
        text = paragraph.text(deep=True)
        if len(text) >= T.min_paragraph_chars:
            chars += len(text)
            links += sum(len(link.text(deep=True)) for link in paragraph.css("a"))
    return chars >= T.weak_prose_chars and links <= T.weak_prose_max_link_share * chars


def _name_kind(name: str) -> str:
    # An id names one element, so a boilerplate id ("comment-text") outweighs a content word
    # anywhere in the name (its class "user-post-text"); a class only when no content word is there.
    if not name.isascii():  # (translate looks up every character; the three letters are not ASCII)
        name = name.translate(_FOLD_LIKE_IGNORECASE)
    name = name.lower()
    identifier = name[name.rindex("#") + 1:]
    if BOILERPLATE_NAME.search(identifier):
        return "boilerplate"
    if CONTENT_NAME.search(name):
        return "content"
    if BOILERPLATE_NAME.search(name):
        return "boilerplate"
    return "weak" if WEAK_BOILERPLATE_NAME.search(name) or WEAK_BOILERPLATE_WORD.search(name) else "other"


def _headline(body: LexborNode, title: str | None) -> LexborNode | None:
    """The <h1> showing the page's headline, if one does."""
    if not title:
        return None
    for node in body.css("h1")[:HtmlMetadataThresholds.max_headings]:  # (html_metadata reads as many)
        if collapse(node.text(deep=True)) == title:
            return node
    return None


def _article_container(body: LexborNode, headline: LexborNode | None = None
                       ) -> tuple[LexborNode | None, list[LexborNode]]:
    """The best-scoring node (widened by the climb) and the siblings that belong with it."""
    scores: dict[int, float] = {}
    paragraph_chars: dict[int, int] = {}
    nodes: dict[int, LexborNode] = {}
    # <p>/<pre> cannot nest, so their full text is cheap; other elements count their own text only
    # (their full text would make deeply nested pages quadratic).
    paragraphs = [(node, node.text(deep=True)) for node in body.css(PARAGRAPH_TAGS)]
    paragraphs += [(node, node.text(deep=False)) for node in body.css(TEXT_HOLDER_TAGS)]
    for node, text in paragraphs:
        if len(text) < T.min_paragraph_chars or len(text := collapse(text)) < T.min_paragraph_chars:
            continue
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        ancestor = node.parent
        for level in range(T.credit_levels):
            if ancestor is None:
                break
            key = ancestor.mem_id
            paragraph_chars[key] = paragraph_chars.get(key, 0) + len(text)
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
        if ancestor is None or ancestor.tag in ("body", "html") or (marked is not None and not _within(ancestor, marked)):
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
    for paragraph in node.css("p"):
        inline = sum(len(link.text(deep=True)) for link in paragraph.css("a"))
        if inline and inline <= T.max_link_share * len(paragraph.text(deep=True)):
            links -= inline
    return min(links / chars, 1.0)


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
