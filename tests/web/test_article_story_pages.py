"""What a newcomer tripped over on the article and story pages (issue 12), through the real
ASGI app and a temp-dir store: the AI panel never repeats the lead, citations land on their
sentence, names instead of codes, place / entity / topic pages for every language, story
summaries in the reader's language, and "not covered" only for the outlets a reader follows.
"""

from __future__ import annotations

import html as htmlmod
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.extract import content_hash
from broadsheet.models import Article
from broadsheet.store import Store
from broadsheet.store.stories import Change
from broadsheet.story_digest import lines_for
from broadsheet.understand.entities import fold
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.sentences import split_sentences
from broadsheet.understand.stage import understand
from broadsheet.web.anchors import anchor_sentences
from broadsheet.web.app import create_app
from broadsheet.web.understand import brief
from tests.ai import llmserver
from tests.ai.llmserver import ChatServer, model_settings
from tests.readers.conftest import make_user, signed_in
from tests.stories import conftest as stories
from tests.stories.sample import CHILE, at
from tests.web.asgi import get

add, outlets, news = stories.add, stories.outlets, stories.news  # reused fixtures
chat = llmserver.chat
NOW = at(80)

# An article whose extractive summary is its first paragraph (news is written that way).
BRIDGE = (
    "Harbour bridge to close for nine weeks of repairs",
    "The Harbour Bridge will close to traffic for nine weeks from Monday while engineers "
    "replace its corroded deck plates, the city council said on Tuesday. Drivers were told "
    "to use the ring road, where extra lanes will open at night.\n\n"
    "The repairs will cost 88 million euros, paid for by a national infrastructure fund, and "
    "are due to finish before the winter storms. The council said the bridge carried forty "
    "thousand vehicles a day.\n\n"
    "Ferries across the harbour will run every ten minutes during the closure, and bus "
    "routes 4 and 9 will be diverted over the Northern Causeway.\n\n"
    "Shop owners near the bridge said they feared losing customers for the whole summer. "
    "The council promised a parking discount for the weeks of the works.\n\n"
    "The bridge opened in 1977 and was last repaired twenty years ago, when it closed for "
    "four months.",
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The stories tests' settings, with a cheap password hash for signed-in readers."""
    return Settings(
        data_dir=tmp_path,
        allow_private_networks=True,
        default_sources=False,
        extract_workers=1,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
    )


@pytest.fixture
def app(settings: Settings, store: Store) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)


@pytest.fixture
def pipelines(settings: Settings) -> Pipelines:
    return Pipelines(settings.spacy_models)


def understood(store: Store, pipelines: Pipelines, article_id: int) -> None:
    """Understand a stored article as the orchestrator does, and store the features."""
    article = store.get_article(article_id)
    assert article is not None
    result = understand(pipelines, article.title, article.text, article.language)
    store.save_understanding(article_id, result.features(), result.versions)


def section(page: str, start: str, end: str) -> str:
    i = page.index(start)
    return page[i : page.index(end, i)]


def plain(fragment: str) -> str:
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", fragment))


# --- 1. the panel never repeats the lead, nor a sentence twice -------------------------------
def test_in_brief_repeats_neither_the_first_paragraph_nor_itself(
    app: FastAPI, store: Store, add: stories.Add, pipelines: Pipelines
) -> None:
    article_id = add("Harbour Gazette", *BRIDGE, at(1))
    understood(store, pipelines, article_id)
    stored = store.get_understanding(article_id)["summary"]
    lead = {fold(s.text) for s in split_sentences(BRIDGE[1]) if s.paragraph == 0}
    # the setting this test is about: the stored summary is (mostly) the lead
    assert {fold(s) for s in stored["key_points"]} & lead

    page = get(app, f"/articles/{article_id}").text
    panel = section(page, '<aside class="ai-panel"', "</aside>")
    shown = [
        plain(m).replace("↓", "").strip()
        for m in re.findall(r'<li>(.*?)</li>|class="ai-panel__summary"[^>]*>(.*?)</p>', panel)
        for m in m
        if m
    ]
    items = [fold(s.text) for t in shown for s in split_sentences(t)]
    assert items, "the panel shows key points"
    assert not set(items) & lead  # nothing the first paragraph already says
    assert len(items) == len(set(items))  # and nothing twice


