"""Step 1 of the HTML extractor (html_content.py): remove from the tree what never holds article
text: elements of kinds that never do (scripts, navigation, figures, forms' widgets, embedded media),
hidden elements, dialogs (consent banners, pop-ups) and elements whose class/id names them as
comments, sharing, related links...
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config.cleaning import HtmlThresholds

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
T: Final = HtmlThresholds()  # the numbers, named and explained in worker/config/cleaning.py


def prune(tree: LexborHTMLParser, body: LexborNode) -> list[LexborNode]:
    """Removes from the tree what never holds article text (step 1 of html_content). Returns the
    furniture it spared: elements named as boilerplate that stay only because a content word is
    in their class too ("texto-comentarios", "ArticlePage-authorInfo-bio"), or because they hold a
    large share of the page's text without prose or a headline (a sidebar or a footer on a page
    whose article is a brief: most of its text is the template's). Their paragraphs score less
    (html_container)."""
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
    doomed, spared = [], []
    weak_checks = spare_checks = 0
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
        elif kind == "mixed":
            spared.append(node)
        elif kind == "weak" and weak_checks < T.max_weak_checks:
            weak_checks += 1
            if len(node.text(deep=True)) < T.weak_max_share * page_chars:
                if not _holds_prose(node):
                    doomed.append(node)
            elif spare_checks < T.max_spare_checks:
                spare_checks += 1
                if node.css_first("h1") is None and not _holds_prose(node):  # (a page-wide wrapper holds the h1)
                    spared.append(node)
    # The outermost spared blocks not inside a removed one (found before the removal frees them).
    inside = dict.fromkeys((node.mem_id for node in doomed), True)
    furniture = []
    for node in spared:  # (in document order: a block before the blocks inside it)
        if not _inside(node, inside):
            inside[node.mem_id] = True
            furniture.append(node)
    for node in reversed(doomed):
        node.decompose()
    return furniture


def _inside(node: LexborNode, known: dict[int, bool]) -> bool:
    """Whether node or one of its ancestors is marked True in known (by mem_id). The answer is
    noted for every node walked, so that the blocks of a deeply nested page are not each walked
    up to the top (quadratic)."""
    walked = []
    answer = False
    while node is not None:
        if node.mem_id in known:
            answer = known[node.mem_id]
            break
        walked.append(node.mem_id)
        node = node.parent
    for key in walked:
        known[key] = answer
    return answer


def _holds_prose(node: LexborNode) -> bool:
    """Whether node holds article-like prose: paragraphs of some length, few of them links (a
    collapsed "read more" part of the article, not a teaser list or an ad)."""
    chars = links = 0
    for paragraph, text in paragraph_texts(node):
        if text is None:
            break
        if len(text) >= T.min_paragraph_chars:
            chars += len(text)
            links += sum(len(link.text(deep=True)) for link in paragraph.css("a"))
    return chars >= T.weak_prose_chars and links <= T.weak_prose_max_link_share * chars


def paragraph_texts(node: LexborNode, selector: str = "p") -> Iterator[tuple[LexborNode, str | None]]:
    """Each paragraph under node (document order) with its full text, while their texts add up to
    no more than node's own text, which disjoint paragraphs never exceed; then with None. They nest
    only in broken markup (<pre> in <pre>, <p> in <marquee> in <p>), where each one's full text
    repeats its inner ones' and reading them all is quadratic: the text of those left without it
    is in an outer one's."""
    room = len(node.text(deep=True))
    for paragraph in node.css(selector):
        if room >= 0:
            text = paragraph.text(deep=True)
            room -= len(text)
            if room >= 0:
                yield paragraph, text
                continue
        yield paragraph, None


def _name_kind(name: str) -> str:
    # An id names one element, so a boilerplate id ("comment-text") outweighs a content word
    # anywhere in the name (its class "user-post-text"); a class only when no content word is there
    # (then the element is spared, as "mixed": furniture, unless it is the article).
    if not name.isascii():  # (translate looks up every character; the three letters are not ASCII)
        name = name.translate(_FOLD_LIKE_IGNORECASE)
    name = name.lower()
    boilerplate = BOILERPLATE_NAME.search(name)  # (the id is the name's end: no match in it without one here)
    if boilerplate is not None:
        if boilerplate.end() > name.rindex("#") or BOILERPLATE_NAME.search(name, name.rindex("#") + 1):
            return "boilerplate"
        return "mixed" if CONTENT_NAME.search(name) else "boilerplate"
    if CONTENT_NAME.search(name):
        return "content"
    return "weak" if WEAK_BOILERPLATE_NAME.search(name) or WEAK_BOILERPLATE_WORD.search(name) else "other"
