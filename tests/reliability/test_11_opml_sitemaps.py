"""RELIABILITY 11: hostile OPML and sitemaps: bad rows rejected one by one, the rest kept."""

from __future__ import annotations

OP = "tests/ingest/test_opml.py::"
S = "tests/ingest/test_sitemap.py::"
LINES = {
    "Hostile OPML and sitemaps (deep nesting, index cycles, huge URL sets)": [
        OP + "test_hostile_rows_rejected_one_by_one",
        OP + "test_deep_nesting_is_capped",
        OP + "test_outline_cap",
        OP + "test_truncated_keeps_earlier_rows",
        S + "test_index_pointing_at_itself_is_dropped",
        S + "test_url_cap",
        S + "test_truncated_sitemap_keeps_what_came_before",
        "tests/test_pipeline.py::test_sitemap_index_source",
        "tests/cli/test_markup.py::test_an_opml_row_without_xml_url_is_reported",
        "tests/fuzz/test_fuzz_parsers.py::test_any_opml_gives_outlines_and_reasons_or_a_parse_error",
    ],
}
