"""Editions through the real ASGI app: offered from the outlets, chosen by cookie or by
Accept-Language, local stories beside the world's, world stories marked when local
outlets covered them."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.orchestrate.stories import cluster_stored
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.stories import conftest as stories_fixtures
from tests.stories.conftest import Add
from tests.stories.sample import CHILE, JAPAN, STRIKE, at
from tests.web.asgi import get

outlets = stories_fixtures.outlets
stories_add = stories_fixtures.add


@pytest.fixture
def news(store: Store, settings: Settings, stories_add: Add) -> dict[str, int]:
    ids = {
        "chile0": stories_add("Andes Daily", *CHILE[0], at(60)),  # CL, es
        "chile1": stories_add("Pacific Times", *CHILE[1], at(61)),  # US, en
        "japan0": stories_add("Nippon Herald", *JAPAN[0], at(72)),  # JP, ja
        "strike": stories_add("Harbour Gazette", *STRIKE, at(74)),  # GB, en
    }
    for article_id in ids.values():
        cluster_stored(store, settings, article_id)
    return ids


@pytest.fixture
def app(settings: Settings, store: Store, news: dict[str, int]) -> FastAPI:
    return create_app(settings, store, clock=lambda: at(80))


def test_editions_come_from_the_outlets(app: FastAPI) -> None:
    page = get(app, "/editions").text
    for label in ("Chile · Español", "Japan · 日本語", "United Kingdom · English"):
        assert label in page
    assert 'href="/editions/world/choose"' in page


def test_an_edition_page_puts_local_stories_first(app: FastAPI) -> None:
    page = get(app, "/editions/cl-es")
    assert page.status_code == 200
    html = page.text
    local, world = html.split(">World<", 1)
    assert CHILE[0][0] in local  # Chile's outlet reported it
    assert STRIKE[0] not in local and STRIKE[0] in world
    assert "Covered in Chile" in local


def test_accept_language_picks_the_edition_on_the_home_page(app: FastAPI) -> None:
    home = get(app, "/", accept_language="ja-JP,ja;q=0.9").text
    assert "Japan · 日本語" in home
    assert home.index(JAPAN[0][0]) < home.index(">World<")
    plain = get(app, "/", accept_language="ja").text  # no country: the world edition
    assert "Japan · 日本語" not in plain and ">Top stories<" in plain


def test_choosing_an_edition_sets_a_cookie_and_world_undoes_it(app: FastAPI) -> None:
    chosen = get(app, "/editions/gb-en/choose")
    assert chosen.status_code == 303 and chosen.headers["location"] == "/"
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith("edition=gb-en") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = get(app, "/", cookie="edition=gb-en", accept_language="ja-JP").text
    assert "United Kingdom · English" in home  # the choice beats the browser's language
    world = get(app, "/", cookie="edition=world", accept_language="ja-JP").text
    assert ">Top stories<" in world


@pytest.mark.parametrize(
    "path", ["/editions/zz-en", "/editions/fr-fr", "/editions/cl-es%0a", "/editions/x/choose"]
)
def test_unknown_editions_are_404(app: FastAPI, path: str) -> None:
    assert get(app, path).status_code == 404


def test_a_forged_cookie_is_ignored(app: FastAPI) -> None:
    home = get(app, "/", cookie='edition="<script>"').text
    assert "<script>" not in home and ">Top stories<" in home


def _name_place(store: Store, article_id: int, code: str, name: str) -> None:
    """What understanding records when it finds a country in an article's text."""
    place = {"countries": [{"code": code, "name": name, "mentions": 2}]}
    store.save_understanding(article_id, place, {"countries": "test"})


def test_a_story_whose_text_names_the_country_is_local(
    app: FastAPI, store: Store, news: dict[str, int]
) -> None:
    """No British outlet reported the Japan quake, but its report names the United
    Kingdom: the edition counts it local (after the stories its outlets report), marked
    "About", not "Covered in"; a story naming another country stays in the world list."""
    _name_place(store, news["japan0"], "GB", "United Kingdom")
    _name_place(store, news["chile0"], "FR", "France")
    local, world = get(app, "/editions/gb-en").text.split(">World<", 1)
    assert local.index(STRIKE[0]) < local.index(JAPAN[0][0])
    quake = local[local.index(JAPAN[0][0]) :]
    assert "About United Kingdom" in quake.split("</li>", 1)[0]
    assert "Covered in United Kingdom" not in quake.split("</li>", 1)[0]
    assert CHILE[0][0] in world
    assert _again(world, JAPAN[0][0]) and "About United Kingdom" in _again(world, JAPAN[0][0])
    # the same on the home page of a reader whose edition it is
    home = get(app, "/", cookie="edition=gb-en").text
    mine, rest = home.split(">World<", 1)
    assert JAPAN[0][0] in mine and "About United Kingdom" in mine
    assert "About United Kingdom" in _again(rest, JAPAN[0][0])


def _again(world: str, headline: str) -> str:
    """The one-line entry of ``headline`` in a world list ('' when it is not one)."""
    for item in world.split("<li")[1:]:
        if headline in item and "teaser--again" in item:
            return item
    return ""


