"""Extraction: fetched page HTML (or a feed entry) -> a clean, attributed Article."""

from broadsheet.extract.article import decode_html, extract, extract_from_entry, timed_extract
from broadsheet.extract.canonical import canonical_url, content_hash
from broadsheet.extract.furniture import FurnitureFilter, drop_furniture
from broadsheet.extract.sanitize import clean_text, sanitize_html, text_to_html

__all__ = [
    "FurnitureFilter",
    "canonical_url",
    "clean_text",
    "content_hash",
    "decode_html",
    "drop_furniture",
    "extract",
    "extract_from_entry",
    "sanitize_html",
    "text_to_html",
    "timed_extract",
]
