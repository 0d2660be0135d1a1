"""Full-text search behind one module: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

What a reader types is parsed into a ``ParsedQuery`` (words, "quoted phrases", -excluded
words) and rebuilt as an FTS5 expression from quoted tokens only, so no input can be an
FTS5 syntax error. The cost of a search is bounded, whatever the store's size: it reads at
most ``WINDOW`` of the newest matching articles (FTS5 walks its index in rowid order, and
ids grow with time), ranks those by relevance (bm25, the title weighing more than the
text) and recency, and folds hits of one story into one result.
"""

from __future__ import annotations

import collections
import functools
import math
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, text

from broadsheet.store import snippets

# Newest matching articles ranked per search at most. Each costs its bm25 and a look-up of
# its date and story (~7 µs of CPU, more when the rows are not in memory): 1,000 was ~10 ms
# of a search at 250k articles. With relevance halving every week, a common word's 400
# newest matches (about a day of a big site's news) already hold the best results; a
# rarer word has fewer matches than that and is ranked whole.
WINDOW = 400
MAX_TOKENS = 20
# Matches of the words a filtered search looks at, newest first. A filter is checked per
# match (~3 µs with its look-ups): an outlet filter on a common word read every match, 1 s
# at 1M articles for "with"; this bounds it to ~15 ms.
FILTERED_MATCHES = 5_000
# the outlet filter offers the outlets with the most matches among the window's, at most
# this many: a common word's 400 matches came from ~200 outlets at 2,500 (their names'
# look-up and <option>s ~14 % of a served search at 1M); each result links to its outlet
OUTLET_CHOICES = 30
# a submitted search that finds nothing tries its last word as a beginning, unless that
# word is a word of more articles than this (see beginnings_may_help)
COMMON_WORD = 1_000
# Newest articles in the second FTS5 index, articles_fts_recent (migration 0027), searched
# first: bm25's IDF reads each word's whole posting list once per statement (a common
# word's, 10-25 ms at 1M articles, growing with the store); in this index the lists are
# bounded by its size, and a word with more than WINDOW matches in it has the same newest
# WINDOW matches as in the whole index. The worker trims it back to this size
# (trim_recent), RECENT_TRIM_BATCH articles a transaction.
RECENT_ARTICLES = 50_000
RECENT_TRIM_BATCH = 2_000
RECENT_MERGE_STEPS = 10  # merge steps (merge_recent) at most per trim, after it
# When the recent index has too few matches the whole index is searched; then a word of
# more articles than about this is left out of the relevance (bm25 over the other words
# and phrases; the matches are still those of the whole query): its IDF would read its
# whole posting list and, being common, it weighs little in bm25 anyway. A query of
# common words only is ranked by its rarest (see _scoring).
SCORED_WORD = 10_000
TITLE_WEIGHT = 4.0  # bm25 weight of the title column against the text's 1.0
RECENCY_HALF_LIFE_DAYS = 7.0  # relevance halves for every week of age
RECENT, WHOLE = "articles_fts_recent", "articles_fts"  # the SQLite indexes (0027, 0001)
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
# Searched first: the table of the newest articles' documents (migration 0031, trimmed to
# RECENT_ARTICLES like SQLite's recent index): a GIN bitmap reads a word's whole posting
# list, whatever id range the statement asks for ("said": ~45 ms at 1M articles in the
# whole index). Then, when it holds too few matches, the newest ids of the whole index and
# the whole index.
PG_RECENT, PG_WHOLE = "articles_fts_recent", "articles_fts"
PG_SLICES = (200_000,)  # newest ids of the whole index searched before all of it
# The whole index in tiers of PG_TIER ids, each with a partial GIN index of its own
# (``ensure_tiers``, the worker's housekeeping): a GIN bitmap holds every match of the
# words, and reading each match's id visits the heap (a word in 15,000 articles: 11,000
# heap pages). Walked newest tier first, a search visits only the matches of the tiers it
# needs. Without every tier's index, the slices and the whole index, as before.
PG_TIER = 100_000
PG_TIER_INDEX = "articles_fts_tier_"  # + k: the ids above k * PG_TIER up to (k + 1) * PG_TIER
PG_TIERS_KNOWN_SECONDS = 60.0  # how long a process trusts the list of tier indexes it read
PG_TIER_WALK = 3  # tiers a search expects to read at most, else the whole index at once
TIERS_LOCK = 0x62_73_74_69  # pg_advisory_lock key while tier indexes are built
# Candidates read from the GIN index per window place: each is then checked under its own
# language's configuration (which may turn a few down) with its document read; the reads
# stop at this many, so a common word reads 802 documents, not every match in its slice.
PG_CANDIDATES = 2
PG_SPARE = 24  # candidates beyond the window checked at first (those the check turns down)
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
    # filters were checked on the newest FILTERED_MATCHES matches of the words only: older
    # ones may match too
    filtered_newest: bool = False
    # (id, name) of the outlets with the most matched articles (at most OUTLET_CHOICES),
    # by name: the outlet filter's choices (a big site follows thousands of outlets; a
    # list of all, or of the ~200 a common word's window holds at 2,500, is no choice)
    outlets: list[tuple[int, str]] = field(default_factory=list)


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


@functools.lru_cache(maxsize=512)
def _sql(statement: str) -> TextClause:
    """``text(statement)`` built once, its ``:ids`` expanded at execution. A search's
    statements vary only by index and filters; a TextClause built per call parsed its
    binds and made its cache key again each time (~6 statements a search)."""
    clause = text(statement)
    return clause.bindparams(bindparam("ids", expanding=True)) if ":ids" in statement else clause


