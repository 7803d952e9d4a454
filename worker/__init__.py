"""News ingestion worker: raw scraped pages in, clean deduplicated article events out."""
__version__ = "0.1.0"
