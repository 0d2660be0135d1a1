"""Every web route, given bad input, answers with a documented 4xx and a message, never a
500 or a traceback (issue 16, capability 6).

The routes are not listed by hand: they are enumerated from the real ASGI app (pages, the
JSON API, the Google Reader and Fever APIs, ClientLogin, the admin pages), so a route
added later is walked too. Each route gets, as an admin signed in (with a valid CSRF token
and Origin, so forms get past the guard to their fields) and as an anonymous visitor:

- every path parameter replaced by each of ``BAD_PATH`` (``1%0a``, ``-1``, huge numbers,
  unknown ids, non-UTF-8, NUL, a 5,000-character segment…);
- every query and form field the endpoint reads (found in its source: the FastAPI
  parameters and each ``.get("name")``) set to each of ``BAD_VALUES`` at once;
- for POST routes, the bodies of ``BAD_BODIES``: binary, non-UTF-8, JSON where a form is
  expected, a truncated multipart form, a form under the wrong content type, a 3 MB body,
  an empty one.

The statuses a route may answer are those documented in docs/security.md ("Bad input").
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import csrf_of, make_user, signed_in
from tests.stories import conftest as stories_fixtures
from tests.sync.conftest import NOW, make_credential

outlets = stories_fixtures.outlets
add = stories_fixtures.add
news = stories_fixtures.news

ADMIN = "root@example.org"
BASE = "http://testserver"

# Statuses a bad request may get (docs/security.md, "Bad input"): done, a redirect (to
# sign in, or back to the form with its message), or a 4xx that says what was wrong.
DOCUMENTED = {200, 204, 302, 303, 307, 308, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429}
# 503 is documented for the AI pages only (their pool is full); none is configured here.

BAD_PATH = [
    "1%0a",
    "-1",
    "0",
    "99999999999999999999",
    "987654",
    "%ff",
    "%00",
    "%c0%af",
    "1.5",
    "abc",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "x" * 5000,
]
BAD_VALUES = [
    "",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "NaN",
    "\x00",
    "\ud800",  # sent as %ED%A0%80: not UTF-8
    "\u202eevil",
    "[]",
    "2026-13-45",
    "javascript:alert(1)",
    "x" * 4000,  # several fields at once: within httpx's 64 KiB URL
]
BINARY = bytes(range(256)) * 8
BAD_BODIES: list[tuple[str | None, bytes]] = [
    ("application/x-www-form-urlencoded", BINARY),
    ("application/x-www-form-urlencoded", b"csrf=%ff%fe&q=\xff\xfe"),
    (None, BINARY),
    ("application/json", b'{"a": [1, 2'),
    ("multipart/form-data; boundary=zz", b'--zz\r\nContent-Disposition: form-data; name="csrf"'),
    ("multipart/form-data", b"--\r\n\r\n"),
    ("text/plain", b"csrf=x&name=y"),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * 3_000_000),
    ("application/x-www-form-urlencoded", b""),
]
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # the readers' limits are opened wide so the walk reaches the handlers, not the 429s
    wide = "100000/minute"
    return Settings(
        data_dir=tmp_path,
        default_sources=False,
        extract_workers=1,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        public_url=BASE,
        **{
            name: wide
            for name in (
                "limit_signin",
                "limit_signin_account",
                "limit_signup",
                "limit_reset",
                "limit_post_reader",
                "limit_post_ip",
                "limit_api_token",
                "limit_api_ip",
                "limit_sync",
                "limit_sync_login",
            )
        },
    )


@pytest.fixture
def app(settings: Settings, store: Store, news: dict[str, int]) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)


@dataclass(frozen=True)
class Route:
    path: str  # the template, e.g. /articles/{article_id}
    method: str
    params: tuple[str, ...]  # path parameters
    fields: tuple[str, ...]  # query or form fields the endpoint reads


_FIELD = re.compile(r"""\.get\(\s*["']([A-Za-z_][\w-]*)["']""")


def _fields(endpoint: Any, dependant: Any) -> tuple[str, ...]:
    names: set[str] = set()
    if dependant is not None:
        names.update(p.alias for p in dependant.query_params)
    try:
        names.update(_FIELD.findall(inspect.getsource(endpoint)))
    except (OSError, TypeError):
        pass
    return tuple(sorted(names - {"csrf"}))


def routes(app: FastAPI) -> list[Route]:
    """Every (path, method) of the real app, through FastAPI's included routers."""

    def flat(items: list[Any]) -> Iterator[Any]:
        for item in items:
            if hasattr(item, "effective_route_contexts"):
                yield from item.effective_route_contexts()
            else:
                yield item

    found = []
    for route in flat(app.routes):
        path = route.path
        if path is None or path.startswith("/static"):
            continue
        params = tuple(getattr(route, "param_convertors", {}) or ())
        fields = _fields(getattr(route, "endpoint", None), getattr(route, "dependant", None))
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append(Route(path, method, params, fields))
    return found


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)


def _query(fields: tuple[str, ...], value: str) -> str:
    return "&".join(f"{quote(f)}={quote(value, errors='surrogatepass')}" for f in fields)


@dataclass
class Who:
    name: str
    cookies: httpx.Cookies
    csrf: str
    sync_headers: dict[str, str]
    api_token: str = ""


def _is_sync(path: str) -> bool:
    return path.startswith(("/reader/", "/accounts/", "/fever"))


def _requests(route: Route, who: Who) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, url, httpx keyword arguments) of every bad request for one route."""
    valid = dict.fromkeys(route.params, "1")
    headers = {"origin": BASE}
    if _is_sync(route.path):
        headers.update(who.sync_headers)
    if route.path.startswith("/api/") and who.api_token:
        headers["authorization"] = f"Bearer {who.api_token}"
    for name in route.params:
        for bad in BAD_PATH:
            yield route.method, _fill(route.path, {**valid, name: bad}), {"headers": headers}
    url = _fill(route.path, valid)
    for bad in BAD_VALUES:
        fields = route.fields
        if route.method == "GET":
            yield "GET", f"{url}?{_query(fields or ('q',), bad)}", {"headers": headers}
        else:
            form = f"csrf={quote(who.csrf)}&{_query(fields or ('q',), bad)}".encode()
            kw = {
                "content": form,
                "headers": {**headers, "content-type": "application/x-www-form-urlencoded"},
            }
            yield route.method, url, kw
    if route.method == "GET":
        yield (
            "GET",
            f"{url}?%ff=%fe&{'&'.join(f'{f}=%ff' for f in route.fields)}",
            {"headers": headers},
        )
        return
    for ctype, body in BAD_BODIES:
        sent = dict(headers)
        if ctype:
            sent["content-type"] = ctype
        yield route.method, url, {"content": body, "headers": sent}


HEALTH = ("/healthz", "/readyz")  # 503 says the worker is not running (docs/operations)


def _problem(response: httpx.Response) -> str | None:
    if response.status_code == 503 and response.url.path in HEALTH:
        return None
    if response.status_code not in DOCUMENTED:
        return f"status {response.status_code}"
    text = response.text
    if TRACEBACK.search(text):
        return "a traceback in the body"
    if 400 <= response.status_code < 500 and not text.strip():
        return f"{response.status_code} without a message"
    return None


Walked = tuple[int, list[str], Counter[tuple[str, str, int]]]


def walk(app: FastAPI, everyone: list[Who]) -> Walked:
    async def go() -> Walked:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        problems: list[str] = []
        count = 0
        seen: Counter[tuple[str, str, int]] = Counter()
        for who in everyone:
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
                # the sync APIs first (the walk revokes credential 1 later on), signing
                # out last, so the session lasts the whole walk
                ordered = sorted(
                    routes(app), key=lambda r: (r.path == "/signout", not _is_sync(r.path))
                )
                for route in ordered:
                    for method, url, kw in _requests(route, who):
                        c.cookies = httpx.Cookies(who.cookies)
                        response = await c.request(method, url, follow_redirects=False, **kw)
                        count += 1
                        seen[who.name, method, response.status_code] += 1
                        problem = _problem(response)
                        if problem:
                            body = response.text[:200].replace("\n", " ")
                            problems.append(f"{who.name} {method} {url[:120]}: {problem}: {body}")
        return count, problems, seen

    return asyncio.run(go())


def test_every_route_answers_bad_input_with_a_documented_4xx(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ada@example.org", "Ada")
    make_user(store, settings, ADMIN, "Root", role="admin")
    admin = signed_in(app, ADMIN)
    secret = make_credential(admin)
    login = admin.post(
        "/accounts/ClientLogin", data={"Email": ADMIN, "Passwd": secret}, follow_redirects=False
    )
    assert login.status_code == 200, login.text
    token = re.search(r"Auth=(\S+)", login.text)
    assert token
    everyone = [
        Who(
            "admin",
            admin.cookies,
            csrf_of(admin.get("/account").text),
            {"authorization": f"GoogleLogin auth={token.group(1)}"},
            make_credential(admin, "api_token"),
        ),
        Who("anonymous", httpx.Cookies(), "", {}),
    ]
    found = routes(app)
    paths = {r.path for r in found}
    for expected in ("/api/v1/articles", "/reader/api/0/edit-tag", "/fever", "/admin/sources"):
        assert expected in paths
    assert "/accounts/ClientLogin" in paths
    count, problems, seen = walk(app, everyone)
    assert count > 5000, count
    # the signed-in walk got past the guard to the handlers: forms done or refused by them
    assert seen["admin", "POST", 303] + seen["admin", "POST", 200] > 100, seen
    assert seen["admin", "POST", 400] > 300, seen
    assert not problems, f"{len(problems)} of {count} requests:\n" + "\n".join(problems[:60])
