"""Whether a cleaned text is an article that can be compared with others, and if not, why.

When cleaning keeps a page's boilerplate instead of its article (a consent wall, a paywall teaser,
a menu with a few teasers), two unrelated pages can come out with the same "article": compared on
that text they would be exact or near duplicates of each other. Such a text is not compared at all
(dedup.method null, dedup.reason saying why); the page is still matched by its URL (a recrawl).

The rules look at the text alone, the same in every replica and after a restart (no state learned
from the stream). Lines are weighed in words: their tokens (worker/dedup/shingles.py), a character
of the scripts written without spaces (a token of its own) weighing unspaced_token_weight, so that
a line of eight Korean or Chinese characters, a teaser's headline, is not a line of prose:
- consent_notice / paywall: most tokens are in lines written like a cookie-consent notice or a
  paywall (several of their usual terms in one line, one in every _WALL_TOKENS_PER_TERM tokens at
  least, or one in a line as short as a button),
  in English, German, French, Spanish, Italian, Dutch and Portuguese; or such lines hold at least
  notice_prose_share as many tokens as the prose lines beside them and those are fewer than
  notice_article_tokens (the wall among its template's leftovers: a byline, a teaser, a credit);
- too_short: fewer than min_prose_tokens tokens in prose lines (distinct lines of at least
  prose_line_tokens tokens that are not consent, paywall or legal-notice lines, a repeated line
  counted once): menus, buttons, link lists, repeated teasers and a site's footer ("All rights
  reserved", "may not be reproduced without permission") are not an article.
The prose lines found here also make the exact-duplicate key (worker/dedup/fingerprint.py), which
adds a reason that needs the page's title: unrelated_to_title (a short text holding none of its
title's words: its template's block, not its article); and the index adds one that needs the pages
seen before: repeated_on_site (a short text its site published before under another title).
A rule on the share of short lines was tried and left out: real articles made mostly of list
lines (a meal plan, a product list) fall below any share that catches menus.
Thresholds: worker/config/dedup.py (bench/dedup_eval_independent.py measures them).
"""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

from ..config import DedupSettings
from ..state.base import REPEATED_ON_SITE
from .shingles import PAIR_MIX as _PAIR_MIX
from .shingles import HashSet, TokenSpans, bigrams, tokenize, unspaced, word_hashes

CONSENT_NOTICE, PAYWALL, TOO_SHORT = "consent_notice", "paywall", "too_short"
# (decided with the title, by worker/dedup/fingerprint.py: Fingerprinter.unrelated_to_title)
UNRELATED_TO_TITLE = "unrelated_to_title"
REASONS = (CONSENT_NOTICE, PAYWALL, TOO_SHORT, UNRELATED_TO_TITLE, REPEATED_ON_SITE)

