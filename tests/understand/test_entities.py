from __future__ import annotations

import json

from typer.testing import CliRunner

from broadsheet.cli import app
from broadsheet.understand.casing import recase
from broadsheet.understand.entities import find_entities, fold
from broadsheet.understand.pipelines import Pipelines

KIM = (
    "SEOUL (Reuters) - North Korean leader Kim Jong Un inspected a missile launch, state "
    "media said. Mr. Kim was joined by officials. South Korea's president said Kim Jong-un "
    "had broken a United Nations resolution, and the UN Security Council will meet."
)


def test_spellings_of_one_person_share_an_entity_id(pipelines: Pipelines) -> None:
    nlp = pipelines.for_language("en")
    assert nlp is not None
    (mentions,) = find_entities(nlp, [KIM])
    kim = {m.text: m.entity_id for m in mentions if m.label == "PERSON"}
    assert kim["Kim Jong Un"] == kim["Kim Jong-un"] == kim["Kim"] == "person:kim-jong-un"
    for m in mentions:  # offsets point into the text as given
        assert KIM[m.start : m.end] == m.text
    places = {m.text: m.entity_id for m in mentions if m.label == "GPE"}
    assert places["South Korea"] == "country:kr"
    assert "SEOUL" in places


def test_a_surname_shared_by_two_people_is_left_alone(pipelines: Pipelines) -> None:
    nlp = pipelines.for_language("en")
    text = "Hillary Clinton met Bill Clinton in New York. Clinton said little."
    (mentions,) = find_entities(nlp, [text])  # type: ignore[arg-type]
    ids = {m.text: m.entity_id for m in mentions if m.label == "PERSON"}
    assert ids["Hillary Clinton"] != ids["Bill Clinton"]
    assert ids.get("Clinton", "person:clinton") == "person:clinton"


def test_shouted_headlines_and_datelines_are_recased_with_same_offsets() -> None:
    text = "RANGERS BEAT CELTIC IN GLASGOW\nGLASGOW 1996-08-31\nIn Glasgow, Rangers beat Celtic."
    fixed = recase(text)
    assert len(fixed) == len(text)
    # capitals only where the text itself writes them mid-sentence
    assert fixed.splitlines()[0] == "Rangers beat Celtic in Glasgow"
    assert fixed.splitlines()[1].startswith("Glasgow ")
    assert fold("Kim Jong-un") == fold("KIM JONG UN") == "kim jong un"


def test_cli_entities_contract_and_languages_without_a_model(tmp_path) -> None:  # noqa: ANN001
    source = tmp_path / "in.jsonl"
    rows = [
        {"id": 1, "text": KIM},
        {"id": "de", "text": "Bundeskanzler Olaf Scholz reiste am Dienstag nach Paris und Rom."},
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["entities", "--input", str(source)])
    assert result.exit_code == 1, result.output  # line 3 is not JSON: reported, skipped
    assert "line 3: not JSON" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [o["id"] for o in out] == [1, "de"]
    first = out[0]["entities"]
    assert {"start", "end", "label", "text", "entity_id"} <= set(first[0])
    assert all(KIM[e["start"] : e["end"]] == e["text"] for e in first)
    assert {"PERSON", "GPE", "ORG"} <= {e["label"] for e in first}
    assert out[1]["entities"] == []  # German: no German pipeline configured


def test_french_articles_get_people_places_and_organisations_on_first_need() -> None:
    from broadsheet.config import Settings
    from broadsheet.understand import pipelines as loaded
    from broadsheet.understand.stage import understand

    found = Pipelines(Settings(data_dir="/nonexistent").spacy_models)
    assert found.version("fr") == "fr_core_news_sm"
    text = (
        "Emmanuel Macron a reçu le chancelier Olaf Scholz à Paris mardi. M. Macron a "
        "ensuite rencontré les dirigeants de Renault et de la SNCF. L'Espagne et le "
        "Portugal ont salué l'accord, selon l'Agence France-Presse."
    )
    result = understand(found, "Macron reçoit Scholz à Paris", text)
    assert result.language == "fr"
    assert "fr_core_news_sm" in loaded._loaded  # loaded because a French article came
    ids = {m.text: (m.label, m.entity_id) for m in result.entities}
    # WikiNER's PER is read as PERSON, so people have one label in every language
    assert ids["Emmanuel Macron"] == ("PERSON", "person:emmanuel-macron")
    assert ids["Macron"][1] == "person:emmanuel-macron"  # "M. Macron" joins the full name
    assert ids["Olaf Scholz"][0] == "PERSON"
    assert ids["Paris"][0] == "LOC"
    assert ids["Espagne"][1] == "country:es"
    assert {c.code for c in result.countries} >= {"FR", "ES"}
    assert any(label == "ORG" for label, _ in ids.values())
