"""robots.txt through the real fetcher and loopback server (RFC 9309 outcomes)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from broadsheet.config import Settings
from broadsheet.errors import FetchError, RobotsDisallowed
from broadsheet.ingest.fetch import Fetcher
from broadsheet.ingest.robots import product_token, robots_url
from broadsheet.models import FetchResult
from tests.support.httpserver import Reply, TestServer

ROBOTS = """\
User-agent: *
Disallow: /private/

User-agent: SomeOtherBot
Disallow: /
"""


def get_all(settings: Settings, urls: list[str], **kw: Any) -> list[FetchResult | BaseException]:
    """Fetch ``urls`` concurrently through one fetcher, robots.txt honoured."""

    async def go() -> list[FetchResult | BaseException]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(
                *(fetcher.get(u, **kw) for u in urls), return_exceptions=True
            )

    return asyncio.run(go())


def get(settings: Settings, url: str) -> FetchResult:
    (result,) = get_all(settings, [url])
    if isinstance(result, BaseException):
        raise result
    return result


@pytest.fixture
def other() -> Iterator[TestServer]:
    srv = TestServer().start()
    yield srv
    srv.stop()


def test_disallowed_path_is_refused_before_the_page_is_requested(
    server: TestServer, settings: Settings
) -> None:
    server.route("/robots.txt", Reply(body=ROBOTS, headers={"content-type": "text/plain"}))
    server.route("/private/page", "secret")
    server.route("/public", "hello")
    with pytest.raises(RobotsDisallowed, match="disallowed by robots.txt"):
        get(settings, server.url("/private/page"))
    assert get(settings, server.url("/public")).body == b"hello"
    assert not server.hits("/private/page")


def test_a_group_naming_our_product_token_applies(server: TestServer, settings: Settings) -> None:
    server.route("/robots.txt", "User-agent: *\nAllow: /\n\nUser-agent: broadsheet\nDisallow: /\n")
    server.route("/page", "x")
    with pytest.raises(RobotsDisallowed):
        get(settings, server.url("/page"))
    assert not server.hits("/page")


def test_words_of_our_user_agent_string_are_not_our_name(
    server: TestServer, settings: Settings
) -> None:
    # Our UA says "... news aggregator"; a group for "news" or "github" is someone else's.
    server.route(
        "/robots.txt", "User-agent: news\nDisallow: /\n\nUser-agent: github\nDisallow: /\n"
    )
    server.route("/page", "x")
    assert get(settings, server.url("/page")).body == b"x"


def test_robots_404_allows_everything(server: TestServer, settings: Settings) -> None:
    server.route("/page", "x")  # no /robots.txt route: the server answers 404
    assert get(settings, server.url("/page")).body == b"x"
    assert len(server.hits("/robots.txt")) == 1


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_5xx_disallows_everything(
    status: int, server: TestServer, settings: Settings
) -> None:
    server.route("/robots.txt", Reply(status, b"oops"))
    server.route("/page", "x")
    with pytest.raises(RobotsDisallowed, match=f"robots.txt unreachable .*HTTP {status}"):
        get(settings, server.url("/page"))
    assert not server.hits("/page")


def test_robots_timeout_disallows_everything(server: TestServer, settings: Settings) -> None:
    server.route("/robots.txt", Reply(body=b"User-agent: *\nAllow: /\n", delay=2))
    server.route("/page", "x")
    with pytest.raises(RobotsDisallowed, match="robots.txt unreachable .*timed out"):
        get(settings.model_copy(update={"fetch_timeout": 0.3}), server.url("/page"))
    assert not server.hits("/page")


def test_robots_network_error_disallows_everything(server: TestServer, settings: Settings) -> None:
    server.route("/robots.txt", Reply(drop=True))
    server.route("/page", "x")
    with pytest.raises(RobotsDisallowed, match="connection lost"):
        get(settings, server.url("/page"))
    assert not server.hits("/page")


def test_robots_redirect_is_followed(server: TestServer, settings: Settings) -> None:
    server.route("/robots.txt", Reply(301, headers={"Location": "/real-robots.txt"}))
    server.route("/real-robots.txt", "User-agent: *\nDisallow: /no\n")
    server.route("/yes", "x")
    assert get(settings, server.url("/yes")).body == b"x"
    with pytest.raises(RobotsDisallowed):
        get(settings, server.url("/no"))


def test_robots_fetched_once_per_origin_even_when_concurrent(
    server: TestServer, other: TestServer, settings: Settings
) -> None:
    for srv in (server, other):
        srv.route("/robots.txt", Reply(body=ROBOTS, delay=0.1))
        srv.route("/a", "a")
    urls = [srv.url(f"/a?{i}") for i in range(4) for srv in (server, other)]
    results = get_all(settings, urls)
    assert all(isinstance(r, FetchResult) for r in results), results
    assert len(server.hits("/robots.txt")) == 1 and len(other.hits("/robots.txt")) == 1
    assert server.seen[0].path == "/robots.txt"


def test_robots_cache_expires_after_ttl(server: TestServer, settings: Settings) -> None:
    server.route("/robots.txt", ROBOTS)
    server.route("/a", "a")

    now = [0.0]  # the cache's clock, moved by the test: no wait, and no race with a slow get

    async def go() -> None:
        async with Fetcher(settings.model_copy(update={"robots_ttl": 60.0})) as fetcher:
            fetcher.robots._clock = lambda: now[0]
            await fetcher.get(server.url("/a"))
            now[0] = 59.9
            await fetcher.get(server.url("/a"))  # within the TTL: the cached robots.txt
            now[0] = 60.0
            await fetcher.get(server.url("/a"))  # past it: fetched again

    asyncio.run(go())
    assert len(server.hits("/robots.txt")) == 2


def test_robots_false_skips_robots(server: TestServer, settings: Settings) -> None:
    server.route("/a", "a")
    get_all(settings, [server.url("/a")], robots=False)
    assert [s.path for s in server.seen] == ["/a"]


def test_redirect_target_on_another_origin_obeys_its_robots(
    server: TestServer, other: TestServer, settings: Settings
) -> None:
    server.route("/go", Reply(302, headers={"Location": other.url("/private/x")}))
    other.route("/robots.txt", ROBOTS)
    with pytest.raises(RobotsDisallowed):
        get(settings, server.url("/go"))
    assert [s.path for s in other.seen] == ["/robots.txt"]


class RecordedTurns:
    """Politeness turns that record when each request start was allowed (loop clock)."""

    def __init__(self) -> None:
        self.starts: list[tuple[str, float]] = []

    async def acquire(self, origin: str) -> object:
        self.starts.append((origin, asyncio.get_running_loop().time()))
        return None

    async def release(self, origin: str, token: object) -> None:
        pass


def test_robots_requests_obey_the_politeness_limits(server: TestServer, settings: Settings) -> None:
    # The rule, not the server's clock (which flaked under load, issue 16): the robots.txt
    # request takes a politeness turn like any other, so the page's turn comes a whole gap
    # after it on the fetcher's own clock.
    server.route("/robots.txt", ROBOTS)
    server.route("/a", "a")
    turns = RecordedTurns()

    async def go() -> None:
        polite = settings.model_copy(update={"per_host_delay": 0.2})
        async with Fetcher(polite, turns) as fetcher:
            await fetcher.get(server.url("/a"), robots=True)

    asyncio.run(go())
    assert [s.path for s in server.seen] == ["/robots.txt", "/a"]
    (origin, first), (again, second) = turns.starts
    assert origin == again == server.base
    assert second - first >= 0.2 - 0.005  # the loop's timer resolution, not load


def test_robots_fetch_errors_carry_the_reason(server: TestServer, settings: Settings) -> None:
    server.route("/robots.txt", Reply(500))
    with pytest.raises(FetchError) as info:
        get(settings, server.url("/page"))
    assert info.value.url == server.url("/page")
    assert "HTTP 500" in str(info.value)


def test_product_token_and_robots_url() -> None:
    assert product_token("Broadsheet/0.1 (+https://example.org; news aggregator)") == "Broadsheet"
    assert product_token("") == "*"
    assert (
        robots_url("https://u:p@Example.COM:8443/a/b?c#d") == "https://example.com:8443/robots.txt"
    )
