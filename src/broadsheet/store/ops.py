"""What /metrics reads at each scrape beside the kept totals: the ingest of the last hour
and the queues' depths, each one indexed count (the worker is another process: the
database is where its work shows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, func, select

from broadsheet.store.schema import articles, entry_failures, sources, stories, webhook_deliveries


def _count(conn: Connection, table: object, *where: object) -> int:
    query = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
    return int(conn.execute(query).scalar_one())


def counts(conn: Connection, since: datetime, now: datetime) -> dict[str, int]:
    """Articles stored since ``since`` (ix_articles_fetched_at), stories made since then
    (ix_stories_created_at; merged ones left out), sources due now, entries waiting for a
    retry, and webhook deliveries pending."""
    return {
        "articles": _count(conn, articles, articles.c.fetched_at >= since),
        # "+ 0": the same test, which no index serves, so the count reads the hour's range
        # of ix_stories_created_at instead of every live story through ix_stories_merged_last
        "stories": _count(
            conn,
            stories,
            and_(stories.c.created_at >= since, (stories.c.merged_into + 0).is_(None)),
        ),
        "sources_due": _count(
            conn, sources, and_(sources.c.enabled.is_(True), sources.c.next_poll_at <= now)
        ),
        "entries_retrying": _count(conn, entry_failures),
        "webhook_deliveries": _count(
            conn, webhook_deliveries, webhook_deliveries.c.state == "pending"
        ),
    }


class OpsQueries:
    """The Store's part for operations (mixed into Store)."""

    def ops_counts(self, since: datetime, now: datetime) -> dict[str, int]:
        with self.reader() as conn:  # type: ignore[attr-defined]
            return counts(conn, since, now)
