"""extract(): page HTML -> a clean, attributed Article (golden files and edge cases)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from broadsheet.errors import ExtractError
from broadsheet.extract import drop_furniture, extract, extract_from_entry
from broadsheet.extract.article import decode_html
from broadsheet.extract.canonical import normalize_for_hash
from broadsheet.extract.metadata import clean_author, parse_date, strip_site_suffix
from broadsheet.models import Article, FeedEntry

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
REGEN = os.environ.get("BROADSHEET_REGEN_GOLDEN") == "1"

TEASER_ENTRY = FeedEntry(
    url="https://demo-daily.test/local/cycle-bridge",
    title="Council approves new cycle bridge",
    author="Demo Daily staff",
    published=datetime(2025, 5, 6, 16, 20, tzinfo=UTC),
    summary="<p>Sample content: the council voted on Tuesday to build a cycle bridge.</p>",
    content=(
        "<p>Council approves new cycle bridge</p>"
        "<p>Sample content: the council voted on Tuesday to build a cycle bridge across the "
        "river, linking the new housing estate with the town centre.</p>"
        "<p>The bridge will be 120 metres long and is expected to open in two years. "
        "Councillors said it would take hundreds of short car trips off the roads.</p>"
        "<p>Share this article</p><script>alert('feed')</script>"
        "<p>Residents can comment on the design at the library until the end of the month."
        "<img src=x onerror=alert(1)></p>"
    ),
)


@dataclass(frozen=True)
class Case:
    url: str
    entry: FeedEntry | None = None


CASES = {
    "furniture_news": Case(
        "https://www.example-gazette.test/news/2025/06/floating-library?utm_source=rss"
    ),
    "german_dotted_date": Case("https://www.beispielbote.test/lokales/bibliothek-sommer"),
    "jsonld_newsarticle": Case("https://www.sample-courier.test/transport/night-trains-return"),
    "teaser_paywall": Case(TEASER_ENTRY.url, TEASER_ENTRY),
    "hostile_markup": Case("https://fixture-times.test/tests/hostile"),
}
FURNITURE_LINES = [
    "Download our app", "Sign up for our newsletter", "Accept all cookies", "We use cookies",
    "Share this article", "Share on Facebook", "Read more:", "Follow us on", "All rights reserved",
    "Related articles", "Advertisement", "Subscribe", "Manage preferences", "About us",
    "Staff writer", "Anzeige", "Lesen Sie auch", "Alle Rechte vorbehalten", "Impressum",
]  # fmt: skip


def _run(name: str) -> Article:
    case = CASES[name]
    return extract(case.url, (PAGES / f"{name}.html").read_bytes(), entry=case.entry)


def _golden(article: Article) -> dict[str, object]:
    return {
        "title": article.title,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "site_name": article.site_name,
        "canonical_url": article.canonical_url,
        "extraction": article.extraction,
        "description": article.description,
        "text": article.text,
    }


def test_every_fixture_page_has_a_case() -> None:
    assert {p.stem for p in PAGES.glob("*.html")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    got = _golden(_run(name))
    path = PAGES / f"{name}.expected.json"
    if REGEN or not path.exists():
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if not REGEN:
            pytest.fail(f"wrote missing golden {path.name}; check it by eye, then re-run")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_headline_once_and_no_furniture() -> None:
    article = _run("furniture_news")
    headline = "Harbour town opens floating library for summer"
    assert article.title == headline
    paragraphs = article.text.split("\n\n")
    assert all(normalize_for_hash(headline) not in normalize_for_hash(p) for p in paragraphs)
    assert headline not in article.html
    for line in FURNITURE_LINES:
        assert line.lower() not in article.text.lower(), line
        assert line.lower() not in article.html.lower(), line
    assert paragraphs[0].startswith("This page is sample content")
    assert paragraphs[-1].startswith("Visitors on the first day")
    assert "<h2>A boat with a history</h2>" in article.html
    assert article.author == "Jane Doe"
    assert article.published == datetime(2025, 6, 12, 6, 45, tzinfo=UTC)  # not modified_time
    assert article.canonical_url == (
        "https://www.example-gazette.test/news/2025/06/floating-library"
    )
    assert article.image == "https://cdn.example-gazette.test/img/floating-library.jpg"
    assert article.language == "en"
    assert article.description and len(article.description) <= 280
    assert len(article.content_hash) == 64


def test_german_day_first_date_and_language() -> None:
    article = _run("german_dotted_date")
    assert article.published is not None and article.published.date().isoformat() == "2025-04-03"
    assert article.language == "de"
    assert article.title == "Stadtbibliothek verlängert Öffnungszeiten im Sommer"
    assert "Anzeige" not in article.text and "Lesen Sie auch" not in article.text


def test_feed_date_refines_a_day_only_page_date() -> None:
    html = (PAGES / "german_dotted_date.html").read_bytes()
    entry = FeedEntry(url="u", published=datetime(2025, 4, 3, 6, 15, tzinfo=UTC))
    assert extract(CASES["german_dotted_date"].url, html, entry=entry).published == entry.published
    other_day = FeedEntry(url="u", published=datetime(2025, 4, 9, 6, 15, tzinfo=UTC))
    got = extract(CASES["german_dotted_date"].url, html, entry=other_day).published
    assert got is not None and got.date().isoformat() == "2025-04-03"


def test_json_ld_author_and_time() -> None:
    article = _run("jsonld_newsarticle")
    assert article.author == "Samuel Okoro"
    assert article.published == datetime(2025, 3, 14, 8, 30, tzinfo=UTC)
    assert article.canonical_url == "https://www.sample-courier.test/transport/night-trains-return"


def test_teaser_page_falls_back_to_feed_content() -> None:
    article = _run("teaser_paywall")
    assert article.extraction == "feed"
    assert article.title == "Council approves new cycle bridge"
    assert article.text.startswith("Sample content: the council voted")
    assert "Share this article" not in article.text
    assert "alert" not in article.text and "<img" not in article.html
    assert article.published == TEASER_ENTRY.published
    assert article.site_name == "Demo Daily"


def test_hostile_page_yields_inert_html() -> None:
    article = _run("hostile_markup")
    root = lxml_html.fragment_fromstring(article.html, create_parent="div")
    tags = {el.tag for el in root.iter()} - {"div"}
    assert tags <= {"p", "h2", "h3", "h4", "ul", "li", "blockquote", "br"}
    assert not [a for el in root.iter() for a in el.attrib]
    for needle in ("alert", "javascript", "evil.example", "Ignore previous instructions"):
        assert needle not in article.html and needle not in article.text
    assert article.site_name is None  # not the <base href> host
    assert article.canonical_url == CASES["hostile_markup"].url


def test_leading_byline_dropped_but_not_a_sentence_starting_with_by() -> None:
    body = "<p>" + "Plain sentence of sample text about the pier. " * 12 + "</p>"
    for first, kept in [("By Jane Doe", False), ("By noon the pier was full.", True)]:
        page = f"<html><body><article><p>{first}</p>{body}</article></body></html>"
        text = extract("https://example.com/a", page).text
        assert text.startswith(first) is kept, text[:80]


def test_page_without_text_and_no_feed_raises() -> None:
    empty = b"<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>"
    with pytest.raises(ExtractError, match="no article text"):
        extract("https://example.com/a", empty)
    with pytest.raises(ExtractError):
        extract("https://example.com/a", b"")
    with pytest.raises(ExtractError):
        extract("https://example.com/a", b"\x00\xff\xfe garbage")


def test_extract_from_entry() -> None:
    article = extract_from_entry(TEASER_ENTRY)
    assert article.extraction == "feed"
    assert article.title == TEASER_ENTRY.title
    assert article.author == "Demo Daily staff"
    assert not article.text.startswith("Council approves")  # headline once
    assert "<script" not in article.html and "alert" not in article.text
    summary_only = FeedEntry(url="https://x.example/a", title="T", summary="Just a line &amp; more")
    assert extract_from_entry(summary_only).text == "Just a line & more"
    with pytest.raises(ExtractError, match="no text"):
        extract_from_entry(FeedEntry(url="https://x.example/a", title="T", summary="  "))


def test_future_and_impossible_dates_fall_back_to_the_feed() -> None:
    soon = datetime.now(UTC) + timedelta(days=30)
    entry = FeedEntry(url="u", published=datetime(2024, 1, 2, 3, 4, tzinfo=UTC))
    body = "<p>" + "Plain sentence of sample text for the date test. " * 20 + "</p>"
    for stamp in (soon.isoformat(), "0000-01-01", "99999-01-01", "2024-13-45T10:00:00+25:00"):
        page = (
            f'<html><head><meta property="article:published_time" content="{stamp}">'
            f"</head><body><article>{body}</article></body></html>"
        )
        # no time budget: the rule under test is the fallback, not how fast it runs
        got = extract("https://example.com/a", page, entry=entry, budget=None)
        assert got.published == entry.published


def test_parse_date() -> None:
    assert parse_date("2025-06-12T07:45:00+0100") == datetime(2025, 6, 12, 6, 45, tzinfo=UTC)
    assert parse_date("2025-06-12T07:45:00") == datetime(2025, 6, 12, 7, 45, tzinfo=UTC)
    assert parse_date("2025-06-12") == datetime(2025, 6, 12, 12, 0, tzinfo=UTC)
    for bad in (None, "", "yesterday", "1969-07-20", "3025-01-01", "2025-02-30"):
        assert parse_date(bad) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe | Staff writer", "Jane Doe"),
        ("Jane Doe; Staff writer", "Jane Doe"),
        ("by JANE DOE and John Roe", "JANE DOE, John Roe"),
        ("Von Klara Beispiel", "Klara Beispiel"),
        ("Samuel Okoro, Political Correspondent", "Samuel Okoro"),
        ("https://example.com/authors/jane", None),
        ("jane@example.com", None),
        ("Staff", None),
        ("  ", None),
        (None, None),
        ("A" * 32_000, None),
        ("; ".join(f"Writer Number{i}" for i in range(50)), None),
    ],
)  # fmt: skip
def test_clean_author(raw: str | None, expected: str | None) -> None:
    got = clean_author(raw)
    if raw and raw.startswith("Writer"):
        assert got is not None and got.count(",") <= 3 and len(got) <= 120
    else:
        assert got == expected


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Harbour town opens library | The Example Gazette", "The Example Gazette",
         "Harbour town opens library"),
        ("Harbour town opens library - The Example Gazette", "The Example Gazette",
         "Harbour town opens library"),
        ("Harbour town opens library | Gazette", None, "Harbour town opens library"),
        ("Harbour town opens library – example-gazette.test", None,
         "Harbour town opens library"),
        ("Mayor says yes - and no - to the plan", "Gazette",
         "Mayor says yes - and no - to the plan"),
        ("| Gazette", None, "| Gazette"),
    ],
)  # fmt: skip
def test_strip_site_suffix(title: str, site: str | None, expected: str) -> None:
    assert strip_site_suffix(title, site, "https://www.example-gazette.test/a") == expected


def test_drop_furniture_keeps_real_paragraphs() -> None:
    lines = [
        "Download our app", "Get the free Gazette app for iPhone and Android",
        "Sign up for our newsletter", "Accept all cookies", "Share this article",
        "Read more: Pier reopens", "Follow us on X", "© 2025 The Gazette. All rights reserved.",
        "Copyright 2025 Sample Courier", "Related articles", "Advertisement", "ANZEIGE",
        "Lesen Sie auch: Neue Bücherei", "Newsletter abonnieren",
    ]  # fmt: skip
    keep = [
        "Read more books, the librarian told the children, and the pier will be yours.",
        "Copyright law was debated in parliament on Tuesday for the third time this year.",
        "Advertisement revenue fell by a third, the company said in its annual report.",
        "Share prices rose.",
        "Sign up for our newsletter " + "and much longer text " * 12,
    ]
    assert drop_furniture(lines + keep) == keep


def test_decode_charset_bom_and_invalid_bytes() -> None:
    latin = '<html><head><meta charset="iso-8859-1"></head><body>Café – €</body></html>'
    assert "Café – €" in decode_html(latin.encode("cp1252"))
    utf16 = "\ufeff<html><body>Grüße</body></html>".encode("utf-16-le")
    assert "Grüße" in decode_html(utf16)
    assert decode_html(b"<p>ok \xff\xfe bad</p>") == "<p>ok \ufffd\ufffd bad</p>"
    bogus = b'<meta charset="no-such-charset"><p>\xc3\xa9</p>'
    assert "é" in decode_html(bogus)
    # the HTTP header's charset beats the meta tag; a BOM beats both
    assert "Café" in decode_html(latin.encode("cp1252"), encoding="windows-1252")
    assert "Café" in decode_html('<meta charset="utf-8">Café'.encode("cp1252"), encoding="latin1")
    assert "Grüße" in decode_html(utf16, encoding="ascii")


def test_ten_megabyte_page_is_trimmed_and_fast() -> None:
    article_html = (PAGES / "furniture_news.html").read_text(encoding="utf-8")
    filler = '<div class="junk"><p>' + "filler words without meaning " * 20 + "</p></div>\n"
    head, tail = article_html.split("</main>", 1)
    page = (head + "</main>" + filler * (10_000_000 // len(filler)) + tail).encode()
    assert len(page) > 10_000_000
    assert len(decode_html(page, 3_000_000).encode()) <= 3_000_000
    # CPU time and no wall-clock budget: waiting for a core on a loaded machine is not work
    start = time.process_time()
    article = extract(CASES["furniture_news"].url, page, max_bytes=3_000_000, budget=None)
    cpu = time.process_time() - start
    assert article.title == "Harbour town opens floating library for summer"
    assert cpu < 20, cpu
