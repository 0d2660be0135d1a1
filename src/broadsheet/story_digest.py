"""The story page's digest: what it shows about a whole story (the coverage view and the
summary from several outlets), computed once when the story changes and stored, so a view
reads one row instead of every member and a dozen article texts.

``refresh_changed(store, since)`` is for the orchestrator, after the stories stage wrote a
batch (``flush_stories``); ``load(store, story)`` is for the page, and computes (and stores)
a digest that is missing or stale, so pages are right before the orchestrator catches up.
A digest is stale when the story's ``updated_at`` (set by every write to the story) or
``VERSION`` moved on. The computing is the stages' pure functions; only the store is I/O.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Hashable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from broadsheet.errors import StoreError
from broadsheet.models import Story, StoryMember
from broadsheet.stories.coverage import coverage, folded
from broadsheet.understand.summary import summarize_story

if TYPE_CHECKING:
    from broadsheet.store import Store

log = logging.getLogger(__name__)

VERSION = "2"  # 2: summary lines carry their language; per-language lines
MAX_ARTICLES = 12  # articles a story's summary (and the AI's answers) draw on
_DATES = ("first_at", "last_at")


def originals(
    story: Story, members: list[StoryMember], limit: int = MAX_ARTICLES
) -> list[StoryMember]:
    """The reports a story's summary reads: each wire text once (its first report); the
    story's lead first, then one article per outlet, newest first, then the rest."""
    ordered = [item["member"] for item in folded(members)]  # newest first
    picked = [m for m in ordered if m.article_id == story.lead_article_id]
    outlets = {m.source_id for m in picked}
    for m in ordered:
        if m.source_id not in outlets:
            picked.append(m)
            outlets.add(m.source_id)
    chosen = {m.article_id for m in picked}
    picked += [m for m in ordered if m.article_id not in chosen]
    return picked[:limit]


def build(
    story: Story, members: list[StoryMember], texts: dict[int, tuple[str, str]]
) -> dict[str, Any]:
    """The digest of a story from its members and the (title, text) of its originals."""
    view = coverage(members, [])
    found = [
        (m.article_id, m.source_name, *texts[m.article_id])
        for m in originals(story, members)
        if m.article_id in texts and texts[m.article_id][1].strip()
    ]
    language = {m.article_id: primary_language(m.language) for m in members}
    summary = summary_lines([(aid, title, text) for aid, _outlet, title, text in found], language)
    return {
        "coverage": {
            "outlets": [
                {
                    "source_id": o.source_id,
                    "name": o.name,
                    "country": o.country,
                    "languages": o.languages,
                    "first_at": o.first_at.isoformat(),
                    "articles": len(o.articles),
                    "wire": o.wire,
                }
                for o in view.outlets
            ],
            "countries": view.countries,
            "languages": view.languages,
            "first_at": view.first_at.isoformat() if view.first_at else None,
            "last_at": view.last_at.isoformat() if view.last_at else None,
            "articles": view.articles,
            "wire": view.wire,
            "original": view.original,
            "agencies": view.agencies,
            "origin": view.origin.source_name if view.origin else None,
        },
        "summary": {
            **summary,
            "sources": [[aid, outlet, title] for aid, outlet, title, _text in found],
        },
    }


def summary_lines(
    found: list[tuple[int, str, str]], language: dict[int, str | None]
) -> dict[str, Any]:
    """A story's extractive summary from its reports' (article id, title, text): ``lines``
    from all of them, each with its language, and for a story in several languages
    ``by_language``, each language's summary from its own reports (for its readers)."""
    lines = summarize_story(found)
    by_language: dict[str, list[dict[str, Any]]] = {}
    langs = {language.get(aid) for aid, _t, _x in found} - {None}
    if len(langs) > 1:
        for lang in sorted(x for x in langs if x):
            own = [item for item in found if language.get(item[0]) == lang]
            by_language[lang] = [
                {**asdict(line), "language": lang} for line in summarize_story(own)
            ]
    return {
        "lines": [{**asdict(ln), "language": language.get(ln.article_id)} for ln in lines],
        "by_language": by_language,
    }


def primary_language(tag: str | None) -> str | None:
    """``pt-BR`` → ``pt``: the language a reader's interface is compared with."""
    return tag.split("-")[0].lower() if tag else None


PREFERRED_LINES = 2  # fewer lines than this in the reader's language: others fill in


