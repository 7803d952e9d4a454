"""What one line of a text dump is: article text, boilerplate, a section end, a photo credit, a byline.

The signals are structural first (length, final punctuation, links, separators, digits) and lexical
second: short lists of the phrases sites print around articles, per language. A phrase list only
matches a whole short line (or its first words, for "Read more: ..."), never words inside prose.
The thresholds are TextDumpThresholds' defaults (T: free functions, called per line).
"""
from __future__ import annotations

import re
from typing import Final

from ..config.cleaning import TextDumpThresholds
from .meta.dates import HAS_YEAR, MONTH_BY_NAME
from .prompts import is_prompt

T: Final = TextDumpThresholds()  # the numbers, named and explained in worker/config/cleaning.py

# Line kinds. Everything but TEXT is removed from the article body when it falls inside it.
TEXT: Final = 0
BOILER: Final = 1  # navigation, share/login/newsletter prompts, copyright, links, lines of no words
SECTION_END: Final = 2  # a heading that opens what surrounds an article: related links, most read, ...
CREDIT: Final = 3  # photo credit; the caption line before it goes too
BYLINE: Final = 4
DATELINE: Final = 5  # a line that is only a date (with "Published", a time, a weekday)
COMMENTS: Final = 6  # the heading of the comment section: the article is over

# Whole-line phrases (compared after casefold and trimming punctuation). Section ends first.
SECTION_END_PHRASES: Final = frozenset("""
related articles|related news|related posts|related stories|related content|related|latest news|latest
|more news|more stories|more from|recommended|recommended for you|you may also like|you might also like
|read next|read more|more on this story|most popular|most read|trending|trending now|popular posts

|ähnliche artikel|ähnliche themen|mehr zum thema|weitere artikel|das könnte sie auch interessieren
|auch interessant|lesen sie auch|meistgelesen|neueste artikel|top-artikel
|à lire aussi|a lire aussi|lire aussi|voir aussi|articles similaires|articles liés|sur le même sujet
|les plus lus|dernières actualités|dans la même rubrique
|noticias relacionadas|artículos relacionados|te puede interesar|lo más leído|lo más visto
|últimas noticias|más noticias|también te puede interesar
|articoli correlati|potrebbe interessarti|ti potrebbe interessare|i più letti
|ultime notizie|notícias relacionadas|leia também|veja também|mais lidas
|últimas notícias|podobne artykuły|czytaj też|czytaj także|zobacz też|zobacz także|najczęściej czytane
|najnowsze|polecamy|gerelateerde artikelen|lees ook|meest gelezen
|você pode gostar|talvez você goste|you may like|share this:|похожие статьи|читайте также|последние новости|популярное
|материалы по теме|новости по теме
""".replace("\n", "").split("|"))

# First words of a short heading over a list of other articles ("More from The Times", "Related
# Topics", "Top Stories", "Mehr aus Berlin"): whole-line phrases cannot list every site's and
# section's name after them (casefolded, a space after the last word). Not "plus de", "más de":
# "Más de 300 heridos" is a subheading too.
SECTION_END_STARTS: Final = tuple(f"{start} " for start in """
more from|more in|more on|more about|more stories|more news|more articles|more videos|more coverage|related
|next up in
|other news|other stories|other articles|top stories|top news|latest news|latest stories|latest articles
|latest videos|latest headlines|trending|most popular|most read|most viewed|most shared|popular in|popular on
|popular stories|popular articles|popular posts|recommended|you may also|you might also
|mehr aus|mehr von|mehr zum|mehr zur|weitere artikel|weitere nachrichten|meistgelesen|autres articles
|más noticias|otras noticias|altre notizie|mais notícias|outras notícias|więcej z|inne artykuły
|meer over|meer nieuws|другие новости|ещё по теме|еще по теме
""".replace("\n", "").split("|"))