def search(
    conn: Connection,
    query: ParsedQuery,
    filters: SearchFilters,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
    outlets: bool = False,
) -> SearchResults:
    """Ranked, story-grouped results for ``query``; at most ``WINDOW`` articles read;
    with ``outlets``, the outlets of the matches as well (the page's filter)."""
    results = SearchResults(query)
    if query.empty:
        return results
    if conn.dialect.name == "postgresql":
        return _pg_search(conn, query, filters, now, limit, offset, outlets)
    expr = query.fts()
    extra, params = _filter_sql(filters)
    params["now"] = _stored(now)
    # The newest articles' index when it holds the same newest matches as the whole one,
    # so that bm25 reads bounded posting lists: without filters, when it has more than
    # WINDOW matches; with filters (checked on the newest FILTERED_MATCHES matches of the
    # words), when it has more than FILTERED_MATCHES. A probe tells (the next match's id,
    # no bm25: ~0.1-0.5 ms); a filtered search's probe is its floor. Otherwise the whole
    # index, ranked by the query's rarer words (_scoring).
    probe = _newest(conn, RECENT, expr, FILTERED_MATCHES if extra else WINDOW)
    if probe is not None:
        table = RECENT
        rows, floor = _window(conn, RECENT, expr, expr, extra, params, probe if extra else None)
    else:
        table = WHOLE
        floor = _newest(conn, WHOLE, expr, FILTERED_MATCHES) if extra else None
        rows, floor = _window(conn, WHOLE, expr, _scoring(conn, query, expr), extra, params, floor)
    _rank(conn, results, rows, now, limit, offset, outlets)
    results.filtered_newest = floor is not None and len(rows) <= WINDOW
    _add_snippets(conn, table, expr, results.hits, one_pass=not extra)
    return results


def _window(
    conn: Connection,
    table: str,
    expr: str,
    scoring: str,
    extra: str,
    params: dict[str, Any],
    floor: int | None,
) -> tuple[list[Any], int | None]:
    """The newest WINDOW + 1 matches of ``expr`` in ``table`` (an FTS5 index) above
    ``floor`` that pass the filters (``extra``), with their age, story, relevance (bm25
    of ``scoring``) and outlet; and ``floor``. A filtered search looks at the newest
    FILTERED_MATCHES matches of the words only (a filter is checked per match): its floor
    is the id of the next one, or None when there are no more."""
    params = dict(params)
    if floor is not None:
        extra += f" AND {table}.rowid > :floor"
        params["floor"] = floor
    if scoring != expr:  # ranked by some of the words, matching all of them: first the
        # newest matches (no bm25), then bm25 of ``scoring`` over their id range for those
        # only (``+rowid``: a look-up per id would evaluate ``scoring`` again for each)
        joined = f" JOIN articles a ON a.id = {table}.rowid" if extra else ""  # filters
        ids = list(
            conn.execute(
                _sql(
                    f"SELECT {table}.rowid FROM {table}{joined}"
                    f" WHERE {table} MATCH :q{extra} ORDER BY {table}.rowid DESC LIMIT :window"
                ),
                {"q": expr, "window": WINDOW + 1, **params},
            ).scalars()
        )
        if not ids:
            return [], floor
        # the ids as one JSON array: up to WINDOW + 1 bound parameters expanded one by one
        # cost more than the statement's compilation they replaced
        extra = (
            f" AND {table}.rowid BETWEEN :lo AND :hi"
            f" AND +{table}.rowid IN (SELECT value FROM json_each(:listed))"
        )
        params.update(lo=ids[-1], hi=ids[0], listed="[" + ",".join(str(int(i)) for i in ids) + "]")
    # the ranking, reading as little as possible per match (up to WINDOW of them)
    rows = conn.execute(
        _sql(
            "SELECT a.id, julianday(:now) - julianday(a.sort_at), sa.story_id,"
            f" -bm25({table}, {TITLE_WEIGHT}, 1.0), a.source_id"
            f" FROM {table}"
            f" JOIN articles a ON a.id = {table}.rowid"
            " LEFT JOIN story_articles sa ON sa.article_id = a.id"
            f" WHERE {table} MATCH :scoring{extra}"
            f" ORDER BY {table}.rowid DESC LIMIT :window"
        ),
        {"q": expr, "scoring": scoring, "window": WINDOW + 1, **params},
    ).all()
    return rows, floor


