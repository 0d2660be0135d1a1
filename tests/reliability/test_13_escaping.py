"""RELIABILITY 13: titles, authors, categories, comments and model output are text."""

from __future__ import annotations

LINES = {
    "Titles, authors, categories, comments and LLM output are text and are escaped.": [
        "tests/web/test_pages.py::test_titles_and_authors_are_escaped",
        "tests/web/test_pages.py::test_outlet_names_are_isolated_from_the_text_around_them",
        "tests/web/test_feeds_out.py::test_hostile_text_is_escaped_and_control_characters_dropped",
        "tests/readers/test_comments.py::test_comments_are_escaped_and_links_are_safe",
        "tests/ai/test_grounded.py::test_injected_output_is_sanitized_and_unsupported_claims_dropped",
        "tests/ai/test_grounded.py::test_translation_is_sanitized",
        "tests/cli/test_markup.py::test_a_title_with_brackets_is_printed_as_it_is",
        "tests/fuzz/test_fuzz_text.py::test_comment_html_has_no_markup_but_our_links",
        "tests/web/test_browser_xss.py::test_hostile_text_never_runs_in_a_browser",
    ],
}