def test_brief_leaves_out_a_summary_that_is_the_lead() -> None:
    text = BRIDGE[1]
    sentences = split_sentences(text)
    digest = {
        "summary": " ".join(s.text for s in sentences[:2]),
        "summary_sentences": [0, 1],
        "key_points": [sentences[i].text for i in (0, 1, 3)],
        "key_point_sentences": [0, 1, 3],
    }
    summary, points = brief(BRIDGE[0], text, digest)
    assert summary == []  # it was the first paragraph, word for word
    numbers = [n for n, _ in points]
    assert 4 in numbers and 1 not in numbers and 2 not in numbers  # sentence 4 stays
    assert len(points) >= 3  # points lost to the lead are replaced from the rest
    assert len(set(numbers)) == len(numbers)
    assert all(sentences[n - 1].text == t for n, t in points)  # numbered as the body is


# --- 2, 3. the panel beside / above the body; the ask form --------------------------------
def test_panel_comes_before_the_body_and_the_ask_form_is_labelled(
    settings: Settings, store: Store, add: stories.Add, pipelines: Pipelines, chat: ChatServer
) -> None:
    article_id = add("Harbour Gazette", *BRIDGE, at(1))
    understood(store, pipelines, article_id)
    configured = model_settings(settings, chat)
    page = get(create_app(configured, store, clock=lambda: NOW), f"/articles/{article_id}").text
    assert 'class="article article--with-panel"' in page
    assert page.index('class="ai-panel"') < page.index('class="article__body"')
    assert '<details class="ai-panel__fold">' in page  # closed: one line above a phone's body
    form = section(page, '<form class="ask-form"', "</form>")
    assert '<label class="ask-form__label" for="ask-q">Ask about this article</label>' in form
    assert 'class="ask-form__input" id="ask-q"' in form
    assert '<button class="ask-form__button" type="submit">Ask</button>' in form


# --- 4. translation targets by name; a translation keeps the article's header --------------
def test_translate_targets_are_named_and_a_translation_keeps_the_header(
    settings: Settings, store: Store, add: stories.Add, pipelines: Pipelines, chat: ChatServer
) -> None:
    article_id = add("Harbour Gazette", *BRIDGE, at(1), author="Amelia Okafor")
    understood(store, pipelines, article_id)
    configured = model_settings(settings, chat)
    app = create_app(configured, store, clock=lambda: NOW)
    page = get(app, f"/articles/{article_id}").text
    links = re.findall(r'translate\?lang=(\w+)" hreflang="(\w+)">([^<]+)</a>', page)
    named = {code: name for code, _, name in links}
    assert named["de"] == "German" and named["fr"] == "French" and named["es"] == "Spanish"
    assert ">de<" not in page and "de · fr" not in page

    chat.mode = "translate"
    translated = get(app, f"/articles/{article_id}/translate?lang=de")
    assert translated.status_code == 200
    head = section(translated.text, '<header class="article__header">', "</header>")
    assert 'href="/sources/' in head and "Harbour Gazette" in head  # the outlet
    assert "Amelia Okafor" in head  # the byline
    assert re.search(r'<time datetime="2024-05-13T11:00:00\+00:00"', head)  # the date
    assert 'href="https://harbour.example/news/1" rel="noopener noreferrer"' in head
    assert "Machine translation into German" in head


# --- 5. sentence anchors; citations link to the very sentence ------------------------------
def test_every_sentence_of_the_body_has_an_anchor_and_the_panel_links_to_them(
    app: FastAPI, store: Store, add: stories.Add, pipelines: Pipelines
) -> None:
    article_id = add("Harbour Gazette", *BRIDGE, at(1))
    understood(store, pipelines, article_id)
    page = get(app, f"/articles/{article_id}").text
    body = section(page, '<div class="article__body"', '<div class="article__after">')
    sentences = split_sentences(BRIDGE[1])
    anchored = dict(re.findall(r'<span class="s" id="s-(\d+)">([^<]*)</span>', body))
    assert {int(n) for n in anchored} == {s.index + 1 for s in sentences}
    for s in sentences:
        assert plain(anchored[str(s.index + 1)]) == s.text
    panel = section(page, '<aside class="ai-panel"', "</aside>")
    jumps = re.findall(r'<li>([^<]*) <a class="ai-panel__jump" href="#s-(\d+)"', panel)
    assert jumps
    for text, n in jumps:  # each key point links to the sentence it is
        assert plain(anchored[n]) == htmlmod.unescape(text)


