"""The home page as anonymous readers get it is reused for a few seconds: a second request
runs no SQL at all; a signed-in reader, another language, a new ranking or a cache turned
off (``page_cache_seconds=0``) each get a page rendered for them."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from broadsheet.web.app import create_app
from tests.readers.conftest import make_user, signed_in
from tests.web.asgi import get
from tests.web.sample import NOW
from tests.web.test_query_counts import SMALL, Built, build, counted


def _app(built: Built, seconds: float = 3600.0) -> FastAPI:
    # an hour: a page kept 10 s could expire between two requests on a loaded machine
    settings = built.settings.model_copy(
        update={"page_cache_seconds": seconds, "argon2_memory_kib": 1024, "argon2_time_cost": 1}
    )
    return create_app(settings, built.store, clock=lambda: NOW)


def test_an_anonymous_home_page_is_reused(tmp_path: Path) -> None:
    built = build(tmp_path, SMALL)
    app = _app(built)
    first = get(app, "/")
    with counted(built.store) as statements:
        second = get(app, "/")
    assert first.status_code == second.status_code == 200
    assert second.text == first.text and statements == []
    with counted(built.store) as statements:
        french = get(app, "/", accept_language="fr")
    assert statements and 'lang="fr"' in french.text  # another language: its own page
    app.state.stories_rank = (app.state.stories_rank[0] + 1, app.state.stories_rank[1])
    with counted(built.store) as statements:
        assert get(app, "/").status_code == 200
    assert statements  # a new ranking: the page is made again


def test_signed_in_readers_and_a_cache_turned_off_always_get_a_fresh_page(
    tmp_path: Path,
) -> None:
    built = build(tmp_path, SMALL)
    app = _app(built)
    make_user(built.store, app.state.settings, "ada@example.org", name="Ada")
    reader = signed_in(app, "ada@example.org")
    assert reader.get("/").status_code == 200
    with counted(built.store) as statements:
        page = reader.get("/")
    assert statements and "Ada" in page.text and "no-store" in page.headers["cache-control"]
    off = _app(built, seconds=0)
    get(off, "/")
    with counted(built.store) as statements:
        assert get(off, "/").status_code == 200
    assert statements
