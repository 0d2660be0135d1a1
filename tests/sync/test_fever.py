"""The Fever API replayed as Fever apps send it (POST api_key to /fever/?api&…: groups,
feeds, favicons, items by since_id / max_id / with_ids, unread and saved ids, marks),
against the real app and a store of clustered news; refusals answer auth 0."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.store.sync import STORY_ITEM
from broadsheet.web.app import create_app
from tests.readers.conftest import PASSWORD, Client, post_form
from tests.sync.conftest import NOW, App, fever_key
from tests.web.sample import png

STORIES_FEED_ID = 2**31 - 1


def fever(app: FastAPI, key: str, query: str, **form: str) -> dict[str, Any]:
    r = App(app).post(f"/fever/?api&{query}", data={"api_key": key, **form})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return json.loads(r.text)  # type: ignore[no-any-return]


def id_list(text: str) -> list[int]:
    return [int(i) for i in text.split(",") if i]


def test_a_fever_app_syncs(
    app: FastAPI,
    app_password: str,
    store: Store,
    reader_id: int,
    news: dict[str, int],
    outlets: dict[str, int],
) -> None:
    key = fever_key(app_password)
    store.set_icon(outlets["Andes Daily"], png(), "image/png")
    hello = fever(app, key, "")
    assert hello["api_version"] == 3 and hello["auth"] == 1 and hello["last_refreshed_on_time"]

    groups = fever(app, key, "groups")
    assert groups["groups"] == [{"id": 1, "title": "Outlets"}, {"id": 2, "title": "Stories"}]
    in_outlets = id_list(groups["feeds_groups"][0]["feed_ids"])
    assert sorted(in_outlets) == sorted(outlets.values())
    assert groups["feeds_groups"][1] == {"group_id": 2, "feed_ids": str(STORIES_FEED_ID)}

    feeds = {f["id"]: f for f in fever(app, key, "feeds")["feeds"]}
    assert feeds[outlets["Andes Daily"]]["title"] == "Andes Daily"
    assert feeds[STORIES_FEED_ID]["title"] == "Stories"
    favicons = fever(app, key, "favicons")["favicons"]
    assert favicons[0]["id"] == feeds[outlets["Andes Daily"]]["favicon_id"]
    assert favicons[0]["data"].startswith("image/png;base64,iVBOR")

    # every article, 50 at a time from since_id=0, then nothing newer
    first = fever(app, key, "items&since_id=0")
    assert [i["id"] for i in first["items"]] == sorted(news.values())
    assert first["total_items"] == 6 + 2
    assert fever(app, key, f"items&since_id={max(news.values())}")["items"] == []
    below = fever(app, key, f"items&max_id={news['japan0']}")["items"]
    assert [i["id"] for i in below] == [news["chile2"], news["chile1"], news["chile0"]]

    unread = id_list(fever(app, key, "unread_item_ids")["unread_item_ids"])
    stories = [i for i in unread if i >= STORY_ITEM]
    assert len(unread) == 8 and len(stories) == 2
    with_ids = ",".join(str(i) for i in [news["chile0"], *stories])
    got = fever(app, key, f"items&with_ids={with_ids}")["items"]
    assert {i["feed_id"] for i in got} == {outlets["Andes Daily"], STORIES_FEED_ID}
    story = next(i for i in got if i["feed_id"] == STORIES_FEED_ID)
    assert "Coverage" in story["html"] and story["url"].startswith("http://testserver/stories/")
    article = next(i for i in got if i["id"] == news["chile0"])
    assert article["is_read"] == 0 and article["is_saved"] == 0 and "Iquique" in article["html"]

    # marks: the answer carries the ids that changed
    read = fever(app, key, "", mark="item", **{"as": "read"}, id=str(news["chile0"]))
    assert news["chile0"] not in id_list(read["unread_item_ids"])
    assert store.read_article_ids(reader_id, [news["chile0"]]) == {news["chile0"]}
    again = fever(app, key, "", mark="item", **{"as": "unread"}, id=str(news["chile0"]))
    assert news["chile0"] in id_list(again["unread_item_ids"])
    saved = fever(app, key, "", mark="item", **{"as": "saved"}, id=str(news["wire"]))
    assert id_list(saved["saved_item_ids"]) == [news["wire"]] and store.is_saved(
        reader_id, news["wire"]
    )
    unsaved = fever(app, key, "", mark="item", **{"as": "unsaved"}, id=str(news["wire"]))
    assert unsaved["saved_item_ids"] == ""

    harbour = outlets["Harbour Gazette"]
    before = str(int(NOW.timestamp()))
    fever(app, key, "", mark="feed", **{"as": "read"}, id=str(harbour), before=before)
    left = id_list(fever(app, key, "unread_item_ids")["unread_item_ids"])
    assert news["chile2"] not in left and news["copy"] not in left and news["chile0"] in left
    fever(app, key, "", mark="group", **{"as": "read"}, id="0", before=before)
    assert fever(app, key, "unread_item_ids")["unread_item_ids"] == ""


def test_refused_keys_answer_auth_0(
    app: FastAPI, browser: Client, store: Store, reader_id: int, app_password: str
) -> None:
    refused = {"api_version": 3, "auth": 0}
    for key in (
        "",
        "nonsense",
        "0" * 32,
        fever_key(PASSWORD),
        fever_key(app_password, "eve@example.org"),
    ):
        assert fever(app, key, "items") == refused
    no_key = App(app).post("/fever/?api&items")
    assert no_key.status_code == 200 and json.loads(no_key.text) == refused
    # the key also works sent in the query, and at /fever without the slash
    key = fever_key(app_password)
    assert json.loads(App(app).get(f"/fever?api&api_key={key}").text)["auth"] == 1
    (cred,) = store.credentials_of(reader_id)
    post_form(browser, "/account", f"/account/credentials/{cred['id']}/revoke", {})
    assert fever(app, key, "items") == refused


def test_refusals_are_rate_limited(settings: Settings, store: Store, news: dict[str, int]) -> None:
    settings.limit_sync_login = "2/minute"
    app = create_app(settings, store, clock=lambda: NOW)
    codes = [App(app).post("/fever/?api", data={"api_key": "0" * 32}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_bad_input_is_an_error_field_never_a_500(
    app: FastAPI, app_password: str, news: dict[str, int]
) -> None:
    key = fever_key(app_password)
    assert "error" in fever(app, key, "items&with_ids=1,abc")
    assert fever(app, key, "items&with_ids=999999")["items"] == []
    assert fever(app, key, "items&since_id=abc")["items"]  # ignored: the first page
    assert "error" in fever(app, key, "", mark="item", **{"as": "read"}, id="abc")
    assert "error" in fever(app, key, "", mark="item", **{"as": "read"}, id="999999")
    assert "error" in fever(app, key, "", mark="feed", **{"as": "read"}, id="999999")
    assert "error" in fever(app, key, "", mark="group", **{"as": "read"}, id="7")
    assert "error" in fever(app, key, "", mark="planet", **{"as": "read"}, id="1")
    binary = App(app).post(
        "/fever/?api",
        content=b"api_key=\xff",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code == 400