def test_anchors_cross_inline_tags_and_keep_the_markup() -> None:
    body = (
        '<p>Rain hit <a href="https://x.example/">Lyon</a> &amp; Paris on <em>Monday</em>. '
        'It stopped.</p><figure><img src="/a.png" alt=""></figure><p>Done &lt;now&gt;.</p>'
    )
    text = "Rain hit Lyon & Paris on Monday. It stopped.\n\nDone <now>."
    out = anchor_sentences(body, text)
    assert re.sub(r"</?span[^>]*>", "", out) == body  # only spans were added
    assert '<span class="s" id="s-1">Rain hit </span><a href="https://x.example/">' in out
    assert '<span class="s" data-s="s-1">Lyon</span>' in out
    assert '<span class="s" id="s-2">It stopped.</span>' in out
    assert '<span class="s" id="s-3">Done &lt;now&gt;.</span>' in out
    assert anchor_sentences(body, "Nothing of this is in the body.") == body


def test_story_summary_and_ai_citations_link_to_the_sentence(
    settings: Settings, store: Store, news: dict[str, int], chat: ChatServer
) -> None:
    story = store.story_of_article(news["chile0"])
    configured = model_settings(settings, chat)
    app = create_app(configured, store, clock=lambda: NOW)
    page = get(app, f"/stories/{story}").text
    lines = re.findall(r'href="/articles/(\d+)#s-(\d+)"', section(page, "story-summary", "</ul>"))
    assert lines
    for aid, n in lines:
        article = get(app, f"/articles/{aid}").text
        assert f'id="s-{n}"' in article  # the anchor the summary links to exists
    chat.mode = "story"
    asked = get(app, f"/stories/{story}/ask?q=What+happened%3F").text
    assert re.search(r'<a href="/articles/\d+#s-\d+">[^<]+, sentence \d+</a>', asked)


# --- 6. names, not codes -----------------------------------------------------------------
def test_coverage_shows_country_and_language_names(
    app: FastAPI, store: Store, news: dict[str, int]
) -> None:
    page = get(app, f"/stories/{store.story_of_article(news['chile0'])}").text
    who = section(page, 'id="who-title"', "</section>")
    assert "CL (1)" not in who and "GB (1)" not in who and "en (2)" not in who
    for name in ("Chile", "United States", "United Kingdom", "Spanish", "English"):
        assert name in who
    assert '<td data-label="Country"><a href="/places/cl">Chile</a></td>' in who
    items = section(page, 'id="reports-title"', "</section>")
    assert '<span class="coverage__meta">Chile</span>' in items
    assert '<span class="coverage__meta">Spanish</span>' in items
    assert not re.search(r'class="coverage__meta"[^>]*>(CL|GB|US|en|es)<', items)


# --- 8. place pages: linked, and listing articles from the country's outlets too ----------
def test_place_page_lists_articles_about_it_and_from_its_outlets(
    app: FastAPI, store: Store, news: dict[str, int], add: stories.Add, pipelines: Pipelines
) -> None:
    about = add(
        "Pacific Times", "Chile's president visits Iquique", "Chile's president went to "
        "Iquique and Arica on Wednesday to see the damage.", at(30),
    )  # fmt: skip
    understood(store, pipelines, about)
    page = get(app, "/places/cl").text
    listed = re.findall(r'<a href="/articles/(\d+)"', page)
    assert str(news["chile0"]) in listed  # from a Chilean outlet (Andes Daily), not understood
    assert str(about) in listed  # about Chile, from an American outlet
    assert listed.index(str(about)) < listed.index(str(news["chile0"]))  # newest first
    assert "No articles yet" not in page
    assert '<h1 class="page-title"><bdi>Chile</bdi></h1>' in page
    # reached from the article (its outlet's country) and the story (the coverage)
    assert 'href="/places/cl"' in get(app, f"/articles/{news['chile0']}").text
    story = get(app, f"/stories/{store.story_of_article(news['chile0'])}").text
    assert 'href="/places/cl"' in story and 'href="/places/gb"' in story


