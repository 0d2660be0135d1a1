from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from broadsheet.config import Settings
from broadsheet.extract import content_hash
from broadsheet.models import Article
from broadsheet.orchestrate.stories import cluster_stored
from broadsheet.store import Store
from tests.stories.sample import CHILE, JAPAN, WIRE, at, wire_copy

Add = Callable[..., int]


@pytest.fixture
def outlets(store: Store) -> dict[str, int]:
    rows = [
        ("Andes Daily", "CL", "es"),
        ("Pacific Times", "US", "en"),
        ("Nippon Herald", "JP", "ja"),
        ("Harbour Gazette", "GB", "en"),
        ("Euro Ledger", "DE", "de"),
        ("Quiet Weekly", "NZ", "en"),
    ]
    return {
        name: store.add_source(
            f"https://{name.split()[0].lower()}.example/feed", name, country=c, language=lang
        ).id
        for name, c, lang in rows
    }


@pytest.fixture
def add(store: Store, outlets: dict[str, int]) -> Add:
    """Store an article as ingest does (save_article), without clustering it."""
    counter = iter(range(1, 10_000))

    def _add(outlet: str, title: str, text: str, when: datetime, author: str | None = None) -> int:
        n = next(counter)
        url = f"https://{outlet.split()[0].lower()}.example/news/{n}"
        article = Article(
            url=url,
            canonical_url=url,
            title=title,
            text=text,
            html="".join(f"<p>{p}</p>" for p in text.split("\n\n")),
            author=author,
            published=when,
            content_hash=content_hash(text),
        )
        result = store.save_article(outlets[outlet], article, when)
        assert isinstance(result, int), result
        return result

    return _add


@pytest.fixture
def news(store: Store, settings: Settings, add: Add) -> dict[str, int]:
    """The sample news, clustered: the Chile quake from three outlets in three countries,
    the Japan quake, and an agency text with one outlet's copy of it."""
    ids = {
        "chile0": add("Andes Daily", *CHILE[0], at(0)),
        "chile1": add("Pacific Times", *CHILE[1], at(2)),
        "chile2": add("Harbour Gazette", *CHILE[2], at(5)),
        "japan0": add("Nippon Herald", *JAPAN[0], at(72)),
        "wire": add("Euro Ledger", *WIRE, at(70)),
        "copy": add("Harbour Gazette", *wire_copy("Harbour Gazette"), at(71)),
    }
    for article_id in ids.values():
        cluster_stored(store, settings, article_id)
    return ids
