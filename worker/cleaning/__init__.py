"""Cleaning: a scraped page's article text and metadata.

- extract_html(html, url) (html.py) and extract_text(body, url) (text.py) return an
  Extraction (types.py): paragraphs without boilerplate, title, authors, date, site name.
- normalize_text / normalize_paragraphs (normalize.py): NFC, mojibake repair, spaces, spinner
  artifacts.
- LanguageDetector (language.py): ISO 639-1 code of the text, or None when unsure.
The cleaning stage (worker/stages/clean.py) puts these together and applies the quality gate.
"""
from .html import extract_html
from .language import LanguageDetector
from .normalize import normalize_paragraphs, normalize_text
from .text import extract_text
from .types import Extraction

__all__ = ["Extraction", "LanguageDetector", "extract_html", "extract_text",
           "normalize_paragraphs", "normalize_text"]