def test_place_page_pages_through_both_lists_without_repeats(
    app: FastAPI, store: Store, add: stories.Add, pipelines: Pipelines, monkeypatch
) -> None:
    from broadsheet.web import understand as understand_pages

    monkeypatch.setattr(understand_pages, "LIST_SIZE", 2)
    ids = []
    for n in range(5):
        outlet = "Andes Daily" if n % 2 else "Pacific Times"  # from Chile, or about it
        text = f"Update {n}: Chile's navy checked the port of Iquique again, hour {n}."
        ids.append(add(outlet, f"Quake update {n} from Iquique, Chile", text, at(10 + n)))
        understood(store, pipelines, ids[-1])
    seen: list[str] = []
    path: str | None = "/places/cl"
    while path:
        page = get(app, path).text
        seen += re.findall(r'<h2 class="teaser__title"><a href="/articles/(\d+)"', page)
        found = re.search(r'href="(/places/cl\?before=[^"]+)"', page)
        last, path = page, htmlmod.unescape(found.group(1)) if found else None
    assert seen == [str(i) for i in reversed(ids)]  # each once, newest first
    back: list[str] = []  # and from the last page back up, through the newer pages
    found = re.search(r'href="(/places/cl\?after=[^"]+)"', last)
    while found:
        page = get(app, htmlmod.unescape(found.group(1))).text
        back = re.findall(r'<h2 class="teaser__title"><a href="/articles/(\d+)"', page) + back
        found = re.search(r'href="(/places/cl\?after=[^"]+)"', page)
    on_last = re.findall(r'<h2 class="teaser__title"><a href="/articles/(\d+)"', last)
    assert back and back + on_last == seen


def test_entity_and_topic_pages_list_articles_in_other_languages(
    app: FastAPI, store: Store, add: stories.Add, pipelines: Pipelines
) -> None:
    spanish = add(
        "Andes Daily", "Elecciones en Chile: el gobierno adelanta la votación",
        "El gobierno de Chile adelantó las elecciones al parlamento. Los votantes de "
        "Santiago y de Valparaíso acudirán a las urnas en marzo, dijo el presidente.", at(20),
    )  # fmt: skip
    understood(store, pipelines, spanish)  # Andes Daily writes Spanish: no spaCy pipeline
    topic = get(app, "/topics/politics").text
    assert f'href="/articles/{spanish}"' in topic
    assert '<h1 class="page-title"><bdi>Politics</bdi></h1>' in topic
    entity = get(app, "/entities/country:cl").text
    assert f'href="/articles/{spanish}"' in entity
    article = get(app, f"/articles/{spanish}").text
    assert 'href="/topics/politics"' in article and 'href="/places/cl"' in article


# --- 9. a story's summary in the reader's language first ---------------------------------
SPANISH = (
    "Terremoto de magnitud 7,1 sacude el norte de Chile",
    "Un terremoto de magnitud 7,1 sacudió el norte de Chile cerca de Iquique el lunes. "
    "La armada emitió una alerta de tsunami y los vecinos subieron a los cerros.",
)
FRENCH = (
    "Un séisme de magnitude 7,1 frappe le nord du Chili",
    "Un séisme de magnitude 7,1 a frappé le nord du Chili près d'Iquique lundi. La marine a "
    "émis une alerte au tsunami et les habitants ont gagné les hauteurs.",
)


def _article(url: str, title: str, text: str, language: str, when: datetime) -> Article:
    return Article(
        url=url, canonical_url=url, title=title, text=text, language=language,
        html="".join(f"<p>{p}</p>" for p in text.split("\n\n")), published=when,
        content_hash=content_hash(text),
    )  # fmt: skip


def test_story_summary_prefers_the_readers_language(
    app: FastAPI, store: Store, outlets: dict[str, int]
) -> None:
    rows = [
        ("Andes Daily", "https://andes.example/1", *SPANISH, "es", at(0)),
        ("Euro Ledger", "https://euro.example/1", *FRENCH, "fr", at(1)),
        ("Pacific Times", "https://pacific.example/1", *CHILE[0], "en", at(2)),
        ("Harbour Gazette", "https://harbour.example/1", *CHILE[2], "en", at(3)),
    ]
    ids = []
    for outlet, url, title, text, lang, when in rows:
        saved = store.save_article(outlets[outlet], _article(url, title, text, lang, when), when)
        assert isinstance(saved, int)
        ids.append(saved)
    story = store.apply_story_changes([Change(article_id=i, story=-1) for i in ids])[-1]
    page = get(app, f"/stories/{story}").text
    summary = section(page, 'id="story-summary-title"', "</ul>")
    langs = re.findall(r'<li lang="(\w+)">', summary)
    assert langs and langs[0] == "en"  # it opens in English
    assert set(langs) == {"en"}  # two English reports: enough for the summary on their own
    english = {str(ids[2]), str(ids[3])}
    assert set(re.findall(r'href="/articles/(\d+)#s-', summary)) <= english
    # the "ask" page (no model here: it falls back to the summary) prefers it too
    asked = get(app, f"/stories/{story}/ask?q=What+happened%3F").text
    fallback = section(asked, 'id="story-summary-title"', "</ul>")
    assert set(re.findall(r'<li lang="(\w+)">', fallback)) == {"en"}


