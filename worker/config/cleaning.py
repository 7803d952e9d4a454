"""Thresholds of the cleaning stage, named and documented here (not scattered in the code).

CleaningSettings holds what an operator tunes (CLEAN_* environment variables). TextDumpThresholds,
HtmlThresholds and HtmlMetadataThresholds hold the constants of the text-dump extractor
(worker/cleaning/text*.py, meta/bylines.py), the HTML extractor (worker/cleaning/html_prune.py,
html_container.py, html_content.py) and the HTML metadata reader (worker/cleaning/html_metadata.py):
they were tuned on the benchmarks (bench/body.py, bench/metadata.py) and change with the algorithm,
not per deployment, so they have no environment variables.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .env import get_float, get_int

# The most CLEAN_HTML_CHILD_MAX_MB can be: the child's RLIMIT_AS is bytes in a C long (setrlimit
# refused more, and every child died at start: each large HTML page a stage_error).
HTML_CHILD_MAX_MB_LIMIT = (2**63 - 1) >> 20


@dataclass(frozen=True)
class TextDumpThresholds:
    """How the text path (worker/cleaning/text*.py, meta/bylines.py) joins and scores lines, finds the
    article run and reads its header. The dump (text._Dump and its mixins) reads the instance
    extract_text is given; the per-line helpers (text_shapes, text_lines, meta/bylines: free functions)
    read the defaults, their module's T, as html_content.py does."""

    # A line ending like a sentence counts as prose from this many characters (CJK characters
    # count cjk_weight times).
    prose_min_chars: int = 40
    # One CJK character weighs this many Latin ones in a line's length: it carries about as much as three letters.
    cjk_weight: int = 3
    # A dump is CJK when more than a fifth of this many first characters are: a header and the article's start.
    cjk_sample_chars: int = 2000
    # A line this short between an unfinished line and its continuation is a link's few words: the three join.
    link_text_max_chars: int = 40
    # A longer line is never one of text_lines' phrases: they are far shorter, with room for a count around one.
    phrase_max_chars: int = 60
    # A caption's credit in brackets at its end is at most this long: a name and an agency; longer is prose.
    caption_credit_max_chars: int = 80
    # An unbracketed credit after a caption's last sentence has fewer words: names and an agency.
    caption_credit_max_words: int = 9
    # Two lines in a row opening with this many same characters, over a photo credit, are one
    # caption printed twice (alt text and caption, or in full and cut short): both go with the credit.
    caption_repeat_prefix_chars: int = 60
    # A line this long counts as prose (at half weight) even without final punctuation.
    long_line_chars: int = 150
    # So does a Chinese or Japanese line of this many characters whose clauses are separated by
    # a space (blogs write a pause so, and end lines without a full stop).
    cjk_clauses_min_chars: int = 20
    # An item of a bulleted list this long counts as text (at half its length): changelogs
    # and list articles are made of them, menus are not bulleted.
    list_item_min_chars: int = 20
    # This many long lines without final punctuation in a row (at most headline_list_gap - 1 other
    # lines between two) are a list of long headlines, not prose.
    headline_list_lines: int = 3
    headline_list_gap: int = 2
    # This many prose lines cut short with an ellipsis, each at most teaser_series_gap lines after
    # the one before, are a list of teasers (other articles' first lines), not prose.
    teaser_series_lines: int = 3
    teaser_series_gap: int = 4
    # A long line without final punctuation is a site's menu flattened into one line, not prose,
    # when at least this share of its words are capitalized (prose: mostly lower case).
    menu_capitalized_share: float = 0.7
    # So is one holding this many counts in brackets: an archive or category list ("May 2016 (4)").
    menu_counts: int = 3
    # A short line (menu item, headline, label) scores minus this, minus a quarter of its length
    short_line_penalty: float = 8.0
    # counted up to this many characters: a longer line that is not prose weighs no more against the run.
    short_penalty_max_chars: int = 120
    # Score of a boilerplate line ("Share", "Advertisement", a link, a line repeated by the site).
    boiler_penalty: float = 40.0
    # A line of no letters this short ("1", "=", "[1]") is removed but scores as a short line: in
    # get_text-style dumps, pieces of formulas, footnote marks and list numbers inside the article.
    fragment_max_chars: int = 4
    # Score of a heading that opens a list of other articles or the comments ("Related", "Comments").
    section_end_penalty: float = 150.0
    # Such a heading named by its first words ("More from <site>", "Related Topics") has at most this
    # many words: a longer line opening so is a subheading or a sentence of the article.
    section_heading_max_words: int = 5
    # ... or up to this many when it holds no colon: a site's name takes words ("More From the Los
    # Angeles Times"), while "Related post: <headline>" is a link to one article inside the article.
    section_heading_site_max_words: int = 7
    # A row of skip links ("Skip to Main Content", "Jump to navigation Jump to search") has at most
    # this many words: a longer line opening so is a sentence.
    skip_links_max_words: int = 12
    # The run after the visible headline is the article if it scores at least this share of the
    # best run anywhere in the page.
    anchored_share: float = 0.15
    # ... or at least this much (a brief's few sentences) when it starts right under the headline's
    # byline or date.
    anchored_brief_min: float = 100.0
    # The heading of the comment section ends the article once this much prose (score) preceded it;
    # so does a section end ("Recommended") that the run after the headline cannot bridge.
    prose_before_comments: float = 200.0
    # When the best run comes after a comments heading, the run before it is the article if the
    # heading is at most this many lines under it (its share bar, tags and author box between).
    comments_after_article_lines: int = 25
    # A last block of prose after a gap of at least this many non-prose lines is not the article's
    # (an author box, a site blurb) when it holds less than this share of the run's prose.
    tail_gap_lines: int = 3
    tail_share: float = 0.1
    # A news ticker ("14:44 Headline") after the article's prose ends it, and a gallery's numbered
    # slides ("3/50 Title", "2 of 5") are boilerplate: this many of their lines, each at most
    # series_max_gap lines apart.
    series_min_lines: int = 3
    series_max_gap: int = 6
    # A table's rows (text_tables.py): a line of at most table_row_max_chars holding at least
    # table_row_min_numbers numbers (a menu item holds one: "Formula 1"), in a run of at least
    # table_min_rows lines with as many numbers each and word counts at most table_row_word_spread apart;
    # in get_text-style dumps, cells of at most table_cell_max_chars whose kinds (number, words)
    # repeat with a row's width of at most table_max_columns. A table is the article's when prose
    # is at most table_prose_gap_lines lines above it and below it (a heading, a caption, a
    # footnote between); its lines then weigh table_row_weight of their length, as a list's items do.
    table_row_max_chars: int = 100
    table_row_min_numbers: int = 2
    table_min_rows: int = 3
    table_row_word_spread: int = 3
    table_cell_max_chars: int = 40
    table_max_columns: int = 12
    table_prose_gap_lines: int = 2
    table_row_weight: float = 0.5
    # No headline or <title> line is longer: such a line is no title, nor looked for again, nor read for a date.
    headline_max_chars: int = 300
    # The title, byline and date are looked for this many lines before the article...
    header_window: int = 25
    # ...and in this many lines at its start (bylines often follow the lead image or standfirst),
    body_meta_window: int = 4
    # dates in this many (they sit further down: under the share buttons, after the lead image).
    body_date_window: int = 10
    # An explicit byline ("By ...") is looked for in this many (under the lead image, its caption
    # and credit); a bare name only in body_meta_window.
    body_byline_window: int = 12
    # A site header (the site's name, a tagline, the day's date: the seeds open so) fills at most
    # this many first lines of a dump; a first line of at most site_name_max_words words is a name,
    # not a page's <title>. A bare date there is the day of the scrape, never the publication's.
    header_lines: int = 4
    site_name_max_words: int = 4
    # A title has at most this many words.
    title_max_words: int = 30
    # A line before the article is the headline when this share of its words is in the <title>.
    title_match_share: float = 0.3
    # Else, the line sharing the most words with the URL's path, when they are at least this many
    # and this share of the line's words.
    slug_match_words: int = 3
    slug_match_share: float = 0.5
    # Else, a headline-like line with a byline or a date in the next this many lines (a line that
    # is only a name counts under a line of at least headline_name_min_words words).
    headline_meta_lines: int = 3
    headline_name_min_words: int = 4
    # Else, the headline-like line nearest the article, when at most this many lines above it.
    headline_max_gap: int = 8
    # Without the <title> line to compare with (the dump opens with the site's menus), the lines
    # above the article are scored as headlines instead: their words (counted up to
    # headline_words_cap: a long teaser is no likelier), less headline_line_cost a line between
    # them and the article, plus headline_meta_bonus with a byline or date under them, plus
    # headline_shared_bonus times the share of their words the article's first
    # headline_article_lines prose lines use (its lead restates the headline; a menu item, a
    # teaser, a label does not). Words compare by their first headline_stem_chars letters (one
    # stem for "koronavírust" and "koronavírusokból"), words shorter than headline_stem_min_chars
    # left out (articles, particles); CJK by pairs of characters.
    headline_words_cap: int = 8
    headline_line_cost: float = 0.1
    headline_meta_bonus: float = 4.0
    headline_shared_bonus: float = 16.0
    headline_article_lines: int = 4
    headline_stem_chars: int = 5
    headline_stem_min_chars: int = 4
    # A line that is only a person's name is a byline this many lines under the headline (or in
    # the article's first body_meta_window lines).
    bare_name_lines: int = 3
    # A line that is only a name this many lines over a reading time ("8 min read"; a "Follow"
    # button between) is the author, wherever it stands before the article.
    reading_time_name_lines: int = 2
    # An explicit byline ("By ...", "Von ...") this many lines above the headline is the article's.
    byline_above_lines: int = 2
    # A byline or date line is at most this long: a longer one is prose, read for a date only at its opening.
    meta_line_max_chars: int = 160
    # A byline is at most this long: a name or two, a role, a date ("By A and B, Staff Writers, Nov. 19, 2019").
    byline_max_chars: int = 140
    # A byline word is looked for in this many first characters: it opens the line or follows a date.
    byline_opening_chars: int = 40
    # Up to this long, a line opening with "By" is a byline going on about the author ("By A, an editor ...").
    opened_byline_max_chars: int = 600
    # A one-word name after a byline word ("by Catherine": blogs sign so) has this many letters: fewer, initials.
    single_name_min_chars: int = 3
    # A post line of a date and its author's name ("November 20, 2019 Jane Roe") is this long at most: not prose.
    dated_name_max_chars: int = 100
    # A line that is only a person's name, perhaps with a role or a handle, is at most this long: longer is prose.
    bare_name_max_chars: int = 80
    # At most this many words after a name and a comma or " | " are its role ("Jane Roe, Reuters"), not a title.
    affiliation_max_words: int = 5
    # A long line opening with a date is read for it in this many first characters: "Published on" and a date fit.
    date_opening_chars: int = 40
    # The author box at the article's end goes: a last paragraph opening with the byline's name, and
    # the line above it when that holds the name and at most this many other words ("About Jane Roe").
    author_box_heading_extra_words: int = 2
    # Under such a heading, a last paragraph naming the author in this many first characters is the box.
    author_box_name_chars: int = 200
    # A list of bullets at the top goes when this share of its items is repeated by the body,
    summary_repeat_share: float = 0.5
    # an item counting as repeated when this share of its words is found in the body.
    summary_item_contained: float = 0.6
    # Rounds of reading the result again until it settles, at most: a bound on the cost (pages need one, rarely two).
    settle_max_rounds: int = 3