# A short heading whose first word says "more of", "the latest", "all" and whose last word names a
# kind of article ("More Business News", "Top Local Stories", "More Great WIRED Stories", "MORE
# HEADLINES", "All Articles", "Todas as Notícias", "Все новости"): the words between are a
# section's or a site's name (casefolded).
_LIST_HEADING_FIRST: Final = frozenset("""
more other latest top popular related recommended trending all recent previous next new featured sponsored
weitere alle neueste plus tous toutes derniers dernières récents más todas todos últimas mais
altre tutte tutti ultime wszystkie najnowsze meer alle все другие последние
""".split())
_LIST_HEADING_LAST: Final = frozenset("""
stories articles news videos headlines posts
nachrichten artikel meldungen beiträge actualités articles vidéos noticias artículos vídeos notícias artigos
notizie articoli video wiadomości artykuły nieuws artikelen новости статьи видео
""".split())

# First words of a page's skip links, the accessibility links over its menus ("Skip to Main
# Content", "Jump to navigation Jump to search", "Aller au contenu principal Aller au pied de
# page"): a row of them names no article (casefolded).
_SKIP_LINK_STARTS: Final = ("skip to ", "skip navigation", "jump to ", "aller au contenu", "aller à la navigation",
                            "zum inhalt", "springe zu", "direkt zum inhalt", "saltar al contenido", "ir al contenido",
                            "vai al contenuto", "pular para o conteúdo", "przejdź do treści")

_COMMENTS_PHRASES: Final = frozenset("""
leave a reply|leave a comment|post a comment|add a comment|join the conversation|join the discussion
|kommentar schreiben|kommentieren|laisser un commentaire|réagir|deja un comentario|deja una respuesta
|lascia un commento|deixe um comentário|deixe uma resposta|dodaj komentarz|skomentuj|написать комментарий
""".replace("\n", "").split("|"))

BOILER_PHRASES: Final = frozenset("""
advertisement|advertising|sponsored|sponsored content|ad|ads|share|share this|share this article
|share this story|share on facebook|share on twitter|tweet|email|e-mail|print|whatsapp|facebook|twitter
|linkedin|pinterest|reddit|telegram|copy link|newsletter|subscribe|subscribe now|sign up|sign in|log in
|login|logout|register|follow us|menu|search|home|skip to content|skip to main content|close|open
|accept|privacy policy|cookie policy|terms of use|terms of service|contact us|about us|back to top
|next article|previous article|next|previous|prev|tags|topics|loading|show more|see more|view more
|load more|please enter your comment!|please enter your name here|you have entered an incorrect email address!
|comments are closed|source link|source|continue reading|click here|watch|listen|play|pause|video
|photos|gallery|toggle navigation|main menu|sections|more|×|0:00
|anzeige|werbung|teilen|drucken|anmelden|abmelden|registrieren|suche|startseite|impressum|datenschutz
|zurück|nach oben|schließen|weiterlesen|mehr|jetzt abonnieren|newsletter abonnieren
|publicité|partager|imprimer|s'abonner|abonnez-vous|se connecter|connexion|rechercher|accueil|fermer
|mentions légales|lire la suite|suivant|précédent
|publicidad|compartir|imprimir|suscríbete|suscribirse|iniciar sesión|buscar|inicio|cerrar|leer más|siguiente
|anterior|pubblicità|condividi|stampa|iscriviti|accedi|cerca|chiudi|leggi tutto|continua a leggere
|publicidade|compartilhar|partilhar|assine|entrar|fechar|leia mais|próximo|reklama|udostępnij|zaloguj się
|zaloguj|szukaj|zamknij|czytaj więcej|więcej|advertentie|delen|inloggen|zoeken|sluiten|lees meer
|реклама|поделиться|войти|поиск|закрыть|подробнее
""".replace("\n", "").split("|"))

