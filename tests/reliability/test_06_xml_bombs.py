"""RELIABILITY 6: XML bombs and external entities are refused fast, reading nothing."""

from __future__ import annotations

LINES = {
    "XML bombs (billion laughs, quadratic blow-up) and external entities": [
        # billion laughs, quadratic blow-up, XXE on a file, a DTD from a local port
        "tests/ingest/test_feeds.py::test_entity_documents_are_refused_fast",
        "tests/ingest/test_feeds.py::test_xxe_never_reads_the_file",
        "tests/ingest/test_feeds.py::test_external_dtd_is_never_fetched",
        "tests/ingest/test_sitemap.py::test_entities_refused",
        "tests/ingest/test_opml.py::test_unreadable",
    ],
}