@pytest.mark.parametrize("path", ["/editions/gb-en", "/"])
def test_the_world_list_keeps_the_worlds_top_stories_marking_local_ones(
    app: FastAPI, store: Store, news: dict[str, int], path: str
) -> None:
    """The world list is the world's top stories in the ranking's order, local ones
    included: the harbour strike, which a British outlet reported, is shown in full under
    the local section and, in its place among the world's stories, as one line marked
    "Covered in United Kingdom" pointing back up to it — not dropped, not repeated whole."""
    page = get(app, path, cookie="edition=gb-en").text
    local, world = page.split(">World<", 1)
    strike = store.story_of_article(news["strike"])
    assert f'id="local-{strike}"' in local and STRIKE[0] in local
    line = _again(world, STRIKE[0])
    assert "Covered in United Kingdom" in line and f'href="#local-{strike}"' in line
    assert world.count(STRIKE[0]) == 1  # once, as that line; its full teaser is above
    # every ranked story is in the world list, the others in full
    for headline in (CHILE[0][0], JAPAN[0][0]):
        assert world.count(headline) == 1 and not _again(world, headline)


def test_the_text_is_read_once_per_ranking_and_edition(
    app: FastAPI, store: Store, news: dict[str, int]
) -> None:
    """The places in the text cost one statement for the whole ranking: a second view of
    the edition runs none of it again (the split is kept with the ranking)."""
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    get(app, "/editions/gb-en")
    event.listen(store.engine, "before_cursor_execute", count)
    try:
        get(app, "/editions/gb-en")
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert not any("article_countries" in s for s in statements)


def test_a_signed_in_readers_edition_follows_them_to_another_device(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    """Chosen on one device, kept in the account: signed in on another device (no cookie,
    a Chilean browser), the home page is still Japan's edition; the Daily 8 mail is for
    it too. A choice link followed from another site changes only that device's cookie."""
    from tests.readers.conftest import make_user, signed_in

    uid = make_user(store, settings, "reader@example.org")
    laptop = signed_in(app, "reader@example.org")
    laptop.get("/editions/jp-ja/choose", headers={"sec-fetch-site": "same-origin"})
    user = store.get_user(uid)
    assert user is not None and user.edition == "jp-ja"
    phone = signed_in(app, "reader@example.org")
    home = phone.get("/", headers={"accept-language": "es-CL"}).text
    assert "Japan · 日本語" in home and "Chile · Español" not in home
    phone.get("/editions/gb-en/choose", headers={"sec-fetch-site": "cross-site"})
    user = store.get_user(uid)
    assert user is not None and user.edition == "jp-ja"
    assert "United Kingdom · English" in get(app, "/", cookie="edition=gb-en").text


def test_a_signed_in_reader_who_chose_world_keeps_it_on_a_new_device(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    """ "World" chosen while signed in is kept as a choice, not as "never chose": on a new
    device (no cookie, a Chilean browser) the home page is the world's, not Chile's; a
    reader who never chose gets the browser's edition there."""
    from tests.readers.conftest import make_user, signed_in

    uid = make_user(store, settings, "world@example.org")
    make_user(store, settings, "never@example.org")
    laptop = signed_in(app, "world@example.org")
    laptop.get("/editions/cl-es/choose", headers={"sec-fetch-site": "same-origin"})
    laptop.get("/editions/world/choose", headers={"sec-fetch-site": "same-origin"})
    user = store.get_user(uid)
    assert user is not None and user.edition == "world"
    phone = signed_in(app, "world@example.org").get("/", headers={"accept-language": "es-CL"})
    assert ">Top stories<" in phone.text and "Chile · Español" not in phone.text
    other = signed_in(app, "never@example.org").get("/", headers={"accept-language": "es-CL"})
    assert "Chile · Español" in other.text


def test_outlet_names_link_to_their_pages(app: FastAPI, store: Store) -> None:
    """A newcomer clicks an outlet's name (a teaser's, or another report's under it) and
    finds its latest articles."""
    andes = next(s for s in store.list_sources() if s.name == "Andes Daily")
    home = get(app, "/").text
    assert f'<a class="outlet__name" href="/sources/{andes.id}"><bdi>Andes Daily</bdi></a>' in home
    assert CHILE[0][0] in get(app, f"/sources/{andes.id}").text


def test_a_local_story_opens_with_the_editions_own_outlet(app: FastAPI) -> None:
    """The Chile story has a Chilean (Spanish) and a US (English) report: Chile's edition
    leads it with the Chilean outlet's headline, the US edition with the US outlet's,
    the other report listed below either way."""
    for code, ours, theirs in (
        ("cl-es", CHILE[0][0], CHILE[1][0]),
        ("us-en", CHILE[1][0], CHILE[0][0]),
    ):
        local = get(app, f"/editions/{code}").text.split(">World<", 1)[0]
        title = local.split('class="teaser__title"', 1)[1].split("</h2>", 1)[0]
        assert ours in title and theirs not in title, code
        assert theirs in local, code
