from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from broadsheet.extract import content_hash
from broadsheet.models import Article
from broadsheet.store import Store

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
