"""What the sync APIs cost on a large store: one reader's app syncing, in-process through
the real ASGI app (no network, one client, requests one after another).

    PYTHONPATH=src .venv/bin/python bench/sync_load.py --data-dir DIR [--repeat 5]

DIR holds a store filled by ``bench/web.py --fill-only --data-dir DIR`` (synthetic news
ending now). The script adds a reader with an app password (once), then times the calls
an app makes: ClientLogin, unread-count, the unread ids of the reading list, a page of
stream contents, item contents by id (articles, stories), marking 250 items read, and
Fever's unread ids and items; then marks everything read and times unread-count again.
Prints the median and the slowest of ``--repeat`` runs of each, and the sizes answered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from broadsheet import accounts
from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app

EMAIL = "bench@example.org"
PASSWORD = "bench-sync-password"  # the bench's own app password (a fixed, local value)
API = "/reader/api/0"
RL = "user/-/state/com.google/reading-list"


def reader(store: Store) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    if store.user_by_email(EMAIL) is None:
        uid = store.create_user(EMAIL, "Bench", "x", "reader", now)
        assert uid is not None
        store.create_credential(
            uid, "app_password", "bench", accounts.digest(PASSWORD), now,
            fever_hash=accounts.digest(accounts.fever_api_key(EMAIL, PASSWORD)),
        )  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    settings = Settings(data_dir=args.data_dir, default_sources=False, limit_sync="100000/minute")
    store = Store.open(settings)
    reader(store)
    app = create_app(settings, store)
    transport = httpx.ASGITransport(app=app)
    rows: list[tuple[str, list[float], str]] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        login = await c.post("/accounts/ClientLogin", data={"Email": EMAIL, "Passwd": PASSWORD})
        auth = login.text.split("Auth=")[1].strip()
        h = {"authorization": f"GoogleLogin auth={auth}"}
        fever = {"api_key": accounts.fever_api_key(EMAIL, PASSWORD)}
        state: dict[str, Any] = {}

        async def timed(name: str, call: Any, size: Any = None) -> None:
            took = []
            answer = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                answer = await call()
                took.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200, (name, answer.status_code, answer.text[:200])
            rows.append((name, took, size(answer) if size else ""))

        await timed(
            "ClientLogin",
            lambda: c.post("/accounts/ClientLogin", data={"Email": EMAIL, "Passwd": PASSWORD}),
        )
        await timed(
            "unread-count",
            lambda: c.get(f"{API}/unread-count?output=json", headers=h),
            lambda r: f"{r.json()['max']} unread, {len(r.json()['unreadcounts'])} rows",
        )

        def keep_ids(r: httpx.Response) -> str:
            state["ids"] = [int(x["id"]) for x in r.json()["itemRefs"]]
            return f"{len(state['ids'])} ids"

        await timed(
            "items/ids unread n=10000",
            lambda: c.get(
                f"{API}/stream/items/ids?s={RL}&xt=user/-/state/com.google/read&n=10000",
                headers=h,
            ),
            keep_ids,
        )
        await timed(
            "stream/contents n=50",
            lambda: c.get(f"{API}/stream/contents/{RL}?n=50", headers=h),
            lambda r: f"{len(r.json()['items'])} items, {len(r.content) // 1024} KiB",
        )
        articles = [i for i in state["ids"] if i < 1 << 48][:250]
        stories = [i for i in state["ids"] if i >= 1 << 48][:20]
        await timed(
            "items/contents 250 articles",
            lambda: c.post(f"{API}/stream/items/contents", data={"i": articles}, headers=h),
            lambda r: f"{len(r.json()['items'])} items, {len(r.content) // 1024} KiB",
        )
        await timed(
            "items/contents 20 stories",
            lambda: c.post(f"{API}/stream/items/contents", data={"i": stories}, headers=h),
            lambda r: f"{len(r.json()['items'])} items, {len(r.content) // 1024} KiB",
        )
        await timed(
            "edit-tag read 250",
            lambda: c.post(
                f"{API}/edit-tag",
                data={"T": auth, "i": articles, "a": "user/-/state/com.google/read"},
                headers=h,
            ),
        )
        await timed(
            "fever unread_item_ids",
            lambda: c.post("/fever/?api&unread_item_ids", data=fever),
            lambda r: f"{len(r.json()['unread_item_ids'].split(','))} ids",
        )
        await timed(
            "fever items since_id=0",
            lambda: c.post("/fever/?api&items&since_id=0", data=fever),
            lambda r: f"{len(r.json()['items'])} items of {r.json()['total_items']}",
        )
        t0 = time.perf_counter()
        done = await c.post(f"{API}/mark-all-as-read", data={"T": auth, "s": RL}, headers=h)
        assert done.status_code == 200
        rows.append(("mark-all-as-read (all)", [(time.perf_counter() - t0) * 1000], ""))
        await timed(
            "unread-count (all read)",
            lambda: c.get(f"{API}/unread-count?output=json", headers=h),
            lambda r: f"{r.json()['max']} unread",
        )
    print(f"{'call':32} {'median ms':>10} {'max ms':>8}  answer")
    for name, took, size in rows:
        print(f"{name:32} {statistics.median(took):10.1f} {max(took):8.1f}  {size}")
    print(json.dumps({"articles": store.count_articles()}))
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