def test_lines_for_a_reader_fills_in_when_their_language_has_little() -> None:
    mixed = [
        {"text": "Uno.", "article_id": 1, "sentence": 0, "language": "es"},
        {"text": "Deux.", "article_id": 2, "sentence": 0, "language": "fr"},
        {"text": "Three.", "article_id": 3, "sentence": 0, "language": "en"},
    ]
    own = [{"text": "Three.", "article_id": 3, "sentence": 0, "language": "en"}]
    summary = {"lines": mixed, "by_language": {"en": own, "es": mixed[:1], "fr": mixed[1:2]}}
    assert [ln["text"] for ln in lines_for(summary, "en")] == ["Three.", "Uno.", "Deux."]
    assert [ln["text"] for ln in lines_for(summary, "de")] == ["Uno.", "Deux.", "Three."]
    one_language = {"lines": mixed, "by_language": {}}
    assert lines_for(one_language, "fr")[0]["text"] == "Deux."


# --- 10. "not covered by N of your outlets" only for readers who follow outlets -----------
def test_not_covered_counts_only_the_outlets_a_reader_follows(
    app: FastAPI, settings: Settings, store: Store, news: dict[str, int], outlets: dict[str, int]
) -> None:
    story = store.story_of_article(news["chile0"])
    assert "Not covered by" not in get(app, f"/stories/{story}").text  # anonymous
    uid = make_user(store, settings, "reader@example.org")
    reader = signed_in(app, "reader@example.org")
    assert "Not covered by" not in reader.get(f"/stories/{story}").text  # follows no outlet
    for name in ("Andes Daily", "Nippon Herald"):  # one covered the quake, one did not
        store.set_follow(uid, "outlet", str(outlets[name]), False, NOW)
    store.set_follow(uid, "outlet", str(outlets["Quiet Weekly"]), True, NOW)  # muted
    page = reader.get(f"/stories/{story}").text
    missing = section(page, '<details class="missing">', "</details>")
    assert "Not covered by 1 of the outlets you follow" in missing
    assert "Nippon Herald" in missing
    assert "Andes Daily" not in missing and "Quiet Weekly" not in missing


def test_the_anchored_body_and_the_panel_are_made_once_per_version_of_the_article(
    app: FastAPI,
    store: Store,
    add: stories.Add,
    pipelines: Pipelines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The article page keeps its body's sentence anchors and the panel's sentences under
    the article's text, HTML and title (and the digest's picks): a second view makes
    neither again, and a changed text shows at once."""
    from sqlalchemy import update

    from broadsheet.store.schema import articles
    from broadsheet.web import anchors
    from broadsheet.web import understand as understand_web

    made = {"anchors": 0, "brief": 0}

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any) -> Any:
            made[name] += 1
            return real(*args)

        return call

    monkeypatch.setattr(anchors, "anchor_sentences", counted("anchors", anchors.anchor_sentences))
    monkeypatch.setattr(understand_web, "brief", counted("brief", understand_web.brief))
    article_id = add("Harbour Gazette", *BRIDGE, at(1))
    understood(store, pipelines, article_id)
    first = get(app, f"/articles/{article_id}").text
    assert get(app, f"/articles/{article_id}").text == first
    assert made == {"anchors": 1, "brief": 1}
    assert 'id="s-1"' in first and 'class="ai-panel"' in first

    added = "A new closing sentence was added by the editors."
    with store.writer() as conn:
        conn.execute(
            update(articles)
            .where(articles.c.id == article_id)
            .values(
                text=BRIDGE[1] + "\n\n" + added,
                html=store.get_article(article_id).html + f"<p>{added}</p>",  # type: ignore[union-attr]
            )
        )
    changed = get(app, f"/articles/{article_id}").text
    assert made == {"anchors": 2, "brief": 2}
    last = len(split_sentences(BRIDGE[1] + "\n\n" + added))
    assert f'<span class="s" id="s-{last}">{added}</span>' in changed
    assert f'id="s-{last}"' not in first
