"""Golden test: a site laid out like issue 15's seed page, ingested through the real pipeline.

Twelve pages of one invented outlet (``tests/support/seedsite.py``: the headline twice, the
credited outlet and the date glued on one line, a promo box in or after the article,
comments, "Related Articles" with another article's headline, outlet, "26 minutes ago"
and a long extract, an app box; all plain paragraphs of the article's container) are
served over loopback HTTP with a feed and ingested into a temp-dir store. Every stored
body must be the article: no furniture line, no sentence of another article, word F1 at
least 0.95 against the true text, and the date read in the outlet's own order.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest

import broadsheet.orchestrate.furniture
from broadsheet.config import Settings
from broadsheet.extract.learn import outlet_key
from broadsheet.models import StoredArticle
from broadsheet.orchestrate.furniture import set_enabled
from broadsheet.orchestrate.layout import site_rules
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from tests.support.httpserver import TestServer
from tests.support.seedsite import (
    INVENTED_WORDING,
    SEED_WORDING,
    Site,
    Wording,
    build_site,
    score,
    serve,
)

PAGES = 12


def ingest(
    settings: Settings, server: TestServer, site: Site
) -> tuple[Store, dict[str, StoredArticle]]:
    store = Store.open(settings)
    store.add_source(serve(server, site), name=site.wording.brand)
    report = asyncio.run(ingest_once(settings, store))
    assert report.new_articles == PAGES, report.failures
    assert report.fallbacks == 0  # every body came from its page
    return store, {urlsplit(a.url).path: a for a in store.iter_articles()}


@pytest.fixture
def quick(settings: Settings) -> Settings:
    """The real pipeline without the understanding stage (it has nothing to do here), and
    a fetch deadline that a loaded machine cannot miss."""
    return settings.model_copy(update={"understand": False, "fetch_timeout": 120.0})


@pytest.mark.parametrize(
    ("wording", "day_first", "lang"),
    [
        # the seed's own headings, an outlet that writes the day first on an en-US page
        pytest.param(SEED_WORDING, True, "en-US", id="seed-wording-day-first"),
        # headings no phrase table knows, an outlet that writes the month first
        pytest.param(INVENTED_WORDING, False, "en", id="invented-wording-month-first"),
    ],
)
def test_golden_seed_layout_site_stores_only_the_articles(
    quick: Settings,
    server: TestServer,
    monkeypatch: pytest.MonkeyPatch,
    wording: Wording,
    day_first: bool,
    lang: str,
) -> None:
    # re-cleans go in batches
    monkeypatch.setattr(broadsheet.orchestrate.furniture, "RECLEAN_BATCH", 5)
    site = build_site(PAGES, wording=wording, day_first=day_first, lang=lang)
    store, stored = ingest(quick, server, site)
    try:
        assert len(stored) == PAGES
        for page in site.pages:
            article = stored[page.story.path]
            result = score(site, page, article.text)
            assert not result.furniture, (page.story.index, result.furniture)
            assert not result.others, (page.story.index, result.others[:3])
            assert result.f1 >= 0.95, (page.story.index, result.f1, article.text[:300])
            assert article.title == page.story.title
            assert article.published and article.published.date() == page.story.day
            assert article.site_name == page.story.source  # the glued line's credit
            assert article.description and article.description[:40] in page.story.text
            assert wording.promo[1] not in article.html and wording.comments not in article.html

        # what the end of a poll re-cleans: the pages that show a served page's headline
        titles = {page.story.title for page in site.pages}
        teasing = {stored[p.story.path].id for p in site.pages if any(j < PAGES for j in p.related)}
        ids = [a.id for a in stored.values()]
        assert set(store.articles_showing(ids, titles)) == teasing
        assert store.articles_showing(ids, set()) == []

        outlet = outlet_key(next(iter(stored.values())).url)
        rules = site_rules(store, outlet)
        assert rules.date_order == ("dmy" if day_first else "mdy")
        assert len(rules.boundaries) >= 2
        assert store.search_article_ids(wording.related.split()[-1]) == []  # index follows

        # the kill switch turns the outlet's lessons off (the single-page body comes
        # back, teasers and all) and on again
        assert set_enabled(store, outlet, False) == PAGES
        back = {urlsplit(a.url).path: a for a in store.iter_articles()}
        assert any(score(site, p, back[p.story.path].text).others for p in site.pages)
        assert set_enabled(store, outlet, True) == PAGES
        for page in site.pages:
            article = store.get_article(stored[page.story.path].id)
            assert article is not None
            assert not score(site, page, article.text).others
    finally:
        store.close()


def test_without_site_learning_the_same_site_leaks(quick: Settings, server: TestServer) -> None:
    """The site is a real test: furniture learning alone (issue 3) keeps other articles'
    text and furniture lines in the stored bodies."""
    site = build_site(PAGES)
    store, stored = ingest(quick.model_copy(update={"site_learning": False}), server, site)
    try:
        results = [score(site, p, stored[p.story.path].text) for p in site.pages]
        assert sum(r.f1 for r in results) / PAGES < 0.8
        assert sum(len(r.others) for r in results) > PAGES
        assert any(r.furniture for r in results)
    finally:
        store.close()
