"""The store's list queries for pages: keyset pages, teasers, kept counts, story digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from broadsheet import story_digest
from broadsheet.models import Article, ArticleTeaser, Cursor
from broadsheet.store import Store
from broadsheet.store.stories import Change

T0 = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)


def _add(store: Store, source: int, n: int, when: datetime, text: str | None = None) -> int:
    url = f"https://news.example/{n}"
    body = text or f"Paragraph one of story {n}.\n\nParagraph two."
    saved = store.save_article(
        source,
        Article(
            url=url, canonical_url=url, title=f"Headline {n}", text=body, html=f"<p>{body}</p>",
            published=when, content_hash=f"h{n}",
        ),
        fetched_at=T0,
    )  # fmt: skip
    assert isinstance(saved, int)
    return saved


def test_cursor_round_trips_and_refuses_garbage() -> None:
    cursor = Cursor(datetime(2024, 5, 1, 3, 4, 5, 123, tzinfo=UTC), 42)
    assert Cursor.parse(str(cursor)) == cursor
    for bad in ("", "x", "1_", "_1", "1_x", "1.0_2", "1_2_3", "9" * 25 + "_1", "١٢_3"):
        assert Cursor.parse(bad) is None, bad


def test_keyset_pages_walk_every_row_once_through_ties(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News").id
    # seven articles, three of them at the same instant: the id breaks the tie
    times = [T0, T0, T0, T0 - timedelta(hours=1), T0 - timedelta(hours=2)] + [
        T0 - timedelta(days=d) for d in (1, 2)
    ]
    ids = [_add(store, src, n, when) for n, when in enumerate(times)]
    expected = sorted(ids, key=lambda i: (times[ids.index(i)], i), reverse=True)
    seen, page = [], store.latest_page(3)
    assert page.newer is None
    while True:
        seen += [t.id for t in page.items]
        if page.older is None:
            break
        page = store.latest_page(3, before=page.older)
        assert page.newer is not None
    assert seen == expected
    back = store.latest_page(3, after=page.newer)  # from the last page, one page newer
    assert [t.id for t in back.items] == expected[3:6]
    assert back.newer is not None and back.older is not None


def test_teasers_carry_no_text_but_a_lead(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News").id
    long_text = "word " * 2000
    aid = _add(store, src, 1, T0, text=long_text)
    teaser = store.latest_page(10).items[0]
    assert isinstance(teaser, ArticleTeaser) and teaser.id == aid
    assert not hasattr(teaser, "text") and not hasattr(teaser, "html")
    assert long_text.startswith(teaser.lead) and 0 < len(teaser.lead) <= 400
    assert store.article_teasers([aid, 999]) == {aid: teaser}


def test_the_article_counter_follows_saves_and_source_removal(store: Store) -> None:
    one = store.add_source("https://one.example/feed", name="One").id
    two = store.add_source("https://two.example/feed", name="Two").id
    for n in range(3):
        _add(store, one, n, T0)
    _add(store, two, 10, T0)
    url = "https://news.example/0"  # the same URL again: skipped, not counted
    again = Article(url=url, canonical_url=url, title="Again", text="x", html="x", content_hash="z")
    assert not isinstance(store.save_article(one, again, fetched_at=T0), int)
    assert store.count_articles() == 4
    store.remove_source(one)
    assert store.count_articles() == 1
    with store.reader() as conn:
        from broadsheet.store.articles import count_rows

        assert count_rows(conn) == 1


def test_entity_lists_page_by_the_copied_sort_key(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News").id
    ids = [_add(store, src, n, T0 - timedelta(hours=n)) for n in range(5)]
    for aid in ids:
        mention = {"entity_id": "person:ada", "label": "PERSON", "text": "Ada", "start": 0}
        store.save_understanding(aid, {"entities": [{**mention, "end": 3}]}, {"entities": "t"})
    first = store.listing_page("entity", "person:ada", 2)
    second = store.listing_page("entity", "person:ada", 2, before=first.older)
    third = store.listing_page("entity", "person:ada", 2, before=second.older)
    assert [t.id for p in (first, second, third) for t in p.items] == ids
    assert third.older is None
    assert store.entity_name("person:ada") == ("Ada", "PERSON")


def test_story_digest_is_stored_refreshed_when_the_story_changes(store: Store) -> None:
    one = store.add_source("https://one.example/feed", name="One").id
    two = store.add_source("https://two.example/feed", name="Two").id
    a = _add(store, one, 1, T0 - timedelta(hours=2), "Rain fell on the harbour all day.")
    story = store.apply_story_changes([Change(article_id=a, story=-1)])[-1]
    since = datetime.now(UTC) - timedelta(seconds=1)
    # a lone article: left to its first view
    assert story_digest.refresh_changed(store, since) == 0
    found = store.get_story(story, with_members=False)
    assert found is not None
    first = story_digest.load(store, found)  # computed and stored on first view
    assert [o["name"] for o in first["coverage"]["outlets"]] == ["One"]
    assert store.story_digest(story) is not None
    b = _add(store, two, 2, T0 - timedelta(hours=1), "The harbour flooded after the rain.")
    store.apply_story_changes([Change(article_id=b, story=story)])
    assert story_digest.refresh_changed(store, since) == 1  # changed, two articles
    assert story_digest.refresh_changed(store, since) == 0  # fresh now
    changed = store.get_story(story, with_members=False)
    assert changed is not None
    digest = story_digest.load(store, changed)
    assert [o["name"] for o in digest["coverage"]["outlets"]] == ["One", "Two"]
    assert digest["coverage"]["articles"] == 2
    assert {line["article_id"] for line in digest["summary"]["lines"]} <= {a, b}
    # a digest made by an older version is made again, though the story did not change,
    # when the worker's first round (since the epoch) comes by
    later = datetime.now(UTC)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert story_digest.refresh_changed(store, later) == 0
    (row,) = [r for r in [store.story_digest(story)] if r is not None]
    store.save_story_digests(
        [
            dict(
                story_id=story,
                version="0",
                story_updated_at=row[1],
                value=row[2],
                article_count=2,
                computed_at=later,
            )
        ]  # fmt: skip
    )
    assert story_digest.refresh_changed(store, later) == 0  # not changed lately
    assert story_digest.refresh_changed(store, epoch) == 1
    assert store.story_digest(story)[0] == story_digest.VERSION  # type: ignore[index]


def test_optimize_gathers_the_planners_statistics(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News").id
    for n in range(20):
        _add(store, src, n, T0 - timedelta(minutes=n))
    store.optimize()
    with store.reader() as conn:
        if conn.dialect.name == "sqlite":
            analysed = conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar()
        else:
            analysed = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_user_tables"
                " WHERE relname = 'articles' AND last_analyze IS NOT NULL"
            ).scalar()
    assert analysed and store.integrity_ok()


def test_a_storys_articles_page_by_the_copied_sort_key_which_follows_a_new_date(
    store: Store,
) -> None:
    """story_articles carries its article's sort_at (so a story's latest articles are read
    in index order); when the furniture stage corrects an article's date, the copies on its
    story, entity, country and topic rows follow, so every list keeps its order."""
    src = store.add_source("https://news.example/feed", name="News").id
    ids = [_add(store, src, n, T0 - timedelta(hours=n)) for n in range(5)]
    mention = {"entity_id": "person:ada", "label": "PERSON", "text": "Ada", "start": 0, "end": 3}
    for aid in ids:
        store.save_understanding(aid, {"entities": [mention]}, {"entities": "t"})
    story = store.apply_story_changes([Change(article_id=i, story=-1) for i in ids])[-1]
    first = store.story_member_page(story, 2)
    rest = store.story_member_page(story, 3, before=first.older)
    assert [m.article_id for m in first.items + rest.items] == ids  # newest first
    assert rest.older is None
    newest = T0 + timedelta(hours=1)  # the oldest article was really published last
    store.save_dates([(ids[-1], newest, newest)])
    assert [m.article_id for m in store.story_member_page(story, 5).items][0] == ids[-1]
    assert store.listing_page("entity", "person:ada", 5).items[0].id == ids[-1]