def _newest(conn: Connection, table: str, expr: str, skip: int) -> int | None:
    """The id of the match of ``expr`` after the newest ``skip`` in ``table``, or None."""
    return conn.execute(
        _sql(
            f"SELECT rowid FROM {table} WHERE {table} MATCH :q"
            " ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ),
        {"q": expr, "skip": skip},
    ).scalar()


def _scoring(conn: Connection, query: ParsedQuery, expr: str) -> str:
    """The expression whose bm25 ranks a search of the whole index: ``query``'s words and
    phrases of at most about SCORED_WORD articles each (a phrase counts if all its words
    do; excluded words never weigh); when every word is commoner, the rarest word alone
    (its IDF reads its posting list only: "Egypt been" reads Egypt's, ~0.6 ms at 1M
    articles, not been's, ~9 ms); ``expr`` when that is all of it.

    A word's count is estimated from the recent index (its matches among the newest
    RECENT_ARTICLES, counted up to 4 times the share SCORED_WORD is of the store), so
    the estimate reads a bounded part of its posting list whatever the store's size."""
    share = _recent_share(conn, SCORED_WORD)
    counted = _sql(
        f"SELECT count(*) FROM (SELECT 1 FROM {RECENT} WHERE {RECENT} MATCH :q LIMIT :cap)"
    )
    words = [*query.words, *(t for p in query.phrases for t in p)]
    counts = {w: conn.execute(counted, {"q": f'"{w}"', "cap": 4 * share}).scalar() for w in words}
    common = {w for w, n in counts.items() if n > share}
    if common == set(counts):  # the rarest word alone (the first of ties)
        rarest = min(words, key=lambda w: counts[w])
        if rarest not in query.words:  # a phrase's: the word, not the phrase, ranks
            return ParsedQuery((rarest,), prefix_last=False).fts()
        common.discard(rarest)
    if not common and not query.excluded:
        return expr
    kept = ParsedQuery(
        tuple(w for w in query.words if w not in common),
        tuple(p for p in query.phrases if not common.intersection(p)),
        prefix_last=query.prefix_last and bool(query.words) and query.words[-1] not in common,
    )
    return expr if kept.empty else kept.fts()


def _recent_share(conn: Connection, count: int) -> int:
    """``count`` articles of the store scaled to the recent index's RECENT_ARTICLES (the
    share of them it holds), at least 1."""
    top = conn.execute(_sql("SELECT max(id) FROM articles")).scalar() or 0
    return max(1, count * RECENT_ARTICLES // max(top, RECENT_ARTICLES))


def _rank(
    conn: Connection,
    results: SearchResults,
    rows: list[Any],
    now: datetime,
    limit: int,
    offset: int,
    outlets: bool = False,
) -> None:
    """Fold ``rows`` (id, age in days, story, relevance: the higher the better, outlet)
    into story groups ranked by relevance and recency; one page of them, with titles, as
    the hits; with ``outlets`` the OUTLET_CHOICES outlets with the most of them. The age
    comes from the statement (a date parsed per row was ~5 % of a served search). SQLite's;
    PostgreSQL ranks in its window statement (``_pg_ranked``), the same way."""
    results.capped = len(rows) > WINDOW
    rows = rows[:WINDOW]
    results.matched = len(rows)
    best: dict[Any, tuple[float, int, int | None]] = {}  # key -> score, id, story
    more: dict[Any, int] = {}
    decay = math.log(0.5) / RECENCY_HALF_LIFE_DAYS
    for article_id, age_days, story_id, relevance, _source_id in rows:
        score = float(relevance) * math.exp(decay * max(0.0, float(age_days)))
        key = ("story", story_id) if story_id is not None else ("article", article_id)
        if key in best:
            more[key] = more.get(key, 0) + 1
            if score <= best[key][0]:
                continue
        best[key] = (score, article_id, story_id)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))
    results.groups = len(ranked)
    page = ranked[offset : offset + limit]
    details = _details(conn, [v[1] for _k, v in page])
    for key, (score, article_id, story_id) in page:
        title, source_id, source_name, language, sort_at = details.get(
            article_id, ("", 0, "", None, now)
        )
        hit = SearchHit(
            article_id, title, source_id, source_name, _aware(sort_at), language, story_id, score
        )
        hit.more_reports = more.get(key, 0)
        results.hits.append(hit)
    if outlets:
        results.outlets = _outlets(conn, collections.Counter(int(r[4]) for r in rows))


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
    if query.prefix_last and query.words:
        typed = len(query.words[-1])
        rows = [(c, _short_prefixes(f, typed), _short_prefixes(u, typed)) for c, f, u in rows]
    finds = sorted({r[1] for r in rows if r[1]})
    if not finds:
        return None
    find = " | ".join(f"( {f} )" for f in finds)
    if len(rows) == 1 and not query.excluded:
        return _PgQuery(find)
    params = {
        "configs": _pg_text_array(config for config, _find, _full in rows),
        "fulls": _pg_text_array(full or finds[0] for _config, _find, full in rows),
    }
    return _PgQuery(find, _PG_CHECK, params)


# Each candidate checked with the query under its own configuration: the queries one bound
# array, picked by the configuration's place in another. One statement text whatever the
# number of configurations (a CASE with one bound query per configuration made the window's
# statement 4.7 KB, over the 4 KB up to which psycopg keeps a statement's conversion: it
# was converted again on every search, 0.2 ms of the web process's CPU).
_PG_CHECK = (
    " AND f.document @@ (CAST(:fulls AS tsquery[]))"
    "[array_position(CAST(:configs AS regconfig[]), f.config)]"
)


def _pg_text_array(values: Iterable[str]) -> str:
    """Strings as one PostgreSQL array literal, each element quoted ('{"a","b c"}')."""
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


_PREFIX = re.compile(r"'((?:[^']|'')+)':\*")  # a prefix in a tsquery's text


def _short_prefixes(tsquery: str | None, typed: int) -> str | None:
    """``tsquery`` (text) with each prefix shorter than the ``typed`` word made a whole
    word. A configuration that stems the word shorter has taken an ending off a word the
    reader typed whole: its stem matches that word's forms, not every word it begins.
    German stems "take" to "tak", and "tak:*" reads the posting lists of every German word
    beginning with tak ("Taktik", "Takt"): 190 ms for "Zunächst take" typed, at 1M
    articles; Turkish stems "time" to "t", and "t:*" reads every word beginning with t
    (300-500 ms). The stem as long as the typed word stays a prefix: "ukra" still finds
    "Ukraine" as it is typed. Over 300 typed searches at 1M articles: p95 64-70 -> 37-47
    ms (docs/notes/session18.md)."""
    if not tsquery:
        return tsquery
    return _PREFIX.sub(
        lambda m: m.group(0) if len(m.group(1).replace("''", "'")) >= typed else f"'{m.group(1)}'",
        tsquery,
    )


