"""Extraction quality pieces: dates by locale, cleanup, the standfirst, fallbacks, budget,
and the `broadsheet extract` command."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from broadsheet.extract import extract
from broadsheet.extract.blocks import Block
from broadsheet.extract.budget import ExtractTimeout, hard_limit
from broadsheet.extract.cleanup import (
    cut_tail,
    is_call_to_action,
    is_cross_link,
    is_end_marker,
    is_metadata_line,
)
from broadsheet.extract.dates import (
    dateparser_languages,
    find_dates,
    month_first,
    parse_iso,
    text_dates,
)
from broadsheet.extract.lead import find_lead
from broadsheet.extract.metadata import clean_author
from broadsheet.extract.strategies import Candidate, choose, jsonld_blocks, under_delivers
from broadsheet.models import FeedEntry

NOW = datetime(2025, 6, 20, 12, 0, tzinfo=UTC)
SENTENCE = "Plain sentence of sample text about the harbour and its ferries. "
PAGES = Path(__file__).parents[1] / "fixtures" / "pages"


def _page(head: str = "", body: str = "", lang: str = "en") -> str:
    return (
        f'<html lang="{lang}"><head>{head}</head><body><article><h1>Pier reopens</h1>'
        f"{body}<p>{SENTENCE * 8}</p><p>{SENTENCE * 6}</p></article></body></html>"
    )


# --- dates ----------------------------------------------------------------------------------
def test_day_month_order_follows_the_page_locale() -> None:
    assert not month_first("en", None)  # English without a region: day first
    assert not month_first("en-GB", "en_GB") and not month_first("ar", "en_AE")
    assert month_first("en-US", None) and month_first(None, "en_US")
    day_first = text_dates("Published 04-06-2025", us_order=False, now=NOW)
    month_first_ = text_dates("Published 04-06-2025", us_order=True, now=NOW)
    assert day_first[0].date().isoformat() == "2025-06-04"
    assert month_first_[0].date().isoformat() == "2025-04-06"
    # an impossible order is read the only possible way, whatever the locale
    assert text_dates("13/04/2025", us_order=True, now=NOW)[0].date().isoformat() == "2025-04-13"
    for written in ("4. Juni 2025", "4 juin 2025", "June 4, 2025", "4 de junio de 2025"):
        assert text_dates(written, us_order=False, now=NOW)[0].date().isoformat() == "2025-06-04"


def test_an_english_page_from_a_middle_east_outlet_is_day_first() -> None:
    page = _page(body="<p class='date'>04-06-2025</p>")
    tree = lxml_html.fromstring(page)
    found = find_dates(
        tree, "https://news.example.ae/a", language="en", locale="en_AE", now=NOW, extensive=False
    )
    assert found.published is not None and found.published.date().isoformat() == "2025-06-04"
    assert found.source == "text"


def test_never_in_the_future_and_modified_kept_apart() -> None:
    soon = (NOW + timedelta(days=3)).isoformat()
    assert parse_iso(soon, NOW) is None
    assert parse_iso((NOW + timedelta(hours=12)).isoformat(), NOW) is not None  # clock skew
    assert text_dates("on 30.06.2025", us_order=False, now=NOW) == []
    head = (
        '<meta property="article:published_time" content="2025-06-01T08:00:00+02:00">'
        '<meta property="article:modified_time" content="2025-06-03T10:00:00+02:00">'
    )
    found = find_dates(lxml_html.fromstring(_page(head)), "https://x.example/a", now=NOW)
    assert found.published == datetime(2025, 6, 1, 6, 0, tzinfo=UTC)
    assert found.published.utcoffset() == timedelta(hours=2)  # the page's own day is kept
    assert found.modified == datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
    article = extract("https://x.example/a", _page(head))
    assert article.published == found.published and article.modified == found.modified


def test_an_archive_snapshot_stamp_is_not_the_date() -> None:
    url = "https://web.archive.org/web/20160218174457/http://example.org/post"
    found = find_dates(lxml_html.fromstring(_page()), url, now=NOW, extensive=False)
    assert found.published is None
    found = find_dates(None, "https://example.org/2024/05/17/story", now=NOW)
    assert found.published is not None and found.published.date().isoformat() == "2024-05-17"


def test_the_last_fallback_reads_dates_in_the_page_language_only() -> None:
    """htmldate's extensive search hands what no rule reads to dateparser: with the page's
    language and English, not every locale (whose first use costs seconds, issue 16)."""
    assert dateparser_languages("ro", None) == ("en", "ro")
    assert dateparser_languages("fr-FR", "fr_CA") == ("en", "fr")
    assert dateparser_languages("en-GB", None) == ("en",)
    common = dateparser_languages("xx-unknown", "", None)  # no language it knows: the usual
    assert common[0] == "en" and {"ru", "ar", "fr"} <= set(common) and len(common) < 30
    page = _page(body="<p class='date'>12 iunie 2025</p>", lang="ro")
    found = find_dates(lxml_html.fromstring(page), "https://x.example/a", language="ro", now=NOW)
    assert found.published is not None and found.published.date().isoformat() == "2025-06-12"
    assert found.source == "htmldate"


# --- cleanup --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Related articles",
        "Das könnte Sie auch interessieren:",
        "À lire aussi",
        "Comments (3)",
        "Lue myös:",
        "NOTAS RELACIONADAS",
        "Weitere Themen",
        "Czytaj też",
    ],
)
def test_end_markers(text: str) -> None:
    assert is_end_marker(text)


def test_noise_lines_and_what_stays() -> None:
    assert is_metadata_line("23.10.2018") and is_metadata_line("Veröffentlicht am 3. März 2024")
    assert is_metadata_line("Kategorie: News") and is_metadata_line("Bild anzeigen Bild schließen")
    assert is_metadata_line("Marco Odermatt, Ski-Star. © AFP / MARCO BERTORELLO")
    assert is_cross_link("Lesen Sie auch: Neue Bücherei eröffnet")
    assert is_cross_link("Lea también: Impiden ingreso a reportero")
    assert is_call_to_action("Follow us on Telegram and subscribe to our newsletter!")
    for real in (
        "The ferry left at 23.10 on Monday, the captain said.",
        "Readers who subscribe rarely notice the change, the study found.",
        "Related work by the same team is due in the spring.",
    ):
        assert not (is_metadata_line(real) or is_cross_link(real) or is_call_to_action(real))


def test_cut_tail_drops_the_related_section_but_not_an_inline_box() -> None:
    body = [Block("p", SENTENCE * 6), Block("p", SENTENCE * 6)]
    tail = [Block("h2", "Related articles"), Block("li", "Another story"), Block("li", "More")]
    assert cut_tail(body + tail) == body
    inline = [Block("p", "Read also:"), Block("p", "Another story"), Block("p", SENTENCE * 8)]
    kept = cut_tail(body + inline)
    assert kept == body + [inline[2]]


def test_standfirst_from_the_page_not_from_meta() -> None:
    lead = "The harbour authority will reopen the northern pier on Friday after eleven weeks."
    page = (
        f'<html><head><meta property="og:description" content="{lead}"></head><body>'
        f'<header><h1>Pier reopens</h1><p class="standfirst">{lead}</p></header>'
        f"<article><p>{SENTENCE * 8}</p><p>{SENTENCE * 6}</p></article></body></html>"
    )
    assert find_lead(lxml_html.fromstring(page), SENTENCE) == lead
    assert extract("https://x.example/a", page).text.startswith(lead)
    hidden = page.replace('<p class="standfirst">', '<p class="standfirst" hidden>')
    assert find_lead(lxml_html.fromstring(hidden.replace("<header>", "<nav>")), SENTENCE) is None


def test_author_cleanup_drops_the_outlet_and_placeholders() -> None:
    assert (
        clean_author("Frankfurter Allgemeine Zeitung GmbH; Benjamin Fischer") == "Benjamin Fischer"
    )
    assert clean_author("View all posts by Daniel Lemire") == "Daniel Lemire"
    assert clean_author("The Gazette; Jane Doe", site_name="The Gazette") == "Jane Doe"
    assert clean_author("No Author") is None


# --- fallbacks and budget -------------------------------------------------------------------
def test_json_ld_article_body_wins_over_a_teaser_and_is_recorded() -> None:
    body = "\n\n".join([SENTENCE * 3] * 10)
    ld = json.dumps({"@type": "NewsArticle", "headline": "Pier reopens", "articleBody": body})
    page = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        "<article><h1>Pier reopens</h1><p>Only a teaser.</p></article></body></html>"
    )
    tree = lxml_html.fromstring(page)
    blocks = jsonld_blocks(tree)
    assert len(blocks) == 10 and blocks[0].text == (SENTENCE * 3).strip()
    teaser = Candidate("trafilatura", [Block("p", "Only a teaser.")])
    assert under_delivers(teaser.chars, visible_chars=20, feed_chars=0)
    best = choose(
        teaser,
        [("readability", lambda: []), ("jsonld", lambda: jsonld_blocks(tree))],
        clean=lambda b: b,
    )
    assert best.name == "jsonld" and best.blocks == blocks
    full = Candidate("trafilatura", blocks)
    assert choose(full, [("jsonld", lambda: blocks[:5])], clean=lambda b: b) is full
    assert extract("https://x.example/a", page).extraction in {"trafilatura", "jsonld"}


def test_feed_content_wins_over_a_teaser_page() -> None:
    teaser = _page().replace(f"<p>{SENTENCE * 8}</p><p>{SENTENCE * 6}</p>", "<p>Short teaser.</p>")
    entry = FeedEntry(
        url="https://x.example/a",
        title="Pier reopens",
        content="".join(f"<p>{SENTENCE * 4} Part {i}.</p>" for i in range(8)),
    )
    assert extract("https://x.example/a", teaser, entry=entry).extraction == "feed"


def test_hard_time_limit_interrupts_a_stage() -> None:
    # 10 s of sleeping at least, however loaded the machine: only the alarm ends it early
    with pytest.raises(ExtractTimeout), hard_limit(0.2, "https://x.example/slow"):
        for _ in range(1000):
            time.sleep(0.01)


def test_a_swallowed_timeout_is_raised_again() -> None:
    """A library that catches every exception cannot run on past the deadline."""
    swallowed = 0
    with pytest.raises(ExtractTimeout), hard_limit(0.05, "https://x.example/slow"):
        for _ in range(500):  # 5 s at most: the test fails rather than hangs
            try:
                time.sleep(0.01)
            except ExtractTimeout:
                swallowed += 1
                if swallowed > 1:
                    raise
    assert swallowed == 2
    # and a block that finishes after swallowing the alarm still raises on its way out
    with pytest.raises(ExtractTimeout), hard_limit(0.05, "https://x.example/quick"):
        try:
            time.sleep(1)
        except ExtractTimeout:
            pass


def test_a_page_over_its_budget_raises_an_extract_error() -> None:
    page = (PAGES / "furniture_news.html").read_bytes()
    with pytest.raises(ExtractTimeout, match="time budget"):
        extract("https://x.example/a", page * 40, max_bytes=50_000_000, budget=0.001)


# --- the command ----------------------------------------------------------------------------
def test_extract_command_json_jsonl_gz_and_stdin(tmp_path: Path) -> None:
    page = (PAGES / "furniture_news.html").read_bytes()
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(page))
    (tmp_path / "b.html").write_bytes(page)
    cmd = [sys.executable, "-m", "broadsheet", "--data-dir", str(tmp_path), "extract"]
    one = subprocess.run(
        [*cmd, "--url", "https://www.example-gazette.test/news/x", "-"],
        input=page,
        capture_output=True,
        timeout=120,
        check=True,
    )
    got = json.loads(one.stdout)
    assert got["title"] == "Harbour town opens floating library for summer"
    assert got["url"] == "https://www.example-gazette.test/news/x"
    assert got["published"].startswith("2025-06-12T07:45:00")
    assert got["author"] == "Jane Doe" and got["language"] == "en"
    assert got["text"].startswith("This page is sample content") and "<p>" in got["html"]
    assert set(got) >= {
        "path",
        "url",
        "title",
        "author",
        "published",
        "language",
        "site_name",
        "image",
        "text",
        "html",
    }
    many = subprocess.run(
        [*cmd, str(tmp_path / "a.html.gz"), str(tmp_path / "b.html")],
        capture_output=True,
        timeout=120,
        check=True,
        text=True,
    )
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [Path(line["path"]).name for line in lines] == ["a.html.gz", "b.html"]
    assert lines[0]["text"] == lines[1]["text"] == got["text"]
    bad = subprocess.run(
        [*cmd, str(tmp_path / "missing.html")],
        capture_output=True,
        timeout=120,
        check=False,
        text=True,
    )
    assert bad.returncode == 1 and "error" in json.loads(bad.stdout)


def test_outlet_name_from_json_ld_publisher_not_the_domain() -> None:
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "Pier reopens",
            "publisher": {"@type": "Organization", "name": "The Harbour Post"},
        }
    )
    page = _page(f'<script type="application/ld+json">{ld}</script>')
    assert extract("https://harbourpost.example/a", page).site_name == "The Harbour Post"
    assert extract("https://harbourpost.example/a", _page()).site_name is None


def test_title_is_the_heading_that_agrees_with_the_metadata_not_the_logo() -> None:
    page = (
        "<html><head><title>Pier reopens after repairs - Harbour Post</title>"
        '<meta property="og:title" content="Pier reopens after repairs">'
        '<meta property="og:site_name" content="Harbour Post"></head><body>'
        "<header><h1>Harbour Post</h1></header><article><h2>Local news</h2>"
        f"<h1>Pier reopens after repairs</h1><p>{SENTENCE * 8}</p></article></body></html>"
    )
    assert extract("https://harbourpost.example/a", page).title == "Pier reopens after repairs"
    kicker = page.replace("<h1>Pier reopens after repairs</h1>", "<h1>Pier reopens</h1>")
    assert extract("https://harbourpost.example/a", kicker).title == "Pier reopens"
