"""Ingest over real HTTP stores each new article's understanding with it (idempotently)."""

from __future__ import annotations

import asyncio

from broadsheet.config import Settings
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from broadsheet.understand.pipelines import Pipelines
from tests.support.httpserver import TestServer
from tests.test_pipeline import page, rss


def test_ingest_understands_new_articles(
    server: TestServer, settings: Settings, pipelines: Pipelines
) -> None:
    items = [(f"Pier closes in Lisbon {n}", f"/news/{n}", "Repairs.") for n in (1, 2)]
    server.route("/feed", rss(server.base, items), headers={"content-type": "application/rss+xml"})
    for title, path, _ in items:
        server.route(path, page(title, int(path[-1])))
    store = Store.open(settings)
    try:
        store.add_source(server.url("/feed"), name="Harbour Post")
        report = asyncio.run(ingest_once(settings, store))
        assert report.new_articles == 2, report.failures
        for article in store.iter_articles():
            features = store.get_understanding(article.id)
            assert features["language"]["code"] == "en"
            assert features["summary"]["summary"].startswith("The harbour authority")
            assert len(features["summary"]["key_points"]) >= 3
            versions = store.understanding_versions(article.id)
            assert store.save_understanding(article.id, features, versions) == []
    finally:
        store.close()
