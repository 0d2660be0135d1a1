"""The Google Reader API replayed as reader apps send it (the sequence FreshRSS and
Miniflux document: ClientLogin, token, user-info, tag/list, subscription/list,
unread-count, stream/items/ids for unread and starred, POST stream/items/contents,
edit-tag, mark-all-as-read), against the real app and a store of clustered news."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.store.sync import STORY_ITEM
from broadsheet.web.app import create_app
from tests.readers.conftest import PASSWORD, Client, post_form
from tests.sync.conftest import EMAIL, NOW, App, make_credential

API = "/reader/api/0"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
PREFIX = "tag:google.com,2005:reader/item/"


def login(app: FastAPI, password: str, email: str = EMAIL) -> App:
    client = App(app)
    r = client.post("/accounts/ClientLogin", data={"Email": email, "Passwd": password})
    assert r.status_code == 200, r.text
    fields = dict(line.split("=", 1) for line in r.text.strip().splitlines())
    assert fields["SID"] == fields["LSID"] == fields["Auth"]
    client.auth = fields["Auth"]
    return client


def js(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return json.loads(response.text)


def unread(client: App) -> dict[str, int]:
    counts = js(client.get(f"{API}/unread-count?output=json"))
    return {row["id"]: row["count"] for row in counts["unreadcounts"]}


def ids(client: App, stream: str, *extra: str) -> list[int]:
    query = "&".join((f"s={stream}", "n=1000", "output=json", *extra))
    return [int(r["id"]) for r in js(client.get(f"{API}/stream/items/ids?{query}"))["itemRefs"]]


def edit(client: App, token: str, items: list[str], **tags: str) -> Any:
    return client.post(f"{API}/edit-tag", data={"T": token, "i": items, **tags})


def test_an_app_syncs_reads_and_marks(
    app: FastAPI, app_password: str, store: Store, reader_id: int, news: dict[str, int]
) -> None:
    client = login(app, app_password)
    token = client.get(f"{API}/token")
    assert token.status_code == 200 and token.text.strip() == client.auth
    T = token.text.strip()
    me = js(client.get(f"{API}/user-info"))
    assert me["userEmail"] == EMAIL and me["userName"] == "Ada"

    tags = {t["id"] for t in js(client.get(f"{API}/tag/list?output=json"))["tags"]}
    assert {STARRED, "user/-/label/Outlets", "user/-/label/Stories", "user/-/label/Economy"} <= tags
    subs = js(client.get(f"{API}/subscription/list?output=json"))["subscriptions"]
    by_title = {s["title"]: s for s in subs}
    assert len(subs) == 7 and by_title["Stories"]["id"] == "feed/stories"
    andes = by_title["Andes Daily"]
    assert andes["categories"] == [{"id": "user/-/label/Outlets", "label": "Outlets"}]
    assert andes["url"] == "https://andes.example/feed"

    counts = unread(client)
    assert counts[READING_LIST] == 6 + 2  # six articles, two stories of two+ outlets
    assert counts["feed/stories"] == 2 and counts[andes["id"]] == 1

    unread_ids = ids(client, READING_LIST, f"xt={READ}")
    assert len(unread_ids) == 8 and sum(i >= STORY_ITEM for i in unread_ids) == 2
    assert ids(client, STARRED) == []

    # contents, asked for in both id forms at once
    chile0, story = news["chile0"], next(i for i in unread_ids if i >= STORY_ITEM)
    contents = js(
        client.post(
            f"{API}/stream/items/contents?output=json",
            data={"T": T, "i": [str(chile0), f"{PREFIX}{story:016x}"]},
        )
    )
    got = {item["id"]: item for item in contents["items"]}
    article = got[f"{PREFIX}{chile0:016x}"]
    assert article["origin"]["streamId"] == andes["id"]
    assert article["title"].startswith("Magnitude 7.1 earthquake")
    assert READ not in article["categories"] and "earthquake" in article["summary"]["content"]
    story_item = got[f"{PREFIX}{story:016x}"]
    assert story_item["origin"]["streamId"] == "feed/stories"
    assert story_item["alternate"][0]["href"] == f"http://testserver/stories/{story - STORY_ITEM}"

    # read: long form; starred: short form
    assert edit(client, T, [f"{PREFIX}{chile0:016x}"], a=READ).text == "OK"
    assert store.read_article_ids(reader_id, [chile0]) == {chile0}
    assert unread(client)[andes["id"]] == 0
    assert edit(client, T, [str(news["japan0"])], a=STARRED).text == "OK"
    assert store.is_saved(reader_id, news["japan0"])
    assert ids(client, STARRED) == [news["japan0"]]
    assert edit(client, T, [str(chile0)], r=READ).text == "OK"
    assert unread(client)[andes["id"]] == 1
    assert edit(client, T, [str(news["japan0"])], r=STARRED).text == "OK"
    assert not store.is_saved(reader_id, news["japan0"])

    # what the reader does on the site shows in the app
    store.save_for_later(reader_id, news["wire"], NOW, keep=True)
    assert ids(client, STARRED) == [news["wire"]]

    # mark a whole outlet read, then everything
    harbour = by_title["Harbour Gazette"]["id"]
    ok = client.post(f"{API}/mark-all-as-read", data={"T": T, "s": harbour})
    assert ok.text == "OK" and unread(client)[harbour] == 0
    assert (
        client.post(
            f"{API}/mark-all-as-read",
            data={"T": T, "s": READING_LIST, "ts": str(int(NOW.timestamp() * 1e6))},
        ).text
        == "OK"
    )
    assert unread(client)[READING_LIST] == 0
    assert ids(client, READING_LIST, f"xt={READ}") == []


def test_a_story_item_carries_its_coverage(
    app: FastAPI, app_password: str, store: Store, reader_id: int, news: dict[str, int]
) -> None:
    client = login(app, app_password)
    items = js(client.get(f"{API}/stream/contents/feed/stories?output=json&n=5"))["items"]
    assert len(items) == 2
    chile = next(i for i in items if "Chile" in i["title"] or "Iquique" in i["title"])
    html = chile["summary"]["content"]
    assert "3 outlets" in html and "Coverage" in html
    for outlet in ("andes", "pacific", "harbour"):
        assert f"https://{outlet}.example/news/" in html  # links to each member article
    assert "<script" not in html
    # reading a story marks its articles read; one new unread member makes it unread
    story_num = int(chile["id"].removeprefix(PREFIX), 16)
    assert edit(client, client.auth, [str(story_num)], a=READ).text == "OK"
    members = [news["chile0"], news["chile1"], news["chile2"]]
    assert store.read_article_ids(reader_id, members) == set(members)
    assert story_num not in ids(client, "feed/stories", f"xt={READ}")
    assert edit(client, client.auth, [str(story_num)], r=READ).text == "OK"
    assert story_num in ids(client, "feed/stories", f"xt={READ}")
    # starring a story saves its lead report
    assert edit(client, client.auth, [str(story_num)], a=STARRED).text == "OK"
    assert len(store.saved_articles(reader_id)) == 1


def test_paging_by_continuation_never_repeats(app: FastAPI, app_password: str) -> None:
    client = login(app, app_password)
    seen: list[str] = []
    url = f"{API}/stream/contents/{READING_LIST}?output=json&n=3"
    page = js(client.get(url))
    seen += [i["id"] for i in page["items"]]
    while "continuation" in page:
        page = js(client.get(url + f"&c={page['continuation']}"))
        seen += [i["id"] for i in page["items"]]
    assert len(seen) == len(set(seen)) == 8
    oldest = js(client.get(url.replace("n=3", "n=50") + "&r=o"))["items"]
    assert [i["id"] for i in oldest] == list(reversed(seen))
    labelled = js(client.get(f"{API}/stream/contents/user/-/label/Outlets?n=50"))["items"]
    assert len(labelled) == 6


def test_muted_outlets_are_left_out(
    app: FastAPI, app_password: str, store: Store, reader_id: int, outlets: dict[str, int]
) -> None:
    store.set_follow(reader_id, "outlet", str(outlets["Harbour Gazette"]), True, NOW)
    client = login(app, app_password)
    titles = {s["title"] for s in js(client.get(f"{API}/subscription/list"))["subscriptions"]}
    assert "Harbour Gazette" not in titles
    assert unread(client)[READING_LIST] == 4 + 2


# --- refusals --------------------------------------------------------------------------------
def test_client_login_refusals(
    app: FastAPI, browser: Client, app_password: str, store: Store, settings: Settings
) -> None:
    client = App(app)
    for data in (
        {"Email": EMAIL, "Passwd": "wrong"},
        {"Email": EMAIL, "Passwd": PASSWORD},  # the account password is not an app password
        {"Email": "eve@example.org", "Passwd": app_password},
        {"Email": EMAIL},
        {},
    ):
        r = client.post("/accounts/ClientLogin", data=data)
        assert r.status_code == 401 and r.text.strip() == "Error=BadAuthentication"
    ok = client.post(
        "/accounts/ClientLogin?output=json", data={"Email": EMAIL.upper(), "Passwd": app_password}
    )
    assert set(js(ok)) == {"SID", "LSID", "Auth"}
    # expired: a password made for 30 days no longer signs in on day 31
    short = make_credential(browser, expires="30")
    later = create_app(settings, store, clock=lambda: NOW + timedelta(days=31))
    assert (
        App(later).post("/accounts/ClientLogin", data={"Email": EMAIL, "Passwd": short}).status_code
        == 401
    )
    assert (
        App(app).post("/accounts/ClientLogin", data={"Email": EMAIL, "Passwd": short}).status_code
        == 200
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "GoogleLogin auth=",
        "GoogleLogin auth=1/" + "0" * 64,
        "GoogleLogin auth=999/" + "0" * 64,
        "GoogleLogin token=abc",
        "Bearer abc",
        "GoogleLogin auth=" + "x" * 300,
    ],
)
def test_calls_without_a_good_auth_token(
    app: FastAPI, app_password: str, header: str | None
) -> None:
    client = App(app)
    headers = {"authorization": header} if header is not None else {}
    for path in ("/token", "/user-info", "/subscription/list", f"/stream/contents/{READING_LIST}"):
        r = client.get(API + path, headers=headers)
        assert r.status_code == 401 and r.text == "Unauthorized", (path, r.text)


def test_missing_or_wrong_t_token(app: FastAPI, app_password: str, news: dict[str, int]) -> None:
    client = login(app, app_password)
    item = str(news["chile0"])
    missing = client.post(f"{API}/edit-tag", data={"i": item, "a": READ})
    assert missing.status_code == 401 and missing.text == "Unauthorized"
    assert missing.headers["x-reader-google-bad-token"] == "true"
    wrong = edit(client, "1/" + "f" * 64, [item], a=READ)
    assert wrong.status_code == 401 and wrong.headers["x-reader-google-bad-token"] == "true"
    mark = client.post(f"{API}/mark-all-as-read", data={"s": READING_LIST})
    assert mark.status_code == 401
    assert unread(client)[READING_LIST] == 8  # nothing changed
    # Miniflux's way: a POST with the T token and no header
    bare = App(app)
    assert bare.post(f"{API}/edit-tag", data={"T": client.auth, "i": item, "a": READ}).text == "OK"


def test_a_revoked_app_password_stops_the_app(
    app: FastAPI, browser: Client, store: Store, reader_id: int, app_password: str
) -> None:
    client = login(app, app_password)
    assert client.get(f"{API}/user-info").status_code == 200
    (cred,) = store.credentials_of(reader_id)
    post_form(browser, "/account", f"/account/credentials/{cred['id']}/revoke", {})
    assert client.get(f"{API}/user-info").status_code == 401
    again = App(app).post("/accounts/ClientLogin", data={"Email": EMAIL, "Passwd": app_password})
    assert again.status_code == 401


def test_a_disabled_account_stops_the_app(
    app: FastAPI, store: Store, reader_id: int, app_password: str
) -> None:
    client = login(app, app_password)
    store.disable_user(reader_id, NOW)
    assert client.get(f"{API}/user-info").status_code == 401


def test_refused_logins_are_rate_limited(
    settings: Settings, store: Store, news: dict[str, int], reader_id: int
) -> None:
    settings.limit_sync_login = "3/minute"
    app = create_app(settings, store, clock=lambda: NOW)
    client = App(app)
    codes = [
        client.post("/accounts/ClientLogin", data={"Email": EMAIL, "Passwd": "guess"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    limited = client.get(
        f"{API}/user-info", headers={"authorization": "GoogleLogin auth=1/" + "0" * 64}
    )
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_calls_per_app_password_are_rate_limited(
    settings: Settings, store: Store, news: dict[str, int], reader_id: int
) -> None:
    from tests.readers.conftest import signed_in

    settings.limit_sync = "4/minute"
    app = create_app(settings, store, clock=lambda: NOW)
    client = login(app, make_credential(signed_in(app, EMAIL)))  # the login is one call
    codes = [client.get(f"{API}/user-info").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- bad input: documented errors, never a 500 ---------------------------------------------------
def test_unknown_and_malformed_input(app: FastAPI, app_password: str, news: dict[str, int]) -> None:
    client = login(app, app_password)
    T = client.auth
    assert client.get(f"{API}/stream/contents/feed/999999").status_code == 404
    assert client.get(f"{API}/stream/contents/feed/abc").status_code == 404
    assert client.get(f"{API}/stream/contents/user/-/label/Nope").status_code == 404
    assert client.get(f"{API}/stream/contents/nonsense").status_code == 400
    assert client.get(f"{API}/stream/items/ids?n=10").status_code == 400  # no s
    for bad in ("n=abc", "n=0", "c=garbage", "c=1_", "nt=yesterday", "ot=-5", "ot=1.5"):
        r = client.get(f"{API}/stream/items/ids?s={READING_LIST}&{bad}")
        assert r.status_code == 400, (bad, r.status_code, r.text)
    # unknown items are left out; malformed ones are refused
    none = js(client.post(f"{API}/stream/items/contents", data={"i": "123456789", "T": T}))
    assert none["items"] == []
    for bad_id in ("abc", PREFIX + "zz", PREFIX + "1" * 17, "1" * 25, "", "0x10"):
        r = client.post(f"{API}/stream/items/contents", data={"i": bad_id, "T": T})
        assert r.status_code == 400 and r.text == "Bad item id", (bad_id, r.text)
    assert client.post(f"{API}/stream/items/contents", data={"T": T}).status_code == 400
    # negative short ids (Google's signed form) and short long-form ids are understood
    neg = str(news["chile0"] - (1 << 64))
    assert js(client.post(f"{API}/stream/items/contents", data={"i": neg, "T": T}))["items"]
    short = PREFIX + format(news["chile0"], "x")
    assert js(client.post(f"{API}/stream/items/contents", data={"i": short, "T": T}))["items"]
    assert edit(client, T, ["123456789"], a=READ).text == "OK"  # stale ids: nothing to do
    binary = client.post(
        f"{API}/edit-tag",
        content=b"\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code == 400
    changes = client.post(
        f"{API}/subscription/edit", data={"T": T, "ac": "subscribe", "s": "feed/x"}
    )
    assert changes.status_code == 400 and "NotSupported" in changes.text
    assert js(client.get(f"{API}/preference/list")) == []  # as Miniflux: reads it lacks
    assert App(app).get(f"{API}/preference/list").status_code == 401


def test_stream_ids_sent_encoded(app: FastAPI, app_password: str) -> None:
    """Some apps percent-encode the stream id in the path, others pass it as ``s=``."""
    client = login(app, app_password)
    encoded = READING_LIST.replace("/", "%2F")
    in_path = js(client.get(f"{API}/stream/contents/{encoded}?n=50"))["items"]
    as_param = js(client.get(f"{API}/stream/contents?s={encoded}&n=50"))["items"]
    assert len(in_path) == len(as_param) == 8
    user_form = js(client.get(f"{API}/stream/items/ids?s=user/1/state/com.google/starred"))
    assert user_form["itemRefs"] == []
