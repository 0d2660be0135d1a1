"""What one search costs in the store, per kind of query, without the web layer.

    .venv/bin/python bench/search_cost.py DATA_DIR_OR_DB [--runs 7] [--words w1,w2,...]
    .venv/bin/python bench/search_cost.py --database-url postgresql+psycopg://... [--runs 7]

Opens the store READ-ONLY (SQLite: ``mode=ro``; no migration, no write; PostgreSQL: a
read-only transaction) and runs ``store.search.search`` for a set of realistic queries:
a common word, two words, a rare word, a phrase, a word as it is typed (the last word a
prefix), and a common word with each filter. Prints per query the matches ranked, the
median and p95 CPU time of this process (all of SQLite's work; on PostgreSQL the wall time
matters more, the server's backend does the work) and the share spent in the window's
statement (and the tsquery on PostgreSQL), the folding into stories, the page's details and
its snippets. The words come from ``--words`` or from
the store's newest titles (the most and the least frequent of them).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text


def _engine(target: str):  # noqa: ANN202
    if target.startswith("postgresql"):
        engine = create_engine(target)
    else:
        path = Path(target)
        path = path / "broadsheet.db" if path.is_dir() else path
        engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    return engine


def _pick_words(conn, count: int = 2000) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """Common and rare title words among the newest articles (as a reader would type):
    the most frequent, and of the least frequent the one the index matches least."""
    titles = conn.execute(
        text("SELECT title FROM articles ORDER BY id DESC LIMIT :n"), {"n": count}
    ).scalars()
    seen = collections.Counter(
        w.lower() for t in titles for w in (t or "").split() if w.isalpha() and len(w) > 3
    )
    ranked = [w for w, _n in seen.most_common()]
    return ranked[:5], sorted(ranked[-20:], key=lambda w: _matches(conn, w))


def _matches(conn, word: str) -> int:  # noqa: ANN001
    if conn.dialect.name == "postgresql":
        sql = "SELECT count(*) FROM articles_fts WHERE document @@ plainto_tsquery('simple', :w)"
    else:
        sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :w"
    return int(conn.execute(text(sql), {"w": f'"{word}"'}).scalar() or 0)


def _most(conn, sql: str):  # noqa: ANN001, ANN202
    """The most frequent value of ``sql``'s column among the newest articles' rows."""
    return conn.execute(
        text(f"SELECT v FROM ({sql}) x GROUP BY v ORDER BY count(*) DESC LIMIT 1"),
        {"floor": conn.execute(text("SELECT max(id) - 2000 FROM articles")).scalar()},
    ).scalar()


def _cases(common: list[str], rare: list[str], conn) -> list[tuple[str, str, dict]]:  # noqa: ANN001
    lang = _most(conn, "SELECT language AS v FROM articles WHERE id > :floor")
    country = _most(conn, "SELECT country AS v FROM article_countries WHERE article_id > :floor")
    topic = _most(conn, "SELECT topic AS v FROM article_topics WHERE article_id > :floor")
    source = _most(conn, "SELECT source_id AS v FROM articles WHERE id > :floor")
    newest = conn.execute(text("SELECT max(sort_at) FROM articles")).scalar()
    newest = datetime.fromisoformat(str(newest)).replace(tzinfo=UTC)
    a, b = common[0], common[1]
    return [
        ("common word", a, {}),
        ("two common words", f"{a} {b}", {}),
        ("rare word", rare[0], {}),
        ("phrase", f'"{a} {b}"', {}),
        ("common -word", f"{a} -{b}", {}),
        ("typing (prefix)", a[:4], {"prefix": True}),
        ("common + language", a, {"language": lang}),
        ("common + country", a, {"country": country}),
        ("common + topic", a, {"topic": topic}),
        ("common + outlet", a, {"source_id": source}),
        ("common + last 7 days", a, {"since": newest - timedelta(days=7)}),
    ]


def main() -> None:
    from broadsheet.store import search as s

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", default="")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", default="", help="common1,common2,rare (else picked)")
    args = parser.parse_args()
    engine = _engine(args.database_url or args.target)
    spent: dict[str, float] = collections.defaultdict(float)

    def timed(name: str, fn):  # noqa: ANN001, ANN202
        def wrapper(*a, **k):  # noqa: ANN002, ANN003, ANN202
            t0 = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.process_time() - t0

        return wrapper

    for name in ("_details", "_add_snippets", "_pg_snippets", "_rank"):
        if hasattr(s, name):
            setattr(s, name, timed(name, getattr(s, name)))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION READ ONLY"))
        count = conn.execute(text("SELECT max(id) FROM articles")).scalar()
        if args.words:
            given = args.words.split(",")
            common, rare = given[:2], given[2:]
        else:
            common, rare = _pick_words(conn)
        print(f"{engine.dialect.name}, max id {count:,}; words {common[:2]}, rare {rare[:1]}")
        now = datetime.fromisoformat(
            str(conn.execute(text("SELECT max(sort_at) FROM articles")).scalar())
        ).replace(tzinfo=UTC)
        print(
            f"{'query':22} {'matched':>8} {'groups':>6} {'cpu p50':>8} {'cpu p95':>8}"
            f" {'wall p50':>8} {'wall min':>8}  statement/fold/details/snippets, CPU ms"
        )
        for label, raw, opts in _cases(common, rare, conn):
            prefix = opts.pop("prefix", False)
            query = replace(s.parse_query(raw), prefix_last=prefix)
            filters = s.SearchFilters(**opts)
            cpu, wall = [], []
            spent.clear()
            for _ in range(args.runs):
                t0, w0 = time.process_time(), time.perf_counter()
                found = s.search(conn, query, filters, now)
                cpu.append((time.process_time() - t0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
            cpu.sort()
            mean = statistics.fmean(cpu)
            per = {n: spent[n] * 1000 / args.runs for n in list(spent)}
            snip = per.get("_add_snippets", 0.0) + per.get("_pg_snippets", 0.0)
            rank, details = per.get("_rank", 0.0), per.get("_details", 0.0)
            parts = f"{mean - rank - snip:.1f} / {rank - details:.1f} / {details:.1f} / {snip:.1f}"
            print(
                f"{label:22} {found.matched:>8}{'+' if found.capped else ' '}{found.groups:>6}"
                f" {statistics.median(cpu):>8.1f} {cpu[int(0.95 * (len(cpu) - 1))]:>8.1f}"
                f" {statistics.median(wall):>8.1f} {min(wall):>8.1f}  {parts}"
            )


if __name__ == "__main__":
    main()
