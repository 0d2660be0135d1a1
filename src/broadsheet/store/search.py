"""Full-text search behind one module: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

What a reader types is parsed into a ``ParsedQuery`` (words, "quoted phrases", -excluded
words) and rebuilt as an FTS5 expression from quoted tokens only, so no input can be an
FTS5 syntax error. The cost of a search is bounded, whatever the store's size: it reads at
most ``WINDOW`` of the newest matching articles (FTS5 walks its index in rowid order, and
ids grow with time), ranks those by relevance (bm25, the title weighing more than the
text) and recency, and folds hits of one story into one result.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

# Newest matching articles ranked per search at most. Each costs its bm25 and a look-up of
# its date and story (~7 µs of CPU, more when the rows are not in memory): 1,000 was ~10 ms
# of a search at 250k articles. With relevance halving every week, a common word's 400
# newest matches (about a day of a big site's news) already hold the best results; a
# rarer word has fewer matches than that and is ranked whole.
WINDOW = 400
MAX_TOKENS = 20
TITLE_WEIGHT = 4.0  # bm25 weight of the title column against the text's 1.0
RECENCY_HALF_LIFE_DAYS = 7.0  # relevance halves for every week of age
SNIPPET_TOKENS = 28
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # FTS5 highlight markers; no text contains them

# ISO 639-1 code -> PostgreSQL text search configuration; migration 0011 holds the same map
# in SQL (broadsheet_ts_config) and builds each article's tsvector with it.
PG_CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
PG_WEIGHTS = "{0.0, 0.0, 0.25, 1.0}"  # ts_rank weights of D, C, B (text), A (title)
PG_SLICES = (20_000, 200_000)  # newest ids searched first, before the whole index
PG_TEXT_CHARS = 100_000  # text indexed (and highlighted) per article, as migration 0011
PG_TOKEN_CHARS = 200  # longer tokens are cut (no article word is longer; tsquery limits)

_PART = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class ParsedQuery:
    """What a reader asked for: every word and phrase must appear, no excluded word may."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    # The last plain word as a prefix (search as you type: "ukra" finds "Ukraine"). A prefix
    # reads every indexed word it begins (10-30x a whole word's cost at 1M articles), so a
    # submitted search asks for whole words first (see web/search.py).
    prefix_last: bool = True

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    def fts(self, prefix_last: bool | None = None) -> str:
        """The FTS5 expression: quoted tokens only, so it always parses.

        The last plain word matches as a prefix unless ``prefix_last`` (default: the
        query's own) is false; phrases and excluded words match whole tokens."""
        if self.empty:
            return ""
        if prefix_last is None:
            prefix_last = self.prefix_last
        parts = [f'"{w}"' for w in self.words]
        if prefix_last and parts:
            parts[-1] += "*"
        parts += ['"' + " ".join(p) + '"' for p in self.phrases]
        expr = " AND ".join(parts)
        for word in self.excluded:
            expr = f'({expr}) NOT "{word}"'
        return expr

    def tsquery(self, prefix_last: bool | None = None, excluded: bool = True) -> str:
        """The same query as ``to_tsquery`` input: quoted tokens of word characters only
        (no quote, backslash or operator can appear in one), so it always parses; without
        the excluded words when ``excluded`` is false."""
        if self.empty:
            return ""
        if prefix_last is None:
            prefix_last = self.prefix_last

        def quoted(token: str) -> str:
            return "'" + token[:PG_TOKEN_CHARS] + "'"

        parts = [quoted(w) for w in self.words]
        if prefix_last and parts:
            parts[-1] += ":*"
        parts += ["(" + " <-> ".join(quoted(t) for t in p) + ")" for p in self.phrases]
        if excluded:
            parts += ["!" + quoted(w) for w in self.excluded]
        return " & ".join(parts)


