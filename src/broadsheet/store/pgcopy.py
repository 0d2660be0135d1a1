"""Multi-row inserts for the bulk loader: PostgreSQL's COPY, else an executemany INSERT.

On PostgreSQL a 2,000-article batch sent as INSERT statements spent about half its time
outside the server: psycopg splitting and binding a 20,000-parameter statement per 1,000
rows, and a pipelined round of small statements for the derived tables. COPY sends the
same rows as one stream. The values go through each column's SQLAlchemy bind processing
first (UTCDateTime makes naive UTC, as it does for an INSERT), and triggers fire for COPY
as they do for INSERT (the articles' search documents, migration 0011), so the stored rows
are the same. Article ids are drawn from the table's sequence first, in the batch's order,
as ``INSERT ... RETURNING`` with ``sort_by_parameter_order`` gives them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert, text


def postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def new_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """``count`` new ids of ``table``'s serial ``id``, ascending (PostgreSQL)."""
    drawn = conn.execute(
        text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
        {"t": table.name, "n": count},
    ).scalars()
    return sorted(int(i) for i in drawn)


def write(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the caller's transaction."""
    if not rows:
        return
    if not postgres(conn):
        conn.execute(insert(table), rows)
        return
    from psycopg import sql

    names = list(rows[0])
    dialect = conn.dialect
    binds = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    # the connection's dumpers apply (store/engine.py: strings lose their NUL characters)
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    row[n] if bind is None else bind(row[n])
                    for n, bind in zip(names, binds, strict=True)
                ]
            )