# Terms of consent notices, as tokens (case-folded) and two-token phrases: cookies, consent,
# personal data, privacy, partners, preferences, devices and ads, tracking, the buttons.
_CONSENT_TERMS = """
cookie cookies consent consents consenting einwilligung einwilligungen zustimmen zustimmung consentement
consentimiento consenso toestemming consentimento privacy datenschutz datenschutzerklärung confidentialité
privacidad privacidade partner partners partnern partenaires socios parceiros preferences präferenzen
préférences preferencias preferenze voorkeuren preferências geolocation geolocalisation geolocalización
geolocalizzazione geolocatiegegevens standortdaten device devices gerät geräten appareil appareils
dispositivo dispositivos apparaat ads advertising anzeigen publicités anuncios annunci advertenties
personalised personalized personalisierte personalisierten personnalisés personnalisées personnalisé
personalizados personalizzati gepersonaliseerde tracking trackers accept accepter akzeptieren aceptar
accetta accetto akkoord aceitar agree reject ablehnen refuser rechazar rifiuta weigeren rejeitar options
optionen opciones opzioni opties opções settings einstellungen paramètres configuración impostazioni
instellingen configurações
personal_data personenbezogene_daten données_personnelles datos_personales dati_personali dados_pessoais
opt_out third_party
"""
# Terms of paywalls: subscriptions, signing in, reading on, offers.
_PAYWALL_TERMS = """
subscribe subscriber subscribers subscription subscriptions subscribed abonnent abonnenten abonnement
abonnements abonnieren abo abonné abonnés abonnez abonner abbonati abbonato abbonamento abbonarsi
suscriptor suscriptores suscríbete suscripción suscribirse assinante assinantes assine assinatura abonnee
abonnees abonneer premium paywall weiterlesen anmelden einloggen inloggen accedi unlimited unbegrenzt
illimité illimitato illimitata onbeperkt ilimitado membership member members exclusive exklusiv exclusivo
esclusivo réservé riservato kündbar
sign_in log_in already_a continue_reading keep_reading la_suite seguir_leyendo continuare_a verder_lezen
continuar_lendo free_articles se_connecter inicia_sesión cancel_anytime sei_già ya_eres
"""
# Terms of a site's legal notices: copyright, reproduction, terms of use, the affiliate disclosure.
_NOTICE_TERMS = """
copyright rights reserved reproduced reproduction republished redistributed distributed permission
trademark trademarks registered terms conditions disclaimer affiliate commission commissions
rechte vorbehalten urheberrecht droits réservés derechos reservados diritti riservati rechten
voorbehouden direitos
privacy_policy user_agreement terms_of_use terms_of_service cookie_policy community_rules
community_guidelines written_permission prior_written
"""
# A notice line holds one of its terms in every this many tokens at least (the words also occur in
# articles, about a court case on copyright, say, but not that densely).
_NOTICE_TOKENS_PER_TERM = 10
# A consent or paywall line, one in every this many: a notice is dense in its terms ("We and our
# partners use cookies ... personalised ads ... Accept"), while an article's long sentences about
# privacy, tracking or subscriptions hold two of them among many other words.
_WALL_TOKENS_PER_TERM = 20
# A line with this many tokens or fewer needs only one term (a button: "ACCEPT", "Log in").
_BUTTON_TOKENS = 5
_TERMS_PER_LINE = 2


class _Lexicon:
    """The hashes of a lexicon's one-token terms and two-token phrases (worker/dedup/shingles.py)."""

    def __init__(self, terms: str):
        words = [term for term in terms.split() if "_" not in term]
        phrases = [term.replace("_", " ") for term in terms.split() if "_" in term]
        self.words = HashSet(word_hashes(" ".join(words))[0])
        self.phrases = HashSet(np.concatenate([bigrams(*word_hashes(phrase))[0] for phrase in phrases]))

    def hits(self, hashes: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of tokens that are terms, positions of token pairs that are phrases)."""
        return self.words.positions_in(hashes), self.phrases.positions_in(pairs)


@cache
def _lexicons() -> tuple[_Lexicon, _Lexicon, _Lexicon]:
    return _Lexicon(_CONSENT_TERMS), _Lexicon(_PAYWALL_TERMS), _Lexicon(_NOTICE_TERMS)


class Comparability(NamedTuple):
    """What not_comparable found in a text, line by line (lines as its "\\n" split them)."""

    reason: str | None  # why the text is not compared, or None
    prose: np.ndarray  # whether each line is a prose line (its first occurrence; none when reason is set)
    tokens: np.ndarray  # the length of each line in words (_words)


def not_comparable(spans: TokenSpans, hashes: np.ndarray, settings: DedupSettings) -> str | None:
    """Why the text of these spans (and their word hashes) must not be compared with others, or None."""
    return comparability(spans, hashes, settings).reason


def comparability(spans: TokenSpans, hashes: np.ndarray, settings: DedupSettings) -> Comparability:
    """not_comparable's reason, with the prose lines it counted."""
    if not len(spans.starts):
        count = spans.normalized.count("\n") + 1
        return Comparability(TOO_SHORT, np.zeros(count, dtype=bool), np.zeros(count, dtype=np.intp))
    breaks = np.flatnonzero(spans.codes == 10)
    token_line = np.searchsorted(breaks, spans.starts)
    counts = np.bincount(token_line, minlength=len(breaks) + 1)
    pairs = (hashes[:-1] * _PAIR_MIX) ^ hashes[1:]
    consent_lexicon, paywall_lexicon, notice_lexicon = _lexicons()
    consent = _lexicon_lines(consent_lexicon.hits(hashes, pairs), hashes, pairs, token_line, counts,
                             _WALL_TOKENS_PER_TERM)
    paywall = _lexicon_lines(paywall_lexicon.hits(hashes, pairs), hashes, pairs, token_line, counts,
                             _WALL_TOKENS_PER_TERM) & ~consent
    lines = _words(spans, token_line, counts, settings)
    total = float(lines.sum())
    consent_share = lines[consent].sum() / total
    paywall_share = lines[paywall].sum() / total
    if consent_share + paywall_share >= settings.boilerplate_share:
        return Comparability(CONSENT_NOTICE if consent_share >= paywall_share else PAYWALL,
                             np.zeros(len(lines), dtype=bool), lines)
    # (A site's legal notice is no article either: "© 2019 Site. All rights reserved.")
    notice = _lexicon_lines(notice_lexicon.hits(hashes, pairs), hashes, pairs, token_line, counts,
                            _NOTICE_TOKENS_PER_TERM)
    prose = (lines >= settings.prose_line_tokens) & ~consent & ~paywall & ~notice & \
        _first_occurrences(spans, len(lines))
    prose_tokens = float(lines[prose].sum())
    if prose_tokens < settings.min_prose_tokens:
        return Comparability(TOO_SHORT, prose, lines)
    # A wall among its template's leftovers: they are all the prose there is.
    walls = int(lines[consent].sum() + lines[paywall].sum())
    if prose_tokens < settings.notice_article_tokens and walls >= settings.notice_prose_share * prose_tokens:
        return Comparability(CONSENT_NOTICE if consent_share >= paywall_share else PAYWALL,
                             np.zeros(len(lines), dtype=bool), lines)
    return Comparability(None, prose, lines)