# First words of a line that points elsewhere ("Read more: <another headline>"), lower case.
_POINTER_STARTS: Final = (
    "read more", "read also", "also read", "see also", "related", "more:", "watch:", "listen:", "recommended",
    "sponsored", "click here", "sign up", "subscribe", "follow us", "share on", "lesen sie auch", "mehr zum thema",
    "siehe auch", "auch interessant", "lire aussi", "à lire aussi", "voir aussi", "lea también", "lee también",
    "ver también", "leggi anche", "vedi anche", "leia também", "veja também", "czytaj też", "czytaj także",
    "zobacz też", "zobacz także", "lees ook", "читайте также")
_POINTER: Final = re.compile(r"^[^:>»|–—-]{2,25}\s*[:>»|–—-]")  # the pointer words end with a separator
# Photo credits: agency and stock names, or "Photo:" and its translations first (lower case).
_CREDIT_NAMES: Final = ("getty images", "shutterstock", "istockphoto", "ap photo", "afp photo", "reuters/", "/reuters",
                 "/ reuters", "/afp", "/ afp", "imago", "picture alliance", "picture-alliance", "photo credit",
                 "image credit", "image source", "bildquelle", "photograph:")
_CREDIT_STARTS: Final = ("photo:", "photo :", "photos:", "foto:", "fotos:", "bild:", "image:", "credit:", "crédit",
                  "crédito", "fotografía:", "zdjęcie:", "fot.", "źródło:", "quelle:", "source:", "(photo", "(image",
                  "courtesy", "photo courtesy", "image courtesy")