def lines_for(summary: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """A story's summary lines for a reader of ``language``: that language's own lines
    when the story has reports in it (an English reader's summary does not open with
    Spanish and French sentences); others only fill in when it has fewer than
    ``PREFERRED_LINES``. Without reports in that language, the lines as chosen."""
    mixed: list[dict[str, Any]] = summary.get("lines", [])
    own = (summary.get("by_language") or {}).get(primary_language(language) or "", [])
    if not own:
        own = [ln for ln in mixed if ln.get("language") == primary_language(language)]
        others = [ln for ln in mixed if ln.get("language") != primary_language(language)]
        return own + others
    if len(own) >= PREFERRED_LINES:
        return own
    shown = {(ln["article_id"], ln["sentence"]) for ln in own}
    extra = [ln for ln in mixed if (ln["article_id"], ln["sentence"]) not in shown]
    return own + extra[: max(0, len(mixed) - len(own))]


def _row(story: Story, value: dict[str, Any], now: datetime) -> dict[str, Any]:
    assert story.updated_at is not None
    return {
        "story_id": story.id,
        "version": VERSION,
        "story_updated_at": story.updated_at,
        "article_count": story.article_count,
        "value": json.dumps(value, ensure_ascii=False),
        "computed_at": now,
    }


def refresh(store: Store, story_ids: list[int]) -> int:
    """Compute and store the digests of these stories: a fixed number of queries and one
    transaction however many stories there are. The number of digests written."""
    stories = [s for s in store.stories_by_ids(story_ids) if s.updated_at is not None]
    if not stories:
        return 0
    members: dict[int, list[StoryMember]] = {}
    for m in store.story_members([s.id for s in stories]):
        members.setdefault(m.story_id, []).append(m)
    picked = {s.id: originals(s, members.get(s.id, [])) for s in stories}
    texts = store.article_texts([m.article_id for ms in picked.values() for m in ms])
    now = datetime.now(UTC)
    rows = [_row(s, build(s, members.get(s.id, []), texts), now) for s in stories]
    store.save_story_digests(rows)
    return len(rows)


def refresh_changed(store: Store, since: datetime, min_articles: int = 2) -> int:
    """Refresh the digests of the stories the stories stage changed since ``since`` (with
    at least ``min_articles`` articles: a lone article's digest is left to its first view),
    and those computed by an older ``VERSION``."""
    done = 0
    while ids := store.stories_needing_digest(since, VERSION, min_articles, limit=500):
        written = refresh(store, ids)
        done += written
        if written < len(ids):  # stories gone meanwhile: do not loop on them
            break
    return done


class Kept(Protocol):
    """Where parsed digests are kept between views (``web.page_cache.Kept``: bounded)."""

    def get(self, key: Hashable) -> dict[str, Any] | None: ...

    def put(self, key: Hashable, value: dict[str, Any]) -> None: ...


def load(store: Store, story: Story, kept: Kept | None = None) -> dict[str, Any]:
    """The story's digest for its page: the stored one when fresh, else computed now (and
    stored, when the database lets this process write).

    With ``kept``, a stored digest is parsed once and kept under which one it is (story,
    version, the story's ``updated_at``, when it was computed): a view reads that stamp,
    not the value, and a digest written since (a changed story, a new version, a digest
    computed again) is another key, so it shows at once. A big story's digest lists
    hundreds of outlets (160 KB of JSON at 1M articles); the kept value is shared by every
    view and must not be changed."""
    if kept is not None:
        stamp = store.story_digest_stamp(story.id)
        if stamp is not None and _fresh(stamp[0], stamp[1], story):
            found = kept.get((story.id, *stamp))
            if found is not None:
                return found
    stored = store.story_digest(story.id)
    if stored is not None and _fresh(stored[0], stored[1], story):
        value = parse(stored[2])
        if kept is not None:
            kept.put((story.id, stored[0], stored[1], stored[3]), value)
        return value
    members = store.story_members([story.id])
    texts = store.article_texts([m.article_id for m in originals(story, members)])
    value = build(story, members, texts)
    if story.updated_at is not None:
        try:
            store.save_story_digests([_row(story, value, datetime.now(UTC))])
        except StoreError as exc:  # a read-only or busy database: the page still shows
            log.warning("story %s: digest not stored: %s", story.id, exc)
    return parse(json.dumps(value))


def _fresh(version: str, updated_at: datetime, story: Story) -> bool:
    return version == VERSION and updated_at == story.updated_at


def parse(raw: str) -> dict[str, Any]:
    """A stored digest's JSON, its dates back to datetimes (for the templates' filters)."""
    return _loaded(json.loads(raw))


def _loaded(value: dict[str, Any]) -> dict[str, Any]:
    """Dates back to datetimes, for the templates' time filters; each outlet's languages a
    tuple, so an outlet holds no container: the collector stops tracking such dicts and
    tuples, and a kept digest of a thousand outlets is not walked by every full collection
    (the web keeps 64 of them)."""
    cov = value["coverage"]
    for key in _DATES:
        cov[key] = datetime.fromisoformat(cov[key]) if cov[key] else None
    for outlet in cov["outlets"]:
        outlet["first_at"] = datetime.fromisoformat(outlet["first_at"])
        outlet["languages"] = tuple(outlet["languages"])
    return value
