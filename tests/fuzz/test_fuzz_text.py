"""Property tests of what turns strangers' text into our HTML: the sanitizer, comments'
auto-linking, article extraction, the search query parser and the pages' query strings."""

from __future__ import annotations

from html.parser import HTMLParser

from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.errors import ExtractError
from broadsheet.extract.article import extract
from broadsheet.extract.sanitize import ALLOWED_TAGS, LINK_REL, sanitize_html
from broadsheet.models import FeedEntry
from broadsheet.store.search import parse_query
from broadsheet.web import comment_text
from tests.fuzz.support import fuzz
from tests.web.asgi import get


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text between them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.declarations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.declarations.append(data)

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    handle_pi = handle_decl


def tags_of(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


_HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" JAVASCRIPT:alert(1)">x</a>', '<a href="data:text/html,<script>">x</a>',
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", '<base href="//evil/">',
    '<meta http-equiv="refresh" content="0;url=//evil">', "<iframe src=//evil></iframe>",
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<img srcset="x 1x, javascript:alert(1) 2x">', "<p style=\"x:expression(alert(1))\">s</p>",
    "<!--<script>-->", "<![CDATA[<script>]]>", "<p>ok <b>bold</b></p>", '<a href="/rel">r</a>',
    '<a href="https://ok.example/a?b=1&c=2" onclick="x">ok</a>', "<", ">", "&", '"', "'",
    "</p>", "<p", "<a", " href=", "\u202e", "\x00",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
])  # fmt: skip
html_soup = st.lists(st.one_of(_HOSTILE, st.text(max_size=15)), max_size=25).map("".join)


@given(html_soup)
@fuzz(500)
def test_sanitized_html_keeps_only_allowed_markup_and_is_stable(raw: str) -> None:
    out = sanitize_html(raw, base_url="https://page.example/a/")
    parsed = tags_of(out)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, tag
        if tag == "a":
            assert set(attrs) <= {"href", "rel"}
            href = attrs.get("href")
            assert href is None or href.startswith(("http://", "https://", "mailto:"))
            assert attrs.get("rel") == LINK_REL
        else:
            assert not attrs, (tag, attrs)
    assert parsed.declarations == []
    assert sanitize_html(out, base_url="https://page.example/a/") == out  # twice: no change


@given(st.lists(st.one_of(
    _HOSTILE,
    st.text(max_size=15),
    st.sampled_from(["https://a.example/x", "http://b.example/y?z=1&w=<2>", "https://ex\u0430mple.com/",
                     "https://[::1", "http://", "https://a.example/\"onmouseover=alert(1)",
                     "https://a.example/)", "(https://a.example/b).", " "]),
), max_size=20).map("".join))  # fmt: skip
@fuzz(500)
def test_comment_html_has_no_markup_but_our_links(raw: str) -> None:
    text, problem = comment_text.clean(raw, 5000)
    if text is None:
        assert problem
        return
    assert "\u202e" not in text
    html = str(comment_text.render(text))
    parsed = tags_of(html)
    assert [t for t, _ in parsed.tags] == ["a"] * len(parsed.tags)
    assert len(parsed.tags) == len(comment_text.links(text))
    for _, attrs in parsed.tags:
        assert set(attrs) == {"href", "rel", "target"}
        assert (attrs["href"] or "").lower().startswith(("http://", "https://"))
        assert attrs["rel"] == "nofollow ugc noopener noreferrer"
    assert parsed.declarations == []
    if not parsed.tags:
        assert "".join(parsed.text) == text  # plain text comes back exactly


@given(html_soup, st.sampled_from(["", "<article>", "<main>", "<div class=post>"]))
@fuzz(150)
def test_any_page_extracts_to_inert_html_or_an_extract_error(body: str, wrapper: str) -> None:
    page = f"<html><head><title>T</title></head><body>{wrapper}<h1>Head</h1>{body}</body></html>"
    entry = FeedEntry(url="https://page.example/a", title="Head", summary="A summary of it.")
    try:
        article = extract("https://page.example/a", page, entry=entry, budget=10.0)
    except ExtractError:
        return
    for tag, attrs in tags_of(article.html).tags:
        assert tag in ALLOWED_TAGS and not any(k.startswith("on") for k in attrs)
    assert "\x00" not in article.text and "\x00" not in article.title


@given(st.text(max_size=120))
@fuzz(500)
def test_any_search_text_parses_to_bounded_plain_words(raw: str) -> None:
    query = parse_query(raw)
    assert len(query.words) <= 20
    for word in query.words:
        assert word and '"' not in word and "\x00" not in word


@given(st.one_of(st.text(max_size=50), st.from_regex(r"\A-?\d{1,20}_\d{1,20}\Z")),
       st.sampled_from(["/", "/search", "/stories", "/api/v1/articles"]),
       st.sampled_from(["before", "after", "q", "lang", "limit"]))  # fmt: skip
@fuzz(120)
def test_any_query_string_gets_a_page_or_a_client_error(
    app: FastAPI, ids: dict[str, int], value: str, path: str, name: str
) -> None:
    from urllib.parse import quote

    response = get(app, f"{path}?{name}={quote(value, safe='')}")
    assert response.status_code in (200, 400, 404, 422), (path, name, value)
    assert "Traceback" not in response.text