def _by_first_character(prefixes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The (non-empty) prefixes grouped by their first character."""
    grouped: dict[str, tuple[str, ...]] = {}
    for prefix in prefixes:
        grouped[prefix[0]] = grouped.get(prefix[0], ()) + (prefix,)
    return grouped


# The prefixes a line can start with are the group of its first character: startswith tries a
# few instead of all 35 (or 21), one C call each (2.2 and 1.8 us/page of the 8 refine_kind calls).
_POINTER_STARTS_BY_FIRST: Final = _by_first_character(_POINTER_STARTS)
_CREDIT_STARTS_BY_FIRST: Final = _by_first_character(_CREDIT_STARTS)
# "All rights reserved" in the stream's languages (a copyright line, a site's rights notice).
_RIGHTS_RESERVED: Final = ("all rights reserved", "alle rechte vorbehalten", "tous droits réservés",
                           "todos los derechos reservados", "tutti i diritti riservati", "wszelkie prawa zastrzeżone",
                           "todos os direitos reservados", "alle rettigheder forbeholdes", "alle rechten voorbehouden",
                           "все права защищены")
_COPYRIGHT: Final = ("copyright", "©") + _RIGHTS_RESERVED
# One pass over the lower-cased line for all of them: a regex alternation of plain strings is faster
# than a loop of `in` tests in Python.
_CREDIT_MARK: Final = re.compile("|".join(map(re.escape, _CREDIT_NAMES)))
_COPYRIGHT_MARK: Final = re.compile("|".join(map(re.escape, _COPYRIGHT)))


def _prefix_tree(words: tuple[str, ...]) -> str:
    """A regex matching any of `words`, its alternatives grouped by their common beginnings
    ("a(?:fp photo|p photo)"): re tries every alternative at every position, so fewer of them at
    the top make a search of a line about a third faster."""
    first: dict[str, list[str]] = {}
    for word in words:
        first.setdefault(word[:1], []).append(word[1:])
    branches: list[str] = []
    for head, tails in sorted(first.items()):
        if "" in tails or len(tails) == 1:
            branches.extend(re.escape(head + tail) for tail in tails)
        else:
            branches.append(re.escape(head) + "(?:" + _prefix_tree(tuple(tails)) + ")")
    return "|".join(branches)


# Either of them: most lines have neither, and one search then answers for both.
_CREDIT_OR_COPYRIGHT: Final = re.compile(_prefix_tree(_CREDIT_NAMES + _COPYRIGHT))
# A piece of each of them (every one holds one of these): a line holding none has neither, and
# substring searches rule it out for less than the regex would.
_CREDIT_OR_COPYRIGHT_PIECES: Final = ("/", "©", "photo", "imag", "stock", "pictur", "bildq", "copyr", "serv", "rechte",
                                      "prawa", "direitos", "rettigheder", "защищ")
_LINK: Final = re.compile(r"https?://|www\.\w|\w@\w+\.\w")
# A line that is only a date, with what usually surrounds one ("Published", a weekday, a time).
# Words of a date line besides the date ("Published", a weekday, a time zone), lower case.
_DATE_WORDS: Final = frozenset("""
published updated posted last on at am pm gmt utc et est edt cet cest bst pst pdt ist
veröffentlicht aktualisiert stand um uhr publié mis à jour le publicado actualizado el a las
pubblicato aggiornato alle opublikowano aktualizacja godz gepubliceerd bijgewerkt om
monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi
samedi dimanche lunes martes miércoles jueves viernes sábado domingo lunedì martedì mercoledì
giovedì venerdì sabato domenica poniedziałek wtorek środa czwartek piątek sobota niedziela
""".split()) | frozenset(MONTH_BY_NAME)
_LETTERS: Final = re.compile(r"[^\W\d_]+")
_HAS_WORD: Final = re.compile(r"[^\W_]")

# "Comments" and "responses": a short line starting or ending with one opens the comment section.
_COMMENT_WORDS: Final = frozenset("""comment comments kommentar kommentare commentaire commentaires comentario
comentarios comentário comentários commento commenti komentarz komentarze komentarzy reactie reacties комментарий
комментарии комментариев responses replies réponses respuestas antworten odpowiedzi""".split())
# The title WordPress themes print over the comments, however long the headline it quotes:
# "12 thoughts on “Headline”", "One response to “Headline”", and in the other languages.
_COMMENTS_TITLE: Final = re.compile(
    r"(?:\d+|one|no|un|une|uno|una|ein|eine|één|um|uma)\s+"
    r"(?:thoughts?|responses?|comments?|repl(?:y|ies)|gedanken?|kommentare?|réflexions?|commentaires?|réponses?|"
    r"comentarios?|respuestas?|pensamientos?|pensieri|pensiero|commenti|commento|risposte|gedachten?|reacties?|"
    r"comentários?|respostas?|pensamentos?)\s+"
    r"(?:on|to|zu|sur|à|en|sobre|a|su|op|over|em|para)\s+[“\"'‘«„‹]")


def is_comments_title(line: str) -> bool:
    """A line opening the comments with a count and the article's quoted headline (WordPress)."""
    first = line[:1]
    return (first.isdigit() or first in "OoNnUuEeÉé") and _COMMENTS_TITLE.match(line.casefold()) is not None


# Kind of every whole-line phrase, for one dict lookup per short line.
_PHRASE_KINDS: Final = {**dict.fromkeys(BOILER_PHRASES, BOILER), **dict.fromkeys(SECTION_END_PHRASES, SECTION_END),
                 **dict.fromkeys(_COMMENTS_PHRASES, COMMENTS)}
SENTENCE_END: Final = frozenset('.!?…:;"”»’\'。！？।؟')
_TRIM: Final = " \t.:!|»›>«<-–—•*#·,()[]{}0123456789"


def phrase_kind(line: str) -> int:
    """Kind of a line from its words alone: TEXT, BOILER or SECTION_END. Cheap (no regex), so it
    runs on every line; `refine_kind` looks closer at the lines that end up inside an article."""
    if len(line) > T.phrase_max_chars:
        return TEXT
    key = line.casefold().strip(_TRIM)
    kind = _PHRASE_KINDS.get(key)
    if kind is not None:
        return kind
    if not key:
        return BOILER
    if line[-1] in ".!?":
        return TEXT
    words = key.split()
    if len(words) <= T.skip_links_max_words and key.startswith(_SKIP_LINK_STARTS):
        return BOILER
    if (len(words) <= T.section_heading_max_words or (len(words) <= T.section_heading_site_max_words
                                                      and ":" not in key)) \
            and (key + " ").startswith(SECTION_END_STARTS):
        return SECTION_END
    if 2 <= len(words) <= T.section_heading_max_words and words[0] in _LIST_HEADING_FIRST \
            and words[-1] in _LIST_HEADING_LAST and ":" not in line:
        return SECTION_END
    if words:
        if len(words) <= 4 and (words[-1] in _COMMENT_WORDS or words[0] in _COMMENT_WORDS):
            return COMMENTS  # "34 Comments", "Top Rated Comments", "Kommentare (12)", "View comments"
        if line[0].isdigit() and words[0] in _COMMENT_WORDS:
            return COMMENTS  # "34 responses to “Headline”"
    return TEXT


def refine_kind(line: str) -> int:
    """Kind of a line of the article run that phrase_kind left as TEXT: credits, links, copyright,
    pointers to other articles, date lines, lines without a letter or digit. Substring tests
    guard every regex: case-insensitive alternations are slow in Python's re."""
    if is_prompt(line):
        return BOILER
    spaces = line.count(" ")
    if spaces >= 20:
        return TEXT
    if not line[:1].isalnum() and _HAS_WORD.search(line) is None:  # (isalnum: [^\W_] for one character)
        return BOILER
    low = line.lower()
    if low.startswith(_CREDIT_STARTS_BY_FIRST.get(low[:1], ())):
        return CREDIT
    if spaces < 8 and ("," in low or "/" in low) and _AGENCY_END.search(low):
        return CREDIT
    if _holds_credit_or_copyright_piece(low) and _CREDIT_OR_COPYRIGHT.search(low):
        if _CREDIT_MARK.search(low):
            return CREDIT
        if _COPYRIGHT_MARK.search(low):
            return BOILER
    # (A search for one character costs half that for several, or less (memchr): where a longer
    # string holds a rarer character, the one character is looked for first. " | " needs "|"; a
    # link ("http://", "www.x", "a@b.c") needs "/" with "http", or "." with "www." or "@".)
    if "|" in line and line.count(" | ") >= 2:
        return BOILER
    if (("/" in low and "http" in low) or ("." in low and ("www." in low or "@" in low))) and _LINK.search(low):
        return BOILER
    if low.startswith(_POINTER_STARTS_BY_FIRST.get(low[:1], ())) and _POINTER.match(low):
        return BOILER
    # (HAS_YEAR matches "19dd", "20dd" or "/1d", "/2d": substring tests rule out most lines at a
    # third of the regex's cost; "19" and "20" after their rarer digit.)
    if (spaces < 12 and (("9" in line and "19" in line) or ("0" in line and "20" in line) or "/" in line)
            and HAS_YEAR.search(line) and _is_only_date(line)):
        return DATELINE
    return TEXT


# A site's rights notice: "© 2019 X", "Copyright 2019 X", "... All rights reserved." ("Copyright"
# alone opens sentences about copyright.)
_RIGHTS_OPENING: Final = re.compile(r"(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4}))", re.IGNORECASE)


def is_rights_line(line: str) -> bool:
    """A line holding a site's rights notice: opening with "©" or "Copyright 2019", or saying
    "All rights reserved" in one of the languages."""
    if _RIGHTS_OPENING.match(line) is not None:
        return True
    low = line.lower()
    return ("rese" in low or "vorb" in low or "réser" in low or "rett" in low or "riserv" in low or "zastrz" in low
            or "защищ" in low or "voorb" in low) and any(phrase in low for phrase in _RIGHTS_RESERVED)


def is_captioned(line: str) -> bool:
    """A sentence that ends with its photo credit in brackets: a caption ("... rally at the
    Statehouse. (Photo by Jane Doe/Getty Images)", "... rabbits. ( JOHN DOE/SCIENCE PHOTO LIBRARY)"),
    or after its last sentence, unbracketed ("... in Seoul on Thursday. Anthony Wallace / AFP -
    Getty Images", "... in Geneva. REUTERS/Pierre Albouy", "... Foto: Markus Scholz/dpa")."""
    if not line.endswith(")"):
        return _credit_after_sentence(line)
    opening = line.rfind("(")
    if opening <= 0 or len(line) - opening > T.caption_credit_max_chars:
        return False
    credit = line[opening + 1:].lower()
    return credit.lstrip().startswith(_CREDIT_STARTS_BY_FIRST.get(credit.lstrip()[:1], ())) or \
        _CREDIT_MARK.search(credit) is not None or _AGENCY_END.search(credit) is not None


def _credit_after_sentence(line: str) -> bool:
    """The line's last part, after its last sentence end, is a photo credit: a few words without
    final punctuation naming an agency or a stock library, or opening with "Photo:" and its kin.
    (Prose ends with its sentence: a credit names no sentence's end after it.)"""
    if line[-1] in SENTENCE_END or not ("/" in line or ":" in line or "," in line or "images" in line.lower()
                                        or "photo" in line.lower()):
        return False
    end = max(line.rfind(". "), line.rfind("? "), line.rfind("! "), line.rfind('." '), line.rfind(".” "))
    if end <= 0:
        return False
    credit = line[end + 2:].lstrip(' "”').lower()
    if len(credit) > T.caption_credit_max_chars or credit.count(" ") >= T.caption_credit_max_words:
        return False
    return credit.startswith(_CREDIT_STARTS_BY_FIRST.get(credit[:1], ())) or _CREDIT_MARK.search(credit) is not None \
        or _AGENCY_END.search(credit) is not None


# A name and an agency: "Michael Conroy, AP", "Jane Doe/EPA", "( JOHN DOE/SCIENCE PHOTO LIBRARY)".
_AGENCY_END: Final = re.compile(r"(?:,|/)\s*(?:ap|afp|epa|reuters|dpa|getty images|science photo library|"
                                r"usa today|shutterstock|alamy|efe|ansa|anp)\s*\)?\s*$")


def _holds_credit_or_copyright_piece(low: str) -> bool:
    """Whether `low` holds one of the pieces every credit or copyright pattern needs (a cheap test
    before _CREDIT_OR_COPYRIGHT's regex)."""
    return any(piece in low for piece in _CREDIT_OR_COPYRIGHT_PIECES)


def _is_only_date(line: str) -> bool:
    """True when nothing but date parts and the usual words around a date remain."""
    # What may remain: "de", "th", "h", a zone abbreviation: at most four letters. (The words are
    # looked up only until more remain.)
    words: list[str] = _LETTERS.findall(line)
    remaining = 0
    for word in words:
        if word.lower() not in _DATE_WORDS:
            remaining += len(word)
            if remaining > 4:
                return False
    return True


# Words of a line, for comparing two lines (the title against its copies, repeated paragraphs).
_WORD: Final = re.compile(r"\w+")
# (_words) Characters that are neither word characters nor whitespace, stripped from a token's
# ends: ASCII punctuation and controls, and the common quotes and dashes.
_NOT_WORD_ENDS: Final = "".join(
    ch for ch in map(chr, range(128)) if not ch.isalnum() and ch != "_" and not ch.isspace()) + "‘’‚“”„«»‹›–—…"


def word_key(text: str) -> str:
    return " ".join(split_words(text.casefold()))


def split_words(text: str) -> list[str]:
    """_WORD.findall(text), at half its cost: the words are found in the text's whitespace-separated
    tokens (no whitespace character is a word character), and most tokens are a word once their
    ends' punctuation is stripped (str.isalnum says so); only the others go to the regex, which
    matches character by character (\\w asks Unicode's tables of each: ~30 ns a character)."""
    words: list[str] = []
    for token in text.split():
        if not token.isalnum():
            token = token.strip(_NOT_WORD_ENDS)
            if not token.isalnum():
                if token:
                    words.extend(_WORD.findall(token))
                continue
        words.append(token)
    return words