@dataclass(frozen=True)
class HtmlThresholds:
    """How the HTML path (worker/cleaning/html_prune.py, html_container.py, html_content.py) finds
    the article: readability's method, every value chosen by its effect on the shared sets' tuning
    parts (bench/body.py)."""

    # A paragraph-like element (p, pre; div, li... holding its own text) counts from this many characters.
    min_paragraph_chars: int = 25
    # Elements with a weak boilerplate name ("promo", "sidebar") go only when holding less than
    # this share of the page's text ("has-sidebar", "Page-ad-margins" also name page-wide wrappers)...
    weak_max_share: float = 0.3
    # ...and stay whatever their size when they hold this much paragraph text, at most this share
    # of it links (a collapsed "read more" part of the article, not a teaser list).
    weak_prose_chars: int = 1000
    weak_prose_max_link_share: float = 0.1
    # Weak-named elements whose size is checked (bounds pages that nest thousands).
    max_weak_checks: int = 200
    # Of those, the ones holding over weak_max_share of the page's text that are looked through
    # for prose and a headline, to be spared as furniture (a page has few such blocks unless it
    # nests them: each look is a pass over the block's paragraphs).
    max_spare_checks: int = 20
    # Paragraphs inside the boilerplate-named blocks pruning spares (html_prune.prune) count this
    # share of their score and of their length (0.1-0.2 are alike on the tuning parts; 0 loses briefs).
    furniture_weight: float = 0.2
    # Best-scoring containers whose link density is checked (it needs each one's full text).
    max_candidates: int = 50
    # When this many other candidates score this share of the best, the article is split among
    # them: the container is the ancestor they share with the best (readability's rule).
    rival_share: float = 0.5
    min_rivals: int = 3
    # The container climbs to an ancestor holding this many times its paragraph text, or this
    # many times and this many characters more (long articles split into sections)...
    climb_gain: float = 1.6
    climb_min_ratio: float = 1.3
    climb_min_chars: int = 800
    # ...at most this many levels, and only where the ancestor's link share exceeds the
    # container's by at most this (a teaser list around the article is no article).
    climb_levels: int = 6
    climb_max_link_gain: float = 0.05
    # Siblings of the container scoring this share of its score (and at least the minimum) are
    # article too; so are sibling <p>s this long with under this share of links.
    sibling_share: float = 0.2
    sibling_min_score: float = 10.0
    sibling_paragraph_chars: int = 80
    sibling_paragraph_max_link_share: float = 0.25
    # The block under the headline (its nearest ancestor holding this much paragraph text) is the
    # article when its best candidate scores this share of the best-scoring block elsewhere.
    anchor_min_chars: int = 150
    anchored_share: float = 0.15
    # ...when the best-scoring block is a list: this many items of one kind, this share of them at
    # most this long and opening with a link.
    list_min_items: int = 4
    list_item_max_chars: int = 400
    list_linked_share: float = 0.6
    # Blocks whose text is more than this share link text are dropped (menus, "read more" lists)
    # unless they stand between two of the container's prose blocks (this long, links under that
    # share): there they are the article's own links (a changelog, a list of what it reviews).
    max_link_share: float = 0.5
    span_prose_chars: int = 80
    # Below this many characters of article text (and fewer words than the quality gate's
    # minimum) the own extractor has probably missed the article: trafilatura is asked too, and
    # its text is kept when longer.
    fallback_below_chars: int = 200
    # ... unless the page has more tags than this: trafilatura's Python code costs several times
    # the own extractor's a tag, and no real article page comes near this many.
    fallback_max_tags: int = 20_000

    @property
    def credit_levels(self) -> int:
        """How far up paragraph text is credited to ancestors: enough for the climb, and bounded."""
        return 2 + self.climb_levels + 1


