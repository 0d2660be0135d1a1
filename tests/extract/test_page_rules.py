"""Page-level rules found by reading trafilatura-eval's worst pages (issue 15): the
standfirst between the headline and the body, disclosures and rights notices, an outlet's
promotion at the very end, and end-of-article headings in their longer forms. Every page
here is written by the test (invented text)."""

from __future__ import annotations

from broadsheet.extract import extract
from broadsheet.extract.cleanup import is_end_marker, is_notice

URL = "https://harbour-post.test/news/ferry-timetable"
BODY = [
    "The harbour authority published the new ferry timetable on Monday morning after "
    "three months of talks with the island councils and the operators of the two lines.",
    "Ferries will leave every forty minutes in summer instead of every hour, and the last "
    "crossing of the day moves from ten to eleven in the evening, the authority said.",
    "Island residents had asked for a later crossing for years; the council's transport "
    "officer said the change would let people work late shifts on the mainland.",
    "The operators will add a third vessel on the busiest weekends in July and August, "
    "and the fares stay the same until the end of next year, according to the timetable.",
]
LEAD = (
    "Later crossings and a ferry every forty minutes: the islands get the summer service "
    "they asked for, at last year's fares."
)


def page(*, header: str = "", after: str = "", lead_box: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return (
        "<html><head><title>New ferry timetable | Harbour Post</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><header><h1>New ferry timetable brings later crossings</h1>{header}</header>"
        f"{lead_box}<div class='article-body'>{paragraphs}{after}</div></article>"
        "<footer><p>Harbour Post, 1 Quay Street</p></footer></body></html>"
    )


def test_a_standfirst_the_page_names_between_headline_and_body_goes_first() -> None:
    html = page(lead_box=f"<div class='teaser-text'><p>{LEAD}</p></div>")
    article = extract(URL, html)
    assert article.text.split("\n")[0] == LEAD
    assert article.text.count("forty minutes: the islands") == 1


def test_a_subtitle_in_the_headline_header_is_the_standfirst() -> None:
    article = extract(URL, page(header=f"<h2>{LEAD}</h2>"))
    assert article.text.startswith(LEAD)


def test_teasers_of_other_articles_after_the_body_are_not_a_standfirst() -> None:
    teaser = (
        "<div class='teaser'><p>Bridge repairs close the coast road for two weeks from "
        "Friday, the county says in a notice to drivers.</p></div>"
    )
    article = extract(URL, page(after=teaser))
    assert article.text.startswith(BODY[0])
    assert not article.text.startswith("Bridge repairs")


def test_a_linked_teaser_above_the_body_is_not_a_standfirst() -> None:
    linked = (
        "<div class='intro'><a href='/news/other'>Bridge repairs close the coast road for "
        "two weeks from Friday, the county says in a notice to drivers.</a></div>"
    )
    article = extract(URL, page(lead_box=linked))
    assert article.text.startswith(BODY[0])


def test_disclosures_rights_notices_and_a_closing_promotion_are_dropped() -> None:
    after = (
        "<p>This article contains affiliate links: we may receive a small commission when "
        "you buy through them.</p>"
        "<p>© 2026 Harbour Post. All rights reserved. Reprinting without written permission "
        "is prohibited.</p>"
        "<p>Subscribe now to our e-edition for the full story.</p>"
    )
    article = extract(URL, page(after=after))
    assert article.text.endswith(BODY[-1])
    assert "affiliate" not in article.text and "©" not in article.text


def test_news_that_mentions_the_same_words_is_kept() -> None:
    assert not is_notice("The European Commission said the products were safe.")
    assert not is_notice("The company paid a commission on the sale of the products.")
    kept = "Readers can subscribe to the ferry alerts at the harbour office, the authority said."
    article = extract(URL, page(after=f"<p>{kept}</p><p>{BODY[0]} Again.</p>"))
    assert kept in article.text


def test_end_of_article_headings_in_their_longer_forms() -> None:
    for heading in (
        "Das Thema könnte dich auch interessieren:",
        "Weitere Tourentipps in Schweden",
        "Mehr Themen:",
        "Auch auf gofeminin.de",
        "Schreibe einen Kommentar",
        "Originalpublikation",
    ):
        assert is_end_marker(heading), heading
    assert not is_end_marker("Auch auf der Insel wurde gefeiert, sagte der Bürgermeister.")


def test_a_headline_inside_a_link_still_anchors_the_standfirst() -> None:
    html = page(lead_box=f"<div class='intro-text'><p>{LEAD}</p></div>").replace(
        "<h1>New ferry timetable brings later crossings</h1>",
        "<a href='/news/ferry-timetable'><h1>New ferry timetable brings later crossings</h1></a>",
    )
    assert extract(URL, html).text.startswith(LEAD)


def test_a_table_of_contents_heading_is_not_text() -> None:
    article = extract(URL, page(lead_box="<h2>Inhaltsverzeichnis</h2>"))
    assert "Inhaltsverzeichnis" not in article.text
    assert article.text.startswith(BODY[0])


def test_the_outlet_selling_its_newsletter_mid_article_is_dropped() -> None:
    box = "<h3>Harbour Post Newsletter</h3><p>Sign up to get the best stories of the week.</p>"
    html = page().replace(f"<p>{BODY[1]}</p>", f"<p>{BODY[1]}</p>{box}")
    article = extract(URL, html)
    assert "Newsletter" not in article.text and "Sign up" not in article.text
    assert BODY[2] in article.text


def test_an_article_about_copyright_is_not_a_rights_notice() -> None:
    assert not is_notice(
        "The agency provides free copyright licenses that give the public permission to "
        "share and use creative work on the conditions the author chooses."
    )
    assert is_notice("© 2026 Harbour Post. Reprinting without written permission is prohibited.")
    assert is_notice("Materiał chroniony prawem autorskim.")
