"""Page-level rules found by reading trafilatura-eval's worst pages (issue 15): the
standfirst between the headline and the body, disclosures and rights notices, an outlet's
promotion at the very end, and end-of-article headings in their longer forms. Every page
here is written by the test (invented text)."""

from __future__ import annotations

import pytest

from broadsheet.extract import extract
from broadsheet.extract.blocks import Block
from broadsheet.extract.cleanup import is_end_marker, is_figure_caption, is_notice
from broadsheet.extract.furniture import drop_furniture
from broadsheet.extract.site import finish

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


AUTHOR_META = "<meta name='author' content='Mara Lindqvist'>"


def with_author(html: str) -> str:
    return html.replace("<head>", f"<head>{AUTHOR_META}", 1)


def test_the_authors_closing_biography_is_dropped() -> None:
    bio = (
        "<p>Mara Lindqvist is the Harbour Post's transport reporter. Before joining the "
        "paper she covered the island councils for a local radio station.</p>"
    )
    article = extract(URL, with_author(page(after=bio)))
    assert article.author == "Mara Lindqvist"
    assert "transport reporter" not in article.text
    assert article.text.endswith(BODY[-1])


def test_the_author_named_in_the_story_is_kept() -> None:
    # the name opening the first paragraph, or a paragraph that is only the name, is not
    # a biography; nor is a closing paragraph that opens with somebody else's name
    first = "<p>Mara Lindqvist rode the first late crossing on Monday to see how it went.</p>"
    html = with_author(
        page(
            after="<p>Jonas Berg is the operators' spokesman and said the "
            "third vessel is already chartered.</p>"
        )
    )
    html = html.replace("<div class='article-body'>", f"<div class='article-body'>{first}")
    article = extract(URL, html)
    assert "rode the first late crossing" in article.text
    assert "Jonas Berg is the operators' spokesman" in article.text


# (an English or German "Read also:" is furniture of the phrase table, gone before the
# end-of-article cut sees it; these labels are not)
def test_the_article_goes_on_after_a_read_also_label() -> None:
    # the label's link is dropped; two short paragraphs of prose follow: still the article
    box = (
        "<p>À lire aussi :</p><p><a href='/news/bridge'>Bridge repairs close the coast road</a></p>"
        "<p>The council will review the timetable in spring. Residents can send comments "
        "until March.</p><p>The next ferry talks are set for May. The operators agreed.</p>"
    )
    article = extract(URL, page(after=box))
    assert "review the timetable in spring" in article.text
    assert "next ferry talks are set for May" in article.text
    assert "lire aussi" not in article.text


@pytest.mark.parametrize(
    "box",
    [
        # headlines (no prose) after a read-also label: still the end
        "<p>Lue myös:</p><p>Bridge repairs close the coast road</p>"
        "<p>Island school gets a new roof before winter</p>",
        # a related-articles section ends the article even when prose follows
        "<h2>Sur le même sujet</h2><p>The council reviewed the bus timetable last spring. "
        "Residents sent comments until March.</p>",
    ],
)
def test_what_follows_an_end_label_that_is_not_the_article_goes(box: str) -> None:
    article = extract(URL, page(after=box))
    assert article.text.endswith(BODY[-1])


def test_a_reply_form_heading_with_its_cancel_link_ends_the_article() -> None:
    for heading in ("Leave a Reply Cancel reply", "Schreibe einen Kommentar Antworten abbrechen",
                    "Deja una respuesta Cancelar la respuesta"):  # fmt: skip
        assert is_end_marker(heading)
        form = f"<h3>{heading}</h3><p>Your email address will not be published.</p>"
        article = extract(URL, page(after=form))
        assert article.text.endswith(BODY[-1]), heading
    assert not is_end_marker("Leave a reply to the council's letter by Friday, it said")


