"""Whether a cleaned text is an article that can be compared with others, and if not, why.

When cleaning keeps a page's boilerplate instead of its article (a consent wall, a paywall teaser,
a menu with a few teasers), two unrelated pages can come out with the same "article": compared on
that text they would be exact or near duplicates of each other. Such a text is not compared at all
(dedup.method null, dedup.reason saying why); the page is still matched by its URL (a recrawl).

The rules look at the text alone, the same in every replica and after a restart (no state learned
from the stream). Lines are weighed by their tokens (worker/dedup/shingles.py: a word, or one
character of the scripts written without spaces):
- consent_notice / paywall: most tokens are in lines written like a cookie-consent notice or a
  paywall (several of their usual terms in one line, or one in a line as short as a button),
  in English, German, French, Spanish, Italian, Dutch and Portuguese;
- too_short: fewer than min_prose_tokens tokens in prose lines (lines of at least
  prose_line_tokens tokens that appear once in the text and are not consent or paywall lines):
  menus, buttons, link lists and repeated teasers are not an article.
A rule on the share of short lines was tried and left out: real articles made mostly of list
lines (a meal plan, a product list) fall below any share that catches menus.
Thresholds: worker/config/dedup.py (bench/dedup_eval_independent.py measures them).
"""
from __future__ import annotations

import re

import numpy as np

from ..config import DedupSettings
from .shingles import TokenSpans

CONSENT_NOTICE, PAYWALL, TOO_SHORT = "consent_notice", "paywall", "too_short"
REASONS = (CONSENT_NOTICE, PAYWALL, TOO_SHORT)

# Terms of consent notices (the text is case-folded): cookies, consent, personal data, partners,
# preferences, devices and ads, the buttons. One alternative is one term.
_CONSENT = re.compile("|".join((
    r"cookie", r"consent", r"einwilligung", r"zustimm", r"consentement", r"consentimiento", r"consenso",
    r"toestemming", r"consentimento",
    r"personal data", r"personenbezogene", r"données personnelles", r"datos personales", r"dati personali",
    r"persoonsgegevens", r"dados pessoais",
    r"privacy", r"datenschutz", r"confidentialité", r"privacidad", r"privacidade",
    r"partners?\b", r"partenaires", r"socios", r"parceiros",
    r"preferences", r"präferenzen", r"préférences", r"preferencias", r"preferenze", r"voorkeuren", r"preferências",
    r"opt[- ]out", r"third[- ]party", r"geoloca", r"standortdaten",
    r"device", r"gerät", r"appareil", r"dispositivo", r"apparaat",
    r"\bads\b", r"personali[sz]ed", r"personalisiert", r"personnalisé", r"personalizad", r"personalizzat",
    r"gepersonaliseerd",
    r"\baccept", r"akzeptier", r"accepter", r"aceptar", r"accetta", r"akkoord", r"aceitar", r"\bagree\b",
    r"\breject", r"ablehnen", r"refuser", r"rechazar", r"rifiuta", r"weigeren", r"rejeitar",
    r"options", r"optionen", r"opciones", r"opzioni", r"opties", r"opções",
)))
# Terms of paywalls: subscriptions, logging in, reading on, offers.
_PAYWALL = re.compile("|".join((
    r"subscri", r"abonn", r"abbona", r"suscri", r"assinante", r"assine", r"assinatura",
    r"sign in", r"log in", r"anmelden", r"einloggen", r"se connecter", r"inicia sesión", r"accedi", r"inloggen",
    r"already a", r"bereits", r"déjà", r"ya eres", r"sei già", r"al abonnee", r"já é",
    r"continue reading", r"keep reading", r"weiterlesen", r"lire la suite", r"seguir leyendo",
    r"continuare a leggere", r"verder lezen", r"continuar lendo",
    r"unlimited", r"unbegrenzt", r"illimité", r"sin límites", r"illimitat", r"onbeperkt", r"ilimitado",
    r"free articles", r"member", r"premium", r"exclusiv", r"esclusiv", r"réservé", r"riservat",
    r"cancel anytime", r"jederzeit kündbar", r"sans engagement",
)))
# A line with this many tokens or fewer needs only one term (a button: "ACCEPT", "Log in").
_BUTTON_TOKENS = 5
_TERMS_PER_LINE = 2


def not_comparable(spans: TokenSpans, settings: DedupSettings) -> str | None:
    """Why the text of these spans must not be compared with other texts, or None."""
    if not len(spans.starts):
        return TOO_SHORT
    lines = _line_tokens(spans)
    total = int(lines.sum())
    consent = _lexicon_lines(spans, _CONSENT, lines)
    paywall = _lexicon_lines(spans, _PAYWALL, lines) & ~consent
    consent_share = lines[consent].sum() / total
    paywall_share = lines[paywall].sum() / total
    if consent_share + paywall_share >= settings.boilerplate_share:
        return CONSENT_NOTICE if consent_share >= paywall_share else PAYWALL
    prose = (lines >= settings.prose_line_tokens) & ~consent & ~paywall & _single_lines(spans, len(lines))
    prose_tokens = int(lines[prose].sum())
    return TOO_SHORT if prose_tokens < settings.min_prose_tokens else None


def _line_of(spans: TokenSpans, positions: np.ndarray) -> np.ndarray:
    breaks = np.flatnonzero(spans.codes == 10)
    return np.searchsorted(breaks, positions)


def _line_tokens(spans: TokenSpans) -> np.ndarray:
    """Tokens per line (every line, blank ones included, so that line numbers are positions)."""
    count = int(np.count_nonzero(spans.codes == 10)) + 1
    return np.bincount(_line_of(spans, spans.starts), minlength=count)


def _lexicon_lines(spans: TokenSpans, lexicon: re.Pattern, lines: np.ndarray) -> np.ndarray:
    """Lines written like the lexicon's kind of notice: _TERMS_PER_LINE distinct terms, or one in a
    line of at most _BUTTON_TOKENS tokens."""
    flagged = np.zeros(len(lines), dtype=bool)
    hits = [(match.start(), match.group()) for match in lexicon.finditer(spans.normalized)]
    if not hits:
        return flagged
    line_numbers = _line_of(spans, np.fromiter((start for start, _ in hits), dtype=np.intp, count=len(hits)))
    terms: dict[int, set[str]] = {}
    for line, (_, term) in zip(line_numbers.tolist(), hits):
        terms.setdefault(line, set()).add(term)
    for line, found in terms.items():
        if len(found) >= _TERMS_PER_LINE or (lines[line] <= _BUTTON_TOKENS and lines[line] > 0):
            flagged[line] = True
    return flagged


def _single_lines(spans: TokenSpans, count: int) -> np.ndarray:
    """Lines whose text appears only once in the text (a line printed twice is a menu or a teaser)."""
    texts = spans.normalized.split("\n")
    seen: dict[str, int] = {}
    for text in texts:
        key = text.strip()
        if key:
            seen[key] = seen.get(key, 0) + 1
    return np.fromiter((seen.get(text.strip(), 0) == 1 for text in texts), dtype=bool, count=count)
