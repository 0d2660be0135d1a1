"""Upserts that hold between processes: ``INSERT ... ON CONFLICT`` in the backend's dialect.

SQLite serialises writers (store/engine.py); PostgreSQL does not, so "read, then insert or
update" can race between two workers: both read "absent", the second insert fails on the
key. SQLite (3.24+) and PostgreSQL both take ``ON CONFLICT``, and SQLAlchemy builds it for
each with the same arguments; ``insert(conn, table)`` picks the dialect's construct.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT for ``table``, with ``on_conflict_do_update`` / ``_nothing``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
