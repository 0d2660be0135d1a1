"""The outlets as readers' pages and the sync APIs list them (``list_sources(counts=False)``):
the same sources, in the same order, with their icons, and no article counted: counting
every article took 4-7 s at 1M articles on PostgreSQL, on every editions refresh and every
feed reader's subscription list."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from broadsheet.models import Article
from broadsheet.store import Store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_brief_listing_is_the_full_one_without_counting_articles(store: Store) -> None:
    zulu = store.add_source("https://zulu.example/feed", name="Zulu Times")
    alpha = store.add_source("https://alpha.example/feed", name="Alpha Post")
    for n in range(3):
        url = f"https://zulu.example/{n}"
        saved = store.save_article(
            zulu.id,
            Article(url=url, canonical_url=url, title=f"Zulu {n}", text="Text.", html="<p>x</p>",
                    published=T0, content_hash=f"z{n}", language="en"),
            fetched_at=T0,
        )  # fmt: skip
        assert isinstance(saved, int), saved
    store.set_icon(alpha.id, b"\x89PNG\r\n\x1a\nicon", "image/png")

    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        brief = store.list_sources(counts=False)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    full = store.list_sources()
    assert [s.name for s in brief] == [s.name for s in full] == ["Alpha Post", "Zulu Times"]
    assert [s.has_icon for s in brief] == [s.has_icon for s in full] == [True, False]
    assert [s.article_count for s in full] == [0, 3]
    assert [s.article_count for s in brief] == [0, 0]  # not counted
    assert statements and not any("articles" in s for s in statements)