# An English or German label is also furniture of the phrase table, which drops it before
# the end-of-article cut; the cut must still see it (issue 15, part 4). ("Mehr zum Thema"
# is not here: trafilatura itself drops it and keeps the teasers.)
TEASERS = (
    "<p><a href='/news/bridge'>Bridge repairs close the coast road for a week</a></p>"
    "<p>The island school gets a new roof before winter, the council said.</p>"
    "<p><a href='/news/lighthouse'>Lighthouse keeper retires after forty years</a></p>"
)


@pytest.mark.parametrize(
    "label",
    [
        "<h2>Related articles</h2>",
        "<p>Read also:</p>",
        "<p>See also</p>",
        "<p>Siehe auch:</p>",
        "<p>Lesen Sie auch:</p>",
        "<h2>À lire aussi</h2>",
    ],
)
def test_teasers_under_an_end_label_the_furniture_table_drops_end_the_body(label: str) -> None:
    article = extract(URL, page(after=label + TEASERS))
    assert article.text.endswith(BODY[-1]), label
    assert "Bridge repairs" not in article.text
    assert "Lighthouse keeper" not in article.text


@pytest.mark.parametrize("label", ["<p>Read also:</p>", "<p>Lesen Sie auch:</p>"])
def test_a_read_also_label_mid_article_does_not_cut_the_rest(label: str) -> None:
    more = (
        f"{label}<p><a href='/news/bridge'>Bridge repairs close the coast road</a></p>"
        "<p>The council will review the timetable in spring. Residents can send comments "
        "until March.</p><p>The next ferry talks are set for May. The operators agreed.</p>"
    )
    article = extract(URL, page(after=more))
    assert "review the timetable in spring" in article.text
    assert article.text.endswith("The operators agreed.")
    assert "Bridge repairs" not in article.text
    assert "Read also" not in article.text and "Lesen Sie" not in article.text


def test_an_end_label_before_the_article_has_begun_is_dropped_alone() -> None:
    blocks = [Block("h2", "Related articles"), *(Block("p", p) for p in BODY)]
    kept = finish(blocks, furniture=drop_furniture, site=None, url=None, title=None)
    assert [b.text for b in kept] == BODY


def test_a_see_also_section_followed_by_another_section_is_not_the_end() -> None:
    # a README-like document: "See also" is one section among others, not the article's end
    more = (
        "<h2>See also</h2><ul><li><a href='/docs/start'>Getting started with the tool</a></li>"
        "<li><a href='/docs/images'>Preparing your own images</a></li></ul>"
        "<h2>Environment variables</h2><p>Several settings can be given in the environment:</p>"
        "<ul><li>HARBOUR_API_URL, the base address of the timetable service</li></ul>"
    )
    article = extract(URL, page(after=more))
    assert "HARBOUR_API_URL" in article.text
    assert "See also" not in article.text


def test_a_furniture_heading_after_the_related_section_does_not_make_it_a_section() -> None:
    more = (
        "<h3>Related articles</h3>" + TEASERS + "<h3>Download the app</h3>"
        "<p>Get the Harbour Post on your phone, free for all readers.</p>"
    )
    article = extract(URL, page(after=more))
    assert article.text.endswith(BODY[-1])


def test_a_caption_that_names_itself_a_figure_is_not_text() -> None:
    for caption in (
        "Abbildung 4: Die neue Fährlinie im Überblick.",
        "Figure 2: Crossings per hour, summer and winter.",
        "Abb.: Der Hafen am Morgen",
    ):
        assert is_figure_caption(caption), caption
    html = page().replace(f"<p>{BODY[1]}</p>", f"<p>{BODY[1]}</p><p>Abbildung 1: Der Hafen.</p>")
    assert extract(URL, html).text == "\n\n".join(BODY)
    # a sentence about a figure, or a long paragraph that opens with the label, stays
    assert not is_figure_caption("Figures show 2,000 more crossings: a record, the port said.")
    assert not is_figure_caption("Abbildung 1: " + " ".join(BODY))
