"""RELIABILITY 14: CSP and nosniff on every HTML response, safe external links, error pages."""

from __future__ import annotations

import re

from fastapi import FastAPI

from tests.web.asgi import get

SE = "tests/web/test_security.py::"
M = "tests/reliability/test_14_headers.py::"
LINES = {
    "Every HTML response carries a Content-Security-Policy set by the app": [
        SE + "test_security_headers_on_every_response",
        SE + "test_html_has_no_inline_script_or_style_and_a_lang",
        SE + "test_server_error_is_an_html_page_with_headers",
        "tests/web/test_browser.py::test_home_to_article_in_a_real_browser",
        M + "test_14_external_links_open_with_noopener_noreferrer",
    ],
    "Error pages escape what they echo.": [
        SE + "test_error_page_escapes_what_it_echoes",
        "tests/web/test_browser_xss.py::test_hostile_text_never_runs_in_a_browser",
    ],
}

_LINK = re.compile(r"<a\s[^>]*href=\"(https?://[^\"]*)\"[^>]*>")


def test_14_external_links_open_with_noopener_noreferrer(app: FastAPI, ids: dict[str, int]) -> None:
    pages = ["/", *(f"/articles/{i}" for i in ids.values())]
    checked = 0
    for path in pages:
        page = get(app, path)
        assert "content-security-policy" in page.headers
        for tag in _LINK.findall(page.text):
            full = next(m.group(0) for m in _LINK.finditer(page.text) if m.group(1) == tag)
            rel = re.search(r'rel="([^"]*)"', full)
            assert rel and {"noopener", "noreferrer"} <= set(rel.group(1).split()), full
            checked += 1
    assert checked >= len(ids)  # every article links its original at least
