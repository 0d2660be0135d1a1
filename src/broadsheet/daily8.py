"""The Daily 8 of a day and an edition, computed and kept in the store: for the pages
(web/daily.py) and the digest mail (digest_mail.py) alike.

A day is a calendar day in the site's time zone. Today's edition is recomputed at most
every ``TODAY_TTL`` seconds; a past day's once (then it is final and never changes). The
world edition ranks every story of the day; an edition (``fr-fr``: a country and a
language) gives up to five places to its local stories and the rest to the world's best
(``stories.daily.choose_for_edition`` says how).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from broadsheet.stories import daily as daily_rule

if TYPE_CHECKING:
    from broadsheet.store import Store

WORLD = "world"
TODAY_TTL = 600.0


def local_day(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def page_path(edition: str) -> str:
    """Where an edition's Daily 8 lives on the site: ``/daily`` or ``/daily/fr-fr``."""
    return "/daily" if edition == WORLD else f"/daily/{edition}"


def parts(edition: str) -> tuple[str, str] | None:
    """``fr-fr`` → ("FR", "fr"): an edition's country and language; None for the world."""
    country, _, language = edition.partition("-")
    if edition == WORLD or len(country) != 2 or not language:
        return None
    return country.upper(), language


def items(store: Store, day: date, zone: str, edition: str = WORLD) -> list[dict[str, Any]]:
    """Choose the day's stories, with their stored digests' summary lines (plain data)."""
    from broadsheet import story_digest

    found, topics = store.daily_candidates(*bounds(day, zone))
    candidates = [daily_rule.candidate(s, topics.get(s.lead_article_id or 0)) for s in found]
    edition_of = parts(edition)
    if edition_of is None:
        picked = [(c, False) for c in daily_rule.choose(candidates)]
        language = None
    else:
        country, language = edition_of
        # the text is read only for stories no outlet of the country reported
        uncovered = [
            c.story for c in candidates if all(m.country != country for m in c.story.members)
        ]
        named = store.stories_naming(country, [s.id for s in uncovered])
        picked = daily_rule.choose_for_edition(candidates, country, language, named)
    out = []
    for c, is_local in picked:
        story = c.story
        summary = story_digest.load(store, story)["summary"]
        outlets = {aid: outlet for aid, outlet, _title in summary["sources"]}
        chosen = story_digest.lines_for(summary, language) if language else summary["lines"]
        lines = [
            {
                "text": ln["text"],
                "article": ln["article_id"],
                "outlet": outlets.get(ln["article_id"]),
                "language": ln.get("language"),
            }
            for ln in chosen
        ]
        out.append(
            {
                "story": story.id,
                "title": story.title,
                "lead": story.lead_article_id,
                "topic": c.topic,
                "voices": c.voices,
                "outlets": len({m.source_id for m in story.members}),
                "countries": c.countries[:6],
                "local": is_local,
                "lines": lines,
            }
        )
    return out


def edition_for(
    store: Store, day: date, now: datetime, zone: str, edition: str = WORLD
) -> dict[str, Any]:
    """The day's edition from the store, computed (and kept) when missing or stale."""
    key = day.isoformat()
    kept = store.daily_edition(key, edition)
    if kept is not None and (
        kept["final"] or (now - kept["computed_at"]).total_seconds() < TODAY_TTL
    ):
        return kept
    chosen = items(store, day, zone, edition)
    final = day < local_day(now, zone)
    store.save_daily_edition(key, edition, chosen, final)
    return {"day": key, "edition": edition, "items": chosen, "final": final, "computed_at": now}
