"""/metrics's "stories in the last hour" counts the stories made in the last hour (by
created_at, through ix_stories_created_at), whatever the time of their first report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from broadsheet.store import Store
from broadsheet.store.schema import stories
from tests.store.test_plans import _plans

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _story(store: Store, made: datetime, first_report: datetime, merged: bool = False) -> int:
    with store.writer() as conn:
        row = {
            "created_at": made,
            "updated_at": made,
            "first_at": first_report,
            "last_at": first_report,
            "article_count": 1,
            "source_count": 1,
        }
        new_id = int(conn.execute(insert(stories).values(**row)).inserted_primary_key[0])
        if merged:
            conn.execute(stories.update().where(stories.c.id == new_id).values(merged_into=1))
        return new_id


def test_stories_made_in_the_last_hour(store: Store) -> None:
    _story(store, NOW - timedelta(hours=3), NOW - timedelta(hours=3))  # an older story
    _story(store, NOW - timedelta(minutes=10), NOW - timedelta(days=2))  # made now, old news
    _story(store, NOW - timedelta(minutes=5), NOW - timedelta(minutes=20))
    _story(store, NOW - timedelta(minutes=1), NOW - timedelta(minutes=1), merged=True)
    # a story made 2 hours ago whose first report is dated in the last hour is not new
    _story(store, NOW - timedelta(hours=2), NOW - timedelta(minutes=30))
    assert store.ops_counts(NOW - timedelta(hours=1), NOW)["stories"] == 2


@pytest.mark.sqlite_only("SQLite's EXPLAIN QUERY PLAN")
def test_the_count_reads_the_created_at_index(store: Store) -> None:
    plans = _plans(store, lambda: store.ops_counts(NOW - timedelta(hours=1), NOW))
    (plan,) = [p for p in plans if "stories" in p]
    assert "ix_stories_created_at (created_at>?)" in plan, plan