@dataclass(frozen=True)
class HtmlMetadataThresholds:
    """How the HTML path reads the page's metadata (worker/cleaning/html_metadata.py): which
    headings, bylines and dates it looks at, and how far from the headline. Measured by
    bench/metadata.py; read as the module's T, as html_content.py reads HtmlThresholds."""

    # A declared title or an <h1> longer than this is no headline (a description, a page's text).
    title_max_chars: int = 400
    # An <h1> shorter than this is a mark or an initial, not a headline.
    heading_min_chars: int = 3
    # <h1>s looked at: the headline is among the first; later ones are widgets.
    max_headings: int = 3
    # An <h1> quoted in a declared title ("Opinion | <h1>") has this many words: one word is in any title.
    quoted_heading_min_words: int = 2
    # Else the first <h1> is the headline, reworded for search engines, when it shares this many
    # words with a declared title, counting words of at least shared_word_min_chars letters (not "the", "of").
    shared_title_words: int = 2
    shared_word_min_chars: int = 4
    # A byline- or date-like element longer than this is a whole author box or page part, not a byline or date.
    byline_max_chars: int = 200
    # Byline-, <time> and date-like elements looked at, of each kind: bounds pages that nest thousands.
    max_byline_elements: int = 30
    # Entries of a JSON-LD author list read (each is parsed as a byline): a longer list is a staff
    # page or hostile markup, not an article's authors.
    max_linked_authors: int = 100
    # A date written this many characters from the headline (before or after it) still belongs to it.
    dateline_chars: int = 300
    # A plain-text byline sits within this many text lines under the headline, and spans at most as many.
    byline_lines: int = 6


