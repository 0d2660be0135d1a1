"""Full-text search behind one function: FTS5 on SQLite (PostgreSQL follows later)."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(words: str) -> str:
    """Turn what a reader typed into a safe FTS5 query: every word must appear (prefixes)."""
    tokens = _WORD.findall(words)[:20]
    return " ".join(f'"{t}"*' for t in tokens)


def search_ids(conn: Connection, words: str, limit: int = 50) -> list[int]:
    query = fts_query(words)
    if not query or conn.dialect.name != "sqlite":
        return []
    rows = conn.execute(
        text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rank LIMIT :n"),
        {"q": query, "n": limit},
    )
    return [int(r[0]) for r in rows]
