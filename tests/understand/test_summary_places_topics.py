from __future__ import annotations

import json

from typer.testing import CliRunner

from broadsheet.cli import app
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.stage import understand, understand_texts
from broadsheet.understand.summary import summarize, summarize_story

STRIKE = (
    "Dock workers at the city's container terminal in Rotterdam voted on Tuesday to end a "
    "three-day strike that had left more than forty ships waiting at anchor.\n\n"
    "The agreement, reached after eleven hours of talks, raises pay by 6% over two years "
    "and limits night shifts to four a week. Union leaders called it a fair settlement.\n\n"
    '"We are relieved," said one captain. Would it last?\n\n'
    "The port authority said the strike had cost more than the pay rise. The first vessels "
    "are expected to berth tonight, and the backlog should clear by the end of next week, "
    "according to the harbour master. Shipping firms in Belgium and Germany had diverted "
    "cargo from Rotterdam to Antwerp and Hamburg during the strike."
)


def test_summary_is_two_or_three_sentences_from_the_lead_and_key_points_three_to_five() -> None:
    digest = summarize("Port workers end strike after pay deal", STRIKE)
    assert 2 <= len(digest.summary_sentences) <= 3
    assert digest.summary.startswith("Dock workers at the city's container terminal")
    assert all(part in STRIKE for part in digest.key_points)
    assert 3 <= len(digest.key_points) <= 5
    assert "Would it last?" not in digest.summary  # questions make poor summary lines
    assert summarize("", "").summary == ""


def test_story_summary_draws_from_several_outlets_and_links_each_sentence() -> None:
    other = (
        "Striking dockers in Rotterdam accepted a pay rise of 6% on Tuesday, ending a "
        "walkout that stranded forty ships. Talks lasted eleven hours."
    )
    lines = summarize_story([(11, "Strike ends", STRIKE), (12, "Dockers accept deal", other)])
    assert 2 <= len(lines) <= 4
    for line in lines:
        source = STRIKE if line.article_id == 11 else other
        assert line.text in source
    assert len({line.text for line in lines}) == len(lines)


def test_whole_stage_countries_topics_keywords(pipelines: Pipelines) -> None:
    result = understand(pipelines, "Port workers end strike after pay deal", STRIKE)
    assert result.language == "en"
    codes = [c.code for c in result.countries]
    assert codes[0] == "NL"  # as often as the others, and named first
    assert {"NL", "BE", "DE"} >= set(codes)
    assert result.topics and result.topics[0].topic in {"business", "economy"}
    assert any("strike" in k for k in result.keywords)
    assert set(result.features()) == set(result.versions)
    german = understand_texts(
        pipelines, [("Preise", "Die Preise für Strom und Gas sind in Berlin gesunken.")]
    )[0]
    assert german.language == "de" and german.digest.summary
    # no German recogniser: the gazetteer still finds the places, and topics are found
    # from German word beginnings, so the article reaches place, entity and topic pages
    assert [(m.text, m.entity_id) for m in german.entities] == [("Berlin", "place:berlin")]
    assert [c.code for c in german.countries] == ["DE"]
    assert [t.topic for t in german.topics] == ["economy"]
    assert german.versions["entities"].endswith("/gazetteer-2")
    # German capitalises every noun: "bis Ende" is no town in Indonesia, "das Essen" no
    # city in the Ruhr; after a preposition of place it is
    text = "Die Brücke ist bis Ende Mai gesperrt. Das Essen wird in Essen serviert."
    nouns = understand_texts(pipelines, [("Brücke", text)], ["de"])[0]
    city = len("Brücke\n\n") + text.rindex("Essen")  # offsets index title + text
    assert [(m.text, m.start) for m in nouns.entities] == [("Essen", city)]


def test_articles_in_other_languages_get_places_and_topics(pipelines: Pipelines) -> None:
    spanish, french = understand_texts(
        pipelines,
        [
            (
                "Elecciones en Chile: el gobierno adelanta la votación",
                "El gobierno de Chile adelantó las elecciones al parlamento. Los votantes de "
                "Santiago y de Valparaíso acudirán a las urnas en marzo, dijo el presidente. "
                "La oposición pidió observadores de Alemania.",
            ),
            (
                "Grève des cheminots : la SNCF annule des trains",
                "Les syndicats de la SNCF ont appelé à la grève pour les salaires. Des milliers "
                "de voyageurs sont bloqués à Lyon et à Marseille, et l'inflation pèse sur les "
                "prix des billets en France.",
            ),
        ],
        ["es", "fr"],
    )
    assert spanish.language == "es" and french.language == "fr"
    assert spanish.topics[0].topic == "politics"
    assert {"country:cl", "country:de"} <= {m.entity_id for m in spanish.entities}
    assert [c.code for c in spanish.countries][0] == "CL"
    assert french.topics[0].topic == "economy"
    assert [c.code for c in french.countries] == ["FR"]  # Lyon, Marseille, France


def test_cli_summarize_contract(tmp_path) -> None:  # noqa: ANN001
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a1", "title": "Strike ends", "text": STRIKE}) + "\n")
    result = CliRunner().invoke(app, ["summarize", "--input", str(source)])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout.splitlines()[0])
    assert row["id"] == "a1" and row["summary"] and 3 <= len(row["key_points"]) <= 5