@dataclass(frozen=True)
class CleaningSettings:
    # Quality gate: a page whose cleaned text has fewer words than this has no article text
    # and goes to the DLQ with reason no_content. Words are counted per script
    # (worker/cleaning/normalize.py count_words): a character of Chinese, Japanese, Thai, Lao,
    # Khmer or Myanmar is one word, elsewhere a run between spaces holding a letter or digit.
    min_words: int = 25
    # Language detection (CLD2, worker/cleaning/language.py) reads this many characters from the
    # middle of the article and answers only when it calls its answer reliable and attributes at
    # least this share of the sample to the language (else the page's declared language).
    language_sample_chars: int = 500
    language_min_confidence: float = 0.5
    # With a stage time limit, HTML pages with more tags than this ('<' characters), or longer
    # than this many characters, are extracted in a child process that is killed at the limit
    # (worker/stages/isolation.py): no signal stops the parsers' C code, and its cost is not
    # linear: tags x nesting depth, and the square of one element's attributes (lexbor and lxml
    # both look for an earlier attribute of the same name). Below both, the worst of either shape
    # is extracted in well under a second, in process.
    html_isolate_above_tags: int = 3000
    html_isolate_above_chars: int = 64_000
    # ... or with more formatting start tags (<b>, <i>, <font>...) than this: the parser re-opens
    # those left open at each new block (html_content.formatting_tags), so below both bounds above
    # a page could still build millions of elements; with at most this many, the worst stays small.
    html_isolate_above_formatting_tags: int = 50
    # The address space of that child process, in MB (0: no limit). A hostile page's tree grows by
    # hundreds of MB a second until the time limit kills the child (400 KB of formatting tags left
    # open: over 1 GB in 3 s); at this bound the parser gives up and the page goes to the DLQ
    # (stage_error) at once, whatever memory the container or host has. Real pages stay far below
    # it, 2 MB ones included (the shared sets' pages need less than 700). The preparing processes
    # of `process --jobs N` extract in process: each may grow by this much over what it held
    # when forked (the parent's memory, which a long run's dedup index makes large).
    html_child_max_mb: int = 1024
    # Paragraphs at the article's end in another script than its title go (a template's sidebar
    # in the site's language under an article it carries; worker/cleaning/scripts.py): a text is
    # in a script when this share of its letters are, and they go only after this many
    # paragraphs in the title's script. Not read from the environment.
    foreign_script_share: float = 0.8
    foreign_tail_min_kept: int = 2
    text: TextDumpThresholds = field(default_factory=TextDumpThresholds)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CleaningSettings:
        return cls(
            min_words=get_int(env, "CLEAN_MIN_WORDS", cls.min_words, minimum=0),
            language_sample_chars=get_int(env, "CLEAN_LANGUAGE_SAMPLE_CHARS", cls.language_sample_chars,
                                          minimum=50),
            language_min_confidence=get_float(env, "CLEAN_LANGUAGE_MIN_CONFIDENCE", cls.language_min_confidence,
                                              minimum=0.0, maximum=1.0),
            html_isolate_above_tags=get_int(env, "CLEAN_HTML_ISOLATE_ABOVE_TAGS", cls.html_isolate_above_tags,
                                            minimum=0, maximum=20_000),
            html_isolate_above_chars=get_int(env, "CLEAN_HTML_ISOLATE_ABOVE_CHARS", cls.html_isolate_above_chars,
                                             minimum=0, maximum=500_000),
            html_isolate_above_formatting_tags=get_int(env, "CLEAN_HTML_ISOLATE_ABOVE_FORMATTING_TAGS",
                                                       cls.html_isolate_above_formatting_tags, minimum=0,
                                                       maximum=1000),
            html_child_max_mb=get_int(env, "CLEAN_HTML_CHILD_MAX_MB", cls.html_child_max_mb, minimum=0,
                                      maximum=HTML_CHILD_MAX_MB_LIMIT),
        )


@dataclass(frozen=True)
class DateLimits:
    """Which dates can be publication dates (worker/cleaning/meta/dates.py): anything older, or
    later than the page's fetch plus the margin (time zones, embargoed pages), is a parsing accident."""

    earliest_year: int = 1990
    days_ahead: int = 2
    # The furthest west and east publishers' UTC offsets (hours) taken for a day written in local
    # time (a URL's) to differ from the day of a time stated in UTC: the Americas' Pacific coast,
    # Australia's east coast.
    west_hours: float = 8.0
    east_hours: float = 10.0
