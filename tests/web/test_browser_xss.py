"""The stored-XSS corpus in a real browser (RELIABILITY 12-14, issue 16 capability 3).

Hostile titles, bodies, authors, outlet names and comments go in through the real pipeline
(a feed and its pages on a loopback server, ingest, then a comment posted through the real
form) and come out on the home, article, story, search and error pages in chromium. A
page-level hook fails the test on any dialog, console error (a CSP violation is one: an
injected inline script would be blocked and reported), page error, or the global the
payloads set; the DOM is searched for anything the payloads would have added.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from broadsheet.config import Settings
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import make_user, post_form, signed_in
from tests.support.httpserver import Reply, TestServer
from tests.support.served import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium"),
]

RLO = "\u202e"
# Each payload, if it ever ran, would open a dialog and set window.__xss.
PAYLOADS = [
    "<script>window.__xss=1;alert(1)</script>",
    '"><img src=x onerror="window.__xss=2;alert(2)">',
    '\'><svg onload="window.__xss=3;alert(3)">',
    '<a href="javascript:window.__xss=4;alert(4)">click</a>',
    "</title><script>window.__xss=5</script>",
    '<iframe srcdoc="<script>parent.__xss=6</script>"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=7>",
    f"{RLO}gnp.exe",
    "{{7*7}}${7*7}<%= 7*7 %>",
]
BODY_EXTRAS = [
    '<p><a href="javascript:window.__xss=10">js link</a> <a href=" JaVa&#x09;ScRiPt:alert(11)">'
    'x</a> <a href="data:text/html,<script>alert(12)</script>">data</a></p>',
    '<p><img src="x" srcset="y 1x, javascript:alert(13) 2x" onerror="alert(13)"></p>',
    '<form action="https://evil.example/"><button formaction="javascript:alert(14)">go</button>'
    "</form>",
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<svg><script>alert(15)</script><animate onbegin="alert(16)"/></svg>',
    '<p style="background:url(javascript:alert(17))" onmouseover="alert(18)">hover</p>',
]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
PARAGRAPH = (
    "Harbour officials said on Tuesday that the northern pier would close for eleven weeks "
    "of repairs after engineers found cracks in three of the columns that hold it up. "
)

# Run in each page after load: what an injected payload would have left behind.
INJECTED = """() => {
  const found = [];
  for (const s of document.scripts) {
    const own = s.src && new URL(s.src).origin === location.origin;
    if (!own) found.push('script ' + s.outerHTML.slice(0, 80));
  }
  const urls = ['href', 'src', 'action', 'formaction', 'srcdoc', 'srcset', 'xlink:href'];
  for (const el of document.body.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push('handler ' + el.tagName + ' ' + a.name);
      if (urls.includes(a.name) && /^\\s*(javascript|data|vbscript):/i.test(a.value))
        found.push('url ' + el.tagName + ' ' + a.value);
    }
  }
  const kinds = ['iframe', 'svg', 'math', 'base', 'meta[http-equiv]', 'object', 'embed',
                 'form[action^="http"]'];
  for (const sel of kinds) if (document.querySelector(sel)) found.push('element ' + sel);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const isolated = node.parentElement.closest('bdi, [dir=auto], textarea, input');
    if (/[\\u202a-\\u202e\\u2066-\\u2069]/.test(node.data) && !isolated)
      found.push('bidi control not isolated in ' + node.parentElement.tagName);
  }
  if (window.__xss !== undefined) found.push('payload ran: ' + window.__xss);
  return found;
}"""


def _publish(server: TestServer) -> None:
    items = []
    for n, payload in enumerate(PAYLOADS):
        title = f"Harbour {payload} report {n}".replace("&", "&amp;").replace("<", "&lt;")
        author = f"Reporter {payload}".replace("&", "&amp;").replace("<", "&lt;")
        items.append(
            f"<item><title>{title}</title><link>{server.base}/a/{n}</link>"
            f"<author>{author}</author><category>{title}</category>"
            "<pubDate>Fri, 04 Dec 2026 09:00:00 GMT</pubDate></item>"
        )
        word = WORDS[n]
        body = "".join(f"<p>{word} {k}: {PARAGRAPH} The {word} desk.</p>" for k in range(3))
        body += payload
        body += "".join(BODY_EXTRAS)
        server.route(
            f"/a/{n}",
            f'<html><head><title>Harbour {payload}</title><meta name="author" content="{payload}">'
            f"</head><body><article><h1>Harbour {payload} report {n}</h1>{body}</article>"
            "</body></html>",
        )
    outlet = f"{RLO}Harbour Gazette <script>window.__xss=20</script>".replace("<", "&lt;")
    rss = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title>'
        f"<link>{server.base}/</link>{''.join(items)}</channel></rss>"
    )
    server.route("/feed.xml", Reply(body=rss, headers={"content-type": "application/rss+xml"}))


def test_hostile_text_never_runs_in_a_browser(
    server: TestServer, settings: Settings, store: Store
) -> None:
    from playwright.sync_api import sync_playwright

    _publish(server)
    cheap = settings.model_copy(
        update={
            "argon2_memory_kib": 1024,
            "argon2_time_cost": 1,
            "understand": False,
            "limit_post_reader": "100/minute",
        }
    )
    store.add_source(server.url("/feed.xml"))
    report = asyncio.run(ingest_once(cheap, store))
    assert report.new_articles == len(PAYLOADS), report
    articles = store.latest_articles(50)
    marked = next(a for a in articles if "<img src=x onerror" in a.title)  # markup, as text

    app = create_app(cheap, store)
    make_user(store, cheap, "eve@example.org", "Eve <script>window.__xss=30</script>")
    mod = make_user(store, cheap, "mod@example.org", "Mo", "moderator")
    first = articles[0].id
    eve = signed_in(app, "eve@example.org")
    for payload in PAYLOADS:
        r = post_form(eve, f"/articles/{first}", f"/articles/{first}/comments",
                      {"body": f"Comment {payload} https://ok.example/?q={quote(payload)}"},
                      follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, r.text
    for comment in store.moderation_queue():
        store.moderate_comment(mod, comment.id, "restore", datetime.now(UTC))

    story = store.story_of_article(first)
    paths = [
        "/", f"/articles/{first}", f"/stories/{story}", "/stories",
        f"/search?q={quote('harbour')}", f"/search?q={quote(PAYLOADS[0])}",
        f"/{quote(PAYLOADS[1])}", f"/articles/{first}/ask?q={quote(PAYLOADS[0])}",
        f"/articles/{marked.id}", "/latest",
        *(f"/articles/{a.id}" for a in articles[1:4]),
    ]  # fmt: skip
    problems: list[str] = []
    with served(app) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(locale="en-US", timezone_id="UTC")
            context.add_cookies(
                [{"name": k, "value": v, "url": base} for k, v in eve.cookies.items()]
            )
            page = context.new_page()
            page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
            at = [""]

            def console(m: ConsoleMessage) -> None:
                expected_404 = at[0].startswith("/%") and "status of 404" in m.text
                if m.type == "error" and not expected_404:  # the error page's own 404
                    problems.append(f"{at[0]}: console {m.type}: {m.text}")

            page.on("console", console)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            seen_comments = False
            for path in paths:
                at[0] = path
                response = page.goto(base + path)
                assert response is not None and response.status in (200, 404), path
                page.wait_for_load_state("load")
                problems += [f"{path}: {p}" for p in page.evaluate(INJECTED)]
                if path == f"/articles/{first}":
                    seen_comments = "Comment <script>" in page.inner_text("body")
                if path == f"/articles/{marked.id}":  # the markup is shown, as text
                    assert "<img src=x onerror" in page.inner_text("h1")
            context.close()
        finally:
            browser.close()
    assert seen_comments  # the comments were on the page, as text
    assert problems == [], "\n".join(problems)