def _pg_array(ids: Iterable[int]) -> str:
    """Ids as one PostgreSQL array literal ("{3,2,1}"), for ``CAST(:ids AS bigint[])``:
    psycopg dumps a list element by element (a statement with a window's 425 ids: 0.50 ms
    of the web process's CPU as a list, 0.30 as a string)."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def _pg_as_array(statement: str) -> str:
    """A statement of ids (newest first) made one that returns them as one array: 802
    ids cost the web process 0.91 ms of CPU as rows (a row object each), 0.43 as one
    array. (With ``_pg_array``: 0.3 ms of a search's ~7.5 in the store, in process at 1M.)"""
    return f"SELECT array_agg(m.id ORDER BY m.id DESC) FROM ({statement}) m"


def _pg_ids_of(conn: Connection, statement: TextClause, params: dict[str, Any]) -> list[int]:
    """The ids an ``_pg_as_array`` statement returns (none: NULL)."""
    return list(conn.execute(statement, params).scalar() or ())


def _pg_search(
    conn: Connection,
    query: ParsedQuery,
    filters: SearchFilters,
    now: datetime,
    limit: int,
    offset: int,
    outlets: bool = False,
) -> SearchResults:
    results = SearchResults(query)
    tsq = _pg_tsquery(conn, query, filters.language)
    if tsq is None:
        return results
    extra, params = _filter_sql(filters, "postgresql")
    most = PG_CANDIDATES * (WINDOW + 1)
    ranked: _PgRanked | None = None
    candidates: list[int] = []
    matches: list[int] = []
    # the matches read per slice: enough for the window, or with a filter (checked on each,
    # joined to its article) the newest FILTERED_MATCHES, as on SQLite
    reads = FILTERED_MATCHES if extra else most
    recent = 0  # matches in the recent table
    for table, floor, width, tiers in _pg_slices(conn):
        if width is not None and recent * width < reads * RECENT_ARTICLES:
            # the slice would hold about the recent table's matches scaled to its width:
            # too few to end the search there, so the whole index at once (a slice costs
            # its id range's bitmap, 200,000 entries, ~10 ms at 1M articles)
            continue
        if tiers is not None and recent * PG_TIER * PG_TIER_WALK < reads * RECENT_ARTICLES:
            # the tiers would hold about the recent table's matches scaled to their width:
            # more than PG_TIER_WALK tiers to read (a statement each), and a word that
            # rare has few matches in the whole index, which one statement reads
            tiers = None
        # The newest matches, from the GIN bitmap ANDed with the id range: no document is
        # read (each a tsvector of a few KB, read for the check and again for the rank). The
        # planner's own pick for ORDER BY id LIMIT n walks back along the primary key
        # testing each document (it does not price reading them): 50-130 ms at 50k
        # articles. Plain index scans are off for this one statement (SET LOCAL, within
        # the read transaction), so it takes the bitmaps.
        conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
        if tiers is not None:
            matches = _pg_tier_matches(conn, tsq.find, tiers, reads)
        else:
            statement = (
                f"SELECT f.id FROM {table} f WHERE f.document @@ CAST(:q AS tsquery)"
                + (" AND f.id > :floor" if floor is not None else "")
                + " ORDER BY f.id DESC LIMIT :reads"
            )
            matches = _pg_ids_of(
                conn, text(_pg_as_array(statement)), {"q": tsq.find, "floor": floor, "reads": reads}
            )
        conn.exec_driver_sql("SET LOCAL enable_indexscan = on")
        recent = len(matches) if table == PG_RECENT else recent
        candidates = matches
        if extra and matches:  # the filters, with their indexes
            statement = (
                f"SELECT a.id FROM articles a WHERE a.id {_PG_IDS}{extra} ORDER BY a.id DESC"
                " LIMIT :most"
            )
            candidates = _pg_ids_of(
                conn,
                text(_pg_as_array(statement)),
                {"ids": _pg_array(matches), "most": most, **params},
            )
        whole = table == PG_WHOLE and floor is None  # this step searches everything
        if not whole and len(matches) < reads and len(candidates) <= WINDOW:
            continue  # too few for the window, checked or not: no documents read here
        ranked = _pg_ranked(conn, tsq, candidates, now, limit, offset)
        # enough newest matches: those of the whole index (the recent table and each slice
        # hold every article above their oldest)
        if ranked.found > WINDOW or len(matches) >= reads or whole:
            break
    texts: dict[int, str] = {}
    if ranked is not None:
        ranked.into(results, now, outlets, texts)
    # candidates the per-language check turned down still count as read: the window is
    # "the newest matches" whether or not all of them were kept
    results.capped = results.capped or len(candidates) >= most
    results.filtered_newest = bool(extra) and len(matches) >= reads and not results.capped
    _pg_snippets(tsq.find, results.hits, texts)
    return results


def _pg_slices(
    conn: Connection,
) -> Iterator[tuple[str, int | None, int | None, list[int] | None]]:
    """Where ``_pg_search`` looks, in turn, until it has its window: (table, id floor or
    None, the slice's width or None, the tiers to walk or None). The recent table; then
    the whole index's tiers, newest first, when each has its index; otherwise the whole
    index's newest PG_SLICES ids and the whole index."""
    yield PG_RECENT, None, None, None
    top = conn.execute(text(f"SELECT max(id) FROM {PG_WHOLE}")).scalar() or 0
    indexed = _indexed_tiers(conn)
    tiers = list(range((top - 1) // PG_TIER, -1, -1)) if top else []
    if tiers and indexed.issuperset(tiers):
        yield PG_WHOLE, None, None, tiers
        return
    for width in PG_SLICES:
        if top - width > 0:
            yield PG_WHOLE, top - width, width, None
    yield PG_WHOLE, None, None, None


def _pg_tier_matches(conn: Connection, find: str, tiers: list[int], reads: int) -> list[int]:
    """The newest ``reads`` matches of ``find`` in the whole index, tier by tier (newest
    first, each through its partial index): the same ids as the whole index's statement,
    the heap visited for the matches of the tiers read only."""
    found: list[int] = []
    for tier in tiers:
        statement = _tier_sql(tier, PG_TIER)
        found += _pg_ids_of(conn, statement, {"q": find, "reads": reads - len(found)})
        if len(found) >= reads:
            break
    return found


@functools.lru_cache(maxsize=1024)
def _tier_sql(tier: int, size: int) -> TextClause:
    """A tier's statement: its bounds written in (not bound), so that the planner can
    prove the partial index's condition, in a generic plan too."""
    low, high = tier * size, (tier + 1) * size
    return text(
        _pg_as_array(
            f"SELECT f.id FROM {PG_WHOLE} f WHERE f.document @@ CAST(:q AS tsquery)"
            f" AND f.id > {low} AND f.id <= {high} ORDER BY f.id DESC LIMIT :reads"
        )
    )


_TIERS_SQL = text(
    "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
    " WHERE i.indrelid = CAST(:table AS regclass) AND c.relname LIKE :prefix"
)
_KNOWN_TIERS: dict[str, tuple[float, frozenset[int]]] = {}  # database -> (read at, tiers)
_TIERS_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_TIERS_UNLOCK = text("SELECT pg_advisory_unlock(:key)")


def _database(conn: Connection) -> str:
    """The key of ``conn``'s database in _KNOWN_TIERS."""
    return conn.engine.url.render_as_string(hide_password=True)


def _tier_indexes(conn: Connection) -> dict[int, bool]:
    """Tier -> whether its index is valid (a concurrent build that failed leaves an
    invalid one, which the planner never uses)."""
    rows = conn.execute(_TIERS_SQL, {"table": PG_WHOLE, "prefix": PG_TIER_INDEX + "%"})
    out = {}
    for name, valid in rows:
        number = name[len(PG_TIER_INDEX) :]
        if number.isdigit():
            out[int(number)] = bool(valid)
    return out


def _indexed_tiers(conn: Connection) -> frozenset[int]:
    """The tiers whose index is valid, as read at most PG_TIERS_KNOWN_SECONDS ago by this
    process for this database. A list out of date costs time, never results: a tier
    thought indexed and not is searched through the whole index, id range filtered."""
    key = _database(conn)
    known = _KNOWN_TIERS.get(key)
    now = time.monotonic()
    if known is None or now - known[0] > PG_TIERS_KNOWN_SECONDS:
        tiers = frozenset(t for t, valid in _tier_indexes(conn).items() if valid)
        known = _KNOWN_TIERS[key] = (now, tiers)
    return known[1]


def ensure_tiers(conn: Connection) -> int:
    """Build the missing tier indexes of the whole index (PostgreSQL; ``conn`` in
    autocommit: each is built CONCURRENTLY, writes go on meanwhile): every tier up to the
    one holding the newest id, and the next, so that new articles land in an indexed
    tier. An invalid index (a build interrupted) is dropped and built again. How many were
    built. ~13 s a tier of 100,000 articles; an empty tier at once. One process at a
    time (an advisory lock; the others build nothing): an invalid index is then no other
    process's build under way."""
    if not conn.execute(_TIERS_LOCK, {"key": TIERS_LOCK}).scalar():
        return 0
    try:
        top = conn.execute(text(f"SELECT max(id) FROM {PG_WHOLE}")).scalar() or 0
        have = _tier_indexes(conn)
        built = 0
        for tier in range(0, (max(top, 1) - 1) // PG_TIER + 2):
            name = f"{PG_TIER_INDEX}{tier}"
            if have.get(tier) is False:
                conn.exec_driver_sql(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            if not have.get(tier):
                low, high = tier * PG_TIER, (tier + 1) * PG_TIER
                conn.exec_driver_sql(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {PG_WHOLE}"
                    f" USING gin (document) WHERE id > {low} AND id <= {high}"
                )
                built += 1
    finally:
        conn.execute(_TIERS_UNLOCK, {"key": TIERS_LOCK})
    _KNOWN_TIERS.pop(_database(conn), None)
    return built


@functools.lru_cache(maxsize=8)
def _pg_window_sql(check: str) -> TextClause:
    """The window: the newest WINDOW + 1 of the candidates (newest first) that pass the
    check, with their age in days at ``now``, story, relevance and outlet. ts_rank is
    computed for those only, in the scan that checks them: no document is carried further
    (400 documents kept for a later ts_rank cost the server ~2 ms more a window). One
    statement text with a check and one without, so the server keeps them prepared; the
    candidates are bound arrays (written into the text, 400-800 ids made a new statement
    of ~6 KB to compile and parse for every search).

    The documents are read from the whole index whichever table the candidates came from:
    its rows keep their documents in line up to 8 KB (migration 0033), where the recent
    table's larger ones are TOASTed, and each TOASTed document is fetched twice (the check,
    then ts_rank), a look-up in the TOAST table's index each time (at 20,000 articles,
    interleaved: 5,111 -> 3,484 buffers and 5.2 -> 4.0 ms a window). The recent table's
    heap stays small for its GIN bitmaps, which visit a row per match.

    The check reads each candidate's document, and PostgreSQL checks
    every candidate it is given before sorting them: the newest WINDOW + 1 + PG_SPARE
    (``:ids``) go first; the rest (``:rest``) are read only when the check turned down
    more than the spare (another language's stem of the word: ~3 searches in 10 at 1M
    articles in 20 languages), a condition the server evaluates once, before that scan."""
    part = (
        "SELECT f.id,"
        f" CAST(ts_rank(CAST('{PG_WEIGHTS}' AS real[]), f.document, CAST(:q AS tsquery)) AS float8)"
        " AS relevance"  # exact: a real sent as text is its shortest decimal
        f" FROM {PG_WHOLE} f WHERE f.id = ANY(CAST(:IDS AS bigint[])){check}"
    )
    return text(
        f"WITH a1 AS MATERIALIZED ({part.replace(':IDS', ':ids')}"
        " ORDER BY f.id DESC LIMIT :window),"
        f" a2 AS ({part.replace(':IDS', ':rest')} AND (SELECT count(*) FROM a1) < :window"
        " ORDER BY f.id DESC LIMIT :window),"
        " c AS (SELECT * FROM a1 UNION ALL SELECT * FROM a2 ORDER BY id DESC LIMIT :window)"
        " SELECT c.id, date_part('epoch', CAST(:now AS timestamp) - a.sort_at) / 86400.0 AS age,"
        " sa.story_id, c.relevance, a.source_id FROM c"
        " JOIN articles a ON a.id = c.id"
        " LEFT JOIN story_articles sa ON sa.article_id = a.id"
        " ORDER BY c.id DESC"
    )


def _pg_window_params(tsq: _PgQuery, candidates: list[int], now: datetime) -> dict[str, Any]:
    """``_pg_window_sql``'s parameters."""
    first = WINDOW + 1 + PG_SPARE
    return {
        "ids": _pg_array(candidates[:first]),
        "rest": _pg_array(candidates[first:]),
        "q": tsq.find,
        "window": WINDOW + 1,
        "now": _stored(now, "postgresql"),
        **tsq.params,
    }


@dataclass
class _PgRanked:
    """What ``_pg_ranked``'s one statement returns: the window's rows counted (``found``,
    up to WINDOW + 1), its story groups counted, one page of them with their details, the
    outlets with the most matches."""

    found: int
    groups: int
    page: list[Any]
    outlets: list[tuple[int, str]]

    def into(
        self, results: SearchResults, now: datetime, outlets: bool, texts: dict[int, str]
    ) -> None:
        """Fill ``results`` as ``_rank`` does from the same rows, and ``texts``."""
        results.capped = self.found > WINDOW
        results.matched = min(self.found, WINDOW)
        results.groups = self.groups
        for article_id, story_id, score, more, title, source_id, name, lang, at, body in self.page:
            hit = SearchHit(
                int(article_id), title or "", int(source_id or 0), name or "",
                _aware(at if at is not None else now), lang, story_id, float(score),
            )  # fmt: skip
            hit.more_reports = int(more)
            results.hits.append(hit)
            texts[hit.article_id] = body or ""
        if outlets:
            results.outlets = _by_name(self.outlets)


def _pg_ranked(
    conn: Connection,
    tsq: _PgQuery,
    candidates: list[int],
    now: datetime,
    limit: int,
    offset: int,
) -> _PgRanked:
    """The window and ``_rank`` on its rows in one statement: the rows ranked and grouped
    where they are, one page of groups returned with its titles, outlets and texts (the
    details), and the outlets with the most matches. The same results as ``_rank`` (the
    same formula in double precision, ties to the newer article): 400 rows made Python
    objects and ranked, the details and outlets two more statements, were ~2.5 ms of the
    web process's CPU a search at 1M articles."""
    row = conn.execute(
        _pg_ranked_sql(tsq.check),
        {
            **_pg_window_params(tsq, candidates, now),
            "kept": WINDOW,
            "decay": math.log(0.5) / RECENCY_HALF_LIFE_DAYS,
            "offset": offset,
            "limit": limit,
            "outlets": OUTLET_CHOICES,
        },
    ).all()
    found, groups, outlet_ids, outlet_names = row[0][:4]
    page = [r[4:] for r in row if r[4] is not None]
    named = zip(outlet_ids or (), outlet_names or (), strict=True)
    return _PgRanked(int(found), int(groups), page, [(i, n) for i, n in named if n is not None])


@functools.lru_cache(maxsize=8)
def _pg_ranked_sql(check: str) -> TextClause:
    """``_pg_ranked``'s statement with a check or without (as ``_pg_window_sql``). The
    window's rows numbered newest first; the newest WINDOW scored (relevance halved per
    RECENCY_HALF_LIFE_DAYS of age); each story's (or story-less article's) best kept with
    how many more it has; a page of those by score."""
    window = _pg_window_sql(check).text
    return text(
        f"WITH w AS (SELECT r.*, row_number() OVER (ORDER BY r.id DESC) AS n FROM ({window}) r),"
        " s AS (SELECT w.id, w.story_id, w.source_id,"
        " CASE WHEN w.story_id IS NULL THEN w.id END AS lone,"
        " w.relevance * exp(CAST(:decay AS float8) * greatest(0.0, w.age))"
        " AS score FROM w WHERE w.n <= :kept),"
        " g AS (SELECT DISTINCT ON (s.story_id, s.lone) s.id, s.story_id, s.score,"
        " count(*) OVER (PARTITION BY s.story_id, s.lone) - 1 AS more"
        " FROM s ORDER BY s.story_id, s.lone, s.score DESC, s.id DESC),"
        " p AS (SELECT g.* FROM g ORDER BY g.score DESC, g.id DESC OFFSET :offset LIMIT :limit),"
        " o AS (SELECT s.source_id, count(*) AS c FROM s GROUP BY s.source_id"
        " ORDER BY c DESC, s.source_id LIMIT :outlets)"
        " SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM g),"
        " (SELECT array_agg(o.source_id ORDER BY o.source_id) FROM o),"
        " (SELECT array_agg(src.name ORDER BY o.source_id) FROM o"
        " LEFT JOIN sources src ON src.id = o.source_id),"
        " p.id, p.story_id, p.score, p.more, a.title, a.source_id,"
        # the outlet's name by a subquery per hit: a join hashed every source (2,500 at 1M)
        " (SELECT src.name FROM sources src WHERE src.id = a.source_id), a.language,"
        f" a.sort_at, left(a.text, {PG_TEXT_CHARS})"
        " FROM (SELECT 1) one LEFT JOIN p ON TRUE LEFT JOIN articles a ON a.id = p.id"
        " ORDER BY p.score DESC, p.id DESC"
    )


def _pg_snippets(tsq: str, hits: list[SearchHit], texts: dict[int, str]) -> None:
    """Highlighted extracts for one page of hits from their ``texts`` (read with their
    titles), the matches of the query's lexemes marked in Python (store/snippets.py;
    ``ts_headline`` stemmed each text again, a fifth of a search's time in the database)."""
    if not hits:
        return
    pattern = snippets.matcher(snippets.lexemes(tsq))
    for hit in hits:
        body = texts.get(hit.article_id) or ""
        hit.snippet = snippets.snippet(body, pattern, SNIPPET_TOKENS, (MARK_OPEN, MARK_CLOSE))


# SQLite's details and outlets: one statement each, the ids bound (expanded at execution):
# with the ids written into the SQL every search compiled two new statements (~0.15 ms a
# search at 1M, of ~12). (PostgreSQL reads both in its window statement, _pg_ranked_sql.)
_DETAILS = _sql(
    "SELECT a.id, a.title, a.source_id,"
    " (SELECT s.name FROM sources s WHERE s.id = a.source_id), a.language, a.sort_at"
    " FROM articles a WHERE a.id IN :ids"
)
_OUTLETS = _sql("SELECT id, name FROM sources WHERE id IN :ids")
_PG_IDS = "= ANY(CAST(:ids AS bigint[]))"  # PostgreSQL: the ids as one bound array


def _details(conn: Connection, ids: list[int]) -> dict[int, tuple[str, int, str, str | None, Any]]:
    """Title, outlet, language and date of one page of hits, in one query."""
    if not ids:
        return {}
    rows = conn.execute(_DETAILS, {"ids": [int(i) for i in ids]}).all()
    return {int(r[0]): (r[1], int(r[2]), r[3] or "", r[4], r[5]) for r in rows}


def _outlets(conn: Connection, counts: collections.Counter[int]) -> list[tuple[int, str]]:
    """(id, name) of the ``OUTLET_CHOICES`` outlets with the most matches (``counts``:
    matches per outlet id; ties to the lower id), by name."""
    ids = [sid for sid, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    ids = ids[:OUTLET_CHOICES]
    if not ids:
        return []
    rows = conn.execute(_OUTLETS, {"ids": sorted(ids)}).all()
    return _by_name((int(r[0]), r[1]) for r in rows)


def _by_name(outlets: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """(id, name) of outlets as the filter lists them: by name, regardless of case."""
    return sorted(outlets, key=lambda r: (r[1].casefold(), r[0]))


def _add_snippets(
    conn: Connection, table: str, expr: str, hits: list[SearchHit], one_pass: bool = True
) -> None:
    """Highlighted extracts for one page of hits, in one query.

    FTS5 answers ``rowid IN (…)`` with one look-up per id, and each look-up evaluates the
    whole expression again: a word beginning reads every indexed word it begins each time
    (120 ms for 20 hits of "with*" at 150k articles, 2-3 ms for a whole word). Without
    filters (``one_pass``) the hits lie among the window's newest matches of ``expr``, so
    it is evaluated once over the hits' id range (``+rowid`` keeps the list out of FTS5's
    hands: at most ``WINDOW`` matches read) and snippet() runs for the hits only; with
    filters that range may hold any number of other matches, so each hit is looked up."""
    if not hits:
        return
    ids = [int(h.article_id) for h in hits]
    where = "rowid BETWEEN :lo AND :hi AND +rowid IN :ids" if one_pass else "rowid IN :ids"
    rows = conn.execute(
        _sql(
            f"SELECT rowid, snippet({table}, 1, :open, :close, '…', :n)"
            f" FROM {table} WHERE {table} MATCH :q AND {where}"
        ),
        {
            "q": expr,
            "open": MARK_OPEN,
            "close": MARK_CLOSE,
            "n": SNIPPET_TOKENS,
            "lo": min(ids),
            "hi": max(ids),
            "ids": ids,
        },
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


def beginnings_may_help(conn: Connection, query: ParsedQuery) -> bool:
    """Whether a search that found nothing with whole words should be tried again with
    its last word as a beginning ("ukra" finding "Ukraine", "year" finding "years"): not
    when that word is itself a word of more than ``COMMON_WORD`` articles. The reader
    typed a whole word then, and a common word's beginning reads its whole posting list
    and every other word it begins ("said*": 22-38 ms at 1M articles on SQLite, growing
    with the store; a tenth of the bench's searches), for nothing more often than not.
    SQLite reads the word's first ``COMMON_WORD`` + 1 entries; PostgreSQL, where a GIN
    index reads a word's whole posting list, asks its table of the newest articles for
    the share of ``COMMON_WORD`` they are of the store ("time:*" read every word beginning
    with "tim" and, for Turkish, "t": 150-470 ms at 1M articles)."""
    if not query.words:
        return False
    if conn.dialect.name == "postgresql":
        return not _pg_common(conn, query.words[-1])
    found = conn.execute(
        text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q LIMIT 1 OFFSET :n"),
        {"q": f'"{query.words[-1]}"', "n": COMMON_WORD},
    ).first()
    return found is None


def _pg_common(conn: Connection, word: str) -> bool:
    """Whether ``word``, whole, under every configuration, is in more than COMMON_WORD
    articles' worth of the recent table (its share of the store); a stop word of every
    configuration is (its beginning is one too). Sequential scans are off for the probe:
    the planner takes one for a frequent word's LIMIT, and it reads every document until
    it has enough (5 ms for "began", where the GIN bitmap takes 0.5)."""
    tsq = _pg_tsquery(conn, ParsedQuery((word,), prefix_last=False), None)
    if tsq is None:
        return True
    share = _recent_share(conn, COMMON_WORD)
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    found = conn.execute(
        text(
            f"SELECT 1 FROM {PG_RECENT} f WHERE f.document @@ CAST(:q AS tsquery) LIMIT 1 OFFSET :n"
        ),
        {"q": tsq.find, "n": share},
    ).first()
    conn.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return found is not None


def trim_recent(conn: Connection) -> int:
    """Take the oldest articles out of the recent index until it holds the newest
    RECENT_ARTICLES, at most RECENT_TRIM_BATCH of them; how many were taken out.
    On SQLite (articles_fts_recent, 0027) the index's own list of its articles (its
    docsize table, by id) says which are in it; each is deleted with the title and text it
    was indexed with, which the triggers keep equal to the article's. On PostgreSQL
    (articles_fts_recent, 0031) they are rows of a table."""
    postgres = conn.dialect.name == "postgresql"
    if not postgres and conn.dialect.name != "sqlite":
        return 0
    listing = PG_RECENT if postgres else "articles_fts_recent_docsize"
    floor = _newest_beyond(conn, listing, None)
    if floor is None:
        return 0
    if _newest_beyond(conn, listing, floor) is not None:
        # more to take out than to keep (a bulk import): built again
        return (_pg_rebuild_recent if postgres else _rebuild_recent)(conn, floor)
    ids = list(
        conn.execute(
            text(f"SELECT id FROM {listing} WHERE id <= :floor ORDER BY id LIMIT :n"),
            {"floor": floor, "n": RECENT_TRIM_BATCH},
        ).scalars()
    )
    if postgres:
        conn.execute(_sql(f"DELETE FROM {PG_RECENT} WHERE id IN :ids"), {"ids": ids})
        return len(ids)
    conn.execute(
        _sql(
            "INSERT INTO articles_fts_recent(articles_fts_recent, rowid, title, text)"
            " SELECT 'delete', id, title, text FROM articles WHERE id IN :ids"
        ),
        {"ids": ids},
    )
    return len(ids)


def _newest_beyond(conn: Connection, listing: str, floor: int | None) -> int | None:
    """The id of the (RECENT_ARTICLES + 1)th newest article in the recent index's
    ``listing`` (at or below ``floor`` when given): None when there are no more."""
    below = " WHERE id <= :floor" if floor is not None else ""
    return conn.execute(
        text(f"SELECT id FROM {listing}{below} ORDER BY id DESC LIMIT 1 OFFSET :keep"),
        {"floor": floor, "keep": RECENT_ARTICLES},
    ).scalar()


def _pg_rebuild_recent(conn: Connection, floor: int) -> int:
    """PostgreSQL's recent table emptied and filled again from articles_fts with the
    articles above ``floor`` (after a bulk import: a fresh heap and index instead of a
    million dead rows for VACUUM); how many left it."""
    held = conn.execute(text(f"SELECT count(*) FROM {PG_RECENT}")).scalar() or 0
    conn.exec_driver_sql(f"TRUNCATE {PG_RECENT}")
    kept = conn.execute(
        text(
            f"INSERT INTO {PG_RECENT} (id, config, document)"
            f" SELECT id, config, document FROM {PG_WHOLE} WHERE id > :floor"
        ),
        {"floor": floor},
    ).rowcount
    conn.exec_driver_sql(f"ANALYZE {PG_RECENT}")
    return int(held) - int(kept)


def _rebuild_recent(conn: Connection, floor: int) -> int:
    """The recent index emptied and filled again with the articles above ``floor``: the
    cost of indexing RECENT_ARTICLES (~7 s at 50,000), whatever it held (a store filled
    by a bulk import holds every article: taking 950,000 out one by one would re-read
    each). How many left it."""
    held = conn.execute(text("SELECT count(*) FROM articles_fts_recent_docsize")).scalar() or 0
    conn.exec_driver_sql(
        "INSERT INTO articles_fts_recent(articles_fts_recent) VALUES ('delete-all')"
    )
    conn.execute(
        text(
            "INSERT INTO articles_fts_recent(rowid, title, text)"
            " SELECT id, title, text FROM articles WHERE id > :floor"
        ),
        {"floor": floor},
    )
    kept = conn.execute(text("SELECT count(*) FROM articles_fts_recent_docsize")).scalar() or 0
    return int(held) - int(kept)


def merge_recent(conn: Connection) -> bool:
    """One bounded step (~500 pages, ~0.1 s at 50,000 articles) of merging the recent
    index's segments; whether it had work to do. A trimmed article's entries stay in its
    segment, read by every search of its words, until that segment is merged: FTS5's own
    merging leaves them for long (30,000 articles trimmed from 50,000 read as slowly as
    50,000: 1.1 ms against 0.47 for "with"); these steps drop them. SQLite only."""
    if conn.dialect.name != "sqlite":
        return False
    raw = conn.connection.driver_connection
    before = raw.total_changes
    conn.exec_driver_sql(
        "INSERT INTO articles_fts_recent(articles_fts_recent, rank) VALUES ('merge', -500)"
    )
    return raw.total_changes - before > 1
