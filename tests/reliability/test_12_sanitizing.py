"""RELIABILITY 12: feed and page HTML sanitized with nh3 on the way in, escaped on the way out."""

from __future__ import annotations

SA = "tests/extract/test_sanitize.py::"
LINES = {
    "Feed and page HTML is sanitized with a maintained allow-list sanitizer (nh3)": [
        SA + "test_xss_vectors_come_out_inert",
        SA + "test_unknown_tags_keep_their_text_dangerous_ones_do_not",
        SA + "test_relative_links_resolved_against_base_or_dropped",
        SA + "test_invalid_characters_removed_before_sanitizing",
        "tests/extract/test_article.py::test_hostile_page_yields_inert_html",
        "tests/web/test_browser_xss.py::test_hostile_text_never_runs_in_a_browser",
    ],
    "Sanitizing twice changes nothing.": [
        SA + "test_sanitize_is_idempotent_and_inert",
        SA + "test_sanitize_is_idempotent_on_any_text",
        SA + "test_clean_text_is_clean_and_idempotent",
        "tests/fuzz/test_fuzz_text.py::test_sanitized_html_keeps_only_allowed_markup_and_is_stable",
    ],
}
