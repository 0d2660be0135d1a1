"""Queries about articles: idempotent saves keyed on canonical URL and content hash."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from broadsheet.models import Article, ArticleTeaser, Cursor, Page, Skipped, StoredArticle
from broadsheet.store import keyset, upsert
from broadsheet.store.schema import (
    articles,
    comment_counts,
    counters,
    entries_seen,
    source_icons,
    sources,
)

MAX_WORDS_FOR_COUNT = 10**7
LEAD_CHARS = 400  # of the text, for a teaser's line when the article has no description


def _select() -> Any:
    icon = select(source_icons.c.source_id).where(source_icons.c.source_id == articles.c.source_id)
    return select(
        articles, sources.c.name.label("source_name"), icon.exists().label("source_has_icon")
    ).join(sources, sources.c.id == articles.c.source_id)


def _row_to_article(row: Any) -> StoredArticle:
    m = row._mapping
    return StoredArticle(
        id=m["id"],
        source_id=m["source_id"],
        source_name=m["source_name"],
        source_has_icon=bool(m["source_has_icon"]),
        url=m["url"],
        canonical_url=m["canonical_url"],
        title=m["title"],
        text=m["text"],
        html=m["html"],
        fetched_at=m["fetched_at"],
        author=m["author"],
        published=m["published_at"],
        language=m["language"],
        site_name=m["site_name"],
        image=m["image_url"],
        description=m["description"],
        extraction=m["extraction"],
    )


def find_by_url(conn: Connection, canonical_url: str) -> int | None:
    return conn.execute(
        select(articles.c.id).where(articles.c.canonical_url == canonical_url)
    ).scalar()


def save(
    conn: Connection, source_id: int, article: Article, fetched_at: datetime, guid: str | None
) -> int | Skipped:
    """Insert ``article`` unless it is already stored; say why when it is not inserted.

    The same URL is never stored twice. The same text from the same outlet is skipped;
    the same text from another outlet is kept, pointing at the first copy (wire copies).
    """
    same_url = find_by_url(conn, article.canonical_url)
    if same_url is not None:
        return Skipped("duplicate_url", same_url)
    first_copy = conn.execute(
        select(articles.c.id, articles.c.source_id)
        .where(articles.c.content_hash == article.content_hash)
        .order_by(articles.c.id)
        .limit(1)
    ).first()
    if first_copy is not None and first_copy.source_id == source_id:
        return Skipped("duplicate_text", first_copy.id)
    published = article.published
    sort_at = min(published, fetched_at) if published else fetched_at
    result = conn.execute(
        insert(articles).values(
            source_id=source_id,
            url=article.url,
            canonical_url=article.canonical_url,
            guid=guid,
            title=article.title,
            author=article.author,
            published_at=published,
            fetched_at=fetched_at,
            sort_at=sort_at,
            language=article.language,
            site_name=article.site_name,
            image_url=article.image,
            description=article.description,
            text=article.text,
            html=article.html,
            content_hash=article.content_hash,
            extraction=article.extraction,
            word_count=len(article.text.split()),
            duplicate_of=first_copy.id if first_copy is not None else None,
        )
    )
    add_to_count(conn, 1)
    return int(result.inserted_primary_key[0])


def add_to_count(conn: Connection, delta: int) -> None:
    """Keep the ``articles`` counter (the writes that add or remove articles call this)."""
    conn.execute(
        upsert.insert(conn, counters)
        .values(name="articles", value=max(delta, 0))
        .on_conflict_do_update(
            index_elements=[counters.c.name], set_={"value": counters.c.value + delta}
        )
    )


# Built once (statements are immutable): building it cost more than the read it makes.
_BY_ID = _select().where(articles.c.id == bindparam("id"))


def get(conn: Connection, article_id: int) -> StoredArticle | None:
    row = conn.execute(_BY_ID, {"id": article_id}).first()
    return _row_to_article(row) if row else None


def latest(conn: Connection, limit: int, offset: int = 0) -> list[StoredArticle]:
    query = (
        _select()
        .where(articles.c.duplicate_of.is_(None))
        .order_by(articles.c.sort_at.desc(), articles.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_row_to_article(r) for r in conn.execute(query)]


def count(conn: Connection) -> int:
    """How many articles are stored: the kept counter, not a count of the table."""
    found = conn.execute(select(counters.c.value).where(counters.c.name == "articles")).scalar()
    return int(found or 0)


def count_rows(conn: Connection) -> int:
    """The exact count, by counting (for checks, not pages)."""
    return int(conn.execute(select(func.count()).select_from(articles)).scalar() or 0)


# --- lists: teasers, one query per page -----------------------------------------------------
@functools.cache
def teaser_select() -> Any:
    """The columns a list shows, with the outlet and the kept comment count (one primary-key
    look-up per row in the same statement, not a second query per list); never the text
    or HTML. Built once: statements are immutable, each list adds its own conditions."""
    icon = select(source_icons.c.source_id).where(source_icons.c.source_id == articles.c.source_id)
    lead = func.coalesce(articles.c.description, func.substr(articles.c.text, 1, LEAD_CHARS))
    comments = (
        select(comment_counts.c.visible)
        .where(comment_counts.c.kind == "article", comment_counts.c.target_id == articles.c.id)
        .scalar_subquery()
    )
    return select(
        articles.c.id,
        articles.c.source_id,
        sources.c.name.label("source_name"),
        icon.exists().label("source_has_icon"),
        articles.c.title,
        articles.c.sort_at,
        articles.c.fetched_at,
        articles.c.published_at,
        articles.c.language,
        articles.c.image_url,
        lead.label("lead"),
        comments.label("comments"),
    ).join(sources, sources.c.id == articles.c.source_id)


def to_teaser(row: Any) -> ArticleTeaser:
    # by position (teaser_select's columns, then whatever a list adds): a list page makes
    # 50-100 teasers, and 12 look-ups by name cost twice the unpacking
    (ident, source_id, source_name, has_icon, title, sort_at, fetched_at, published_at,
     language, image_url, lead, comments) = row[:12]  # fmt: skip
    return ArticleTeaser(
        id=ident,
        source_id=source_id,
        source_name=source_name,
        source_has_icon=bool(has_icon),
        title=title,
        sort_at=sort_at,
        fetched_at=fetched_at,
        published=published_at,
        language=language,
        image=image_url,
        lead=lead or "",
        comments=comments or 0,
    )


def teasers(conn: Connection, ids: list[int]) -> dict[int, ArticleTeaser]:
    """These articles as teasers, by id (missing ids are left out), in one query."""
    if not ids:
        return {}
    rows = conn.execute(teaser_select().where(articles.c.id.in_(ids)))
    return {t.id: t for t in map(to_teaser, rows)}


def texts(conn: Connection, ids: list[int]) -> dict[int, tuple[str, str]]:
    """(title, text) of these articles, by id, in one query."""
    if not ids:
        return {}
    rows = conn.execute(
        select(articles.c.id, articles.c.title, articles.c.text).where(articles.c.id.in_(ids))
    )
    return {r.id: (r.title, r.text) for r in rows}


def latest_page(
    conn: Connection, limit: int, before: Cursor | None = None, after: Cursor | None = None
) -> Page[ArticleTeaser]:
    """Original reports (not wire copies) newest first, through ix_articles_originals_sort."""
    query = teaser_select().where(articles.c.duplicate_of.is_(None))
    return keyset.page(
        conn, query, articles.c.sort_at, articles.c.id, to_teaser, limit, before, after
    )


def source_page(
    conn: Connection,
    source_id: int,
    limit: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> Page[ArticleTeaser]:
    """One outlet's articles newest first, through ix_articles_source_sort."""
    query = teaser_select().where(articles.c.source_id == source_id)
    return keyset.page(
        conn, query, articles.c.sort_at, articles.c.id, to_teaser, limit, before, after
    )


def iter_all(conn: Connection, batch: int = 500) -> Iterator[StoredArticle]:
    last_id = 0
    while True:
        rows = conn.execute(
            _select().where(articles.c.id > last_id).order_by(articles.c.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _row_to_article(row)
        last_id = rows[-1]._mapping["id"]


def seen_keys(conn: Connection, source_id: int, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        found.update(
            conn.execute(
                select(entries_seen.c.key).where(
                    entries_seen.c.source_id == source_id, entries_seen.c.key.in_(chunk)
                )
            ).scalars()
        )
    return found


def mark_seen(
    conn: Connection, source_id: int, key: str, article_id: int | None, outcome: str, now: datetime
) -> None:
    exists = conn.execute(
        select(entries_seen.c.id).where(
            entries_seen.c.source_id == source_id, entries_seen.c.key == key
        )
    ).scalar()
    if exists is None:
        conn.execute(
            insert(entries_seen).values(
                source_id=source_id,
                key=key,
                article_id=article_id,
                outcome=outcome[:300],
                seen_at=now,
            )
        )
