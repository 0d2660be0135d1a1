"""The outlet talking to its reader inside the body (issue 15, session 8): membership and
donation appeals, invitations to write to the editor, the outlet's edition for sale, paid
links disclosed by a plugin's template, and the tabs of a navigation box. Every page and
sentence here is written by the test (invented text)."""

from __future__ import annotations

import pytest

from broadsheet.extract import extract
from broadsheet.extract.appeals import is_link_pointer, is_reader_appeal
from broadsheet.extract.blocks import Block
from broadsheet.extract.cleanup import (
    cut_tail,
    is_call_to_action,
    is_label_list,
    is_noise,
    is_notice,
)
from tests.extract.test_page_rules import BODY, URL  # the same invented article


def page(box: str) -> str:
    """The article with ``box`` between its second and third paragraph."""
    first = "".join(f"<p>{p}</p>" for p in BODY[:2])
    rest = "".join(f"<p>{p}</p>" for p in BODY[2:])
    return (
        "<html><head><title>New ferry timetable | Harbour Post</title></head><body>"
        "<article><h1>New ferry timetable brings later crossings</h1>"
        f"<div class='article-body'>{first}{box}{rest}</div></article></body></html>"
    )


APPEALS = [
    "Become a member of the Harbour Post and enjoy exclusive benefits.",
    "We want to hear what you think. Submit a letter to the editor or write to us.",
    "Hacemos periodismo desde hace cien años.\nHAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS",
    "Tú también puedes hacer este periodismo. Cancela cuando quieras.",
    "Werden Sie Mitglied bei der Hafenpost und erhalten Sie exklusive Angebote!",
    "Unterstütze die Hafenpost bereits mit 2,50 Euro im Monat!",
    "Gefällt dir unser Magazin? Damit es frei bleibt, brauchen wir deine Unterstützung.",
    "Die neue Ausgabe der Hafenpost jetzt am Kiosk, im Abo und als E-Paper erhältlich.",
    "Get the Harbour Post by email and never miss our top stories.",
    "Czytasz nasz portal za darmo. Wesprzyj nas darowizną.",
]


@pytest.mark.parametrize("appeal", APPEALS)
def test_the_outlets_appeal_to_its_reader_mid_article_is_dropped(appeal: str) -> None:
    box = "<p>" + appeal.replace("\n", "<br>") + "</p>"  # one box, its lines broken
    article = extract(URL, page(box))
    assert article.text == "\n\n".join(BODY)


@pytest.mark.parametrize(
    "news",
    [
        "Residents who want a say must become a member of the cooperative by March.",
        "Sie sagte: Ich werde Mitglied der Partei bleiben, egal was der Vorstand beschließt.",
        "Das berichtet das Magazin in seiner aktuellen Ausgabe (jetzt am Kiosk).",
        "The paper said its readers often write letters to the editor about the ferries.",
        "Der Verein sucht neue Mitglieder; wer Mitglied werden will, meldet sich bis Mai.",
    ],
)
def test_news_that_reports_an_appeal_is_kept(news: str) -> None:
    assert not is_reader_appeal(news)
    assert news in extract(URL, page(f"<p>{news}</p>")).text


def test_an_appeal_inside_a_long_paragraph_is_not_dropped() -> None:
    long = " ".join(BODY) + " Become a member, the chairman told the harbour meeting."
    assert len(long) > 600
    assert not is_reader_appeal(long)


def test_disclosures_in_a_plugins_template_and_in_a_review_sites_words() -> None:
    assert is_notice(
        "Letzte Aktualisierung am 2.02.2026 / Bei den Verlinkungen handelt es sich um "
        "Affiliate Links / Bilder von der Product Advertising API"
    )
    assert is_notice(
        "We test products independently. We may receive compensation if you visit "
        "partners we recommend. Read our advertiser disclosure."
    )
    assert not is_notice("The advertising partners of the club were paid a commission, he said.")


def test_the_tabs_of_a_navigation_box_are_not_text() -> None:
    assert is_label_list("Weitere Artikel zum Thema\nKommentierte Artikel")
    assert is_noise("Related articles\nMost read")
    assert not is_label_list("Related articles")  # one label: the end-of-article cut decides
    assert not is_label_list("Kommentare\nDie Kommentare sind bis Freitag geschlossen, sagt er.")
    article = extract(URL, page("<p>Weitere Artikel zum Thema<br>Kommentierte Artikel</p>"))
    assert article.text == "\n\n".join(BODY)


def test_weiterlesen_ends_the_article_and_takes_its_teasers() -> None:
    blocks = [Block("p", p) for p in BODY] + [
        Block("h2", "Weiterlesen:"),
        Block("p", "Ein Roadtrip entlang der Küste im Herbst"),
        Block("p", "Wochenend-Ausflug zu den Inseln"),
    ]
    assert [b.text for b in cut_tail(blocks)] == BODY
    # a "Weiterlesen" box mid-article: prose after it is the article going on
    prose = "Die Fähre fährt ab Mai öfter. Das sagte der Hafenmeister am Montag."
    blocks = [Block("p", p) for p in BODY] + [
        Block("p", "Weiterlesen:"),
        Block("p", "Ein Roadtrip entlang der Küste im Herbst"),
        Block("p", prose),
    ]
    assert [b.text for b in cut_tail(blocks)] == [*BODY, prose]


def test_a_story_that_names_platforms_is_not_a_promotion() -> None:
    named = "Facebook and Twitter removed the posts on Monday, the companies said."
    last = "The harbour master posted the new timetable on Facebook."
    assert not is_call_to_action(named)
    article = extract(
        URL, page(f"<p>{named}</p>").replace("</div></article>", f"<p>{last}</p></div></article>")
    )
    assert named in article.text
    assert article.text.endswith(last)
    # the outlet asking to be followed there is still a promotion
    follow = "Follow The Harbour Post on Twitter and Instagram and on Facebook."
    assert is_call_to_action(follow)
    assert follow not in extract(URL, page(f"<p>{follow}</p>")).text


@pytest.mark.parametrize(
    "pointer",
    [
        "Alles über die Fährlinien findest du hier.",
        "Weitere Infos unter www.harbour-post.test.",
        "Hier das vollständige Fahrplan-Tableau",
        "Detaillierte Ergebnisse aller Tests finden Sie hier",
        "For the full timetable click here.",
    ],
)
def test_a_pointer_to_a_link_is_dropped(pointer: str) -> None:
    assert is_link_pointer(pointer)
    assert extract(URL, page(f"<p>{pointer}</p>")).text == "\n\n".join(BODY)


@pytest.mark.parametrize(
    "kept",
    [
        "Das Konzeptpapier finden Sie hier:",  # introduces what follows
        "Hier gibt es seit Jahren keine Fähre mehr.",
        "Die Fähre legt hier um sechs Uhr an.",
    ],
)
def test_text_that_only_says_here_is_kept(kept: str) -> None:
    assert not is_link_pointer(kept)