def parse_query(raw: str) -> ParsedQuery:
    """Words, "quoted phrases" and -excluded words from what a reader typed.

    Punctuation inside a word splits it into tokens the way the FTS5 tokenizer does
    ("U.S." is "U" "S"); a word of punctuation only is dropped; an unclosed quote runs to
    the end. At most ``MAX_TOKENS`` tokens are kept."""
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    budget = MAX_TOKENS
    for m in _PART.finditer(raw.replace("\x00", " ")):
        negated = bool(m.group(1) or m.group(3))
        quoted = m.group(2) is not None
        tokens = _WORD.findall(m.group(2) if quoted else m.group(4))[:budget]
        if not tokens:
            continue
        budget -= len(tokens)
        if negated:
            excluded.extend(tokens)
        elif quoted and len(tokens) > 1:
            phrases.append(tuple(tokens))
        else:
            words.extend(tokens)
        if budget <= 0:
            break
    return ParsedQuery(tuple(words), tuple(phrases), tuple(excluded))


def fts_query(words: str) -> str:
    """A safe FTS5 expression for what a reader typed (see ``parse_query``)."""
    return parse_query(words).fts()


@dataclass(frozen=True)
class SearchFilters:
    source_id: int | None = None
    language: str | None = None
    country: str | None = None
    topic: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class SearchHit:
    """One result: the best-ranked article of a story (or a story-less article), with
    how many other matching reports of the same story were folded into it."""

    article_id: int
    title: str
    source_id: int
    source_name: str
    sort_at: datetime
    language: str | None
    story_id: int | None
    score: float
    snippet: str = ""  # plain text with MARK_OPEN / MARK_CLOSE around matches
    more_reports: int = 0


@dataclass
class SearchResults:
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    matched: int = 0  # articles matched, counted up to WINDOW
    groups: int = 0  # results (stories and story-less articles) among them
    capped: bool = False  # more than WINDOW articles matched


