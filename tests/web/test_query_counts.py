"""A page's cost does not grow with the store: the number of SQL statements each page
runs is the same for a small store and for one with more articles, more outlets, more
stories, longer stories and longer lists.

Statements are counted with SQLAlchemy's ``before_cursor_execute`` event on the real
store's engine while the real ASGI app renders the page (BEGIN and the like included).
Each page is rendered by a fresh app, so caches (the ranking of top stories) start cold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from broadsheet.config import Settings
from broadsheet.extract import content_hash
from broadsheet.models import Article
from broadsheet.store import Store
from broadsheet.store.stories import Change
from broadsheet.web.app import create_app
from tests.web.asgi import get
from tests.web.sample import NOW, png

ENTITY = "person:ada-lovelace"
TOPIC = "science"
COUNTRY = "GB"


@dataclass(frozen=True)
class Size:
    outlets: int
    stories: int
    members: int  # articles in the story the story page shows
    loose: int  # articles in no story (still on the latest, entity, place, topic lists)


SMALL = Size(outlets=2, stories=3, members=3, loose=2)
LARGE = Size(outlets=7, stories=40, members=75, loose=150)


@dataclass
class Built:
    store: Store
    settings: Settings
    story: int
    article: int
    source: int


def _article(outlet: int, n: int, age: timedelta) -> Article:
    url = f"https://outlet{outlet}.example/news/{n}"
    text = f"Report number {n} from outlet {outlet}. " * 20 + f"Ada Lovelace and science {n}."
    return Article(
        url=url,
        canonical_url=url,
        title=f"Report {n} from outlet {outlet}",
        text=text,
        html=f"<p>{text}</p>",
        published=NOW - age,
        language="en",
        description=None if n % 2 else f"Summary of report {n}",
        content_hash=content_hash(text),
    )


def build(tmp_path: Path, size: Size) -> Built:
    settings = Settings(data_dir=tmp_path, default_sources=False, page_size=10)
    store = Store.open(settings)
    outlets = [
        store.add_source(
            f"https://outlet{i}.example/feed",
            name=f"Outlet {i}",
            # the last outlet is French: its stories are local to gb-en only by their text
            country="FR" if i == size.outlets - 1 else "GB",
            language="en",
        ).id
        for i in range(size.outlets)
    ]
    store.set_icon(outlets[0], png(), "image/png")
    n = 0

    def add(age: timedelta) -> int:
        nonlocal n
        n += 1
        saved = store.save_article(outlets[n % len(outlets)], _article(n % 7, n, age), NOW)
        assert isinstance(saved, int), saved
        entities = [{"entity_id": ENTITY, "label": "PERSON", "text": "Ada Lovelace"}]
        features = {
            "entities": [{**e, "start": 0, "end": 12} for e in entities],
            "countries": [{"code": COUNTRY, "name": "United Kingdom", "mentions": 1}],
            "topics": [{"topic": TOPIC, "score": 0.9}],
        }
        store.save_understanding(saved, features, dict.fromkeys(features, "test"))
        return saved

    terms = {"ada": 1.0, "lovelace": 0.8, "science": 0.5}
    members = [add(timedelta(minutes=5 * i)) for i in range(size.members)]
    changes = [Change(article_id=a, story=-1, terms={-1: terms}) for a in members[:1]]
    changes += [Change(article_id=a, story=-1) for a in members[1:]]
    story = store.apply_story_changes(changes)[-1]
    for s in range(size.stories - 1):
        lone = add(timedelta(hours=2, minutes=s))
        other = store.apply_story_changes([Change(article_id=lone, story=-1, terms={-1: terms})])[
            -1
        ]
        if s == 0:  # a move out of the big story, for its history
            moved = members[-1]
            store.apply_story_changes(
                [Change(article_id=lone, story=other, moves=[(moved, story, other)])]
            )
    for i in range(size.loose):
        add(timedelta(days=1, minutes=i))
    return Built(store, settings, story, members[0], outlets[0])


@contextmanager
def counted(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


PAGES = {
    "home": "/",
    "latest": "/latest",
    "article": "/articles/{article}",
    "story": "/stories/{story}",
    "story members": "/stories/{story}/articles",
    "stories": "/stories",
    "entity": f"/entities/{ENTITY}",
    "place": f"/places/{COUNTRY.lower()}",
    "topic": f"/topics/{TOPIC}",
    "source": "/sources/{source}",
    "edition": "/editions/gb-en",  # local by outlets and by the places in the text
    "home of an edition": "/?edition",  # the cookie below
    "health": "/healthz",
}


def _cookie(path: str) -> dict[str, str]:
    """The reader's edition for the edition's home page (a path ending ``?edition``)."""
    return {"cookie": "edition=gb-en"} if path.endswith("?edition") else {}


def statements_per_page(built: Built) -> dict[str, int]:
    """Each page rendered twice by fresh apps: the first view (which may compute and store
    the story's digest) and the second; the statements of each, by page."""
    found: dict[str, int] = {}
    for name, pattern in PAGES.items():
        path = pattern.format(story=built.story, article=built.article, source=built.source)
        for view in ("first", "again"):
            app = create_app(built.settings, built.store, clock=lambda: NOW)
            with counted(built.store) as statements:
                response = get(app, path.removesuffix("?edition"), **_cookie(path))
            # /healthz answers 503 here: no worker runs beside these stores (its cost counts)
            wanted = 503 if name == "health" else 200
            assert response.status_code == wanted, (path, response.status_code)
            found[f"{name} ({view})"] = len(statements)
    # and the next page of every paged list, through its "Older" link
    for name in ("latest", "story members", "entity", "source"):
        path = PAGES[name].format(story=built.story, source=built.source)
        page = get(create_app(built.settings, built.store, clock=lambda: NOW), path).text
        older = page.split('class="pager__older" rel="next" href="', 1)
        if len(older) == 2:
            with counted(built.store) as statements:
                response = get(
                    create_app(built.settings, built.store, clock=lambda: NOW),
                    older[1].split('"', 1)[0].replace("&amp;", "&"),
                )
            assert response.status_code == 200
            found[f"{name} (older)"] = len(statements)
    return found


@pytest.fixture(scope="module")
def sizes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    out = {}
    for label, size in (("small", SMALL), ("large", LARGE)):
        built = build(tmp_path_factory.mktemp(label), size)
        try:
            out[label] = statements_per_page(built)
        finally:
            built.store.close()
    return out


def test_every_page_runs_as_many_statements_for_a_large_store_as_for_a_small_one(
    sizes: dict[str, dict[str, int]],
) -> None:
    small, large = sizes["small"], sizes["large"]
    first_views = {k: v for k, v in small.items() if "(older)" not in k}
    assert set(first_views) <= set(large)
    assert {k: large[k] for k in first_views} == first_views


def test_the_large_store_really_has_longer_lists(tmp_path: Path) -> None:
    """The large store exercises what the counts claim: lists longer than a page (so
    "more" links and older pages exist) and more outlets, stories and members."""
    built = build(tmp_path, LARGE)
    try:
        app = create_app(built.settings, built.store, clock=lambda: NOW)
        story = get(app, f"/stories/{built.story}").text
        assert f'href="/stories/{built.story}/articles?before=' in story  # "All … articles"
        for path in ("/latest", f"/entities/{ENTITY}", f"/sources/{built.source}", "/stories"):
            assert 'class="pager__older"' in get(app, path).text, path
        assert built.store.count_articles() == LARGE.members + LARGE.stories - 1 + LARGE.loose
    finally:
        built.store.close()


def test_older_pages_cost_the_same_as_first_pages(sizes: dict[str, dict[str, int]]) -> None:
    large = sizes["large"]
    for name in ("latest", "story members", "entity", "source"):
        assert large[f"{name} (older)"] == large[f"{name} (again)"], name


def test_the_article_page_counts_no_outlets_articles(tmp_path: Path) -> None:
    """The article page's header links the outlet's country; it read the whole outlet
    (``get_source``), whose article count is a count(*) over the outlet's articles on every
    article view: a cost that grows with the store. It reads the one column."""
    built = build(tmp_path, LARGE)
    try:
        page = _without_counting_articles(built, f"/articles/{built.article}")
        assert 'href="/places/gb"' in page.text  # the outlet's country, linked
    finally:
        built.store.close()


def _without_counting_articles(built: Built, path: str) -> Any:
    """The answer to ``path`` (a 200), having checked it ran no count(*) over articles."""
    app = create_app(built.settings, built.store, clock=lambda: NOW)
    with counted(built.store) as statements:
        answer = get(app, path)
    assert answer.status_code == 200
    counting = [s for s in statements if re.search(r"count\(\*\)[^()]*FROM articles", s)]
    assert counting == [], counting
    return answer


def test_the_api_article_counts_no_outlets_articles(tmp_path: Path) -> None:
    """The JSON API's article names its outlet's site, country and language: the three
    columns, not ``get_source`` (whose count(*) over the outlet's articles grew with the
    store on every call)."""
    built = build(tmp_path, LARGE)
    try:
        answer = _without_counting_articles(built, f"/api/v1/articles/{built.article}")
        outlet = answer.json()["outlet"]
        source = built.store.get_source(outlet["id"])
        assert source is not None
        assert (outlet["country"], outlet["language"]) == ("GB", "en")
        assert outlet["url"] == source.site_url
        # its entities by their spelling (this endpoint answered 500 on any entity before)
        assert answer.json()["entities"] == [
            {"id": ENTITY, "name": "Ada Lovelace", "label": "PERSON"}
        ]
        app = create_app(built.settings, built.store, clock=lambda: NOW)
        missing = get(app, "/api/v1/articles/999999")
        assert missing.status_code == 404
    finally:
        built.store.close()


def _names_chosen(statements: list[str]) -> int:
    """Statements choosing an entity's name (``entity_name``'s group-by of its mentions)."""
    return sum(1 for s in statements if "GROUP BY" in s and "article_entities" in s)


def test_the_entity_page_chooses_its_name_once_in_a_while(tmp_path: Path) -> None:
    """The entity page's name (the commonest spelling among the latest 200 mentions) is
    chosen once and kept for a few minutes by the app, bounded: the next views of the page
    (and the API's list of its articles) run no group-by; a kept name is chosen anew once
    its time is up (then a new spelling shows); an unknown entity is a 404 and not kept."""
    built = build(tmp_path, LARGE)
    try:
        app = create_app(built.settings, built.store, clock=lambda: NOW)
        with counted(built.store) as first:
            assert "Ada Lovelace" in get(app, f"/entities/{ENTITY}").text
        assert _names_chosen(first) == 1
        with counted(built.store) as again:
            assert "Ada Lovelace" in get(app, f"/entities/{ENTITY}").text
        assert _names_chosen(again) == 0
        begin = 1 if built.store.engine.dialect.name == "sqlite" else 0  # SQLite's BEGIN
        assert len(again) == len(first) - 1 - begin  # the group-by (and its BEGIN), no more
        with counted(built.store) as api:
            assert get(app, f"/api/v1/entities/{ENTITY}/articles").status_code == 200
        assert _names_chosen(api) == 0

        # a new spelling outnumbers the old among the latest mentions
        for article_id in built.store.understood_article_ids("entity", ENTITY, 150):
            m = {"entity_id": ENTITY, "label": "PERSON", "text": "Augusta Ada King"}
            built.store.save_understanding(
                article_id, {"entities": [{**m, "start": 0, "end": 16}]}, {"entities": "v2"}
            )
        assert "Augusta Ada King" not in get(app, f"/entities/{ENTITY}").text  # still kept
        app.state.entity_names.kept.seconds = 0.0  # its time is up
        with counted(built.store) as renamed:
            assert "Augusta Ada King" in get(app, f"/entities/{ENTITY}").text
        assert _names_chosen(renamed) == 1

        for _ in range(2):
            with counted(built.store) as unknown:
                assert get(app, "/entities/person:nobody-at-all").status_code == 404
            assert _names_chosen(unknown) == 1  # asked each time: not kept

        names = app.state.entity_names
        names.kept.seconds, names.kept.max_items = 300.0, 1
        names.get(built.store, ENTITY)
        names.get(built.store, "person:nobody-at-all")
        assert names.kept.keys() == [ENTITY]  # bounded (and None is not kept)
    finally:
        built.store.close()


@pytest.mark.parametrize("page_of", ["article", "story"])
def test_the_article_and_story_pages_read_on_one_connection(tmp_path: Path, page_of: str) -> None:
    """The article page's ten or so reads (article, outlet, story, coverage, related
    stories, understanding, comments...) and the story page's (story, digest, members,
    related stories, history, comments) check out one connection and, on SQLite, begin
    one transaction; they each took their own before. The page is the same."""
    built = build(tmp_path, LARGE)
    try:
        app = create_app(built.settings, built.store, clock=lambda: NOW)
        get(app, f"/stories/{built.story}")  # its digest computed and stored (a write)
        checkouts: list[object] = []

        def checkout(*_args: Any) -> None:
            checkouts.append(1)

        path = f"/articles/{built.article}" if page_of == "article" else f"/stories/{built.story}"
        event.listen(built.store.engine.pool, "checkout", checkout)
        try:
            with counted(built.store) as statements:
                page = get(app, path)
        finally:
            event.remove(built.store.engine.pool, "checkout", checkout)
        assert page.status_code == 200
        assert len(checkouts) == 1
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) >= 7  # the reads are all still made, on the one connection
        if built.store.engine.dialect.name == "sqlite":
            assert [s for s in statements if s.strip().upper().startswith("BEGIN")] == ["BEGIN"]
        if page_of == "article":
            assert f'href="/stories/{built.story}"' in page.text  # its story and coverage
            assert "Ada Lovelace" in page.text  # its understanding
        else:
            assert f'href="/stories/{built.story}/articles?before=' in page.text  # members
            assert "How this story was assembled" in page.text  # its history
        # and the store's reads outside a page still take (and give back) their own
        assert built.store.get_article(built.article) is not None
        assert getattr(built.store._together, "conn", None) is None
    finally:
        built.store.close()
