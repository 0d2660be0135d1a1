"""The store against a real SQLite file in a temp dir."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest

from broadsheet.config import Settings
from broadsheet.errors import StoreError
from broadsheet.models import Article, Skipped
from broadsheet.store import Store, migrate


def _article(n: int, text: str | None = None, **kw: object) -> Article:
    body = text or f"Paragraph {n} about the harbour."
    return Article(
        url=f"https://news.example/{n}",
        canonical_url=f"https://news.example/{n}",
        title=f"Headline {n}",
        text=body,
        html=f"<p>{body}</p>",
        content_hash=f"hash-{body}",
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.sqlite_only("the SQLite file's journal mode and FTS5 tables")
def test_open_creates_wal_database_with_fts(store: Store, settings: Settings) -> None:
    db = settings.data_dir / "broadsheet.db"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sources", "articles", "entries_seen", "articles_fts", "alembic_version"} <= tables
    # the history has one head (0005 merged the 0002, 0003 and 0004 branches), applied
    applied = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
    assert applied == {migrate.head()}
    # opening again is a no-op migration
    Store.open(settings).close()


def test_same_url_is_stored_once_with_a_reason(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News")
    now = datetime.now(UTC)
    first = store.save_article(src.id, _article(1), now)
    again = store.save_article(src.id, _article(1), now)
    assert isinstance(first, int)
    assert again == Skipped("duplicate_url", first)
    assert again.reason == str(again) == f"duplicate of {first} (same URL)"
    assert store.count_articles() == 1


def test_same_text_same_outlet_skipped_other_outlet_kept_as_copy(store: Store) -> None:
    a = store.add_source("https://a.example/feed", name="A")
    b = store.add_source("https://b.example/feed", name="B")
    now = datetime.now(UTC)
    first = store.save_article(a.id, _article(1, text="Wire text."), now)
    same_outlet = store.save_article(a.id, _article(2, text="Wire text."), now)
    other_outlet = store.save_article(b.id, _article(3, text="Wire text."), now)
    assert isinstance(same_outlet, Skipped) and "same text" in same_outlet.reason
    assert same_outlet.kind == "duplicate_text" and same_outlet.duplicate_of is not None
    assert isinstance(other_outlet, int)
    # the copy is kept (its outlet counts later) but the home list shows the first only
    assert [x.id for x in store.latest_articles(10)] == [first]


def test_latest_sorts_by_published_but_never_into_the_future(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News")
    now = datetime.now(UTC)
    store.save_article(src.id, _article(1, published=now - timedelta(hours=3)), now)
    store.save_article(src.id, _article(2, published=now - timedelta(hours=1)), now)
    store.save_article(src.id, _article(3, published=now + timedelta(days=300)), now)
    store.save_article(src.id, _article(4), now - timedelta(hours=2))
    titles = [a.title for a in store.latest_articles(10)]
    assert titles == ["Headline 3", "Headline 2", "Headline 4", "Headline 1"]
    assert store.latest_articles(2, offset=2)[0].title == "Headline 4"


def test_datetimes_round_trip_as_aware_utc(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News")
    published = datetime(2025, 6, 4, 10, 30, tzinfo=UTC)
    aid = store.save_article(src.id, _article(1, published=published), datetime.now(UTC))
    assert isinstance(aid, int)
    got = store.get_article(aid)
    assert got is not None and got.published == published and got.published.tzinfo is not None
    with pytest.raises(StoreError):
        store.update_source(src.id, next_poll_at=datetime(2025, 1, 1))  # naive: refused


def test_entries_seen_and_search(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News")
    store.save_article(
        src.id,
        _article(1, text="The lighthouse keeper retired."),
        datetime.now(UTC),
        entry_key="k1",
    )
    store.mark_seen(src.id, "k2", "extract failed: empty page")
    assert store.seen_keys(src.id, ["k1", "k2", "k3"]) == {"k1", "k2"}
    assert len(store.search_article_ids("lighthouse")) == 1
    assert store.search_article_ids('keeper" OR 1=1 --') == []  # words, not syntax


def test_duplicate_source_is_a_clear_error_and_removal_cascades(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News")
    with pytest.raises(StoreError, match="already exists"):
        store.add_source("https://news.example/feed")
    store.save_article(src.id, _article(1), datetime.now(UTC))
    store.set_icon(src.id, b"\x89PNG\r\n\x1a\n...", "image/png")
    assert store.get_source(src.id).has_icon  # type: ignore[union-attr]
    assert store.remove_source(src.id)
    assert store.count_articles() == 0 and store.get_icon(src.id) is None


def test_concurrent_writers_never_see_database_locked(store: Store) -> None:
    src = store.add_source("https://news.example/feed", name="News")
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(25):
                n = worker * 1000 + i
                store.save_article(src.id, _article(n), datetime.now(UTC), entry_key=f"k{n}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_articles() == 200
    assert store.integrity_ok()


def test_two_processes_share_the_file(settings: Settings) -> None:
    """A second Store on the same file (the CLI while serve runs) sees committed rows."""
    one, two = Store.open(settings), Store.open(settings)
    src = one.add_source("https://news.example/feed", name="News")
    one.save_article(src.id, _article(1), datetime.now(UTC))
    assert two.count_articles() == 1
    assert two.get_source(src.id).name == "News"  # type: ignore[union-attr]
