"""Prompts a page shows around its article, in any of the stream's languages: cookie and consent
notices, newsletter and subscription calls, "sign up" confirmations. They are written as whole
sentences, so neither path's prose tests tell them from article text; both paths drop a paragraph
or line that is_prompt matches.

A prompt is recognised by the first-person or imperative phrasing sites use for it ("we use
cookies", "subscribe to our newsletter", "delivered to your inbox"), never by a topic word alone:
an article about cookies or newsletters keeps its sentences.
"""
from __future__ import annotations

import re
from typing import Final

# Longer paragraphs are article text even when they hold one of these phrases.
PROMPT_MAX_CHARS: Final = 400
# Every phrase below holds one of these pieces (lower case): most lines are ruled out without the regex.
_PIECES: Final = ("cookie", "subscri", "newsletter", "inbox", "abonn", "suscr", "iscriv", "zapisz", "unsubscrib",
                  "boletín", "ciasteczk", "куки")
_PROMPT: Final = re.compile(
    r"(?:\b(?:we|this (?:web)?site|our (?:web)?site|the site) (?:also )?uses? cookies"
    r"|\bby (?:continuing|using|clicking)\b.{0,60}\bcookies"
    r"|\baccept (?:all )?cookies|\bcookie (?:settings|preferences|policy|consent|banner|notice)"
    r"|wir (?:verwenden|nutzen) cookies|diese (?:web)?seite (?:verwendet|nutzt) cookies"
    r"|nous utilisons (?:des )?cookies|ce site (?:utilise|web utilise) des cookies"
    r"|(?:utilizamos|usamos) (?:las )?cookies|este (?:sitio|portal)(?: web)? (?:utiliza|usa) cookies"
    r"|utilizziamo (?:i )?cookie|questo sito (?:utilizza|usa) (?:i )?cookie"
    r"|używamy (?:plików )?(?:cookie|ciasteczek)|wij gebruiken cookies|deze (?:web)?site gebruikt cookies"
    r"|(?:utilizamos|usamos) cookies|мы используем (?:файлы )?(?:cookie|куки)"
    r"|\b(?:subscribe|sign up|signup) (?:to|for) (?:\w+[’'`]?s? ){0,4}newsletters?"
    r"|\bget (?:our|the) (?:\w+ ){0,3}newsletters?\b|\bsubscribe to (?:\S+ ){1,3}on youtube"
    r"|\b(?:successfully|succesfully) subscribed|\bactivate your subscription|\bunsubscribe at any time"
    r"|\bdelivered (?:straight |right |directly )?(?:to|in) your inbox|\bright in your inbox"
    r"|\bnewsletter (?:abonnieren|bestellen)|\bzum newsletter anmelden"
    r"|\b(?:inscrivez-vous|abonnez-vous) à (?:notre|la) newsletter"
    r"|\bsuscr[ií]be(?:te)? (?:a|al) (?:nuestro|nuestra|el|la) (?:newsletter|boletín)"
    r"|\biscriviti alla (?:nostra )?newsletter|\bzapisz się (?:do|na) newslett)",
    re.IGNORECASE)


def is_prompt(text: str) -> bool:
    """Whether `text` (one paragraph or line) is a cookie/consent notice or a subscription prompt."""
    if len(text) > PROMPT_MAX_CHARS:
        return False
    low = text.lower()
    return any(piece in low for piece in _PIECES) and _PROMPT.search(low) is not None