def _words(spans: TokenSpans, token_line: np.ndarray, counts: np.ndarray, settings: DedupSettings) -> np.ndarray:
    """Each line's length in words: its tokens, a character of the scripts written without spaces
    (a token of its own, worker/dedup/shingles.py) weighing unspaced_token_weight."""
    single = unspaced(spans)
    if not single.any():
        return counts.astype(np.float64)
    weights = np.where(single, settings.unspaced_token_weight, 1.0)
    return np.bincount(token_line, weights=weights, minlength=len(counts))


def _lexicon_lines(hits: tuple[np.ndarray, np.ndarray], hashes: np.ndarray, pairs: np.ndarray,
                   token_line: np.ndarray, lines: np.ndarray, tokens_per_term: int = 0) -> np.ndarray:
    """Lines written like the lexicon's kind of notice: _TERMS_PER_LINE distinct terms (and, with
    tokens_per_term, one in every tokens_per_term tokens at least), or one in a line of at most
    _BUTTON_TOKENS tokens."""
    words, phrases = hits
    flagged = np.zeros(len(lines), dtype=bool)
    if not len(words) and not len(phrases):
        return flagged
    line_of_hit = np.concatenate((token_line[words], token_line[phrases]))
    term_of_hit = np.concatenate((hashes[words], pairs[phrases]))
    order = np.lexsort((term_of_hit, line_of_hit))
    line_of_hit, term_of_hit = line_of_hit[order], term_of_hit[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (line_of_hit[1:] != line_of_hit[:-1]) | (term_of_hit[1:] != term_of_hit[:-1])
    terms_per_line = np.bincount(line_of_hit[new], minlength=len(lines))
    dense = terms_per_line * tokens_per_term >= lines if tokens_per_term else True
    flagged |= (terms_per_line >= _TERMS_PER_LINE) & dense
    flagged |= (terms_per_line >= 1) & (lines <= _BUTTON_TOKENS)
    return flagged


def _first_occurrences(spans: TokenSpans, count: int) -> np.ndarray:
    """Each distinct line once: a line printed again (a teaser in the sidebar and the footer, an
    article the dump holds twice) counts only where it first appears."""
    seen: set[str] = set()
    first = np.zeros(count, dtype=bool)
    for number, text in enumerate(spans.normalized.split("\n")):
        key = text.strip()
        if key not in seen:
            seen.add(key)
            first[number] = True
    return first


def reason_of(text: str, settings: DedupSettings) -> str | None:
    """not_comparable of a text (tokenized here: for tests and tools)."""
    spans = tokenize(text)
    return not_comparable(spans, word_hashes(spans)[0], settings)