def _filter_sql(f: SearchFilters, dialect: str = "sqlite") -> tuple[str, dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if f.source_id is not None:
        where.append("a.source_id = :source_id")
        params["source_id"] = f.source_id
    if f.language:
        where.append("a.language = :language")
        params["language"] = f.language
    if f.country:
        where.append(
            "EXISTS (SELECT 1 FROM article_countries c"
            " WHERE c.article_id = a.id AND c.country = :country)"
        )
        params["country"] = f.country
    if f.topic:
        where.append(
            "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = :topic)"
        )
        params["topic"] = f.topic
    if f.since is not None:
        where.append("a.sort_at >= :since")
        params["since"] = _stored(f.since, dialect)
    if f.until is not None:
        where.append("a.sort_at < :until")
        params["until"] = _stored(f.until, dialect)
    return "".join(f" AND {w}" for w in where), params


def search(
    conn: Connection,
    query: ParsedQuery,
    filters: SearchFilters,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Ranked, story-grouped results for ``query``; at most ``WINDOW`` articles read."""
    results = SearchResults(query)
    if query.empty:
        return results
    if conn.dialect.name == "postgresql":
        return _pg_search(conn, query, filters, now, limit, offset)
    expr = query.fts()
    extra, params = _filter_sql(filters)
    # first the ranking, reading as little as possible per match (up to WINDOW of them)
    rows = conn.execute(
        text(
            "SELECT a.id, a.sort_at, sa.story_id,"
            f" -bm25(articles_fts, {TITLE_WEIGHT}, 1.0)"
            " FROM articles_fts"
            " JOIN articles a ON a.id = articles_fts.rowid"
            " LEFT JOIN story_articles sa ON sa.article_id = a.id"
            f" WHERE articles_fts MATCH :q{extra}"
            " ORDER BY articles_fts.rowid DESC LIMIT :window"
        ),
        {"q": expr, "window": WINDOW + 1, **params},
    ).all()
    _rank(conn, results, rows, now, limit, offset)
    _add_snippets(conn, expr, results.hits)
    return results


def _rank(
    conn: Connection,
    results: SearchResults,
    rows: list[Any],
    now: datetime,
    limit: int,
    offset: int,
) -> None:
    """Fold ``rows`` (id, sort_at, story, relevance: the higher the better) into story
    groups ranked by relevance and recency; one page of them, with titles, as the hits."""
    results.capped = len(rows) > WINDOW
    rows = rows[:WINDOW]
    results.matched = len(rows)
    best: dict[Any, tuple[float, int, str, int | None]] = {}  # key -> score, id, at, story
    more: dict[Any, int] = {}
    for article_id, sort_at, story_id, relevance in rows:
        age_days = max(0.0, (now - _aware(sort_at)).total_seconds() / 86400.0)
        score = float(relevance) * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
        key = ("story", story_id) if story_id is not None else ("article", article_id)
        if key in best:
            more[key] = more.get(key, 0) + 1
            if score <= best[key][0]:
                continue
        best[key] = (score, article_id, sort_at, story_id)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))
    results.groups = len(ranked)
    page = ranked[offset : offset + limit]
    details = _details(conn, [v[1] for _k, v in page])
    for key, (score, article_id, sort_at, story_id) in page:
        title, source_id, source_name, language = details.get(article_id, ("", 0, "", None))
        hit = SearchHit(
            article_id, title, source_id, source_name, _aware(sort_at), language, story_id, score
        )
        hit.more_reports = more.get(key, 0)
        results.hits.append(hit)


# --- PostgreSQL ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _PgQuery:
    """A parsed query for PostgreSQL: ``find`` (tsquery text) for the GIN index, the words
    and phrases under every configuration in play, distinct ones joined by OR; ``check``
    (SQL) and its parameters: the whole query under each candidate's own configuration."""

    find: str
    check: str = ""
    params: dict[str, str] = field(default_factory=dict)


def _pg_tsquery(conn: Connection, query: ParsedQuery, language: str | None) -> _PgQuery | None:
    """The query normalised by every configuration articles may have been indexed with (or
    by ``language``'s only); None when nothing is left of it (stop words only).

    Each candidate is checked with the whole query (excluded words too) normalised by its
    own configuration, so that neither another language's stem ("runs" is "run" in
    German, a prefix of "running" in an unstemmed article) nor a word excluded under one
    configuration and not another lets an article through."""
    if language:
        configs = [PG_CONFIGS.get(language.lower().split("-")[0], "simple")]
    else:
        configs = sorted({*PG_CONFIGS.values(), "simple"})
    listed = ",".join(f"'{c}'" for c in configs)
    rows = conn.execute(
        text(
            "SELECT CAST(c AS text), CAST(to_tsquery(c, :find) AS text),"
            " CAST(to_tsquery(c, :full) AS text)"
            f" FROM unnest(CAST(ARRAY[{listed}] AS regconfig[])) AS c"
        ),
        {"find": query.tsquery(excluded=False), "full": query.tsquery()},
    ).all()
    finds = sorted({r[1] for r in rows if r[1]})
    if not finds:
        return None
    find = " | ".join(f"( {f} )" for f in finds)
    if len(rows) == 1 and not query.excluded:
        return _PgQuery(find)
    cases, params = [], {}
    for n, (config, _find, full) in enumerate(rows):
        params[f"full{n}"] = full or finds[0]
        cases.append(f"WHEN '{config}' THEN CAST(:full{n} AS tsquery)")
    check = f" AND f.document @@ (CASE CAST(f.config AS text) {' '.join(cases)} END)"
    return _PgQuery(find, check, params)


def _pg_search(
    conn: Connection,
    query: ParsedQuery,
    filters: SearchFilters,
    now: datetime,
    limit: int,
    offset: int,
) -> SearchResults:
    results = SearchResults(query)
    tsq = _pg_tsquery(conn, query, filters.language)
    if tsq is None:
        return results
    extra, params = _filter_sql(filters, "postgresql")
    top = conn.execute(text("SELECT max(id) FROM articles_fts")).scalar() or 0
    rows: list[Any] = []
    for width in (*PG_SLICES, None):
        floor = top - width if width is not None else None
        rows = conn.execute(
            text(
                "SELECT a.id, a.sort_at, sa.story_id,"
                f" ts_rank(CAST('{PG_WEIGHTS}' AS real[]), f.document, CAST(:q AS tsquery))"
                " FROM articles_fts f"
                " JOIN articles a ON a.id = f.id"
                " LEFT JOIN story_articles sa ON sa.article_id = a.id"
                f" WHERE f.document @@ CAST(:q AS tsquery){tsq.check}"
                + (" AND f.id > :floor" if floor is not None else "")
                + f"{extra} ORDER BY f.id DESC LIMIT :window"
            ),
            {"q": tsq.find, "floor": floor, "window": WINDOW + 1, **tsq.params, **params},
        ).all()
        if len(rows) > WINDOW or floor is None or floor <= 0:
            break
    _rank(conn, results, rows, now, limit, offset)
    _pg_snippets(conn, tsq.find, results.hits)
    return results


def _pg_snippets(conn: Connection, tsq: str, hits: list[SearchHit]) -> None:
    """Highlighted extracts (``ts_headline``) for one page of hits, in one query."""
    if not hits:
        return
    ids = ",".join(str(int(h.article_id)) for h in hits)
    options = (
        f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords={SNIPPET_TOKENS},"
        ' MinWords=10, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
    )
    rows = conn.execute(
        text(
            "SELECT a.id, ts_headline(f.config,"
            f" left(a.text, {PG_TEXT_CHARS}), CAST(:q AS tsquery), :options)"
            f" FROM articles a JOIN articles_fts f ON f.id = a.id WHERE a.id IN ({ids})"
        ),
        {"q": tsq, "options": options},
    ).all()
    by_id = {int(r[0]): r[1] or "" for r in rows}
    for hit in hits:
        hit.snippet = by_id.get(hit.article_id, "")


def _details(conn: Connection, ids: list[int]) -> dict[int, tuple[str, int, str, str | None]]:
    """Title, outlet and language of one page of hits, in one query."""
    if not ids:
        return {}
    listed = ",".join(str(int(i)) for i in ids)
    rows = conn.execute(
        text(
            "SELECT a.id, a.title, a.source_id, s.name, a.language FROM articles a"
            f" JOIN sources s ON s.id = a.source_id WHERE a.id IN ({listed})"
        )
    ).all()
    return {int(r[0]): (r[1], int(r[2]), r[3], r[4]) for r in rows}


def _add_snippets(conn: Connection, expr: str, hits: list[SearchHit]) -> None:
    """Highlighted extracts for one page of hits, in one query."""
    if not hits:
        return
    ids = ",".join(str(int(h.article_id)) for h in hits)
    rows = conn.execute(
        text(
            "SELECT rowid, snippet(articles_fts, 1, :open, :close, '…', :n)"
            f" FROM articles_fts WHERE articles_fts MATCH :q AND rowid IN ({ids})"
        ),
        {"q": expr, "open": MARK_OPEN, "close": MARK_CLOSE, "n": SNIPPET_TOKENS},
    ).all()
    by_id = {int(r[0]): r[1] or "" for r in rows}
    for hit in hits:
        hit.snippet = by_id.get(hit.article_id, "")


def _stored(when: datetime, dialect: str = "sqlite") -> str | datetime:
    """A datetime as the store keeps it: UTC, naive; as SQLAlchemy's text on SQLite."""
    if dialect != "sqlite":
        return when.astimezone(UTC).replace(tzinfo=None)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def search_ids(conn: Connection, words: str, limit: int = 50) -> list[int]:
    """Article ids matching ``words``, best first (no grouping, no filters)."""
    if conn.dialect.name == "postgresql":
        parsed = parse_query(words)
        tsq = None if parsed.empty else _pg_tsquery(conn, parsed, None)
        if tsq is None:
            return []
        rows = conn.execute(
            text(
                f"SELECT f.id FROM articles_fts f WHERE f.document @@ CAST(:q AS tsquery)"
                f"{tsq.check} ORDER BY ts_rank(CAST('{PG_WEIGHTS}' AS real[]),"
                " f.document, CAST(:q AS tsquery)) DESC, f.id DESC LIMIT :n"
            ),
            {"q": tsq.find, "n": limit, **tsq.params},
        )
        return [int(r[0]) for r in rows]
    query = fts_query(words)
    if not query or conn.dialect.name != "sqlite":
        return []
    rows = conn.execute(
        text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rank LIMIT :n"),
        {"q": query, "n": limit},
    )
    return [int(r[0]) for r in rows]
